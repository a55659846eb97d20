-- Version 25: the bus event a webhook derives from, so a message is
-- enqueued once per event even when a new leader replays the events its
-- predecessor may have handled.
-- +goose Up
ALTER TABLE `outbox_messages` ADD COLUMN `source` varchar(32) DEFAULT NULL, ADD COLUMN `source_seq` bigint(20) unsigned DEFAULT NULL;
CREATE UNIQUE INDEX `idx_outbox_source` ON `outbox_messages` (`source`,`source_seq`);

-- +goose Down
DROP INDEX `idx_outbox_source` ON `outbox_messages`;
ALTER TABLE `outbox_messages` DROP COLUMN `source_seq`, DROP COLUMN `source`;
