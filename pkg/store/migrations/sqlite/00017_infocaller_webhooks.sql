-- Version 17: Infocaller lines get one URL per informative event and
-- additional numbers that also reach them; inbound rule groups get rules.
-- +goose Up
ALTER TABLE `lines` ADD COLUMN `start_url` text;
ALTER TABLE `lines` ADD COLUMN `transfer_ok_url` text;
ALTER TABLE `lines` ADD COLUMN `transfer_failed_url` text;
ALTER TABLE `lines` ADD COLUMN `end_url` text;
ALTER TABLE `lines` ADD COLUMN `additional_numbers` text;
ALTER TABLE `rule_groups` ADD COLUMN `rules` text;

-- +goose Down
ALTER TABLE `rule_groups` DROP COLUMN `rules`;
ALTER TABLE `lines` DROP COLUMN `additional_numbers`;
ALTER TABLE `lines` DROP COLUMN `end_url`;
ALTER TABLE `lines` DROP COLUMN `transfer_failed_url`;
ALTER TABLE `lines` DROP COLUMN `transfer_ok_url`;
ALTER TABLE `lines` DROP COLUMN `start_url`;
