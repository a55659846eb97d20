-- Version 20: browser sessions of the web pages (token kept as its SHA-256).
-- +goose Up
CREATE TABLE `web_sessions` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `token_hash` varchar(64) DEFAULT NULL,
  `kind` varchar(16) DEFAULT NULL,
  `name` varchar(64) DEFAULT NULL,
  `agent_id` bigint(20) unsigned DEFAULT NULL,
  `user_group` varchar(64) DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  `seen_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `web_session_token` (`token_hash`),
  KEY `idx_web_sessions_created_at` (`created_at`),
  KEY `idx_web_sessions_seen_at` (`seen_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE `web_sessions`;
