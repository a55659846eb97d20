-- Version 3: a recording's row says whether its audio reached the recording
-- store (pkg/media) and under which key (YYYYMMDD/<guid>.<ext>).
-- +goose Up
ALTER TABLE `recordings` ADD COLUMN `media_file` varchar(64) DEFAULT NULL;
ALTER TABLE `recordings` ADD COLUMN `media_status` varchar(16) DEFAULT NULL;
