-- Version 24: the lead statuses a campaign's dialer calls (VICIdial's
-- dial_statuses); empty keeps the engine's retry statuses.
-- +goose Up
ALTER TABLE `campaigns` ADD COLUMN `dial_statuses` varchar(255) DEFAULT NULL;

-- +goose Down
ALTER TABLE `campaigns` DROP COLUMN `dial_statuses`;
