-- Version 8: dialect settings as data (system, campaign and user scopes).
-- A row exists only for a value changed from the dialect's declared default.
-- +goose Up
CREATE TABLE `settings` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `dialect` varchar(16) DEFAULT NULL,
  `scope` varchar(16) DEFAULT NULL,
  `owner` varchar(64) DEFAULT NULL,
  `name` varchar(64) DEFAULT NULL,
  `value` varchar(1024) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `setting_by_key` (`dialect`,`scope`,`owner`,`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
