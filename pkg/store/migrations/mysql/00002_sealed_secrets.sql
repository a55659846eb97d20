-- Version 2: sealed secrets (AES-GCM, "sealed:v1:...") are longer than the
-- clear values they replace, and the login throttle counts failures per
-- source address as well as per name.
-- +goose Up
ALTER TABLE `agents` MODIFY `eccp_password` varchar(255) DEFAULT NULL;
ALTER TABLE `agents` MODIFY `phone_pass` varchar(255) DEFAULT NULL;
CREATE INDEX `lf_source` ON `login_failures` (`dialect`,`source`);
