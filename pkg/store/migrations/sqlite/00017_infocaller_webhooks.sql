-- Version 17: Infocaller lines get one URL per informative event and
-- additional numbers that also reach them; inbound rule groups get rules;
-- origination jobs may wait for capacity (EsperaMax).
-- +goose Up
ALTER TABLE `lines` ADD COLUMN `start_url` text;
ALTER TABLE `lines` ADD COLUMN `transfer_ok_url` text;
ALTER TABLE `lines` ADD COLUMN `transfer_failed_url` text;
ALTER TABLE `lines` ADD COLUMN `end_url` text;
ALTER TABLE `lines` ADD COLUMN `additional_numbers` text;
ALTER TABLE `rule_groups` ADD COLUMN `rules` text;
ALTER TABLE `origination_jobs` ADD COLUMN `max_concurrent` integer;
ALTER TABLE `origination_jobs` ADD COLUMN `wait_until` datetime;

-- +goose Down
ALTER TABLE `origination_jobs` DROP COLUMN `wait_until`;
ALTER TABLE `origination_jobs` DROP COLUMN `max_concurrent`;
ALTER TABLE `rule_groups` DROP COLUMN `rules`;
ALTER TABLE `lines` DROP COLUMN `additional_numbers`;
ALTER TABLE `lines` DROP COLUMN `end_url`;
ALTER TABLE `lines` DROP COLUMN `transfer_failed_url`;
ALTER TABLE `lines` DROP COLUMN `transfer_ok_url`;
ALTER TABLE `lines` DROP COLUMN `start_url`;
