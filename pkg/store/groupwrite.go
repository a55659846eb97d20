package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"time"

	mysqldrv "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/callgate/callgate/core"
)

var _ core.GroupWriter = (*Store)(nil)

// openMultiPool opens the pool WriteGroup sends its requests on: the
// store's MySQL settings plus several statements per request. Only
// WriteGroup uses it, with statements gorm built from records (values
// always bound, interpolated by the driver), so no other query can carry a
// second statement.
func openMultiPool(cfg *mysqldrv.Config) (*sql.DB, error) {
	mc := cfg.Clone()
	mc.MultiStatements = true
	// Bound values must be interpolated: a prepared statement holds one.
	mc.InterpolateParams = true
	conn, err := mysqldrv.NewConnector(mc)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(conn)
	// The committer sends one group at a time.
	db.SetMaxOpenConns(2)
	db.SetMaxIdleConns(2)
	db.SetConnMaxLifetime(5 * time.Minute)
	return db, nil
}

// WriteGroup sends the INSERTs (upserts) of ops, in order, as one request:
// START TRANSACTION, the statements and COMMIT in one round trip instead of
// one each (a single statement needs no transaction). The server stops at a
// refused statement, before the COMMIT; the connection, which may still
// hold the open transaction, is then discarded, which rolls it back. On
// SQLite (statements are calls, not round trips) and inside a transaction
// it does nothing and answers errors.ErrUnsupported.
func (s *Store) WriteGroup(ctx context.Context, ops []core.GroupWrite) error {
	if s.multi == nil || s.inTx {
		return errors.ErrUnsupported
	}
	var text strings.Builder
	var args []any
	n := 0
	for _, op := range ops {
		if err := s.buildGroupWrite(op, &text, &args, &n); err != nil {
			return wrap("group", "", err)
		}
	}
	if n == 0 {
		return nil
	}
	q := text.String()
	if n > 1 {
		q = "START TRANSACTION;" + q + ";COMMIT"
	}
	conn, err := s.multi.Conn(ctx)
	if err != nil {
		return wrap("group", "", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, q, args...); err != nil {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		if me := (*mysqldrv.MySQLError)(nil); errors.As(err, &me) {
			return wrap("group", "", err)
		}
		return fmt.Errorf("store: group: %w: %w", core.ErrOutcomeUnknown, classify(err))
	}
	for _, op := range ops {
		s.wrote(op.Rows)
	}
	return nil
}

// buildGroupWrite appends op's statements (several when its records carry
// more values than one statement should) to text and their values to args.
func (s *Store) buildGroupWrite(op core.GroupWrite, text *strings.Builder, args *[]any, n *int) error {
	total, per := s.rowsPerStatement(op.Rows)
	if total == 0 {
		return nil
	}
	return chunks(op.Rows, total, per, func(chunk any) error {
		db := s.w.Session(&gorm.Session{DryRun: true, NewDB: true})
		if op.Upsert {
			db = db.Clauses(clause.OnConflict{UpdateAll: true})
		}
		st := db.Create(chunk)
		if st.Error != nil {
			return st.Error
		}
		if *n > 0 {
			text.WriteByte(';')
		}
		text.WriteString(st.Statement.SQL.String())
		*args = append(*args, st.Statement.Vars...)
		*n++
		return nil
	})
}
