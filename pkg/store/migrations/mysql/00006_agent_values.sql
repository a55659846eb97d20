-- Version 6: per-agent console state and queued manual dials leave memory,
-- so a restarted gateway answers consoles as before and still places the
-- dials agents queued while busy.
-- +goose Up
CREATE TABLE `agent_values` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `agent` varchar(64) DEFAULT NULL,
  `key` varchar(96) DEFAULT NULL,
  `session` bigint(20) unsigned NOT NULL DEFAULT 0,
  `value` text DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `agent_value_key` (`agent`,`key`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE `pending_dials` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `agent` varchar(64) DEFAULT NULL,
  `phone` varchar(64) DEFAULT NULL,
  `request` text DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `idx_pending_dials_agent` (`agent`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
