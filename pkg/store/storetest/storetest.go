// Package storetest gives store-backed tests a fresh, migrated core.Store on
// every database the machine offers: always SQLite in a temporary file, and
// MySQL when CALLGATE_TEST_MYSQL_DSN is set. Secret fields are hashed and
// sealed on write (Secrets), as in a gateway. Each MySQL store lives in its
// own database, so test packages running in parallel never share rows.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/secret"
	"github.com/callgate/callgate/pkg/store"
)

// EnvMySQL names the variable holding the MySQL DSN for tests, e.g.
// root@tcp(127.0.0.1:3306)/test?parseTime=true.
const EnvMySQL = "CALLGATE_TEST_MYSQL_DSN"

const (
	SQLite = store.DialectSQLite
	MySQL  = store.DialectMySQL
)

// dbPrefix names the per-test databases; the creation time follows it so a
// later run can drop what a killed run left behind.
const dbPrefix = "callgate_t_"

// Kinds lists the databases available to this run: SQLite always, MySQL when
// configured.
func Kinds() []string {
	if os.Getenv(EnvMySQL) != "" {
		return []string{SQLite, MySQL}
	}
	return []string{SQLite}
}

// Each runs fn as a subtest named after each available database, with a
// fresh migrated store that is closed (and on MySQL dropped) afterwards.
func Each(t *testing.T, fn func(t *testing.T, st core.Store)) {
	t.Helper()
	for _, kind := range Kinds() {
		t.Run(kind, func(t *testing.T) {
			fn(t, Open(t, kind))
		})
	}
}

// Open returns a fresh migrated store of the given kind (SQLite or MySQL),
// removed at the end of the test. It skips the test for MySQL when
// CALLGATE_TEST_MYSQL_DSN is unset.
func Open(t testing.TB, kind string) core.Store {
	t.Helper()
	st, err := open(t, kind)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return st
}

// DSN returns the DSN of a fresh migrated database of the given kind,
// removed at the end of the test, for code that opens the store itself
// (a gateway started from its configuration).
func DSN(t testing.TB, kind string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dsn, err := freshDSN(ctx, t, kind)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return dsn
}

// BlankDSN returns the DSN of a fresh database of the given kind with no
// tables at all, removed at the end of the test, for tests that build a
// schema themselves (an older release's, to migrate from).
func BlankDSN(t testing.TB, kind string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var (
		dsn string
		err error
	)
	switch kind {
	case SQLite:
		dsn = "sqlite://" + filepath.Join(t.TempDir(), "callgate.db")
	case MySQL:
		dsn, err = createDatabase(ctx, t, mysqlAdmin(t), false)
	default:
		err = fmt.Errorf("unknown store kind %q", kind)
	}
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return dsn
}

func mysqlAdmin(t testing.TB) string {
	admin := os.Getenv(EnvMySQL)
	if admin == "" {
		t.Skip("storetest: " + EnvMySQL + " not set")
	}
	return admin
}

func freshDSN(ctx context.Context, t testing.TB, kind string) (string, error) {
	t.Helper()
	switch kind {
	case SQLite:
		return sqliteCopy(ctx, t.TempDir())
	case MySQL:
		return createDatabase(ctx, t, mysqlAdmin(t), true)
	}
	return "", fmt.Errorf("unknown store kind %q", kind)
}

func open(t testing.TB, kind string) (*store.Store, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dsn, err := freshDSN(ctx, t, kind)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { st.Close() })
	if err := st.UseSecrets(Secrets()); err != nil {
		return nil, err
	}
	return st, nil
}

var (
	secretsOnce sync.Once
	secrets     *secret.Box
)

// Secrets is the facility every test store writes through: a random key
// per test binary and cheap hash costs, so the whole suite runs on hashed
// and sealed rows as a gateway does.
func Secrets() *secret.Box {
	secretsOnce.Do(func() {
		key := make([]byte, secret.KeySize)
		rand.Read(key)
		b, err := secret.New(key, secret.TestParams)
		if err != nil {
			panic(err)
		}
		secrets = b
	})
	return secrets
}

// The schema is migrated once per test binary and copied for every store
// after that: a copy costs a fraction of a migration, and store-backed tests
// across the repository open hundreds of stores.
var (
	sqliteOnce     sync.Once
	sqliteTemplate []byte
	sqliteErr      error

	mysqlMu       sync.Mutex
	mysqlTables   []string // CREATE TABLE statements of a migrated database
	mysqlVersions []mysqlVersion
)

// mysqlVersion is a row of the migrated database's version table, replayed
// so that a copied schema is at the same version as the one it copies.
type mysqlVersion struct {
	version int64
	applied bool
}

func sqliteCopy(ctx context.Context, dir string) (string, error) {
	sqliteOnce.Do(func() {
		tmp, err := os.MkdirTemp("", "callgate-storetest-")
		if err != nil {
			sqliteErr = err
			return
		}
		defer os.RemoveAll(tmp)
		path := filepath.Join(tmp, "template.db")
		st, err := store.Open(ctx, "sqlite://"+path)
		if err != nil {
			sqliteErr = err
			return
		}
		if sqliteErr = st.Migrate(ctx); sqliteErr != nil {
			st.Close()
			return
		}
		// Closing checkpoints the WAL into the main file.
		if sqliteErr = st.Close(); sqliteErr != nil {
			return
		}
		sqliteTemplate, sqliteErr = os.ReadFile(path)
	})
	if sqliteErr != nil {
		return "", fmt.Errorf("sqlite template: %w", sqliteErr)
	}
	path := filepath.Join(dir, "callgate.db")
	if err := os.WriteFile(path, sqliteTemplate, 0o600); err != nil {
		return "", err
	}
	return "sqlite://" + path, nil
}

var sweepOnce sync.Once

// createDatabase makes callgate_t_<unix>_<random> on the server of admin,
// with the schema when migrated is set, and registers its removal; it
// returns the DSN of the new database.
func createDatabase(ctx context.Context, t testing.TB, admin string, migrated bool) (string, error) {
	cfg, err := store.MySQLConfig(admin)
	if err != nil {
		return "", err
	}
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return "", fmt.Errorf("mysql admin connection: %w", err)
	}
	sweepOnce.Do(func() { sweep(ctx, db) })
	var rnd [6]byte
	rand.Read(rnd[:])
	name := fmt.Sprintf("%s%d_%s", dbPrefix, time.Now().Unix(), hex.EncodeToString(rnd[:]))
	if _, err := db.ExecContext(ctx, "CREATE DATABASE `"+name+"` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"); err != nil {
		db.Close()
		return "", fmt.Errorf("create test database: %w", err)
	}
	t.Cleanup(func() {
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS `"+name+"`"); err != nil {
			t.Logf("storetest: drop %s: %v", name, err)
		}
	})
	cfg.DBName = name
	dsn := "mysql://" + cfg.FormatDSN()
	if !migrated {
		return dsn, nil
	}
	return dsn, mysqlSchema(ctx, db, name, dsn)
}

// mysqlSchema creates the tables in database name: by migrating the first
// time, by replaying the statements that migration produced, and the rows of
// its version table, afterwards.
func mysqlSchema(ctx context.Context, db *sql.DB, name, dsn string) error {
	mysqlMu.Lock()
	defer mysqlMu.Unlock()
	if mysqlTables != nil {
		// InnoDB creates each table's file with its own fsyncs; a few at a
		// time overlap that waiting.
		stmts := make(chan string, len(mysqlTables))
		for _, stmt := range mysqlTables {
			stmts <- stmt
		}
		close(stmts)
		errs := make(chan error, 4)
		for range cap(errs) {
			go func() {
				conn, err := db.Conn(ctx)
				if err == nil {
					defer conn.Close()
					_, err = conn.ExecContext(ctx, "USE `"+name+"`")
				}
				for stmt := range stmts {
					if err == nil {
						_, err = conn.ExecContext(ctx, stmt)
					}
				}
				errs <- err
			}()
		}
		var first error
		for range cap(errs) {
			if err := <-errs; err != nil && first == nil {
				first = fmt.Errorf("create test tables: %w", err)
			}
		}
		if first != nil {
			return first
		}
		for _, v := range mysqlVersions {
			if _, err := db.ExecContext(ctx, "INSERT INTO `"+name+"`.`"+store.VersionTable+"` (version_id, is_applied) VALUES (?, ?)", v.version, v.applied); err != nil {
				return fmt.Errorf("copy schema version: %w", err)
			}
		}
		return nil
	}
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	rows, err := db.QueryContext(ctx, "SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name", name)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var tbl string
		if err := rows.Scan(&tbl); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, tbl)
	}
	rows.Close()
	stmts := make([]string, 0, len(tables))
	for _, tbl := range tables {
		var n, create string
		if err := db.QueryRowContext(ctx, "SHOW CREATE TABLE `"+name+"`.`"+tbl+"`").Scan(&n, &create); err != nil {
			return err
		}
		stmts = append(stmts, create)
	}
	var versions []mysqlVersion
	rows, err = db.QueryContext(ctx, "SELECT version_id, is_applied FROM `"+name+"`.`"+store.VersionTable+"` ORDER BY id")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var v mysqlVersion
		if err := rows.Scan(&v.version, &v.applied); err != nil {
			return err
		}
		versions = append(versions, v)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	mysqlTables, mysqlVersions = stmts, versions
	return nil
}

// sweep drops test databases older than two hours: left by a run that was
// killed before its cleanups, and too old to belong to a run still going.
func sweep(ctx context.Context, db *sql.DB) {
	rows, err := db.QueryContext(ctx, "SHOW DATABASES LIKE 'callgate\\_t\\_%'")
	if err != nil {
		return
	}
	var stale []string
	for rows.Next() {
		var name string
		if rows.Scan(&name) != nil {
			continue
		}
		stamp, _, _ := strings.Cut(strings.TrimPrefix(name, dbPrefix), "_")
		sec, err := strconv.ParseInt(stamp, 10, 64)
		if err == nil && time.Since(time.Unix(sec, 0)) > 2*time.Hour {
			stale = append(stale, name)
		}
	}
	rows.Close()
	for _, name := range stale {
		db.ExecContext(ctx, "DROP DATABASE IF EXISTS `"+name+"`")
	}
}
