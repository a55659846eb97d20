-- Version 23: when a lead was put at the head of its campaign's dialer
-- (VICIdial's hopper insertion), so that it can be found there and taken
-- back out (update_lead remove_from_hopper).
-- +goose Up
ALTER TABLE `leads` ADD COLUMN `hopper_at` datetime(3) DEFAULT NULL;

-- +goose Down
ALTER TABLE `leads` DROP COLUMN `hopper_at`;
