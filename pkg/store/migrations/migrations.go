// Package migrations holds the versioned schema of the store, one directory
// per database, embedded in the binary and applied by pressly/goose when the
// gateway starts (store.Migrate).
//
// # Adding a migration
//
// Every change to a persisted record of core (core.AllModels: a new model, a
// new field, a changed gorm tag such as size or index) needs a migration, or
// pkg/store's TestModelsMatchMigratedSchema fails and names the tables and
// columns that differ. To add one:
//
//  1. Take the next number: if the highest file is 00001_baseline.sql, the
//     new one is 00002_<what_it_does>.sql. Add it to both directories,
//     mysql/ and sqlite/, with the same number and name: a version must mean
//     the same schema on every database.
//  2. Start each file with "-- +goose Up" and write that database's
//     statements, each ending with ";" at the end of a line, matching what
//     gorm would create for the model (the types below).
//  3. Leave out "-- +goose Down" if you like: the gateway never migrates down.
//  4. Run go test ./pkg/store/... with and without CALLGATE_TEST_MYSQL_DSN.
//
// MySQL types as gorm writes them: varchar(N) for a size:N string, longtext
// for a string without size, bigint(20) for int, bigint(20) unsigned for
// uint, tinyint(1) for bool, datetime(3) for time.Time, double for float64,
// each "DEFAULT NULL" unless the tag gives a default. A new table ends with
// "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin". MODIFY
// restates the whole column: keep its DEFAULT and NULL-ness.
//
// SQLite types: text (any string, whatever its size), integer, numeric for
// bool, real, datetime; indexes as CREATE [UNIQUE] INDEX
// `idx_<table>_<column>` ON `<table>`(`<column>`). SQLite cannot change a
// column's type: rebuild the table (CREATE the new one, INSERT ... SELECT,
// DROP the old one, ALTER TABLE ... RENAME) in the same file. A size change
// needs no SQLite statement, but the file must still exist; a file with no
// statement is a valid, empty version.
//
// For example, widening Agent.Password from size:128 to size:255 takes
//
//	mysql/00002_widen_agent_password.sql:
//	  -- +goose Up
//	  ALTER TABLE `agents` MODIFY `password` varchar(255) DEFAULT NULL;
//
//	sqlite/00002_widen_agent_password.sql:
//	  -- SQLite text columns have no size: nothing to change.
//	  -- +goose Up
//
// Never edit a migration that has been released: databases that ran it will
// not run it again. Version 1 is exactly the schema release 2cb2e0c created
// with gorm's AutoMigrate; Migrate recognises a database created by that
// release (tables present, no goose_db_version table) and records version 1
// as applied without running it.
package migrations

import (
	"embed"
	"io/fs"
)

//go:embed mysql/*.sql sqlite/*.sql
var files embed.FS

// MySQL returns the migrations for MySQL and MariaDB.
func MySQL() fs.FS { return sub("mysql") }

// SQLite returns the migrations for SQLite.
func SQLite() fs.FS { return sub("sqlite") }

func sub(dir string) fs.FS {
	f, err := fs.Sub(files, dir)
	if err != nil {
		// Only a typo in a constant directory name can get here.
		panic(err)
	}
	return f
}
