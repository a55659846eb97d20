package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
)

// openCachedSQLite opens a file database through the caching connector on
// one connection, so every statement meets the same cache.
func openCachedSQLite(t *testing.T) *sql.DB {
	t.Helper()
	conn, err := newCachingConnector(filepath.Join(t.TempDir(), "c.db") + "?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(conn)
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)`); err != nil {
		t.Fatal(err)
	}
	return db
}

// cacheOf reports the statements kept by db's one connection.
func cacheOf(t *testing.T, db *sql.DB) (n, bytes int) {
	t.Helper()
	c, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Raw(func(dc any) error {
		cc := dc.(*cachingConn)
		n, bytes = len(cc.stmts), cc.bytes
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return n, bytes
}

func TestRepeatedStatementIsPreparedOnceAndBindsEachRunsArguments(t *testing.T) {
	db := openCachedSQLite(t)
	for i := range 50 {
		if _, err := db.Exec(`INSERT INTO t (id, name) VALUES (?, ?)`, i, fmt.Sprint("n", i)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 50 {
		var name string
		if err := db.QueryRow(`SELECT name FROM t WHERE id = ?`, i).Scan(&name); err != nil || name != fmt.Sprint("n", i) {
			t.Fatalf("row %d: %q, %v", i, name, err)
		}
	}
	if n, _ := cacheOf(t, db); n != 2 {
		t.Fatalf("kept %d statements, want the INSERT and the SELECT", n)
	}
}

func TestSameQueryWhileItsRowsAreOpenRunsBesideThem(t *testing.T) {
	db := openCachedSQLite(t)
	for i := range 3 {
		if _, err := db.Exec(`INSERT INTO t (id, name) VALUES (?, ?)`, i, "x"); err != nil {
			t.Fatal(err)
		}
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	const q = `SELECT id FROM t WHERE id >= ? ORDER BY id`
	outer, err := tx.Query(q, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for outer.Next() {
		var id int
		if err := outer.Scan(&id); err != nil {
			t.Fatal(err)
		}
		// The same text again on the same connection while outer is open.
		var inner int
		if err := tx.QueryRow(q, id).Scan(&inner); err != nil || inner != id {
			t.Fatalf("inner query at %d: %d, %v", id, inner, err)
		}
		got = append(got, id)
	}
	if err := outer.Close(); err != nil || fmt.Sprint(got) != "[0 1 2]" {
		t.Fatalf("outer rows %v, %v", got, err)
	}
}

func TestCacheStaysWithinItsBoundsAndEvictsABusyStatementOnlyOnceClosed(t *testing.T) {
	db := openCachedSQLite(t)
	if _, err := db.Exec(`INSERT INTO t (id, name) VALUES (1, 'a'), (2, 'b')`); err != nil {
		t.Fatal(err)
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	open, err := tx.Query(`SELECT name FROM t ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	// Enough other statements to push the open one out of the cache.
	for i := range stmtCacheEntries * 2 {
		var n int
		if err := tx.QueryRow(fmt.Sprintf(`SELECT count(*) + %d FROM t`, i)).Scan(&n); err != nil || n != 2+i {
			t.Fatalf("statement %d: %d, %v", i, n, err)
		}
	}
	var names []string
	for open.Next() {
		var s string
		if err := open.Scan(&s); err != nil {
			t.Fatal(err)
		}
		names = append(names, s)
	}
	if err := open.Close(); err != nil || fmt.Sprint(names) != "[a b]" {
		t.Fatalf("evicted statement's rows: %v, %v", names, err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if n, bytes := cacheOf(t, db); n > stmtCacheEntries || bytes > stmtCacheBytes {
		t.Fatalf("cache holds %d statements, %d bytes", n, bytes)
	}
}

func TestKeptStatementSeesASchemaChangeAndAFailedOneIsNotKept(t *testing.T) {
	db := openCachedSQLite(t)
	if _, err := db.Exec(`SELECT * FROM later`); err == nil {
		t.Fatal("a query of a missing table succeeded")
	}
	if _, err := db.Exec(`CREATE TABLE later (a TEXT)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO later (a) VALUES ('one')`); err != nil {
		t.Fatal(err)
	}
	cols := func() []string {
		rows, err := db.Query(`SELECT * FROM later`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		c, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		types, err := rows.ColumnTypes()
		if err != nil || types[0].DatabaseTypeName() != "TEXT" {
			t.Fatalf("column types through the cache: %v, %v", types, err)
		}
		return c
	}
	if c := cols(); fmt.Sprint(c) != "[a]" {
		t.Fatalf("columns %v", c)
	}
	if _, err := db.Exec(`ALTER TABLE later ADD COLUMN b TEXT`); err != nil {
		t.Fatal(err)
	}
	if c := cols(); fmt.Sprint(c) != "[a b]" {
		t.Fatalf("the kept SELECT * after ALTER TABLE gives %v", c)
	}
}

func TestOnlySingleDataStatementsAreKept(t *testing.T) {
	for q, want := range map[string]bool{
		"SELECT 1":                         true,
		"  insert into t values (1)":       true,
		"UPDATE t SET a = 1;":              true,
		"CREATE TABLE x (a)":               false,
		"BEGIN":                            false,
		"INSERT INTO t VALUES (1); DROP t": false,
	} {
		if got := cacheable(q); got != want {
			t.Errorf("cacheable(%q) = %v, want %v", q, got, want)
		}
	}
}
