package storetest_test

import (
	"context"
	"database/sql"
	"io/fs"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store"
	"github.com/callgate/callgate/pkg/store/migrations"
	"github.com/callgate/callgate/pkg/store/storetest"
)

func TestEachStoreIsFreshMigratedAndSeparate(t *testing.T) {
	ctx := context.Background()
	var kinds []string
	for round := 0; round < 2; round++ {
		storetest.Each(t, func(t *testing.T, st core.Store) {
			kinds = append(kinds, st.Dialect())
			// Migrated: every table is there and empty.
			for _, m := range core.AllModels() {
				if n, err := st.Count(ctx, m, core.All); err != nil || n != 0 {
					t.Fatalf("%T: count %d, %v; want an empty table", m, n, err)
				}
			}
			// Fresh: the agent of the previous round is not here and keys
			// start over.
			a := &core.Agent{Username: "bob"}
			if err := st.Create(ctx, a); err != nil {
				t.Fatal(err)
			}
			if a.ID != 1 {
				t.Fatalf("first agent got id %d, want 1", a.ID)
			}
		})
	}
	if want := 2 * len(storetest.Kinds()); len(kinds) != want {
		t.Fatalf("ran on %v, want %d stores", kinds, want)
	}
}

func TestMySQLDatabaseIsDroppedAfterTheTest(t *testing.T) {
	admin := os.Getenv(storetest.EnvMySQL)
	if admin == "" {
		t.Skip(storetest.EnvMySQL + " not set")
	}
	var name string
	t.Run("uses a database", func(t *testing.T) {
		st := storetest.Open(t, storetest.MySQL)
		if err := st.First(context.Background(), &core.Agent{}, core.All); err != core.ErrNoRecord {
			t.Fatal(err)
		}
		name = currentDatabase(t, admin, st)
	})
	cfg, _ := store.MySQLConfig(admin)
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var found string
	err = db.QueryRow("SELECT schema_name FROM information_schema.schemata WHERE schema_name = ?", name).Scan(&found)
	if err != sql.ErrNoRows {
		t.Fatalf("database %q still there after the test (%v)", name, err)
	}
}

// currentDatabase finds the test database through its single agent row.
func currentDatabase(t *testing.T, admin string, st core.Store) string {
	t.Helper()
	ctx := context.Background()
	if err := st.Create(ctx, &core.Agent{Username: "marker-for-lookup"}); err != nil {
		t.Fatal(err)
	}
	cfg, _ := store.MySQLConfig(admin)
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 'callgate\\_t\\_%'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		rows.Scan(&name)
		var n int
		if db.QueryRow("SELECT COUNT(*) FROM `"+name+"`.agents WHERE username = 'marker-for-lookup'").Scan(&n) == nil && n == 1 {
			return name
		}
	}
	t.Fatal("test database not found")
	return ""
}

func TestDSNOpensAFreshMigratedDatabase(t *testing.T) {
	for _, kind := range storetest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			st, err := store.Open(ctx, storetest.DSN(t, kind))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if st.Dialect() != kind {
				t.Fatalf("dialect %s, want %s", st.Dialect(), kind)
			}
			if n, err := st.Count(ctx, &core.Call{}, core.All); err != nil || n != 0 {
				t.Fatalf("count %d, %v", n, err)
			}
		})
	}
}

func TestStoresAreAtTheNewestSchemaVersion(t *testing.T) {
	names, err := fs.Glob(migrations.SQLite(), "*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("migrations: %v, %v", names, err)
	}
	sort.Strings(names)
	newest, err := strconv.ParseInt(strings.SplitN(names[len(names)-1], "_", 2)[0], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range storetest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			// Twice: the second store of a run is a copy of the first.
			for range 2 {
				st, err := store.Open(context.Background(), storetest.DSN(t, kind))
				if err != nil {
					t.Fatal(err)
				}
				v, err := st.SchemaVersion(context.Background())
				st.Close()
				if err != nil || v != newest {
					t.Fatalf("schema version %d, %v; want %d", v, err, newest)
				}
			}
		})
	}
}
