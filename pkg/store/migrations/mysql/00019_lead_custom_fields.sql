-- Version 19: lists' custom fields and leads' values of them (VICIdial's
-- vicidial_lists_fields and custom_<list_id>), the lead's entry list, and
-- the status a callback is filed under.
-- +goose Up
ALTER TABLE `leads` ADD COLUMN `entry_list_id` bigint(20) unsigned DEFAULT NULL;
ALTER TABLE `callbacks` ADD COLUMN `lead_status` varchar(32) DEFAULT NULL;
CREATE TABLE `list_fields` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `list_id` bigint(20) unsigned DEFAULT NULL,
  `label` varchar(50) DEFAULT NULL,
  `name` varchar(255) DEFAULT NULL,
  `description` varchar(255) DEFAULT NULL,
  `type` varchar(16) DEFAULT NULL,
  `rank` bigint(20) DEFAULT NULL,
  `order` bigint(20) DEFAULT NULL,
  `size` bigint(20) DEFAULT NULL,
  `max` bigint(20) DEFAULT NULL,
  `default` varchar(255) DEFAULT NULL,
  `options` text DEFAULT NULL,
  `required` tinyint(1) DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `list_field_label` (`list_id`,`label`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE `lead_field_values` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `lead_id` bigint(20) unsigned DEFAULT NULL,
  `list_id` bigint(20) unsigned DEFAULT NULL,
  `label` varchar(50) DEFAULT NULL,
  `value` text DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `lead_field_value` (`lead_id`,`list_id`,`label`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE `lead_field_values`;
DROP TABLE `list_fields`;
