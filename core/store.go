package core

import (
	"context"
	"errors"
)

// Store persists the domain records of model.go. It is deliberately generic:
// the records carry their own mapping, and the gorm implementation
// (pkg/store) serves MySQL and SQLite alike. Conditions are SQL fragments
// with ? placeholders over the snake_case column names.
type Store interface {
	// Tx runs fn in one transaction; writes made through the Store passed to
	// fn are committed together or not at all.
	Tx(ctx context.Context, fn func(Store) error) error
	Create(ctx context.Context, v any) error
	// Save inserts or updates every column of v.
	Save(ctx context.Context, v any) error
	// Updates sets the given columns of the record identified by v's primary key.
	Updates(ctx context.Context, v any, cols map[string]any) error
	Delete(ctx context.Context, v any, q Query) error
	// First loads the first record matching q into dst; ErrNoRecord if none.
	First(ctx context.Context, dst any, q Query) error
	// Find loads every record matching q into dst (a pointer to a slice).
	Find(ctx context.Context, dst any, q Query) error
	Count(ctx context.Context, model any, q Query) (int64, error)
	Migrate(ctx context.Context) error
	Close() error
	// Dialect names the database ("mysql" or "sqlite").
	Dialect() string
}

// ErrNoRecord is returned by First when nothing matches.
var ErrNoRecord = errors.New("no record")

// Query selects records: conditions are ANDed.
type Query struct {
	Conds  []Cond
	Order  string
	Limit  int
	Offset int
}

type Cond struct {
	Expr string
	Args []any
}

// Where starts a query with one condition.
func Where(expr string, args ...any) Query {
	return Query{Conds: []Cond{{Expr: expr, Args: args}}}
}

// And adds a condition.
func (q Query) And(expr string, args ...any) Query {
	q.Conds = append(append([]Cond(nil), q.Conds...), Cond{Expr: expr, Args: args})
	return q
}

// OrderBy sets the ordering clause (column names, ASC/DESC).
func (q Query) OrderBy(o string) Query { q.Order = o; return q }

// Take limits the number of records.
func (q Query) Take(n int) Query { q.Limit = n; return q }

// All matches every record.
var All = Query{}
