-- Version 5: dialect ids leave the core's tables. VICIdial's call ids move
-- from calls.vicidial_call_id into external_ids (entity, dialect, id), which
-- any dialect can use for calls, leads or agents; API users get scopes.
-- +goose Up
CREATE TABLE `external_ids` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `entity` varchar(16) DEFAULT NULL,
  `dialect` varchar(16) DEFAULT NULL,
  `external_id` varchar(64) DEFAULT NULL,
  `internal_id` bigint(20) unsigned DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ext_by_external` (`entity`,`dialect`,`external_id`),
  KEY `ext_by_internal` (`entity`,`dialect`,`internal_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT IGNORE INTO `external_ids` (`entity`,`dialect`,`external_id`,`internal_id`,`created_at`)
  SELECT 'call', 'vicidial', `vicidial_call_id`, `id`, `created_at` FROM `calls`
  WHERE `vicidial_call_id` IS NOT NULL AND `vicidial_call_id` <> '' ORDER BY `id`;
ALTER TABLE `calls` DROP INDEX `idx_calls_vicidial_call_id`, DROP COLUMN `vicidial_call_id`;
ALTER TABLE `api_users` ADD COLUMN `scopes` varchar(255) DEFAULT NULL;
