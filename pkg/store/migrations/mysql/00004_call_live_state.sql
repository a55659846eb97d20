-- Live state of calls (hold, park, queue position, consult leg, offers,
-- last seen) and the engine heartbeat, so a restarted engine resumes calls.
-- +goose Up
ALTER TABLE `calls` ADD `held` tinyint(1) DEFAULT NULL, ADD `parked` tinyint(1) DEFAULT NULL,
  ADD `queue_position` bigint(20) DEFAULT NULL, ADD `consult_channel` varchar(128) DEFAULT NULL,
  ADD `consult_kind` varchar(16) DEFAULT NULL, ADD `consult_target` varchar(128) DEFAULT NULL,
  ADD `consult_agent` varchar(64) DEFAULT NULL, ADD `agent_gone` tinyint(1) DEFAULT NULL,
  ADD `connect_agent` varchar(64) DEFAULT NULL, ADD `offers` text DEFAULT NULL,
  ADD `last_seen_at` datetime(3) DEFAULT NULL;
CREATE TABLE `engine_heartbeats` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `name` varchar(64) DEFAULT NULL,
  `alive_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_engine_heartbeats_name` (`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
