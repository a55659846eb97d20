-- Version 7: agentless origination jobs (ring a source, then a destination,
-- or run a call script on an answered destination).
-- +goose Up
CREATE TABLE `origination_jobs` (`id` integer PRIMARY KEY AUTOINCREMENT,`job_id` text,`source` text,`source_name` text,`destination` text,`destination_name` text,`caller_id` text,`timeout_sec` integer,`attributes` text,`script` text,`vars` text,`campaign` text,`origin` text,`busy_retries` integer,`retry_sec` integer,`status` text,`call_id` integer,`attempts` integer,`cause` integer,`not_before` datetime,`answered_at` datetime,`ended_at` datetime,`created_at` datetime,`updated_at` datetime);
CREATE UNIQUE INDEX `idx_origination_jobs_job_id` ON `origination_jobs`(`job_id`);
CREATE INDEX `idx_origination_jobs_status` ON `origination_jobs`(`status`);
