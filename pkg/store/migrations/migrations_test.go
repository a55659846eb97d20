package migrations_test

import (
	"io/fs"
	"reflect"
	"strings"
	"testing"

	"github.com/callgate/callgate/pkg/store/migrations"
)

// A version must mean the same change on every database, so each file has
// its twin, with the same number and name, in the other directory.
func TestEveryVersionExistsForBothDatabases(t *testing.T) {
	mysql, err := fs.Glob(migrations.MySQL(), "*")
	if err != nil {
		t.Fatal(err)
	}
	sqlite, err := fs.Glob(migrations.SQLite(), "*")
	if err != nil {
		t.Fatal(err)
	}
	if len(mysql) == 0 || !reflect.DeepEqual(mysql, sqlite) {
		t.Fatalf("migration files differ:\n  mysql:  %v\n  sqlite: %v", mysql, sqlite)
	}
	for _, name := range mysql {
		for _, fsys := range []fs.FS{migrations.MySQL(), migrations.SQLite()} {
			b, err := fs.ReadFile(fsys, name)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), "-- +goose Up") {
				t.Errorf("%s has no \"-- +goose Up\" line", name)
			}
		}
	}
}
