-- Version 11: text message (SMS) jobs and their statuses.
-- +goose Up
CREATE TABLE `sms_jobs` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `sender` varchar(64) DEFAULT NULL,
  `recipients` text DEFAULT NULL,
  `body` text DEFAULT NULL,
  `status` varchar(8) DEFAULT NULL,
  `sent` bigint(20) DEFAULT NULL,
  `error` varchar(255) DEFAULT NULL,
  `origin` varchar(32) DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `idx_sms_jobs_status` (`status`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
