package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"strings"

	"modernc.org/sqlite"
)

// SQLite parses a statement's text anew on every Exec or Query unless the
// statement is prepared and kept; gorm sends text. Parsing was a quarter
// of the committer's time and, for a SELECT * of a wide table, more than
// running it. cachingConn keeps each connection's statements by their text
// (the arguments are bound separately, so nothing of a value is kept), at
// most stmtCacheEntries of them and stmtCacheBytes of text: the
// committer's multi-row INSERTs come in as many shapes as a group has
// rows, and one of 4,096 parameters is a large program.
//
// MySQL goes without: its driver interpolates in the client, one round
// trip per statement; server-side prepared statements measured slower
// there (see MySQLConfig).
const stmtCacheEntries, stmtCacheBytes = 128, 1 << 20

// newCachingConnector opens dsn through the modernc connector with every
// connection wrapped in a statement cache.
func newCachingConnector(dsn string) (driver.Connector, error) {
	base, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return cachingConnector{base}, nil
}

type cachingConnector struct{ base driver.Connector }

func (c cachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.base.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return newCachingConn(conn)
}

func (c cachingConnector) Driver() driver.Driver { return c.base.Driver() }

// baseConn is what every connection of modernc.org/sqlite implements; the
// wrapper forwards each, as the driver's documentation asks of wrappers,
// so contexts and validation keep working.
type baseConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

type cachingConn struct {
	baseConn
	stmts map[string]*cachedStmt
	bytes int
	clock uint64
}

// cachedStmt is one kept statement. busy: its rows are open (SQLite steps
// a statement through one result at a time), so a second use of the same
// text meanwhile is run uncached; evicted: dropped from the cache while
// busy, closed once its rows are.
type cachedStmt struct {
	st      driver.Stmt
	query   string
	used    uint64
	busy    bool
	evicted bool
}

type execQuerier interface {
	driver.StmtExecContext
	driver.StmtQueryContext
}

func newCachingConn(conn driver.Conn) (driver.Conn, error) {
	bc, ok := conn.(baseConn)
	if !ok {
		conn.Close()
		return nil, errors.New("store: the sqlite driver's connection lacks a context method")
	}
	return &cachingConn{baseConn: bc, stmts: map[string]*cachedStmt{}}, nil
}

// Unwrap lets the driver's own helpers (sqlite.Limit) see the connection.
func (c *cachingConn) Unwrap() driver.Conn { return c.baseConn }

func (c *cachingConn) Close() error {
	for _, s := range c.stmts {
		s.st.Close()
	}
	c.stmts = nil
	return c.baseConn.Close()
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	s, err := c.take(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.baseConn.ExecContext(ctx, query, args)
	}
	defer c.release(s)
	return s.st.(execQuerier).ExecContext(ctx, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	s, err := c.take(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.baseConn.QueryContext(ctx, query, args)
	}
	rows, err := s.st.(execQuerier).QueryContext(ctx, args)
	if err != nil {
		c.release(s)
		return nil, err
	}
	full, ok := rows.(typedRows)
	if !ok {
		rows.Close()
		c.release(s)
		return nil, errors.New("store: the sqlite driver's rows lack column types")
	}
	return &cachedRows{typedRows: full, release: func() { c.release(s) }}, nil
}

// take returns query's kept statement, preparing and keeping it first if
// need be, marked busy; nil (and no error) when the query is not to be
// kept or its statement is busy: the caller then runs it uncached.
func (c *cachingConn) take(ctx context.Context, query string) (*cachedStmt, error) {
	if !cacheable(query) {
		return nil, nil
	}
	c.clock++
	if s := c.stmts[query]; s != nil {
		if s.busy {
			return nil, nil
		}
		s.busy, s.used = true, c.clock
		return s, nil
	}
	st, err := c.baseConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if _, ok := st.(execQuerier); !ok {
		st.Close()
		return nil, nil
	}
	s := &cachedStmt{st: st, query: query, used: c.clock, busy: true}
	c.stmts[query] = s
	c.bytes += len(query)
	c.evict()
	return s, nil
}

func (c *cachingConn) release(s *cachedStmt) {
	s.busy = false
	if s.evicted {
		s.st.Close()
	}
}

// evict drops the least recently used statements while the cache is over
// its bounds; one busy is closed once released.
func (c *cachingConn) evict() {
	for len(c.stmts) > stmtCacheEntries || c.bytes > stmtCacheBytes {
		var old *cachedStmt
		for _, s := range c.stmts {
			if old == nil || s.used < old.used {
				old = s
			}
		}
		delete(c.stmts, old.query)
		c.bytes -= len(old.query)
		if old.busy {
			old.evicted = true
		} else {
			old.st.Close()
		}
	}
}

// cacheable: one statement of data (a script of several is parsed
// statement by statement at each run anyway) no larger than the cache.
func cacheable(query string) bool {
	if len(query) > stmtCacheBytes/4 || strings.Contains(strings.TrimRight(query, "; \n\t"), ";") {
		return false
	}
	verb, _, _ := strings.Cut(strings.TrimSpace(query), " ")
	switch strings.ToUpper(verb) {
	case "SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "REPLACE":
		return true
	}
	return false
}

// typedRows is what the driver's rows implement; forwarded so that
// database/sql's ColumnTypes (which gorm reads) stays as informed.
type typedRows interface {
	driver.Rows
	driver.RowsColumnTypeDatabaseTypeName
	driver.RowsColumnTypeLength
	driver.RowsColumnTypeNullable
	driver.RowsColumnTypePrecisionScale
	driver.RowsColumnTypeScanType
}

// cachedRows hands the statement back to the cache when closed.
type cachedRows struct {
	typedRows
	release func()
}

func (r *cachedRows) Close() error {
	err := r.typedRows.Close()
	if r.release != nil {
		r.release()
		r.release = nil
	}
	return err
}
