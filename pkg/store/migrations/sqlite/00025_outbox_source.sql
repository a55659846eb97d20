-- Version 25: the bus event a webhook derives from, so a message is
-- enqueued once per event even when a new leader replays the events its
-- predecessor may have handled.
-- +goose Up
ALTER TABLE `outbox_messages` ADD COLUMN `source` text;
ALTER TABLE `outbox_messages` ADD COLUMN `source_seq` integer;
CREATE UNIQUE INDEX `idx_outbox_source` ON `outbox_messages`(`source`,`source_seq`);

-- +goose Down
DROP INDEX `idx_outbox_source`;
ALTER TABLE `outbox_messages` DROP COLUMN `source_seq`;
ALTER TABLE `outbox_messages` DROP COLUMN `source`;
