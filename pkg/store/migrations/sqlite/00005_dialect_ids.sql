-- Version 5: dialect ids leave the core's tables. VICIdial's call ids move
-- from calls.vicidial_call_id into external_ids (entity, dialect, id), which
-- any dialect can use for calls, leads or agents; API users get scopes.
-- +goose Up
CREATE TABLE `external_ids` (`id` integer PRIMARY KEY AUTOINCREMENT,`entity` text,`dialect` text,`external_id` text,`internal_id` integer,`created_at` datetime);
CREATE UNIQUE INDEX `ext_by_external` ON `external_ids`(`entity`,`dialect`,`external_id`);
CREATE INDEX `ext_by_internal` ON `external_ids`(`entity`,`dialect`,`internal_id`);
INSERT OR IGNORE INTO `external_ids` (`entity`,`dialect`,`external_id`,`internal_id`,`created_at`)
  SELECT 'call', 'vicidial', `vicidial_call_id`, `id`, `created_at` FROM `calls`
  WHERE `vicidial_call_id` IS NOT NULL AND `vicidial_call_id` <> '' ORDER BY `id`;
DROP INDEX `idx_calls_vicidial_call_id`;
ALTER TABLE `calls` DROP COLUMN `vicidial_call_id`;
ALTER TABLE `api_users` ADD COLUMN `scopes` text;
