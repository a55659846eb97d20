// Package store implements core.Store on gorm, over MySQL (and MySQL-compatible
// servers) or pure-Go SQLite. The DSN alone chooses the database, so moving a
// gateway from one SQLite file to a shared MySQL is a configuration change.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"time"

	mysqldrv "github.com/go-sql-driver/mysql"
	sqlite "github.com/libtnb/sqlite"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"github.com/callgate/callgate/core"
)

const (
	DialectMySQL  = "mysql"
	DialectSQLite = "sqlite"
)

// Store is the gorm implementation of core.Store. Reads outside a
// transaction go to r and everything else to w: on SQLite w is a single
// connection (SQLite allows one writer; queueing writers in database/sql
// instead of in SQLite's busy handler means concurrent writers never see
// SQLITE_BUSY) and r is a small read-only pool that WAL lets run alongside
// it. On MySQL both are the same pool.
type Store struct {
	w, r    *gorm.DB
	dialect string
	inTx    bool
	sec     core.Secrets // see UseSecrets
	watch   *watchers    // shared by every Store of one Open
	touched *touchedSet  // inside a transaction: what it wrote
	// multi: MySQL only, the pool WriteGroup sends whole groups on.
	multi *sql.DB
}

var _ core.Store = (*Store)(nil)

// Open connects to the database named by dsn:
//
//	mysql://user:pass@tcp(host:3306)/db?...   or a bare user:pass@tcp(host)/db DSN
//	sqlite://path, file:path?..., :memory:, or a plain file path
//
// It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string) (*Store, error) {
	kind, rest := classifyDSN(dsn)
	var (
		st  *Store
		err error
	)
	if kind == DialectMySQL {
		st, err = openMySQL(rest)
	} else {
		st, err = openSQLite(rest)
	}
	if err != nil {
		return nil, err
	}
	if err := st.ping(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

func classifyDSN(dsn string) (kind, rest string) {
	switch {
	case strings.HasPrefix(dsn, "mysql://"):
		return DialectMySQL, strings.TrimPrefix(dsn, "mysql://")
	case strings.HasPrefix(dsn, "sqlite://"):
		return DialectSQLite, strings.TrimPrefix(dsn, "sqlite://")
	case strings.Contains(dsn, "@tcp(") || strings.Contains(dsn, "@unix("):
		return DialectMySQL, dsn
	default:
		return DialectSQLite, dsn
	}
}

func gormConfig() *gorm.Config {
	return &gorm.Config{
		Logger: newLogger(),
		// Every Store call is one statement; gorm's implicit per-write
		// transaction would only double the round trips.
		SkipDefaultTransaction: true,
		// Milliseconds: what MySQL's datetime(3) columns keep, so a record's
		// automatic timestamps are the same in memory and in the database.
		NowFunc:        func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) },
		NamingStrategy: Naming,
	}
}

// Naming maps record fields to tables and columns: gorm's snake_case,
// except that the columns the dialects and the engine query by their wire
// names keep them (did, uniqueid, billsec) where gorm would split the
// initialism (d_id, unique_id, bill_sec).
var Naming = schema.NamingStrategy{
	NameReplacer: strings.NewReplacer("DID", "Did", "UniqueID", "Uniqueid", "BillSec", "Billsec"),
}

// MySQLConfig parses a MySQL DSN (with or without the mysql:// prefix) and
// applies the settings the store relies on: UTC times parsed into
// time.Time, utf8mb4 on the wire, and affected-rows counting matched rows as
// SQLite does, so Updates can tell "no such record" from "nothing changed".
func MySQLConfig(dsn string) (*mysqldrv.Config, error) {
	cfg, err := mysqldrv.ParseDSN(strings.TrimPrefix(dsn, "mysql://"))
	if err != nil {
		// The parser's message can quote the DSN, password included.
		return nil, errors.New("store: invalid mysql DSN")
	}
	// MariaDB truncates fractions beyond datetime(3) and MySQL 8 rounds
	// them; truncating in the driver makes both keep the same instant.
	if err := cfg.Apply(mysqldrv.TimeTruncate(time.Millisecond)); err != nil {
		return nil, errors.New("store: invalid mysql DSN")
	}
	// Client-side interpolation: one round trip per statement instead of
	// prepare, execute and close (issue 16 measured +40-48% on the VICIdial
	// write functions). The driver escapes by the connection's charset and
	// NO_BACKSLASH_ESCAPES; a DSN that says interpolateParams=false keeps
	// server-side prepares.
	if !strings.Contains(dsn, "interpolateParams=") {
		cfg.InterpolateParams = true
	}
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	cfg.ClientFoundRows = true
	if !strings.HasPrefix(cfg.Collation, "utf8mb4_") {
		cfg.Collation = "utf8mb4_general_ci"
	}
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	// The handshake collation already selects utf8mb4; a conflicting
	// charset param would undo it with SET NAMES.
	delete(cfg.Params, "charset")
	if _, ok := cfg.Params["sql_mode"]; !ok {
		// MySQL 8 and TiDB reject zero dates by default; records keep
		// unset time.Time fields as zero, which MariaDB's default accepts.
		cfg.Params["sql_mode"] = "'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'"
	}
	return cfg, nil
}

func openMySQL(dsn string) (*Store, error) {
	cfg, err := MySQLConfig(dsn)
	if err != nil {
		return nil, err
	}
	db, err := gorm.Open(mysql.New(mysql.Config{DSNConfig: cfg}), gormConfig())
	if err != nil {
		return nil, wrap("open", "", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, wrap("open", "", err)
	}
	sqlDB.SetMaxOpenConns(64)
	sqlDB.SetMaxIdleConns(16)
	sqlDB.SetConnMaxLifetime(5 * time.Minute)
	multi, err := openMultiPool(cfg)
	if err != nil {
		sqlDB.Close()
		return nil, wrap("open", "", err)
	}
	return &Store{w: db, r: db, dialect: DialectMySQL, watch: &watchers{}, multi: multi}, nil
}

func openSQLite(dsn string) (*Store, error) {
	path, query, _ := strings.Cut(dsn, "?")
	memory := path == ":memory:" || path == "file::memory:" || strings.Contains(query, "mode=memory")
	params, err := url.ParseQuery(query)
	if err != nil {
		return nil, errors.New("store: invalid sqlite DSN")
	}
	base := params["_pragma"]
	pragmas := func(extra ...string) url.Values {
		v := url.Values{}
		for k, vs := range params {
			if k != "_pragma" {
				v[k] = vs
			}
		}
		// secure_delete zeroes freed cells, so a secret rewritten in
		// protected form (MigrateSecrets) leaves no clear copy in the file.
		ps := []string{"busy_timeout(10000)", "foreign_keys(1)", "secure_delete(1)"}
		for _, p := range extra {
			if p != "" {
				ps = append(ps, p)
			}
		}
		v["_pragma"] = append(ps, base...)
		// Times are written as "2006-01-02 15:04:05.999999999-07:00" (what
		// earlier releases wrote through glebarez/go-sqlite, so existing
		// files read the same) and read back as time.Time.
		v.Set("_time_format", "sqlite")
		v.Set("_texttotime", "1")
		return v
	}
	open := func(q url.Values) (*gorm.DB, error) {
		pool, err := openUTCPool(path + "?" + q.Encode())
		if err != nil {
			return nil, err
		}
		db, err := gorm.Open(&sqlite.Dialector{Conn: pool}, gormConfig())
		if err == nil {
			err = useConditionalReturning(db)
		}
		if err != nil {
			pool.db.Close()
			return nil, err
		}
		return db, nil
	}

	if memory {
		// Every connection to :memory: is a separate database, so one
		// connection serves reads and writes alike.
		db, err := open(pragmas())
		if err != nil {
			return nil, wrap("open", "", err)
		}
		pool, _ := db.DB()
		pool.SetMaxOpenConns(1)
		pool.SetMaxIdleConns(1)
		pool.SetConnMaxLifetime(0)
		pool.SetConnMaxIdleTime(0)
		return &Store{w: db, r: db, dialect: DialectSQLite, watch: &watchers{}}, nil
	}

	if err := restrictFile(path); err != nil {
		return nil, err
	}
	// synchronous(FULL): a commit is on disk before the engine answers, a
	// power loss included (NORMAL, in WAL mode, may lose the last commits
	// then); group commit shares each sync among the writes queued
	// together. A DSN naming its own synchronous pragma rules (the driver
	// applies pragmas sorted, not in order, so ours is left out).
	syncPragma := "synchronous(FULL)"
	if namesPragma(base, "synchronous") {
		syncPragma = ""
	}
	wq := pragmas("journal_mode(WAL)", syncPragma)
	wq.Set("_txlock", "immediate")
	w, err := open(wq)
	if err != nil {
		return nil, wrap("open", "", err)
	}
	wpool, _ := w.DB()
	wpool.SetMaxOpenConns(1)
	wpool.SetMaxIdleConns(1)
	wpool.SetConnMaxLifetime(0)
	wpool.SetConnMaxIdleTime(0)
	// The writer must have switched the file to WAL before readers open it.
	if err := wpool.Ping(); err != nil {
		wpool.Close()
		return nil, wrap("open", "", err)
	}
	// SQLite gives the -wal and -shm files the database file's mode; an
	// older run may have left them wider.
	for _, side := range []string{"-wal", "-shm"} {
		_ = chmodIfExists(strings.TrimPrefix(path, "file:")+side, 0o600)
	}
	r, err := open(pragmas("query_only(1)"))
	if err != nil {
		wpool.Close()
		return nil, wrap("open", "", err)
	}
	rpool, _ := r.DB()
	rpool.SetMaxOpenConns(4)
	rpool.SetMaxIdleConns(4)
	return &Store{w: w, r: r, dialect: DialectSQLite, watch: &watchers{}}, nil
}

// namesPragma reports whether one of a DSN's _pragma values sets name.
func namesPragma(pragmas []string, name string) bool {
	for _, p := range pragmas {
		k, _, _ := strings.Cut(p, "(")
		k, _, _ = strings.Cut(k, "=")
		if strings.EqualFold(strings.TrimSpace(k), name) {
			return true
		}
	}
	return false
}

func (s *Store) ping(ctx context.Context) error {
	for _, db := range []*gorm.DB{s.w, s.r} {
		pool, err := db.DB()
		if err != nil {
			return wrap("open", "", err)
		}
		if err := pool.PingContext(ctx); err != nil {
			return wrap("open", "", err)
		}
	}
	return nil
}

func (s *Store) Dialect() string { return s.dialect }

// SingleWriter implements core.SingleWriter: SQLite writes on one
// connection.
func (s *Store) SingleWriter() bool { return s.dialect == DialectSQLite }

// Close releases the connections. On a Store bound to a transaction it does
// nothing: the transaction ends when Tx's fn returns.
func (s *Store) Close() error {
	if s.inTx {
		return nil
	}
	var first error
	closed := map[any]bool{}
	for _, db := range []*gorm.DB{s.w, s.r} {
		pool, err := db.DB()
		if err != nil || closed[pool] {
			continue
		}
		closed[pool] = true
		if err := pool.Close(); err != nil && first == nil {
			first = wrap("close", "", err)
		}
	}
	if s.multi != nil {
		if err := s.multi.Close(); err != nil && first == nil {
			first = wrap("close", "", err)
		}
	}
	return first
}

// Tx runs fn in a transaction. Inside fn, Tx again opens a savepoint, so a
// nested failure rolls back only its own writes. fn's own error is returned
// unchanged; a panic in fn rolls back and propagates.
//
// fn must use only the Store it is given. On SQLite the transaction holds
// the one writer connection, so a write through the outer Store from inside
// fn waits for the transaction it is part of (until its ctx ends), and a
// read through it does not see the transaction's writes.
func (s *Store) Tx(ctx context.Context, fn func(core.Store) error) error {
	var fnErr error
	touched := s.touched
	if touched == nil {
		touched = &touchedSet{}
		// Watchers hear of the writes once they are visible to others.
		defer touched.flush(s.watch)
	}
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		fnErr = fn(&Store{w: tx, r: tx, dialect: s.dialect, inTx: true, sec: s.sec, watch: s.watch, touched: touched})
		return fnErr
	})
	if err == nil {
		return nil
	}
	if fnErr != nil && errors.Is(err, fnErr) {
		return fnErr
	}
	return wrap("tx", "", err)
}

func (s *Store) Create(ctx context.Context, v any) error {
	return s.insert(ctx, "create", v, false)
}

// insert runs one INSERT (an upsert if replace) of v, a record or a
// pointer to a slice of them; a slice longer than one statement should
// carry (rowsPerStatement) is written in several, in one transaction.
func (s *Store) insert(ctx context.Context, op string, v any, replace bool) error {
	n, rows := s.rowsPerStatement(v)
	if n <= rows || n == 0 {
		return s.insertOne(ctx, op, v, replace)
	}
	if !s.inTx {
		return s.Tx(ctx, func(tx core.Store) error { return tx.(*Store).insert(ctx, op, v, replace) })
	}
	return chunks(v, n, rows, func(chunk any) error { return s.insertOne(ctx, op, chunk, replace) })
}

// chunks calls fn with v, a pointer to a slice of n records, cut into
// pointers to slices of at most rows records each, in order.
func chunks(v any, n, rows int, fn func(chunk any) error) error {
	all := reflect.ValueOf(v).Elem()
	for i := 0; i < n; i += rows {
		chunk := reflect.New(all.Type())
		chunk.Elem().Set(all.Slice(i, min(i+rows, n)))
		if err := fn(chunk.Interface()); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) insertOne(ctx context.Context, op string, v any, replace bool) error {
	db := s.w.WithContext(ctx)
	if replace {
		db = db.Clauses(clause.OnConflict{UpdateAll: true})
	}
	if s.plainInsert(ctx, v, replace) {
		db = db.Set(plainInsertKey, true)
	}
	res := db.Create(v)
	s.wrote(v)
	return wrap(op, res.Statement.Table, res.Error)
}

// sqliteParams bounds the parameters of one SQLite statement (SQLite
// allows 32,766). BenchmarkUpsertCalls (100 calls of 60 columns in one
// upsert) measured 26-27k rows/s at 4,096, 25.6k at 16,384 and 19-20k at
// 1,024 with modernc.org/sqlite, which binds in linear time; the driver
// used before (glebarez/go-sqlite) scanned every argument for each
// parameter and was best at 1,024 (14-15k rows/s). MySQL's driver
// interpolates in the client and one statement is one round trip.
const sqliteParams, mysqlParams = 4096, 16384

// rowsPerStatement returns the length of v if it is a pointer to a slice
// (0 otherwise) and how many of its records one statement should carry.
func (s *Store) rowsPerStatement(v any) (n, rows int) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Slice {
		return 0, 0
	}
	n = rv.Elem().Len()
	stmt := &gorm.Statement{DB: s.w}
	if err := stmt.Parse(v); err != nil || len(stmt.Schema.DBNames) == 0 {
		return n, n
	}
	limit := mysqlParams
	if s.dialect == DialectSQLite {
		limit = sqliteParams
	}
	return n, max(1, limit/len(stmt.Schema.DBNames))
}

func (s *Store) Save(ctx context.Context, v any) error {
	res := s.w.WithContext(ctx).Save(v)
	s.wrote(v)
	return wrap("save", res.Statement.Table, res.Error)
}

// Upsert is one INSERT ... ON CONFLICT DO UPDATE (ON DUPLICATE KEY UPDATE
// on MySQL) of every column but the creation time, which a record keeps.
func (s *Store) Upsert(ctx context.Context, v any) error {
	return s.insert(ctx, "upsert", v, true)
}

// Updates returns core.ErrNoRecord when v's primary key matches no record.
func (s *Store) Updates(ctx context.Context, v any, cols map[string]any) error {
	if len(cols) == 0 {
		return nil
	}
	res := s.w.WithContext(ctx).Model(v).Updates(cols)
	s.wrote(v)
	if res.Error != nil {
		return wrap("update", res.Statement.Table, res.Error)
	}
	if res.RowsAffected == 0 {
		return core.ErrNoRecord
	}
	return nil
}

// UpdateWhere is a conditional update (see core.Store): a filter with no
// condition is refused rather than updating the whole table; the fence is
// an EXISTS over the leases row in the same statement, so the check and
// the write are one atomic step.
func (s *Store) UpdateWhere(ctx context.Context, model any, f core.Filter, cols map[string]any, fence core.Fence) (int64, error) {
	if len(cols) == 0 {
		return 0, nil
	}
	if len(f.Equal)+len(f.NotEqual)+len(f.AnyOf)+len(f.Above)+len(f.AtLeast)+len(f.Below)+len(f.AtMost)+len(f.Null) == 0 {
		return 0, fmt.Errorf("store: update where: %w: no condition", core.ErrInvalid)
	}
	db, err := apply(s.w.WithContext(ctx).Model(model), "update", model, f)
	if err != nil {
		return 0, err
	}
	if !fence.IsZero() {
		db = db.Where("EXISTS (SELECT 1 FROM leases WHERE leases.name = ? AND leases.token = ?)", fence.Name, fence.Token)
	}
	res := db.Updates(cols)
	if res.Error != nil {
		return 0, wrap("update", res.Statement.Table, res.Error)
	}
	return res.RowsAffected, nil
}

// Delete removes the records matching f, restricted to v's primary key when
// it is set. Deleting with neither conditions nor a key is refused rather
// than emptying the table.
func (s *Store) Delete(ctx context.Context, v any, f core.Filter) error {
	db, err := apply(s.w.WithContext(ctx), "delete", v, f)
	if err != nil {
		return err
	}
	res := db.Delete(v)
	s.wrote(v)
	return wrap("delete", res.Statement.Table, res.Error)
}

func (s *Store) First(ctx context.Context, dst any, f core.Filter) error {
	db, err := apply(s.reader().WithContext(ctx), "first", dst, f)
	if err != nil {
		return err
	}
	res := db.First(dst)
	if errors.Is(res.Error, gorm.ErrRecordNotFound) {
		return core.ErrNoRecord
	}
	return wrap("first", res.Statement.Table, res.Error)
}

func (s *Store) Find(ctx context.Context, dst any, f core.Filter) error {
	db, err := apply(s.reader().WithContext(ctx), "find", dst, f)
	if err != nil {
		return err
	}
	res := db.Find(dst)
	return wrap("find", res.Statement.Table, res.Error)
}

func (s *Store) Count(ctx context.Context, model any, f core.Filter) (int64, error) {
	var n int64
	db, err := apply(s.reader().WithContext(ctx).Model(model), "count", model, f)
	if err != nil {
		return 0, err
	}
	res := db.Count(&n)
	if res.Error != nil {
		return 0, wrap("count", res.Statement.Table, res.Error)
	}
	return n, nil
}

// DialableLeads: the OR over next_attempt_at is what a Filter cannot say.
func (s *Store) DialableLeads(ctx context.Context, campaign string, statuses []string, maxCalls int, now time.Time, limit int) ([]core.Lead, error) {
	var leads []core.Lead
	res := s.reader().WithContext(ctx).
		Where("campaign = ?", campaign).
		Where("status IN ?", statuses).
		Where("(next_attempt_at IS NULL OR next_attempt_at <= ?)", now).
		Where("called_count <= ?", maxCalls).
		Order("priority DESC, called_count, id").Limit(limit).
		Find(&leads)
	return leads, wrap("find", res.Statement.Table, res.Error)
}

func (s *Store) reader() *gorm.DB { return s.r }

// apply turns a core.Filter into gorm clauses. Every field is looked up in
// model's schema and written as a quoted column, so a filter can neither
// carry SQL nor name a column the record does not have.
func apply(db *gorm.DB, op string, model any, f core.Filter) (*gorm.DB, error) {
	stmt := &gorm.Statement{DB: db}
	if err := stmt.Parse(model); err != nil {
		return nil, wrap(op, "", err)
	}
	col := func(name string) (clause.Column, error) {
		fld := stmt.Schema.LookUpField(name)
		if fld == nil || fld.DBName == "" {
			return clause.Column{}, fmt.Errorf("store: %s %s: %w: no field %q", op, stmt.Schema.Table, core.ErrInvalid, name)
		}
		return clause.Column{Table: stmt.Schema.Table, Name: fld.DBName}, nil
	}
	var exprs []clause.Expression
	add := func(m map[string]any, mk func(clause.Column, any) clause.Expression) error {
		for _, name := range slices.Sorted(maps.Keys(m)) {
			c, err := col(name)
			if err != nil {
				return err
			}
			exprs = append(exprs, mk(c, m[name]))
		}
		return nil
	}
	for _, cond := range []struct {
		m  map[string]any
		mk func(clause.Column, any) clause.Expression
	}{
		{f.Equal, func(c clause.Column, v any) clause.Expression { return clause.Eq{Column: c, Value: v} }},
		{f.NotEqual, func(c clause.Column, v any) clause.Expression { return clause.Neq{Column: c, Value: v} }},
		{f.AnyOf, func(c clause.Column, v any) clause.Expression { return clause.IN{Column: c, Values: values(v)} }},
		{f.Above, func(c clause.Column, v any) clause.Expression { return clause.Gt{Column: c, Value: v} }},
		{f.AtLeast, func(c clause.Column, v any) clause.Expression { return clause.Gte{Column: c, Value: v} }},
		{f.Below, func(c clause.Column, v any) clause.Expression { return clause.Lt{Column: c, Value: v} }},
		{f.AtMost, func(c clause.Column, v any) clause.Expression { return clause.Lte{Column: c, Value: v} }},
	} {
		if err := add(cond.m, cond.mk); err != nil {
			return nil, err
		}
	}
	for _, name := range f.Null {
		c, err := col(name)
		if err != nil {
			return nil, err
		}
		exprs = append(exprs, clause.Eq{Column: c, Value: nil})
	}
	if len(exprs) > 0 {
		db = db.Where(clause.And(exprs...))
	}
	for _, o := range f.Order {
		c, err := col(o.Field)
		if err != nil {
			return nil, err
		}
		db = db.Order(clause.OrderByColumn{Column: c, Desc: o.Desc})
	}
	if f.Limit > 0 {
		db = db.Limit(f.Limit)
	}
	if f.Offset > 0 {
		db = db.Offset(f.Offset)
	}
	return db, nil
}

// values spreads a slice into the IN list; a single value is a list of one.
func values(v any) []any {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice {
		return []any{v}
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out
}

// Sentinels carried by store errors, for errors.Is.
var (
	// ErrDuplicate: a unique or primary key already holds the value.
	ErrDuplicate = core.ErrDuplicate
	// ErrConstraint: a foreign-key, not-null or check constraint failed.
	ErrConstraint = core.ErrConstraint
)

func wrap(op, table string, err error) error {
	if err == nil {
		return nil
	}
	where := op
	if table != "" {
		where = op + " " + table
	}
	return fmt.Errorf("store: %s: %w", where, classify(err))
}
