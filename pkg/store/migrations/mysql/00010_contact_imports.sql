-- Version 10: uploaded dialer bases are imported in the background; the
-- import's progress and per-line errors are kept for the admin API.
-- +goose Up
CREATE TABLE `contact_imports` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `campaign` varchar(64) DEFAULT NULL,
  `file_name` varchar(255) DEFAULT NULL,
  `username` varchar(64) DEFAULT NULL,
  `time_zone` varchar(64) DEFAULT NULL,
  `declared` bigint(20) DEFAULT NULL,
  `total` bigint(20) DEFAULT NULL,
  `processed` bigint(20) DEFAULT NULL,
  `imported` bigint(20) DEFAULT NULL,
  `failed` bigint(20) DEFAULT NULL,
  `status` varchar(16) DEFAULT NULL,
  `errors` text DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  `ended_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `idx_contact_imports_campaign` (`campaign`),
  KEY `idx_contact_imports_status` (`status`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE `contact_imports`;
