-- Version 33: the Asterisk names of a call's legs and of a persistent
-- agent's login channel (PJSIP/1064-0000000a), as consoles show them.
-- +goose Up
ALTER TABLE `calls` ADD COLUMN `channel_name` text;
ALTER TABLE `calls` ADD COLUMN `agent_channel_name` text;
ALTER TABLE `agent_sessions` ADD COLUMN `channel_name` text;
