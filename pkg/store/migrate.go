package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sort"
	"strings"
	"sync"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"

	"github.com/callgate/callgate/pkg/store/migrations"
)

// VersionTable is where goose records the applied schema versions.
const VersionTable = goose.DefaultTablename

// baselineVersion is the version whose schema release 2cb2e0c created with
// gorm's AutoMigrate, before the store had versioned migrations.
const baselineVersion = 1

// migrateLockWait bounds how long a gateway waits for another one that is
// migrating the same MySQL database.
const migrateLockWait = 300 // seconds

// Migrate brings the database to the newest schema version with the
// embedded migrations of pkg/store/migrations. A fresh database gets every
// version; a database created by release 2cb2e0c (its tables, no version
// table) is first recorded as being at version 1, without touching its
// rows, and then gets the versions after 1.
//
// On MySQL the whole of it runs under a named lock of the database, so
// gateways starting together against one database migrate it once. On
// SQLite the caller must be the only process migrating the file.
func (s *Store) Migrate(ctx context.Context) error {
	if s.inTx {
		return wrap("migrate", "", errors.New("not inside a transaction"))
	}
	db, err := s.w.DB()
	if err != nil {
		return wrap("migrate", "", err)
	}
	dialect, fsys := goose.DialectSQLite3, migrations.SQLite()
	if s.dialect == DialectMySQL {
		dialect, fsys = goose.DialectMySQL, migrations.MySQL()
		unlock, err := lockMySQL(ctx, db)
		if err != nil {
			return wrap("migrate", "", err)
		}
		defer unlock()
	}
	if err := s.baseline(ctx, db, dialect); err != nil {
		return wrap("migrate", "", err)
	}
	p, err := newProvider(dialect, db, fsys)
	if err != nil {
		return wrap("migrate", "", err)
	}
	applied, err := p.Up(ctx)
	if err != nil {
		return wrap("migrate", "", err)
	}
	if len(applied) > 0 {
		versions := make([]int64, len(applied))
		for i, r := range applied {
			versions[i] = r.Source.Version
		}
		slog.Info("store: applied schema versions", "versions", versions)
	}
	return nil
}

// SchemaVersion returns the newest version applied to the database, 0 when
// none is.
func (s *Store) SchemaVersion(ctx context.Context) (int64, error) {
	db, err := s.w.DB()
	if err != nil {
		return 0, wrap("schema version", "", err)
	}
	dialect, fsys := goose.DialectSQLite3, migrations.SQLite()
	if s.dialect == DialectMySQL {
		dialect, fsys = goose.DialectMySQL, migrations.MySQL()
	}
	if !s.w.WithContext(ctx).Migrator().HasTable(VersionTable) {
		return 0, nil
	}
	p, err := newProvider(dialect, db, fsys)
	if err != nil {
		return 0, wrap("schema version", "", err)
	}
	v, err := p.GetDBVersion(ctx)
	return v, wrap("schema version", "", err)
}

func newProvider(dialect goose.Dialect, db *sql.DB, fsys fs.FS) (*goose.Provider, error) {
	return goose.NewProvider(dialect, db, fsys,
		// Only the embedded files: a Go migration registered by some
		// imported package must not run against the store.
		goose.WithDisableGlobalRegistry(true),
		goose.WithSlog(slog.Default()),
	)
}

// lockMySQL takes a named lock of the current database on a connection of
// its own and returns its release. goose ships no MySQL session locker, and
// the lock must also cover the baseline step, which runs before goose.
// Named locks belong to the server, so the name is derived from the database
// name (hashed, as MySQL limits names to 64 characters); the lock ends with
// the connection if the gateway dies.
func lockMySQL(ctx context.Context, db *sql.DB) (func(), error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	const name = "CONCAT('callgate.migrate.', SHA1(DATABASE()))"
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK("+name+", ?)", migrateLockWait).Scan(&got); err != nil {
		conn.Close()
		return nil, fmt.Errorf("lock: %w", err)
	}
	if !got.Valid || got.Int64 != 1 {
		conn.Close()
		return nil, fmt.Errorf("lock: another gateway has been migrating this database for %d s", migrateLockWait)
	}
	return func() {
		// Closing the connection would release the lock too; releasing
		// first lets a waiting gateway go on without waiting for the
		// pool to drop the connection.
		conn.ExecContext(context.WithoutCancel(ctx), "DO RELEASE_LOCK("+name+")")
		conn.Close()
	}, nil
}

// baseline recognises a database created by release 2cb2e0c and records it
// as being at baselineVersion. A database with none of the tables is left to
// goose; one with only some of them, or with columns missing, predates that
// release and is refused rather than recorded at a version it is not at.
func (s *Store) baseline(ctx context.Context, db *sql.DB, dialect goose.Dialect) error {
	m := s.w.WithContext(ctx).Migrator()
	if m.HasTable(VersionTable) {
		return nil
	}
	want, err := baselineColumns()
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	var present, missing []string
	for tbl := range want {
		if m.HasTable(tbl) {
			present = append(present, tbl)
		} else {
			missing = append(missing, tbl)
		}
	}
	if len(present) == 0 {
		return nil
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("the database has some tables of schema version %d but not %s: it was created before release 2cb2e0c; start that release on it once, then this one",
			baselineVersion, strings.Join(missing, ", "))
	}
	for _, tbl := range present {
		cols, err := m.ColumnTypes(tbl)
		if err != nil {
			return fmt.Errorf("baseline: %w", err)
		}
		have := map[string]bool{}
		for _, c := range cols {
			have[c.Name()] = true
		}
		for _, col := range want[tbl] {
			if !have[col] {
				missing = append(missing, tbl+"."+col)
			}
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("the database lacks columns of schema version %d (%s): it was created before release 2cb2e0c; start that release on it once, then this one",
			baselineVersion, strings.Join(missing, ", "))
	}
	vs, err := database.NewStore(dialect, VersionTable)
	if err != nil {
		return err
	}
	// goose's own statements, so the table is the one goose would create;
	// version 0 is the row goose writes when it creates the table.
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := vs.CreateVersionTable(ctx, tx); err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	for _, v := range []int64{0, baselineVersion} {
		if err := vs.Insert(ctx, tx, database.InsertRequest{Version: v}); err != nil {
			return fmt.Errorf("baseline: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	slog.Info("store: recorded a database of release 2cb2e0c at schema version 1", "version_table", VersionTable)
	return nil
}

var (
	baselineOnce sync.Once
	baselineCols map[string][]string
	baselineErr  error
)

// baselineColumns lists the tables and columns of baselineVersion, read from
// the SQLite migrations applied to an in-memory database (both dialects
// have the same names), so the list cannot drift from the migration files.
func baselineColumns() (map[string][]string, error) {
	baselineOnce.Do(func() {
		baselineCols, baselineErr = readBaselineColumns()
	})
	return baselineCols, baselineErr
}

func readBaselineColumns() (map[string][]string, error) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	// Every connection to :memory: is a database of its own.
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	p, err := goose.NewProvider(goose.DialectSQLite3, db, migrations.SQLite(),
		goose.WithDisableGlobalRegistry(true), goose.WithSlog(slog.New(slog.DiscardHandler)))
	if err != nil {
		return nil, err
	}
	if _, err := p.UpTo(ctx, baselineVersion); err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT m.name, c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\' AND m.name <> ? ORDER BY m.name, c.cid`, VersionTable)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols := map[string][]string{}
	for rows.Next() {
		var tbl, col string
		if err := rows.Scan(&tbl, &col); err != nil {
			return nil, err
		}
		cols[tbl] = append(cols[tbl], col)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, errors.New("no tables in schema version 1")
	}
	return cols, nil
}
