-- Version 6: per-agent console state and queued manual dials leave memory,
-- so a restarted gateway answers consoles as before and still places the
-- dials agents queued while busy.
-- +goose Up
CREATE TABLE `agent_values` (`id` integer PRIMARY KEY AUTOINCREMENT,`agent` text,`key` text,`session` integer NOT NULL DEFAULT 0,`value` text,`updated_at` datetime);
CREATE UNIQUE INDEX `agent_value_key` ON `agent_values`(`agent`,`key`);
CREATE TABLE `pending_dials` (`id` integer PRIMARY KEY AUTOINCREMENT,`agent` text,`phone` text,`request` text,`created_at` datetime);
CREATE INDEX `idx_pending_dials_agent` ON `pending_dials`(`agent`);
