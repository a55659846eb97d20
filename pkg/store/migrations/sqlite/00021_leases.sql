-- Version 21: leases (one active engine per deployment or shard, the term
-- of its holder fencing claims) and the gateways of the cluster view.
-- +goose Up
CREATE TABLE `leases` (`id` integer PRIMARY KEY AUTOINCREMENT,`name` text,`holder` text,`token` integer,`expires_at` datetime,`updated_at` datetime);
CREATE UNIQUE INDEX `idx_leases_name` ON `leases`(`name`);
CREATE TABLE `gateway_nodes` (`id` integer PRIMARY KEY AUTOINCREMENT,`node_id` text,`lease` text,`leader` numeric,`token` integer,`addr` text,`eccp_addr` text,`seen_at` datetime,`started` datetime);
CREATE UNIQUE INDEX `idx_gateway_nodes_node_id` ON `gateway_nodes`(`node_id`);
