-- Version 21: leases (one active engine per deployment or shard, the term
-- of its holder fencing claims) and the gateways of the cluster view.
-- +goose Up
CREATE TABLE `leases` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `name` varchar(64) DEFAULT NULL,
  `holder` varchar(128) DEFAULT NULL,
  `token` bigint(20) unsigned DEFAULT NULL,
  `expires_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_leases_name` (`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE `gateway_nodes` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `node_id` varchar(128) DEFAULT NULL,
  `lease` varchar(64) DEFAULT NULL,
  `leader` tinyint(1) DEFAULT NULL,
  `token` bigint(20) unsigned DEFAULT NULL,
  `addr` varchar(255) DEFAULT NULL,
  `eccp_addr` varchar(255) DEFAULT NULL,
  `seen_at` datetime(3) DEFAULT NULL,
  `started` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_gateway_nodes_node_id` (`node_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
