// Package migrations holds the versioned schema of the store, one directory
// per database, embedded in the binary and applied by pressly/goose when the
// gateway starts (store.Migrate).
//
// # Adding a migration
//
// Every change to a persisted record of core (core.AllModels: a new model, a
// new field, a changed gorm tag such as size or index) needs a migration, or
// pkg/store's TestModelsMatchMigratedSchema fails. To add one:
//
//  1. Take the next number: if the highest file is 00001_baseline.sql, the
//     new one is 00002_<what_it_does>.sql. Use the same number and name in
//     both directories, mysql/ and sqlite/: versions must stay in step so a
//     version means the same schema on every database.
//  2. Start each file with "-- +goose Up" and write the statements for that
//     database, each ending with ";" at the end of a line. Match what gorm
//     would create for the model (the failing test names the tables and
//     columns it finds missing or different):
//     - MySQL: varchar(N) for size:N strings, longtext for strings without
//     size, bigint(20) for int, bigint(20) unsigned for uint, tinyint(1)
//     for bool, datetime(3) for time.Time, double for float64, all
//     "DEFAULT NULL" unless the tag gives a default; new tables end with
//     "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin".
//     - SQLite: text, integer, numeric (bool), real, datetime; indexes as
//     CREATE [UNIQUE] INDEX `idx_<table>_<column>` ON `<table>`(`<column>`).
//     SQLite before 3.35 cannot drop columns and cannot change a column's
//     type: rebuild the table (CREATE new, INSERT ... SELECT, DROP, RENAME)
//     in the same file when a type must change; a size change needs no
//     SQLite statement at all (its text columns have no size), but the
//     sqlite file must still exist, with a comment saying so.
//  3. A "-- +goose Down" section is optional; the gateway never migrates
//     down.
//  4. Run go test ./pkg/store/... with and without CALLGATE_TEST_MYSQL_DSN:
//     TestModelsMatchMigratedSchema proves the models and the migrated
//     schema agree on both databases.
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
