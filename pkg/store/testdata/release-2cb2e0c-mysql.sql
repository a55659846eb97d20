-- A database as release 2cb2e0c left it: its AutoMigrate schema on mysql, read
-- back from the database, and one agent, one call and one queue-log row.
-- Migrate must keep these rows when it upgrades the database.

CREATE TABLE `agents` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `username` varchar(64) DEFAULT NULL,
  `number` varchar(32) DEFAULT NULL,
  `type` varchar(16) DEFAULT NULL,
  `extension` varchar(128) DEFAULT NULL,
  `name` varchar(128) DEFAULT NULL,
  `email` varchar(128) DEFAULT NULL,
  `profile` varchar(64) DEFAULT NULL,
  `supervisor` tinyint(1) DEFAULT NULL,
  `persistent` tinyint(1) DEFAULT NULL,
  `active` tinyint(1) DEFAULT 1,
  `password` varchar(128) DEFAULT NULL,
  `eccp_password` varchar(128) DEFAULT NULL,
  `user_level` bigint(20) DEFAULT 1,
  `user_group` varchar(64) DEFAULT NULL,
  `alt_id` varchar(100) DEFAULT NULL,
  `custom_four` varchar(100) DEFAULT NULL,
  `campaign` varchar(64) DEFAULT NULL,
  `phone_login` varchar(64) DEFAULT NULL,
  `phone_pass` varchar(128) DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_agents_username` (`username`),
  KEY `idx_agents_number` (`number`),
  KEY `idx_agents_alt_id` (`alt_id`)
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `agent_sessions` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `agent_id` bigint(20) unsigned DEFAULT NULL,
  `username` varchar(64) DEFAULT NULL,
  `state` varchar(16) DEFAULT NULL,
  `campaign` varchar(64) DEFAULT NULL,
  `extension` varchar(128) DEFAULT NULL,
  `channel_id` varchar(128) DEFAULT NULL,
  `bridge_id` varchar(128) DEFAULT NULL,
  `paused` tinyint(1) DEFAULT NULL,
  `pause_code` varchar(32) DEFAULT NULL,
  `pause_id` bigint(20) unsigned DEFAULT NULL,
  `paused_at` datetime(3) DEFAULT NULL,
  `on_hold` tinyint(1) DEFAULT NULL,
  `hold_at` datetime(3) DEFAULT NULL,
  `call_id` bigint(20) unsigned DEFAULT NULL,
  `lead_id` bigint(20) unsigned DEFAULT NULL,
  `pending_pause` tinyint(1) DEFAULT NULL,
  `pending_code` varchar(32) DEFAULT NULL,
  `pending_logout` tinyint(1) DEFAULT NULL,
  `login_at` datetime(3) DEFAULT NULL,
  `last_call_end` datetime(3) DEFAULT NULL,
  `calls_taken` bigint(20) DEFAULT NULL,
  `state_since` datetime(3) DEFAULT NULL,
  `wrap_until` datetime(3) DEFAULT NULL,
  `blended` tinyint(1) DEFAULT NULL,
  `inbound_queue` varchar(1024) DEFAULT NULL,
  `idle_timeout` bigint(20) DEFAULT NULL,
  `last_ping` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_agent_sessions_agent_id` (`agent_id`),
  KEY `idx_agent_sessions_username` (`username`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `api_log_entries` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `dialect` varchar(16) DEFAULT NULL,
  `user` varchar(64) DEFAULT NULL,
  `time` datetime(3) DEFAULT NULL,
  `function` varchar(64) DEFAULT NULL,
  `agent_user` varchar(64) DEFAULT NULL,
  `value` varchar(255) DEFAULT NULL,
  `result` varchar(16) DEFAULT NULL,
  `reason` varchar(255) DEFAULT NULL,
  `source` varchar(32) DEFAULT NULL,
  `data` text DEFAULT NULL,
  `run_time` double DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `idx_api_log_entries_dialect` (`dialect`),
  KEY `idx_api_log_entries_user` (`user`),
  KEY `idx_api_log_entries_time` (`time`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `api_users` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `dialect` varchar(16) DEFAULT NULL,
  `username` varchar(64) DEFAULT NULL,
  `secret` varchar(128) DEFAULT NULL,
  `active` tinyint(1) DEFAULT 1,
  `user_level` bigint(20) DEFAULT 8,
  `api_access` tinyint(1) DEFAULT 1,
  `allowed_functions` varchar(1024) DEFAULT 'ALL_FUNCTIONS',
  `modify_leads` tinyint(1) DEFAULT NULL,
  `change_agent_campaign` tinyint(1) DEFAULT NULL,
  `modify_campaigns` tinyint(1) DEFAULT NULL,
  `manual_dial` tinyint(1) DEFAULT NULL,
  `api_only_user` tinyint(1) DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `api_dialect_user` (`dialect`,`username`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `callbacks` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `lead_id` bigint(20) unsigned DEFAULT NULL,
  `list_id` bigint(20) unsigned DEFAULT NULL,
  `campaign` varchar(64) DEFAULT NULL,
  `agent` varchar(64) DEFAULT NULL,
  `agent_only` tinyint(1) DEFAULT NULL,
  `phone` varchar(64) DEFAULT NULL,
  `due_at` datetime(3) DEFAULT NULL,
  `comments` varchar(255) DEFAULT NULL,
  `status` varchar(16) DEFAULT NULL,
  `call_id` bigint(20) unsigned DEFAULT NULL,
  `source_call` bigint(20) unsigned DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `idx_callbacks_lead_id` (`lead_id`),
  KEY `idx_callbacks_campaign` (`campaign`),
  KEY `idx_callbacks_agent` (`agent`),
  KEY `idx_callbacks_when` (`due_at`),
  KEY `idx_callbacks_status` (`status`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `calls` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `guid` varchar(40) DEFAULT NULL,
  `uniqueid` varchar(64) DEFAULT NULL,
  `linked_id` varchar(64) DEFAULT NULL,
  `vicidial_call_id` varchar(40) DEFAULT NULL,
  `node` varchar(64) DEFAULT NULL,
  `direction` varchar(16) DEFAULT NULL,
  `state` varchar(16) DEFAULT NULL,
  `campaign` varchar(64) DEFAULT NULL,
  `queue` varchar(64) DEFAULT NULL,
  `lead_id` bigint(20) unsigned DEFAULT NULL,
  `list_id` bigint(20) unsigned DEFAULT NULL,
  `agent_id` bigint(20) unsigned DEFAULT NULL,
  `agent` varchar(64) DEFAULT NULL,
  `phone` varchar(64) DEFAULT NULL,
  `caller_id` varchar(64) DEFAULT NULL,
  `did` varchar(64) DEFAULT NULL,
  `trunk` varchar(128) DEFAULT NULL,
  `channel_id` varchar(128) DEFAULT NULL,
  `agent_channel_id` varchar(128) DEFAULT NULL,
  `bridge_id` varchar(128) DEFAULT NULL,
  `third_channel_id` varchar(128) DEFAULT NULL,
  `recording` varchar(255) DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  `originate_at` datetime(3) DEFAULT NULL,
  `answered_at` datetime(3) DEFAULT NULL,
  `queued_at` datetime(3) DEFAULT NULL,
  `connected_at` datetime(3) DEFAULT NULL,
  `ended_at` datetime(3) DEFAULT NULL,
  `hangup_cause` bigint(20) DEFAULT NULL,
  `hangup_by` varchar(16) DEFAULT NULL,
  `status` varchar(32) DEFAULT NULL,
  `retries` bigint(20) DEFAULT NULL,
  `failure` varchar(64) DEFAULT NULL,
  `abandoned` tinyint(1) DEFAULT NULL,
  `transferred` varchar(128) DEFAULT NULL,
  `scheduled_id` bigint(20) unsigned DEFAULT NULL,
  `attributes` text DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_calls_guid` (`guid`),
  KEY `idx_calls_uniqueid` (`uniqueid`),
  KEY `idx_calls_vicidial_call_id` (`vicidial_call_id`),
  KEY `idx_calls_state` (`state`),
  KEY `idx_calls_campaign` (`campaign`),
  KEY `idx_calls_queue` (`queue`),
  KEY `idx_calls_lead_id` (`lead_id`),
  KEY `idx_calls_agent_id` (`agent_id`)
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `campaigns` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `name` varchar(64) DEFAULT NULL,
  `description` varchar(255) DEFAULT NULL,
  `type` varchar(16) DEFAULT NULL,
  `dial_method` varchar(16) DEFAULT NULL,
  `queue` varchar(64) DEFAULT NULL,
  `trunk` varchar(128) DEFAULT NULL,
  `dial_prefix` varchar(32) DEFAULT NULL,
  `caller_id` varchar(64) DEFAULT NULL,
  `max_retries` bigint(20) DEFAULT NULL,
  `retry_delay` bigint(20) DEFAULT NULL,
  `dial_timeout` bigint(20) DEFAULT NULL,
  `dial_ratio` double DEFAULT NULL,
  `max_abandon_pct` double DEFAULT NULL,
  `active` tinyint(1) DEFAULT 1,
  `start_time` varchar(5) DEFAULT NULL,
  `end_time` varchar(5) DEFAULT NULL,
  `start_date` datetime(3) DEFAULT NULL,
  `end_date` datetime(3) DEFAULT NULL,
  `script` text DEFAULT NULL,
  `form_ids` varchar(255) DEFAULT NULL,
  `ingroups` varchar(1024) DEFAULT NULL,
  `record` tinyint(1) DEFAULT NULL,
  `login_paused` tinyint(1) DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_campaigns_name` (`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `cdrs` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `call_id` bigint(20) unsigned DEFAULT NULL,
  `uniqueid` varchar(64) DEFAULT NULL,
  `src` varchar(64) DEFAULT NULL,
  `dst` varchar(64) DEFAULT NULL,
  `agent` varchar(64) DEFAULT NULL,
  `campaign` varchar(64) DEFAULT NULL,
  `queue` varchar(64) DEFAULT NULL,
  `direction` varchar(16) DEFAULT NULL,
  `start` datetime(3) DEFAULT NULL,
  `answer` datetime(3) DEFAULT NULL,
  `end` datetime(3) DEFAULT NULL,
  `duration` bigint(20) DEFAULT NULL,
  `billsec` bigint(20) DEFAULT NULL,
  `disposition` varchar(32) DEFAULT NULL,
  `status` varchar(32) DEFAULT NULL,
  `recording` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `idx_cdrs_call_id` (`call_id`),
  KEY `idx_cdrs_uniqueid` (`uniqueid`),
  KEY `idx_cdrs_start` (`start`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `dispositions` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `code` varchar(32) DEFAULT NULL,
  `name` varchar(128) DEFAULT NULL,
  `campaign` varchar(64) DEFAULT NULL,
  `parent_id` bigint(20) unsigned DEFAULT NULL,
  `selectable` tinyint(1) DEFAULT 1,
  `human_answer` tinyint(1) DEFAULT NULL,
  `sale` tinyint(1) DEFAULT NULL,
  `dnc` tinyint(1) DEFAULT NULL,
  `callback` tinyint(1) DEFAULT NULL,
  `completed` tinyint(1) DEFAULT NULL,
  `action` varchar(16) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `idx_dispositions_code` (`code`),
  KEY `idx_dispositions_campaign` (`campaign`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `dnc_entries` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `phone` varchar(32) DEFAULT NULL,
  `campaign` varchar(64) DEFAULT NULL,
  `reason` varchar(255) DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `dnc_phone_campaign` (`phone`,`campaign`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `forms` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `name` varchar(128) DEFAULT NULL,
  `description` varchar(255) DEFAULT NULL,
  `active` tinyint(1) DEFAULT 1,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `form_fields` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `form_id` bigint(20) unsigned DEFAULT NULL,
  `label` varchar(255) DEFAULT NULL,
  `type` varchar(16) DEFAULT NULL,
  `options` text DEFAULT NULL,
  `order` bigint(20) DEFAULT NULL,
  `required` tinyint(1) DEFAULT NULL,
  `max_len` bigint(20) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `idx_form_fields_form_id` (`form_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `form_values` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `call_id` bigint(20) unsigned DEFAULT NULL,
  `field_id` bigint(20) unsigned DEFAULT NULL,
  `form_id` bigint(20) unsigned DEFAULT NULL,
  `value` text DEFAULT NULL,
  `saved_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `fv_call_field` (`call_id`,`field_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `leads` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `list_id` bigint(20) unsigned DEFAULT NULL,
  `campaign` varchar(64) DEFAULT NULL,
  `status` varchar(32) DEFAULT NULL,
  `user` varchar(64) DEFAULT NULL,
  `vendor_lead_code` varchar(40) DEFAULT NULL,
  `source_id` varchar(50) DEFAULT NULL,
  `gmt_offset` varchar(8) DEFAULT NULL,
  `phone_code` varchar(10) DEFAULT NULL,
  `phone_number` varchar(32) DEFAULT NULL,
  `title` varchar(4) DEFAULT NULL,
  `first_name` varchar(60) DEFAULT NULL,
  `middle_initial` varchar(1) DEFAULT NULL,
  `last_name` varchar(60) DEFAULT NULL,
  `address1` varchar(100) DEFAULT NULL,
  `address2` varchar(100) DEFAULT NULL,
  `address3` varchar(100) DEFAULT NULL,
  `city` varchar(50) DEFAULT NULL,
  `state` varchar(2) DEFAULT NULL,
  `province` varchar(50) DEFAULT NULL,
  `postal_code` varchar(10) DEFAULT NULL,
  `country_code` varchar(3) DEFAULT NULL,
  `gender` varchar(1) DEFAULT NULL,
  `date_of_birth` varchar(10) DEFAULT NULL,
  `alt_phone` varchar(32) DEFAULT NULL,
  `email` varchar(70) DEFAULT NULL,
  `security_phrase` varchar(100) DEFAULT NULL,
  `comments` text DEFAULT NULL,
  `rank` bigint(20) DEFAULT NULL,
  `owner` varchar(20) DEFAULT NULL,
  `called_count` bigint(20) DEFAULT NULL,
  `last_called_at` datetime(3) DEFAULT NULL,
  `next_attempt_at` datetime(3) DEFAULT NULL,
  `priority` bigint(20) DEFAULT NULL,
  `phone_index` bigint(20) DEFAULT NULL,
  `attributes` text DEFAULT NULL,
  `entry_date` datetime(3) DEFAULT NULL,
  `modify_date` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `idx_leads_list_id` (`list_id`),
  KEY `idx_leads_campaign` (`campaign`),
  KEY `idx_leads_status` (`status`),
  KEY `idx_leads_vendor_lead_code` (`vendor_lead_code`),
  KEY `idx_leads_phone_number` (`phone_number`),
  KEY `idx_leads_next_attempt_at` (`next_attempt_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `lead_phones` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `lead_id` bigint(20) unsigned DEFAULT NULL,
  `phone` varchar(32) DEFAULT NULL,
  `label` varchar(32) DEFAULT NULL,
  `order` bigint(20) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `idx_lead_phones_lead_id` (`lead_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `lists` (
  `id` bigint(20) unsigned NOT NULL,
  `name` varchar(64) DEFAULT NULL,
  `campaign` varchar(64) DEFAULT NULL,
  `active` tinyint(1) DEFAULT 1,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `idx_lists_campaign` (`campaign`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `login_failures` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `dialect` varchar(16) DEFAULT NULL,
  `username` varchar(64) DEFAULT NULL,
  `time` datetime(3) DEFAULT NULL,
  `source` varchar(64) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `lf_key` (`dialect`,`username`),
  KEY `idx_login_failures_time` (`time`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `pause_codes` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `code` varchar(32) DEFAULT NULL,
  `name` varchar(128) DEFAULT NULL,
  `campaign` varchar(64) DEFAULT NULL,
  `billable` tinyint(1) DEFAULT NULL,
  `active` tinyint(1) DEFAULT 1,
  `type` varchar(4) DEFAULT 'B',
  `description` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_pause_codes_code` (`code`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `queues` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `name` varchar(64) DEFAULT NULL,
  `description` varchar(255) DEFAULT NULL,
  `strategy` varchar(16) DEFAULT NULL,
  `ring_timeout` bigint(20) DEFAULT NULL,
  `wrap_up` bigint(20) DEFAULT NULL,
  `service_level` bigint(20) DEFAULT NULL,
  `max_wait` bigint(20) DEFAULT NULL,
  `moh_class` varchar(64) DEFAULT NULL,
  `did` varchar(64) DEFAULT NULL,
  `campaign` varchar(64) DEFAULT NULL,
  `active` tinyint(1) DEFAULT 1,
  `script` text DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_queues_name` (`name`),
  KEY `idx_queues_did` (`did`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `queue_log_entries` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `time` datetime(3) DEFAULT NULL,
  `call_id` bigint(20) unsigned DEFAULT NULL,
  `queue` varchar(64) DEFAULT NULL,
  `agent` varchar(64) DEFAULT NULL,
  `event` varchar(32) DEFAULT NULL,
  `data1` varchar(255) DEFAULT NULL,
  `data2` varchar(255) DEFAULT NULL,
  `data3` varchar(255) DEFAULT NULL,
  `data4` varchar(255) DEFAULT NULL,
  `data5` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `idx_queue_log_entries_time` (`time`),
  KEY `idx_queue_log_entries_call_id` (`call_id`),
  KEY `idx_queue_log_entries_queue` (`queue`),
  KEY `idx_queue_log_entries_agent` (`agent`),
  KEY `idx_queue_log_entries_event` (`event`)
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `queue_members` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `queue_id` bigint(20) unsigned DEFAULT NULL,
  `agent_id` bigint(20) unsigned DEFAULT NULL,
  `queue` varchar(64) DEFAULT NULL,
  `agent` varchar(64) DEFAULT NULL,
  `penalty` bigint(20) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `qm_queue_agent` (`queue_id`,`agent_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `recordings` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `guid` varchar(40) DEFAULT NULL,
  `call_id` bigint(20) unsigned DEFAULT NULL,
  `lead_id` bigint(20) unsigned DEFAULT NULL,
  `agent` varchar(64) DEFAULT NULL,
  `name` varchar(255) DEFAULT NULL,
  `file` varchar(255) DEFAULT NULL,
  `format` varchar(8) DEFAULT NULL,
  `day_folder` varchar(16) DEFAULT NULL,
  `start` datetime(3) DEFAULT NULL,
  `end` datetime(3) DEFAULT NULL,
  `length` bigint(20) DEFAULT NULL,
  `muted` tinyint(1) DEFAULT NULL,
  `status` varchar(16) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_recordings_guid` (`guid`),
  KEY `idx_recordings_call_id` (`call_id`),
  KEY `idx_recordings_name` (`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `routes` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `did` varchar(64) DEFAULT NULL,
  `queue` varchar(64) DEFAULT NULL,
  `campaign` varchar(64) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_routes_did` (`did`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `screen_commands` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `agent` varchar(64) DEFAULT NULL,
  `kind` varchar(32) DEFAULT NULL,
  `payload` text DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  `delivered` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `idx_screen_commands_agent` (`agent`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `user_groups` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `name` varchar(64) DEFAULT NULL,
  `description` varchar(255) DEFAULT NULL,
  `allowed_campaigns` text DEFAULT NULL,
  `admin_viewable_groups` text DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_user_groups_name` (`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT INTO `agents` (`id`, `username`, `number`, `type`, `extension`, `name`, `email`, `profile`, `supervisor`, `persistent`, `active`, `password`, `eccp_password`, `user_level`, `user_group`, `alt_id`, `custom_four`, `campaign`, `phone_login`, `phone_pass`, `created_at`, `updated_at`) VALUES ('1', 'ana', '9001', 'Agent', '', 'Ana Núñez', '', '', '0', '0', '1', 'pw-ana', '', '3', '', '', '', '', '', '', '2026-11-30 09:15:00.123', '2026-11-30 09:15:00.123');
INSERT INTO `calls` (`id`, `guid`, `uniqueid`, `linked_id`, `vicidial_call_id`, `node`, `direction`, `state`, `campaign`, `queue`, `lead_id`, `list_id`, `agent_id`, `agent`, `phone`, `caller_id`, `did`, `trunk`, `channel_id`, `agent_channel_id`, `bridge_id`, `third_channel_id`, `recording`, `created_at`, `answered_at`, `ended_at`, `hangup_cause`, `hangup_by`, `status`, `retries`, `failure`, `abandoned`, `transferred`, `scheduled_id`, `attributes`, `updated_at`) VALUES ('1', '6f1c2a4e-release-snapshot', '1764494100.42', '', '', '', 'inbound', 'ended', '', 'sales', '0', '0', '1', 'ana', '5551234', '', '8005550100', '', '', '', '', '', '', '2026-11-30 09:15:00.123', '2026-11-30 09:15:05.123', '2026-11-30 09:16:05.123', '0', 'caller', 'SALE', '0', '', '0', '', '0', '', '2026-11-30 09:16:05.123');
INSERT INTO `queue_log_entries` (`id`, `time`, `call_id`, `queue`, `agent`, `event`, `data1`, `data2`, `data3`, `data4`, `data5`) VALUES ('1', '2026-11-30 09:16:05.123', '1', 'sales', 'Agent/9001', 'COMPLETECALLER', '5', '60', '1', '', '');
