-- Version 15: hosted service lines (Infocaller) and the rule groups that
-- pick the call script their calls run; call scripts (IVR programs as data).
-- +goose Up
CREATE TABLE `lines` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `number` varchar(32) DEFAULT NULL,
  `international` varchar(32) DEFAULT NULL,
  `phone_password` varchar(255) DEFAULT NULL,
  `state` varchar(16) DEFAULT NULL,
  `capacity` bigint(20) DEFAULT NULL,
  `webhook_format` varchar(8) DEFAULT NULL,
  `informative_url` varchar(512) DEFAULT NULL,
  `interactive_url` varchar(512) DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `line_number` (`number`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE `rule_groups` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `line_number` varchar(32) DEFAULT NULL,
  `name` varchar(64) DEFAULT NULL,
  `kind` varchar(16) DEFAULT NULL,
  `active` tinyint(1) DEFAULT NULL,
  `script` varchar(64) DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `rule_group_name` (`line_number`,`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE `scripts` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `name` varchar(64) DEFAULT NULL,
  `description` varchar(255) DEFAULT NULL,
  `nodes` text DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `script_name` (`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE `scripts`;
DROP TABLE `rule_groups`;
DROP TABLE `lines`;
