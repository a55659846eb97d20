-- Version 22: line tariffs (per-minute rates of received and emitted
-- calls), balance and credit limit (Infocaller CostRX/CostTX, results 11/12).
-- +goose Up
ALTER TABLE `lines` ADD COLUMN `rate_rx` double DEFAULT NULL;
ALTER TABLE `lines` ADD COLUMN `rate_tx` double DEFAULT NULL;
ALTER TABLE `lines` ADD COLUMN `balance_on` tinyint(1) DEFAULT NULL;
ALTER TABLE `lines` ADD COLUMN `balance` double DEFAULT NULL;
ALTER TABLE `lines` ADD COLUMN `credit_limit` double DEFAULT NULL;

-- +goose Down
ALTER TABLE `lines` DROP COLUMN `credit_limit`;
ALTER TABLE `lines` DROP COLUMN `balance`;
ALTER TABLE `lines` DROP COLUMN `balance_on`;
ALTER TABLE `lines` DROP COLUMN `rate_tx`;
ALTER TABLE `lines` DROP COLUMN `rate_rx`;
