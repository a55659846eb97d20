-- Version 22: line tariffs (per-minute rates of received and emitted
-- calls), balance and credit limit (Infocaller CostRX/CostTX, results 11/12).
-- +goose Up
ALTER TABLE `lines` ADD COLUMN `rate_rx` real;
ALTER TABLE `lines` ADD COLUMN `rate_tx` real;
ALTER TABLE `lines` ADD COLUMN `balance_on` numeric;
ALTER TABLE `lines` ADD COLUMN `balance` real;
ALTER TABLE `lines` ADD COLUMN `credit_limit` real;

-- +goose Down
ALTER TABLE `lines` DROP COLUMN `credit_limit`;
ALTER TABLE `lines` DROP COLUMN `balance`;
ALTER TABLE `lines` DROP COLUMN `balance_on`;
ALTER TABLE `lines` DROP COLUMN `rate_tx`;
ALTER TABLE `lines` DROP COLUMN `rate_rx`;
