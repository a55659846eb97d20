-- Live state of calls (hold, park, queue position, consult leg, offers,
-- last seen) and the engine heartbeat, so a restarted engine resumes calls.
-- +goose Up
ALTER TABLE `calls` ADD `held` numeric;
ALTER TABLE `calls` ADD `parked` numeric;
ALTER TABLE `calls` ADD `queue_position` integer;
ALTER TABLE `calls` ADD `consult_channel` text;
ALTER TABLE `calls` ADD `consult_kind` text;
ALTER TABLE `calls` ADD `consult_target` text;
ALTER TABLE `calls` ADD `consult_agent` text;
ALTER TABLE `calls` ADD `agent_gone` numeric;
ALTER TABLE `calls` ADD `connect_agent` text;
ALTER TABLE `calls` ADD `offers` text;
ALTER TABLE `calls` ADD `last_seen_at` datetime;
CREATE TABLE `engine_heartbeats` (`id` integer PRIMARY KEY AUTOINCREMENT,`name` text,`alive_at` datetime);
CREATE UNIQUE INDEX `idx_engine_heartbeats_name` ON `engine_heartbeats`(`name`);
