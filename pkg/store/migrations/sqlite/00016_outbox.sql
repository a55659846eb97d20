-- Version 16: the durable webhook outbox and its delivery log.
-- +goose Up
CREATE TABLE `outbox_messages` (`id` integer PRIMARY KEY AUTOINCREMENT,`msg_id` text,`topic` text,`origin` text,`url` text,`method` text,`content_type` text,`headers` text,`body` mediumtext,`timeout_ms` integer,`max_attempts` integer,`order_key` text,`call_id` integer,`sync` numeric,`status` text,`attempts` integer,`next_at` datetime,`last_status` integer,`last_error` text,`delivered_at` datetime,`created_at` datetime,`updated_at` datetime);
CREATE UNIQUE INDEX `idx_outbox_messages_msg_id` ON `outbox_messages`(`msg_id`);
CREATE INDEX `idx_outbox_messages_topic` ON `outbox_messages`(`topic`);
CREATE INDEX `idx_outbox_messages_status` ON `outbox_messages`(`status`);
CREATE TABLE `outbox_attempts` (`id` integer PRIMARY KEY AUTOINCREMENT,`msg_id` text,`attempt` integer,`at` datetime,`duration_ms` integer,`status` integer,`error` text,`response` text);
CREATE INDEX `idx_outbox_attempts_msg_id` ON `outbox_attempts`(`msg_id`);

-- +goose Down
DROP TABLE `outbox_attempts`;
DROP TABLE `outbox_messages`;
