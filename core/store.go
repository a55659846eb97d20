package core

import (
	"context"
	"errors"
	"maps"
	"reflect"
	"time"
)

// Store persists the domain records of model.go. Its queries are typed: a
// Filter names record fields (snake_case column names) and values, never SQL
// text, and the implementation (pkg/store, MySQL and SQLite) checks every
// field against the record's schema. What a Filter cannot say has its own
// typed method, so all SQL lives in the store.
type Store interface {
	// Tx runs fn in one transaction; writes made through the Store passed to
	// fn are committed together or not at all.
	Tx(ctx context.Context, fn func(Store) error) error
	Create(ctx context.Context, v any) error
	// Save inserts or updates every column of v.
	Save(ctx context.Context, v any) error
	// Upsert writes every column of each record of v (a pointer to a
	// slice) in one statement: those whose primary key exists are replaced,
	// the others inserted.
	Upsert(ctx context.Context, v any) error
	// Updates sets the given columns of the record identified by v's
	// primary key; ErrNoRecord if there is none.
	Updates(ctx context.Context, v any, cols map[string]any) error
	// Delete removes the records of v's type matching f, restricted to v's
	// primary key when it is set.
	Delete(ctx context.Context, v any, f Filter) error
	// First loads the first record matching f into dst; ErrNoRecord if none.
	First(ctx context.Context, dst any, f Filter) error
	// Find loads every record matching f into dst (a pointer to a slice).
	Find(ctx context.Context, dst any, f Filter) error
	Count(ctx context.Context, model any, f Filter) (int64, error)
	// UpdateWhere sets cols on the records of model's type matching f (at
	// least one condition) and returns how many it changed: a claim is an
	// UpdateWhere whose filter holds the state it was read in, so of two
	// claimants one changes the row and the other nothing. A non-zero
	// fence also requires the leases row fence.Name to hold fence.Token in
	// the same statement, so a deposed leader's claim changes nothing.
	UpdateWhere(ctx context.Context, model any, f Filter, cols map[string]any, fence Fence) (int64, error)

	// DialableLeads returns up to limit leads of a campaign the dialer may
	// call at now: status in statuses, next attempt unset or due, called at
	// most maxCalls times; highest priority, least called first.
	DialableLeads(ctx context.Context, campaign string, statuses []string, maxCalls int, now time.Time, limit int) ([]Lead, error)

	// QueueTallies counts the queue-log rows of queues with since <= time
	// < until whose event is a queue figure's (QueueTally), so a wallboard
	// of a busy day does not read each row.
	QueueTallies(ctx context.Context, queues []string, since, until time.Time) ([]QueueTally, error)

	Migrate(ctx context.Context) error
	Close() error
	// Dialect names the database ("mysql" or "sqlite").
	Dialect() string
}

// SingleWriter is a Store whose writes all go through one connection
// (SQLite): a command's own write then queues behind the committer's and
// commits alone, so the engine sends it through the committer instead,
// where it shares a commit. On a store that takes writes on many
// connections at once (MySQL) the database shares their log flushes
// itself, and the one committer would only serialize them.
type SingleWriter interface {
	SingleWriter() bool
}

// QueueTally is a count of queue-log rows of one queue and event (and,
// for CONNECT, one wait; for SYSTEMHANGUP, one cut), with the sum of their
// data2 read as an integer for the rows that carry a talk time (COMPLETE*
// and SYSTEMHANGUP).
type QueueTally struct {
	Queue string
	Event string
	Wait  string // CONNECT's data1
	Cut   string // SYSTEMHANGUP's data4
	Rows  int
	Talk  int64
}

// QueueTallyEvents are the events QueueTallies counts.
var QueueTallyEvents = []string{QLEnterQueue, QLConnect, QLAbandon, QLExitTimeout, QLCompleteCaller, QLCompleteAgent, QLSystemHangup}

// GroupWriter is a Store that can send a group commit's record writes to
// the database in one request: on MySQL each statement of a transaction is
// a round trip, and a group of VICIdial writes (API log, queue log,
// session) took five of them besides the fsync.
type GroupWriter interface {
	// WriteGroup runs ops in order in one transaction and reads nothing
	// back (ids included). errors.ErrUnsupported: this database does not
	// (nothing was done). ErrOutcomeUnknown: the answer to the commit was
	// lost; any other error: the database refused a statement and nothing
	// was kept.
	WriteGroup(ctx context.Context, ops []GroupWrite) error
}

// GroupWrite is one statement's worth of records for WriteGroup.
type GroupWrite struct {
	// Rows points to a slice of records of one type.
	Rows any
	// Upsert replaces the records whose primary key exists (Store.Upsert);
	// otherwise every record is inserted (Store.Create).
	Upsert bool
}

// ErrOutcomeUnknown: a write's commit was sent but its answer was lost;
// the writes may or may not be in the store.
var ErrOutcomeUnknown = errors.New("commit outcome unknown")

// ErrNoRecord is returned by First when nothing matches.
var ErrNoRecord = errors.New("no record")

// Errors a Store's writes wrap, for errors.Is.
var (
	// ErrDuplicate: a unique or primary key already holds the value.
	ErrDuplicate = errors.New("duplicate key")
	// ErrConstraint: a foreign-key, not-null or check constraint failed.
	ErrConstraint = errors.New("constraint violated")
)

// Filter selects records of one type. Every condition names a field (the
// record's snake_case column name) and the conditions are ANDed. A field the
// record does not have is refused with an error wrapping ErrInvalid.
type Filter struct {
	Equal    map[string]any // field = value
	NotEqual map[string]any // field <> value
	AnyOf    map[string]any // field IN (values); the value is a slice
	Above    map[string]any // field > value
	AtLeast  map[string]any // field >= value
	Below    map[string]any // field < value
	AtMost   map[string]any // field <= value
	Null     []string       // field IS NULL
	Order    []Order
	Limit    int
	Offset   int
}

// Order sorts by one field.
type Order struct {
	Field string
	Desc  bool
}

// All matches every record.
var All = Filter{}

// Eq starts a filter with field = v.
func Eq(field string, v any) Filter { return All.Eq(field, v) }

// ByID selects the record with that primary key.
func ByID(id any) Filter { return Eq("id", id) }

func with(m map[string]any, field string, v any) map[string]any {
	out := maps.Clone(m)
	if out == nil {
		out = map[string]any{}
	}
	out[field] = v
	return out
}

// Eq adds field = v.
func (f Filter) Eq(field string, v any) Filter { f.Equal = with(f.Equal, field, v); return f }

// Ne adds field <> v.
func (f Filter) Ne(field string, v any) Filter { f.NotEqual = with(f.NotEqual, field, v); return f }

// In adds field IN values (a slice).
func (f Filter) In(field string, values any) Filter { f.AnyOf = with(f.AnyOf, field, values); return f }

// Gt adds field > v.
func (f Filter) Gt(field string, v any) Filter { f.Above = with(f.Above, field, v); return f }

// Gte adds field >= v.
func (f Filter) Gte(field string, v any) Filter { f.AtLeast = with(f.AtLeast, field, v); return f }

// Lt adds field < v.
func (f Filter) Lt(field string, v any) Filter { f.Below = with(f.Below, field, v); return f }

// Lte adds field <= v.
func (f Filter) Lte(field string, v any) Filter { f.AtMost = with(f.AtMost, field, v); return f }

// Between adds from <= field <= to.
func (f Filter) Between(field string, from, to any) Filter {
	return f.Gte(field, from).Lte(field, to)
}

// Since adds field >= t and, when until is not zero, field < until.
func (f Filter) Since(field string, t, until time.Time) Filter {
	if !t.IsZero() {
		f = f.Gte(field, t)
	}
	if !until.IsZero() {
		f = f.Lt(field, until)
	}
	return f
}

// IsNull adds field IS NULL.
func (f Filter) IsNull(field string) Filter {
	f.Null = append(append([]string(nil), f.Null...), field)
	return f
}

// Asc appends an ascending sort on field.
func (f Filter) Asc(field string) Filter {
	f.Order = append(append([]Order(nil), f.Order...), Order{Field: field})
	return f
}

// Desc appends a descending sort on field.
func (f Filter) Desc(field string) Filter {
	f.Order = append(append([]Order(nil), f.Order...), Order{Field: field, Desc: true})
	return f
}

// Take limits the number of records.
func (f Filter) Take(n int) Filter { f.Limit = n; return f }

// Skip skips the first n records.
func (f Filter) Skip(n int) Filter { f.Offset = n; return f }

// WriteWatcher is implemented by a store that reports its writes: fn gets
// the record type written (e.g. reflect.TypeFor[Agent]()) after a write
// outside a transaction returns and after a transaction ends. The engine
// keeps the records it authenticates with in memory and drops them on such
// a report, so a change through any path is seen by the next request.
type WriteWatcher interface {
	WatchWrites(fn func(reflect.Type))
}
