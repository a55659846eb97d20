-- Version 8: dialect settings as data (system, campaign and user scopes).
-- A row exists only for a value changed from the dialect's declared default.
-- +goose Up
CREATE TABLE `settings` (`id` integer PRIMARY KEY AUTOINCREMENT,`dialect` text,`scope` text,`owner` text,`name` text,`value` text,`updated_at` datetime);
CREATE UNIQUE INDEX `setting_by_key` ON `settings`(`dialect`,`scope`,`owner`,`name`);
