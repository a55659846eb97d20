-- Version 32: simple key/value lists (eXpand REST external/lists/simple;
-- routing looks caller ids up in them).
-- +goose Up
CREATE TABLE `simple_lists` (`id` integer PRIMARY KEY AUTOINCREMENT,`name` text,`alias` text,`description` text,`created_at` datetime);
CREATE UNIQUE INDEX `simple_list_name` ON `simple_lists`(`name`);
CREATE TABLE `simple_list_elements` (`id` integer PRIMARY KEY AUTOINCREMENT,`list_id` integer,`key` text,`value` text,`created_at` datetime,`updated_at` datetime);
CREATE UNIQUE INDEX `simple_list_element_key` ON `simple_list_elements`(`list_id`,`key`);
-- Pending outgoing calls: what a callback of eXpand's outgoingcalls API adds.
CREATE TABLE `pending_call_details` (`callback_id` integer PRIMARY KEY,`queue` text,`contact` text,`subject` text,`phones` text,`link` text,`expiration` integer,`updated_at` datetime);
CREATE INDEX `idx_pending_call_details_queue` ON `pending_call_details`(`queue`);
