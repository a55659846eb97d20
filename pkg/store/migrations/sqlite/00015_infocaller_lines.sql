-- Version 15: hosted service lines (Infocaller) and the rule groups that
-- pick the call script their calls run; call scripts (IVR programs as data).
-- +goose Up
CREATE TABLE `lines` (`id` integer PRIMARY KEY AUTOINCREMENT,`number` text,`international` text,`phone_password` text,`state` text,`capacity` integer,`webhook_format` text,`informative_url` text,`interactive_url` text,`created_at` datetime,`updated_at` datetime);
CREATE UNIQUE INDEX `line_number` ON `lines`(`number`);
CREATE TABLE `rule_groups` (`id` integer PRIMARY KEY AUTOINCREMENT,`line_number` text,`name` text,`kind` text,`active` numeric,`script` text,`created_at` datetime,`updated_at` datetime);
CREATE UNIQUE INDEX `rule_group_name` ON `rule_groups`(`line_number`,`name`);
CREATE TABLE `scripts` (`id` integer PRIMARY KEY AUTOINCREMENT,`name` text,`description` text,`nodes` text,`created_at` datetime,`updated_at` datetime);
CREATE UNIQUE INDEX `script_name` ON `scripts`(`name`);

-- +goose Down
DROP TABLE `scripts`;
DROP TABLE `rule_groups`;
DROP TABLE `lines`;
