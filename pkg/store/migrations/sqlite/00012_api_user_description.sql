-- Version 12: a description per API credential (eXpand authorizedKey: many
-- keys per deployment, each naming the application that uses it).
-- +goose Up
ALTER TABLE `api_users` ADD COLUMN `description` text;
