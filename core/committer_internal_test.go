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
	case *[]APILogEntry:
		name = fmt.Sprintf("log %d", len(*v))
	case *[]CDR:
		name = "cdr"
		for _, r := range *v {
			name += fmt.Sprintf(" %d", r.CallID)
		}
	}
	s.record(name)
	return nil
}

// Upsert records "upsert" and each record's id:state.
func (s *memTxStore) Upsert(_ context.Context, v any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := "upsert"
	switch v := v.(type) {
	case *[]Call:
		for _, c := range *v {
			name += fmt.Sprintf(" call %d:%s", c.ID, c.State)
		}
	case *[]AgentSession:
		for _, a := range *v {
			name += fmt.Sprintf(" session %d:%s", a.ID, a.State)
		}
	}
	s.record(name)
	return nil
}

func (s *memTxStore) record(name string) {
	if s.pending != nil {
		*s.pending = append(*s.pending, name)
		return
	}
	s.kept = append(s.kept, name)
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

// submitGroup queues units all at once, so that whichever run takes them
// (a new one, or one still finishing an earlier group) takes them as one
// group; each unit's outcome comes on its channel.
func submitGroup(c *committer, units []*unit) []<-chan error {
	done := make([]<-chan error, len(units))
	c.mu.Lock()
	for i, u := range units {
		c.queueLocked(u)
		done[i] = u.done
	}
	c.unlockAndRun()
	return done
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
		done := submitGroup(c, units)
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
	done := submitGroup(c, units)
	for i, d := range done {
		if err := <-d; err != nil {
			t.Fatalf("%s: %v", units[i].what, err)
		}
	}
	want := []string{"q1+q2+q3", "w1", "q4", "s2"}
	if fmt.Sprint(st.kept) != fmt.Sprint(want) {
		t.Fatalf("statements %v, want %v", st.kept, want)
	}
	if g, w := c.groups.Load(), c.writes.Load(); g != 1 || w != uint64(len(units)) {
		t.Fatalf("counted %d commits of %d writes, want 1 of %d", g, w, len(units))
	}
}

// A group writes each call and each session once, with its last value, by
// one upsert before the rest; the calls' queue-log rows still join the
// runs of rows in order and their CDRs are one INSERT at the end. An
// agent whose session ends in the group keeps its session writes in order
// (a new session would meet the old row's unique agent id).
func TestCommitterWritesEachRecordOnceWithItsLastValue(t *testing.T) {
	st := &memTxStore{}
	c := newCommitter(st, slog.New(slog.DiscardHandler))
	named := func(ev string) func(context.Context, Store) error {
		return func(ctx context.Context, st Store) error { return st.Create(ctx, &QueueLogEntry{Event: ev}) }
	}
	call := func(id uint64, state CallState, cdr bool, rows ...string) *unit {
		w := &callWrite{call: Call{ID: id, State: state}}
		for _, r := range rows {
			w.rows = append(w.rows, QueueLogEntry{Event: r, CallID: id})
		}
		if cdr {
			w.cdr = &CDR{CallID: id}
		}
		return &unit{what: "call", call: w, write: named("alone")}
	}
	session := func(id, agent uint, state AgentState, key string) *unit {
		return &unit{what: "session", session: &AgentSession{ID: id, AgentID: agent, State: state}, key: key, write: named(fmt.Sprintf("s%d:%s", id, state))}
	}
	units := []*unit{
		call(1, CallQueued, false, "ENTERQUEUE"),
		session(10, 7, AgentAvailable, ""),
		call(2, CallQueued, false, "ENTERQUEUE"),
		call(1, CallConnected, false, "CONNECT"),
		session(10, 7, AgentOnCall, "session:10"),
		session(11, 8, AgentAvailable, "session:11"),
		{what: "logout", sessionEnd: 8, write: named("delete 11")},
		{what: "w1", write: named("w1")},
		call(1, CallDone, true, "COMPLETEAGENT"),
	}
	done := submitGroup(c, units)
	for i, d := range done {
		if err := <-d; err != nil {
			t.Fatalf("%s: %v", units[i].what, err)
		}
	}
	want := []string{
		"upsert call 1:ended call 2:queued", "upsert session 10:on_call",
		"ENTERQUEUE+ENTERQUEUE+CONNECT", "s11:available", "delete 11", "w1", "COMPLETEAGENT", "cdr 1",
	}
	if fmt.Sprint(st.kept) != fmt.Sprint(want) {
		t.Fatalf("statements\n%q\nwant\n%q", st.kept, want)
	}
}

// groupStore is memTxStore that also takes whole groups (GroupWriter):
// it records each group it is sent, and answers answer (nil: kept).
type groupStore struct {
	memTxStore
	answer error
	groups [][]string
	calls  int
}

func (s *groupStore) WriteGroup(_ context.Context, ops []GroupWrite) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if errors.Is(s.answer, errors.ErrUnsupported) {
		return s.answer
	}
	var names []string
	for _, op := range ops {
		switch v := op.Rows.(type) {
		case *[]APILogEntry:
			names = append(names, fmt.Sprintf("log %d", len(*v)))
		case *[]QueueLogEntry:
			for _, r := range *v {
				names = append(names, r.Event)
			}
		case *[]AgentSession:
			names = append(names, fmt.Sprintf("upsert %v sessions %d", op.Upsert, len(*v)))
		}
	}
	s.groups = append(s.groups, names)
	if s.answer == nil {
		s.kept = append(s.kept, names...)
	}
	return s.answer
}

// A group of record writes only (log rows, queue rows, sessions, a Sync)
// goes to a GroupWriter in one request, in runGroup's order. Refused,
// every write runs again alone (only its own failure is its submitter's);
// with the commit's answer lost, every write gets the error and none runs
// again; a store that cannot is asked once and then never again; a group
// holding a write of its own kind runs in a transaction as before.
func TestCommitterSendsRecordGroupsInOneRequest(t *testing.T) {
	errRefused := errors.New("refused")
	lost := fmt.Errorf("connection reset: %w", ErrOutcomeUnknown)
	session := &AgentSession{ID: 1, AgentID: 7, State: "PAUSED"}
	record := func(ev string) func(context.Context, Store) error {
		return func(ctx context.Context, st Store) error { return st.Create(ctx, &QueueLogEntry{Event: ev}) }
	}
	groupOf := func(own bool) []*unit {
		units := []*unit{
			{what: "log", logRows: []APILogEntry{{Function: "external_pause"}}, write: func(context.Context, Store) error { return nil }},
			{what: "pause", queueRow: &QueueLogEntry{Event: "PAUSE"}, write: record("PAUSE")},
			{what: "session", session: session, key: "session:1", write: func(context.Context, Store) error { return nil }},
			{what: "sync", barrier: true, write: func(context.Context, Store) error { return nil }},
		}
		if own {
			units = append(units, &unit{what: "own", write: record("OWN")})
		}
		return units
	}
	for _, tc := range []struct {
		name       string
		own        bool
		answer     error
		wantGroups int
		wantErr    error // every unit's
		wantKept   []string
	}{
		{"kept", false, nil, 1, nil, []string{"log 1", "upsert true sessions 1", "PAUSE"}},
		{"refused: each runs alone", false, errRefused, 1, nil, []string{"PAUSE"}},
		{"answer lost", false, lost, 1, ErrOutcomeUnknown, nil},
		{"store cannot", false, errors.ErrUnsupported, 0, nil, []string{"log 1", "upsert session 1:PAUSED", "PAUSE"}},
		{"a write of its own", true, nil, 0, nil, []string{"log 1", "upsert session 1:PAUSED", "PAUSE", "OWN"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := &groupStore{answer: tc.answer}
			c := newCommitter(st, slog.New(slog.DiscardHandler))
			for round := 0; round < 2; round++ {
				st.kept = nil
				units := groupOf(tc.own)
				done := submitGroup(c, units)
				for i, d := range done {
					if err := <-d; !errors.Is(err, tc.wantErr) || (err == nil) != (tc.wantErr == nil) {
						t.Errorf("round %d: %s: %v, want %v", round, units[i].what, err, tc.wantErr)
					}
				}
				if fmt.Sprint(st.kept) != fmt.Sprint(tc.wantKept) {
					t.Errorf("round %d: kept %v, want %v", round, st.kept, tc.wantKept)
				}
			}
			if len(st.groups) != 2*tc.wantGroups {
				t.Errorf("groups sent %v, want %d per round", st.groups, tc.wantGroups)
			}
			if errors.Is(tc.answer, errors.ErrUnsupported) && st.calls != 1 {
				t.Errorf("a store that cannot was asked %d times, want once", st.calls)
			}
		})
	}
}
