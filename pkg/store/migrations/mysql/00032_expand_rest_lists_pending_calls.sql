-- Version 32: simple key/value lists (eXpand REST external/lists/simple;
-- routing looks caller ids up in them).
-- +goose Up
CREATE TABLE `simple_lists` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `name` varchar(64) DEFAULT NULL,
  `alias` varchar(128) DEFAULT NULL,
  `description` varchar(512) DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `simple_list_name` (`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE `simple_list_elements` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `list_id` bigint(20) unsigned DEFAULT NULL,
  `key` varchar(128) DEFAULT NULL,
  `value` varchar(1024) DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `simple_list_element_key` (`list_id`,`key`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- Pending outgoing calls: what a callback of eXpand's outgoingcalls API adds.
CREATE TABLE `pending_call_details` (
  `callback_id` bigint(20) unsigned NOT NULL,
  `queue` varchar(64) DEFAULT NULL,
  `contact` varchar(128) DEFAULT NULL,
  `subject` varchar(255) DEFAULT NULL,
  `phones` text DEFAULT NULL,
  `link` text DEFAULT NULL,
  `expiration` bigint(20) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`callback_id`),
  KEY `idx_pending_call_details_queue` (`queue`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
