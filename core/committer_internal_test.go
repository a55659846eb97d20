package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
)

// memTxStore is a store whose transactions run their function and then
// fail to commit while lose is set; it records what was written outside a
// lost transaction.
type memTxStore struct {
	Store
	mu      sync.Mutex
	lose    bool
	kept    []string
	pending *[]string
}

var errCommitLost = errors.New("commit lost")

func (s *memTxStore) Create(_ context.Context, v any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var name string
	switch v := v.(type) {
	case *QueueLogEntry:
		name = v.Event
	case *[]QueueLogEntry:
		for i, r := range *v {
			if i > 0 {
				name += "+"
			}
			name += r.Event
		}
	}
	if s.pending != nil {
		*s.pending = append(*s.pending, name)
		return nil
	}
	s.kept = append(s.kept, name)
	return nil
}

func (s *memTxStore) Tx(_ context.Context, fn func(Store) error) error {
	var writes []string
	s.mu.Lock()
	s.pending = &writes
	s.mu.Unlock()
	err := fn(s)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending = nil
	if err != nil {
		return err
	}
	if s.lose {
		return errCommitLost
	}
	s.kept = append(s.kept, writes...)
	return nil
}

// A commit group's fate is every member's: a lost commit fails each write
// of the group (none is kept), and the publishes queued behind them still
// run in order once the group is over; superseded saves of one record are
// not run but share the outcome.
func TestCommitterGroupOutcome(t *testing.T) {
	for _, lose := range []bool{false, true} {
		st := &memTxStore{lose: lose}
		c := newCommitter(st, slog.New(slog.DiscardHandler))
		var order []string
		var mu sync.Mutex
		note := func(s string) { mu.Lock(); order = append(order, s); mu.Unlock() }
		write := func(ev string) func(context.Context, Store) error {
			return func(ctx context.Context, st Store) error { return st.Create(ctx, &QueueLogEntry{Event: ev}) }
		}
		units := []*unit{
			{what: "w1", write: write("w1")},
			{what: "s1", write: write("s1"), key: "session:1"},
			{what: "p1", write: func(context.Context, Store) error { note("p1"); return nil }, post: true},
			{what: "s2", write: write("s2"), key: "session:1"},
			{what: "w2", write: write("w2")},
		}
		done := make([]<-chan error, len(units))
		// Queued before the committer runs: one group.
		c.mu.Lock()
		c.running = true
		c.mu.Unlock()
		for i, u := range units {
			done[i] = c.submit(u)
		}
		go c.run()
		for i, d := range done {
			err := <-d
			wantErr := lose && !units[i].post
			if (err != nil) != wantErr || wantErr && !errors.Is(err, errCommitLost) {
				t.Errorf("lose=%v: %s: %v", lose, units[i].what, err)
			}
		}
		want := []string{"w1", "s2", "w2"}
		if lose {
			want = nil
		}
		if len(st.kept) != len(want) || len(want) > 0 && (st.kept[0] != want[0] || st.kept[1] != want[1] || st.kept[2] != want[2]) {
			t.Errorf("lose=%v: kept %v, want %v", lose, st.kept, want)
		}
		if len(order) != 1 {
			t.Errorf("lose=%v: publishes %v", lose, order)
		}
	}
}

// Consecutive queue-log rows of a group are one INSERT, in decision order;
// a write that is run between them splits the run, a moot one does not.
func TestCommitterBatchesConsecutiveQueueRows(t *testing.T) {
	st := &memTxStore{}
	c := newCommitter(st, slog.New(slog.DiscardHandler))
	row := func(ev string) *unit {
		q := QueueLogEntry{Event: ev}
		return &unit{what: ev, queueRow: &q, write: func(ctx context.Context, st Store) error { return st.Create(ctx, &q) }}
	}
	write := func(ev, key string) *unit {
		return &unit{what: ev, key: key, write: func(ctx context.Context, st Store) error { return st.Create(ctx, &QueueLogEntry{Event: ev}) }}
	}
	units := []*unit{row("q1"), row("q2"), write("s1", "session:1"), row("q3"), write("w1", ""), row("q4"), write("s2", "session:1")}
	c.mu.Lock()
	c.running = true
	c.mu.Unlock()
	done := make([]<-chan error, len(units))
	for i, u := range units {
		done[i] = c.submit(u)
	}
	go c.run()
	for i, d := range done {
		if err := <-d; err != nil {
			t.Fatalf("%s: %v", units[i].what, err)
		}
	}
	want := []string{"q1+q2+q3", "w1", "q4", "s2"}
	if fmt.Sprint(st.kept) != fmt.Sprint(want) {
		t.Fatalf("statements %v, want %v", st.kept, want)
	}
}
