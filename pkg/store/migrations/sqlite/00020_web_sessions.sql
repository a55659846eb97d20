-- Version 20: browser sessions of the web pages (token kept as its SHA-256).
-- +goose Up
CREATE TABLE `web_sessions` (`id` integer PRIMARY KEY AUTOINCREMENT,`token_hash` text,`kind` text,`name` text,`agent_id` integer,`user_group` text,`created_at` datetime,`seen_at` datetime);
CREATE UNIQUE INDEX `web_session_token` ON `web_sessions`(`token_hash`);
CREATE INDEX `idx_web_sessions_created_at` ON `web_sessions`(`created_at`);
CREATE INDEX `idx_web_sessions_seen_at` ON `web_sessions`(`seen_at`);

-- +goose Down
DROP TABLE `web_sessions`;
