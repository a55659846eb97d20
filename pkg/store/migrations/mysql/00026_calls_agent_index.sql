-- Version 26: an agent's last call (a disposition set with no call
-- named, VICIdial external_status) was found by scanning the whole calls
-- table backwards from the newest; for an agent with no call, every row.
-- +goose Up
CREATE INDEX `idx_calls_agent` ON `calls` (`agent`);

-- +goose Down
DROP INDEX `idx_calls_agent` ON `calls`;
