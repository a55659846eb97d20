-- Version 19: lists' custom fields and leads' values of them (VICIdial's
-- vicidial_lists_fields and custom_<list_id>), the lead's entry list, and
-- the status a callback is filed under.
-- +goose Up
ALTER TABLE `leads` ADD COLUMN `entry_list_id` integer;
ALTER TABLE `callbacks` ADD COLUMN `lead_status` text;
CREATE TABLE `list_fields` (`id` integer PRIMARY KEY AUTOINCREMENT,`list_id` integer,`label` text,`name` text,`description` text,`type` text,`rank` integer,`order` integer,`size` integer,`max` integer,`default` text,`options` text,`required` numeric,`created_at` datetime);
CREATE UNIQUE INDEX `list_field_label` ON `list_fields`(`list_id`,`label`);
CREATE TABLE `lead_field_values` (`id` integer PRIMARY KEY AUTOINCREMENT,`lead_id` integer,`list_id` integer,`label` text,`value` text);
CREATE UNIQUE INDEX `lead_field_value` ON `lead_field_values`(`lead_id`,`list_id`,`label`);

-- +goose Down
DROP TABLE `lead_field_values`;
DROP TABLE `list_fields`;
