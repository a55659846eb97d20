package store

import (
	"context"
	"database/sql"
	"time"

	"gorm.io/gorm"
)

// utcPool hands SQLite every time value in UTC. SQLite keeps times as text
// with their offset, and comparing or ordering those strings is only right
// when every row and every argument carries the same offset; MySQL needs no
// such help because its driver converts to the DSN's loc itself.
type utcPool struct{ db *sql.DB }

// utcTx is a pointer because gorm checks its committer for nil.
type utcTx struct{ tx *sql.Tx }

var (
	_ gorm.ConnPool         = utcPool{}
	_ gorm.ConnPoolBeginner = utcPool{}
	_ gorm.GetDBConnector   = utcPool{}
	_ gorm.TxCommitter      = (*utcTx)(nil)
	_ gorm.ConnPool         = (*utcTx)(nil)
)

func openUTCPool(dsn string) (utcPool, error) {
	conn, err := newCachingConnector(dsn)
	if err != nil {
		return utcPool{}, err
	}
	return utcPool{db: sql.OpenDB(conn)}, nil
}

func (p utcPool) GetDBConn() (*sql.DB, error) { return p.db, nil }
func (p utcPool) Ping() error                 { return p.db.Ping() }

func (p utcPool) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return p.db.PrepareContext(ctx, query)
}

func (p utcPool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return p.db.ExecContext(ctx, query, utcArgs(args)...)
}

func (p utcPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return p.db.QueryContext(ctx, query, utcArgs(args)...)
}

func (p utcPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return p.db.QueryRowContext(ctx, query, utcArgs(args)...)
}

func (p utcPool) BeginTx(ctx context.Context, opts *sql.TxOptions) (gorm.ConnPool, error) {
	tx, err := p.db.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &utcTx{tx: tx}, nil
}

func (t *utcTx) Commit() error   { return t.tx.Commit() }
func (t *utcTx) Rollback() error { return t.tx.Rollback() }

func (t *utcTx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return t.tx.PrepareContext(ctx, query)
}

func (t *utcTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, query, utcArgs(args)...)
}

func (t *utcTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, query, utcArgs(args)...)
}

func (t *utcTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, query, utcArgs(args)...)
}

// utcArgs copies args only when one of them is a time to convert.
func utcArgs(args []any) []any {
	var out []any
	for i, a := range args {
		var conv any
		switch v := a.(type) {
		case time.Time:
			if v.Location() == time.UTC {
				continue
			}
			conv = v.UTC()
		case *time.Time:
			if v == nil {
				conv = nil
			} else {
				conv = v.UTC()
			}
		default:
			continue
		}
		if out == nil {
			out = append([]any(nil), args...)
		}
		out[i] = conv
	}
	if out == nil {
		return args
	}
	return out
}
