-- Version 11: text message (SMS) jobs and their statuses.
-- +goose Up
CREATE TABLE `sms_jobs` (`id` integer PRIMARY KEY AUTOINCREMENT,`sender` text,`recipients` text,`body` text,`status` text,`sent` integer,`error` text,`origin` text,`created_at` datetime,`updated_at` datetime);
CREATE INDEX `idx_sms_jobs_status` ON `sms_jobs`(`status`);
