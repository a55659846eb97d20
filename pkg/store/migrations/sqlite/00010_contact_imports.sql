-- Version 10: uploaded dialer bases are imported in the background; the
-- import's progress and per-line errors are kept for the admin API.
-- +goose Up
CREATE TABLE `contact_imports` (`id` integer PRIMARY KEY AUTOINCREMENT,`campaign` text,`file_name` text,`username` text,`time_zone` text,`declared` integer,`total` integer,`processed` integer,`imported` integer,`failed` integer,`status` text,`errors` text,`created_at` datetime,`ended_at` datetime);
CREATE INDEX `idx_contact_imports_campaign` ON `contact_imports`(`campaign`);
CREATE INDEX `idx_contact_imports_status` ON `contact_imports`(`status`);

-- +goose Down
DROP TABLE `contact_imports`;
