-- Version 9: provisioned phones (VICIdial non-agent add_phone/update_phone;
-- blind_monitor rings a supervisor's phone by its login).
-- +goose Up
CREATE TABLE `phones` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `extension` varchar(100) DEFAULT NULL,
  `login` varchar(20) DEFAULT NULL,
  `password` varchar(255) DEFAULT NULL,
  `protocol` varchar(16) DEFAULT NULL,
  `dialplan_number` varchar(20) DEFAULT NULL,
  `voicemail_id` varchar(20) DEFAULT NULL,
  `name` varchar(64) DEFAULT NULL,
  `active` tinyint(1) DEFAULT 1,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `phone_extension` (`extension`),
  UNIQUE KEY `phone_login` (`login`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
