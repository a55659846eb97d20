-- Version 2: sealed secrets are longer than the clear values (SQLite's text
-- columns need no change), and the login throttle counts failures per source
-- address as well as per name.
-- +goose Up
CREATE INDEX `lf_source` ON `login_failures`(`dialect`,`source`);
