-- Version 16: the durable webhook outbox and its delivery log.
-- +goose Up
CREATE TABLE `outbox_messages` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `msg_id` varchar(16) DEFAULT NULL,
  `topic` varchar(64) DEFAULT NULL,
  `origin` varchar(32) DEFAULT NULL,
  `url` varchar(1024) DEFAULT NULL,
  `method` varchar(8) DEFAULT NULL,
  `content_type` varchar(128) DEFAULT NULL,
  `headers` text DEFAULT NULL,
  `body` mediumtext DEFAULT NULL,
  `timeout_ms` bigint(20) DEFAULT NULL,
  `max_attempts` bigint(20) DEFAULT NULL,
  `order_key` varchar(64) DEFAULT NULL,
  `call_id` bigint(20) unsigned DEFAULT NULL,
  `sync` tinyint(1) DEFAULT NULL,
  `status` varchar(12) DEFAULT NULL,
  `attempts` bigint(20) DEFAULT NULL,
  `next_at` datetime(3) DEFAULT NULL,
  `last_status` bigint(20) DEFAULT NULL,
  `last_error` varchar(255) DEFAULT NULL,
  `delivered_at` datetime(3) DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_outbox_messages_msg_id` (`msg_id`),
  KEY `idx_outbox_messages_topic` (`topic`),
  KEY `idx_outbox_messages_status` (`status`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE `outbox_attempts` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `msg_id` varchar(16) DEFAULT NULL,
  `attempt` bigint(20) DEFAULT NULL,
  `at` datetime(3) DEFAULT NULL,
  `duration_ms` bigint(20) DEFAULT NULL,
  `status` bigint(20) DEFAULT NULL,
  `error` varchar(255) DEFAULT NULL,
  `response` varchar(512) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `idx_outbox_attempts_msg_id` (`msg_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE `outbox_attempts`;
DROP TABLE `outbox_messages`;
