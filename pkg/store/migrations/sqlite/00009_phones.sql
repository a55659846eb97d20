-- Version 9: provisioned phones (VICIdial non-agent add_phone/update_phone;
-- blind_monitor rings a supervisor's phone by its login).
-- +goose Up
CREATE TABLE `phones` (`id` integer PRIMARY KEY AUTOINCREMENT,`extension` text,`login` text,`password` text,`protocol` text,`dialplan_number` text,`voicemail_id` text,`name` text,`active` numeric DEFAULT true,`created_at` datetime);
CREATE UNIQUE INDEX `phone_extension` ON `phones`(`extension`);
CREATE UNIQUE INDEX `phone_login` ON `phones`(`login`);
