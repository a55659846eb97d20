-- Version 18: the caller's name from the customer's backend (eXpand
-- getCallerIDName) on calls and CDRs, the data a call script collected
-- (IVR codes), and the simple list that routes known callers of a queue.
-- +goose Up
ALTER TABLE `calls` ADD COLUMN `caller_name` varchar(128) DEFAULT NULL;
ALTER TABLE `calls` ADD COLUMN `ivr_data` text DEFAULT NULL;
ALTER TABLE `cdrs` ADD COLUMN `caller_name` varchar(128) DEFAULT NULL;
ALTER TABLE `queues` ADD COLUMN `caller_list` varchar(64) DEFAULT NULL;

-- +goose Down
ALTER TABLE `queues` DROP COLUMN `caller_list`;
ALTER TABLE `cdrs` DROP COLUMN `caller_name`;
ALTER TABLE `calls` DROP COLUMN `ivr_data`;
ALTER TABLE `calls` DROP COLUMN `caller_name`;
