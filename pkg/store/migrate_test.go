package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	"gorm.io/gorm/schema"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store"
	"github.com/callgate/callgate/pkg/store/migrations"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// release2cb2e0c is a database as release 2cb2e0c left it (its AutoMigrate
// schema read back from the database, plus an agent, a call and a
// queue-log row), one file per database.
func release2cb2e0c(kind string) string { return "testdata/release-2cb2e0c-" + kind + ".sql" }

func TestMigrateUpgradesADatabaseOfTheLastReleaseKeepingItsRows(t *testing.T) {
	for _, kind := range storetest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			dsn := storetest.BlankDSN(t, kind)
			execFile(t, dsn, release2cb2e0c(kind))
			// A VICIdial call id as the release kept it on the call row.
			execStatements(t, dsn, []string{"UPDATE `calls` SET `vicidial_call_id` = 'Y1130091500000000001' WHERE `id` = 1"})

			st := openStore(t, dsn)
			if v, err := st.SchemaVersion(ctx); err != nil || v != 0 {
				t.Fatalf("before Migrate: version %d, %v; want 0 (no version table)", v, err)
			}
			// Twice: the second run finds everything applied.
			for range 2 {
				if err := st.Migrate(ctx); err != nil {
					t.Fatalf("migrate: %v", err)
				}
			}
			if v, err := st.SchemaVersion(ctx); err != nil || v != latestVersion(t, kind) {
				t.Fatalf("after Migrate: version %d, %v; want %d", v, err, latestVersion(t, kind))
			}

			at := time.Date(2026, 11, 30, 9, 15, 0, 123e6, time.UTC)
			var a core.Agent
			if err := st.First(ctx, &a, core.Eq("username", "ana")); err != nil {
				t.Fatalf("agent of the release: %v", err)
			}
			if a.ID != 1 || a.Name != "Ana Núñez" || a.Password != "pw-ana" || a.UserLevel != 3 || !a.Active || !a.CreatedAt.Equal(at) {
				t.Fatalf("agent changed by the migration: %+v", a)
			}
			var c core.Call
			if err := st.First(ctx, &c, core.Eq("guid", "6f1c2a4e-release-snapshot")); err != nil {
				t.Fatalf("call of the release: %v", err)
			}
			if c.AgentID != a.ID || c.Status != "SALE" || c.AnsweredAt == nil || !c.AnsweredAt.Equal(at.Add(5*time.Second)) ||
				c.EndedAt == nil || !c.EndedAt.Equal(at.Add(65*time.Second)) {
				t.Fatalf("call changed by the migration: %+v", c)
			}
			ids := core.NewExternalIDs(st)
			if id, err := ids.Internal(ctx, core.EntityCall, "vicidial", "Y1130091500000000001"); err != nil || id != c.ID {
				t.Fatalf("release's VICIdial call id: call %d, %v; want call %d", id, err, c.ID)
			}
			if ext, err := ids.External(ctx, core.EntityCall, "vicidial", c.ID); err != nil || ext != "Y1130091500000000001" {
				t.Fatalf("VICIdial id of the release's call: %q, %v", ext, err)
			}
			var q core.QueueLogEntry
			if err := st.First(ctx, &q, core.Eq("call_id", c.ID)); err != nil {
				t.Fatalf("queue-log row of the release: %v", err)
			}
			if q.Event != core.QLCompleteCaller || q.Data2 != "60" || !q.Time.Equal(at.Add(65*time.Second)) {
				t.Fatalf("queue-log row changed by the migration: %+v", q)
			}
			// Keys go on from the release's rows.
			b := &core.Agent{Username: "bea"}
			if err := st.Create(ctx, b); err != nil || b.ID != 2 {
				t.Fatalf("new agent: id %d, %v; want id 2", b.ID, err)
			}

			want := describeSchema(t, storetest.DSN(t, kind))
			got := describeSchema(t, dsn)
			if diff := diffSchemas(got, want); diff != "" {
				t.Fatalf("the upgraded database differs from a freshly migrated one:\n%s", diff)
			}
		})
	}
}

func TestMigrateRefusesADatabaseOlderThanTheLastRelease(t *testing.T) {
	for _, kind := range storetest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			dsn := storetest.BlankDSN(t, kind)
			// Only the release's first table: some other release made this.
			execStatements(t, dsn, statements(t, release2cb2e0c(kind))[:1])

			st := openStore(t, dsn)
			err := st.Migrate(ctx)
			if err == nil || !strings.Contains(err.Error(), "created before release 2cb2e0c") {
				t.Fatalf("migrate: %v; want a refusal naming the release", err)
			}
			if store.GormDB(st).Migrator().HasTable(store.VersionTable) {
				t.Fatal("the refused database got a version table")
			}
		})
	}
}

func TestGatewaysStartingTogetherMigrateTheDatabaseOnce(t *testing.T) {
	if os.Getenv(storetest.EnvMySQL) == "" {
		// SQLite has a single writer; one gateway per file.
		t.Skip(storetest.EnvMySQL + " not set")
	}
	for _, from := range []string{"a blank database", "the last release's database"} {
		t.Run(from, func(t *testing.T) {
			dsn := storetest.BlankDSN(t, storetest.MySQL)
			if from != "a blank database" {
				execFile(t, dsn, release2cb2e0c(storetest.MySQL))
			}
			const gateways = 4
			stores := make([]*store.Store, gateways)
			for i := range stores {
				stores[i] = openStore(t, dsn)
			}
			start := make(chan struct{})
			errs := make(chan error, gateways)
			for _, st := range stores {
				go func() {
					<-start
					errs <- st.Migrate(ctx)
				}()
			}
			close(start)
			for range gateways {
				if err := <-errs; err != nil {
					t.Errorf("migrate: %v", err)
				}
			}
			db := rawDB(t, dsn)
			rows, err := db.Query("SELECT version_id, COUNT(*) FROM `" + store.VersionTable + "` GROUP BY version_id ORDER BY version_id")
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var seen []int64
			for rows.Next() {
				var v, n int64
				if err := rows.Scan(&v, &n); err != nil {
					t.Fatal(err)
				}
				if n != 1 {
					t.Errorf("version %d recorded %d times", v, n)
				}
				seen = append(seen, v)
			}
			if len(seen) == 0 || seen[len(seen)-1] != latestVersion(t, storetest.MySQL) {
				t.Fatalf("versions %v, want 0 to %d", seen, latestVersion(t, storetest.MySQL))
			}
		})
	}
}

// TestModelsMatchMigratedSchema guards the migrations against the models:
// a field added to or changed in a record of core without a migration fails
// here, on every database the run offers.
func TestModelsMatchMigratedSchema(t *testing.T) {
	for _, kind := range storetest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			st := openStore(t, storetest.DSN(t, kind))
			if problems := schemaDrift(t, st); len(problems) > 0 {
				t.Fatalf("the %s schema built by pkg/store/migrations does not match core's models:\n  %s\n"+
					"Add a migration: the next number, in both pkg/store/migrations/mysql and pkg/store/migrations/sqlite "+
					"(how: pkg/store/migrations/migrations.go).", kind, strings.Join(problems, "\n  "))
			}
		})
	}
}

func TestSchemaGuardNoticesAColumnTheMigrationsLack(t *testing.T) {
	for _, kind := range storetest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			dsn := storetest.DSN(t, kind)
			stmts := []string{"ALTER TABLE `agents` DROP COLUMN `custom_four`"}
			if kind == storetest.MySQL {
				// A size only gorm's own comparison sees.
				stmts = append(stmts, "ALTER TABLE `queues` MODIFY `moh_class` varchar(16) DEFAULT NULL")
			}
			execStatements(t, dsn, stmts)
			problems := strings.Join(schemaDrift(t, openStore(t, dsn)), "\n")
			wants := []string{"agents.custom_four", "would change table agents, column custom_four"}
			if kind == storetest.MySQL {
				wants = append(wants, "would change table queues, column moh_class")
			}
			for _, want := range wants {
				if !strings.Contains(problems, want) {
					t.Errorf("guard report lacks %q:\n%s", want, problems)
				}
			}
		})
	}
}

// schemaDrift lists what the database lacks for core's models: tables,
// columns and indexes by name, then whatever gorm's AutoMigrate, the
// schema's former source, would still change. It may alter the database.
func schemaDrift(t *testing.T, st *store.Store) []string {
	t.Helper()
	db := store.GormDB(st).WithContext(ctx)
	m := db.Migrator()
	var problems []string
	for _, model := range core.AllModels() {
		sch, err := schema.Parse(model, &sync.Map{}, store.Naming)
		if err != nil {
			t.Fatal(err)
		}
		if !m.HasTable(model) {
			problems = append(problems, fmt.Sprintf("table %s (core.%s) is missing", sch.Table, sch.Name))
			continue
		}
		cols, err := m.ColumnTypes(model)
		if err != nil {
			t.Fatal(err)
		}
		have := map[string]bool{}
		for _, c := range cols {
			have[c.Name()] = true
		}
		for _, f := range sch.Fields {
			if f.DBName != "" && !have[f.DBName] {
				problems = append(problems, fmt.Sprintf("column %s.%s (core.%s.%s) is missing", sch.Table, f.DBName, sch.Name, f.Name))
			}
		}
		for _, idx := range sch.ParseIndexes() {
			if !m.HasIndex(model, idx.Name) {
				problems = append(problems, fmt.Sprintf("index %s on %s (core.%s) is missing", idx.Name, sch.Table, sch.Name))
			}
		}
	}
	// gorm decides what to alter from types, sizes, defaults, nullability
	// and indexes; on a schema that matches it runs no DDL at all.
	rec := &ddlRecorder{Interface: logger.Discard}
	auto := db.Session(&gorm.Session{Logger: rec})
	if st.Dialect() == store.DialectMySQL {
		auto = auto.Set("gorm:table_options", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin")
	}
	if err := auto.AutoMigrate(core.AllModels()...); err != nil {
		problems = append(problems, fmt.Sprintf("gorm's AutoMigrate fails on the migrated schema: %v", err))
	}
	problems = append(problems, rec.changes()...)
	return problems
}

// ddlRecorder notes the tables (and columns) gorm's statements would
// change, without the statements themselves.
type ddlRecorder struct {
	logger.Interface
	mu     sync.Mutex
	tables map[string]bool
}

func (r *ddlRecorder) LogMode(logger.LogLevel) logger.Interface { return r }

func (r *ddlRecorder) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	stmt, _ := fc()
	words := strings.Fields(strings.ReplaceAll(stmt, "`", ""))
	if len(words) < 3 {
		return
	}
	var table string
	switch strings.ToUpper(words[0]) {
	case "ALTER":
		// ALTER TABLE t ADD|MODIFY|ALTER|DROP [COLUMN] c ...
		table = words[2]
		if rest := words[3:]; len(rest) > 1 {
			if strings.EqualFold(rest[1], "COLUMN") && len(rest) > 2 {
				table += ", column " + rest[2]
			} else {
				table += ", column " + rest[1]
			}
		}
	case "DROP":
		table = words[2]
	case "CREATE":
		table = words[2]
		for i, w := range words {
			if strings.EqualFold(w, "ON") && i+1 < len(words) {
				table, _, _ = strings.Cut(words[i+1], "(")
				break
			}
		}
	default:
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tables == nil {
		r.tables = map[string]bool{}
	}
	r.tables[table] = true
}

func (r *ddlRecorder) changes() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for tbl := range r.tables {
		out = append(out, "gorm's AutoMigrate would change table "+tbl)
	}
	sort.Strings(out)
	return out
}

func openStore(t *testing.T, dsn string) *store.Store {
	t.Helper()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// rawDB connects to dsn with database/sql alone, as an older release's
// tables were written.
func rawDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	var (
		db  *sql.DB
		err error
	)
	if path, ok := strings.CutPrefix(dsn, "sqlite://"); ok {
		db, err = sql.Open("sqlite", path)
	} else {
		cfg, cerr := store.MySQLConfig(dsn)
		if cerr != nil {
			t.Fatal(cerr)
		}
		db, err = sql.Open("mysql", cfg.FormatDSN())
	}
	if err != nil {
		t.Fatal(err)
	}
	// SQLite: one connection sees the rows it wrote at once.
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func statements(t *testing.T, file string) []string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(l, "--") {
			lines = append(lines, l)
		}
	}
	var out []string
	for _, s := range strings.Split(strings.Join(lines, "\n"), ";\n") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, strings.TrimSuffix(s, ";"))
		}
	}
	return out
}

func execFile(t *testing.T, dsn, file string) {
	t.Helper()
	execStatements(t, dsn, statements(t, file))
}

func execStatements(t *testing.T, dsn string, stmts []string) {
	t.Helper()
	db := rawDB(t, dsn)
	for i, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("statement %d: %v", i+1, err)
		}
	}
	db.Close()
}

// latestVersion is the highest version among kind's migration files.
func latestVersion(t *testing.T, kind string) int64 {
	t.Helper()
	fsys := migrations.SQLite()
	if kind == storetest.MySQL {
		fsys = migrations.MySQL()
	}
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	var latest int64
	for _, n := range names {
		num, _, _ := strings.Cut(n, "_")
		v, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			t.Fatalf("migration %s: no version number", n)
		}
		latest = max(latest, v)
	}
	return latest
}

// describeSchema lists, per table, its columns (name, type, nullability,
// default) and indexes (name, uniqueness, columns), as the database reports
// them.
func describeSchema(t *testing.T, dsn string) map[string][]string {
	t.Helper()
	db := rawDB(t, dsn)
	var q string
	if strings.HasPrefix(dsn, "sqlite://") {
		q = `SELECT m.name, 'column ' || c.name || ' ' || c.type || ' notnull=' || c."notnull" || ' default=' || IFNULL(c.dflt_value, 'NULL') || ' pk=' || c.pk
			FROM sqlite_master m JOIN pragma_table_info(m.name) c WHERE m.type = 'table' AND m.name <> 'sqlite_sequence'
			UNION ALL
			SELECT m.name, 'index ' || l.name || ' unique=' || l."unique" || ' ' || (SELECT group_concat(i.name, ',') FROM pragma_index_info(l.name) i)
			FROM sqlite_master m JOIN pragma_index_list(m.name) l WHERE m.type = 'table' AND m.name <> 'sqlite_sequence'`
	} else {
		q = `SELECT table_name, CONCAT('column ', column_name, ' ', column_type, ' null=', is_nullable, ' default=', IFNULL(column_default, 'NULL'), ' ', extra)
			FROM information_schema.columns WHERE table_schema = DATABASE()
			UNION ALL
			SELECT table_name, CONCAT('index ', index_name, ' unique=', 1 - non_unique, ' ', GROUP_CONCAT(column_name ORDER BY seq_in_index))
			FROM information_schema.statistics WHERE table_schema = DATABASE() GROUP BY table_name, index_name, non_unique
			UNION ALL
			SELECT table_name, CONCAT('table ', engine, ' ', table_collation)
			FROM information_schema.tables WHERE table_schema = DATABASE()`
	}
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var tbl, desc string
		if err := rows.Scan(&tbl, &desc); err != nil {
			t.Fatal(err)
		}
		out[tbl] = append(out[tbl], desc)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, d := range out {
		sort.Strings(d)
	}
	return out
}

func diffSchemas(got, want map[string][]string) string {
	var b strings.Builder
	tables := map[string]bool{}
	for tbl := range got {
		tables[tbl] = true
	}
	for tbl := range want {
		tables[tbl] = true
	}
	names := make([]string, 0, len(tables))
	for tbl := range tables {
		names = append(names, tbl)
	}
	sort.Strings(names)
	for _, tbl := range names {
		if !reflect.DeepEqual(got[tbl], want[tbl]) {
			fmt.Fprintf(&b, "table %s:\n  upgraded: %q\n  fresh:    %q\n", tbl, got[tbl], want[tbl])
		}
	}
	return b.String()
}
