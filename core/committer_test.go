package core_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// gatedStore holds its first API log write until the gate opens (so
// the writes submitted meanwhile queue up behind it), refuses rows of
// function "fail" (or every write: lost), counts API log INSERTs and
// transactions.
type gatedStore struct {
	core.Store
	gate    chan struct{}
	held    atomic.Bool
	txs     *atomic.Int64
	inserts atomic.Int64
	lost    bool
}

var errLost = errors.New("database gone")

func (s *gatedStore) Create(ctx context.Context, v any) error {
	if rows, ok := v.(*[]core.APILogEntry); ok {
		if s.gate != nil && s.held.CompareAndSwap(false, true) {
			<-s.gate
			return s.Store.Create(ctx, v)
		}
		s.inserts.Add(1)
		if s.lost {
			return errLost
		}
		for _, r := range *rows {
			if r.Function == "fail" {
				return errInjected
			}
		}
	}
	return s.Store.Create(ctx, v)
}

func (s *gatedStore) Tx(ctx context.Context, fn func(core.Store) error) error {
	s.txs.Add(1)
	return s.Store.Tx(ctx, fn)
}

// TestGroupCommitSharesOneWriteAndFailsHonestly: API log rows submitted
// while a commit is under way are written together by one INSERT; when
// the group's write fails, each row is written alone, so a bad row fails
// only its own caller, and a lost database fails every caller.
func TestGroupCommitSharesOneWriteAndFailsHonestly(t *testing.T) {
	const n = 20
	tests := []struct {
		name        string
		lost        bool
		bad         int // index of the row refused by the store, -1: none
		wantInserts int64
		wantErrs    int
		wantRows    int64 // besides the gated first row
	}{
		{"concurrent writes share one INSERT", false, -1, 1, 0, n},
		{"a bad row fails only its caller", false, 7, 1 + n, 1, n - 1},
		{"a lost database fails every caller", true, -1, 1 + n, n, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, raw core.Store) {
				st := &gatedStore{Store: raw, gate: make(chan struct{}), txs: &atomic.Int64{}, lost: tc.lost}
				e := core.New(core.Options{Store: st})
				ctx := context.Background()
				first := make(chan error, 1)
				go func() { first <- e.RecordAPICalls(ctx, []core.APILogEntry{{Dialect: "t", Function: "first"}}) }()
				waitFor(t, "the first write to be held", st.held.Load)
				errs := make([]error, n)
				var wg sync.WaitGroup
				for i := range n {
					wg.Add(1)
					go func() {
						defer wg.Done()
						fn := fmt.Sprintf("f%d", i)
						if i == tc.bad {
							fn = "fail"
						}
						errs[i] = e.RecordAPICalls(ctx, []core.APILogEntry{{Dialect: "t", Function: fn}})
					}()
				}
				waitFor(t, "every write queued", func() bool { return e.CommitQueued() == n })
				close(st.gate)
				wg.Wait()
				if err := <-first; err != nil {
					t.Fatalf("gated write: %v", err)
				}
				failed := 0
				for i, err := range errs {
					if err != nil {
						failed++
						if tc.lost && !errors.Is(err, errLost) || !tc.lost && i != tc.bad {
							t.Errorf("write %d: %v", i, err)
						}
					}
				}
				rows, _ := raw.Count(ctx, &core.APILogEntry{}, core.All.Ne("function", "first"))
				if failed != tc.wantErrs || rows != tc.wantRows || st.inserts.Load() != tc.wantInserts {
					t.Errorf("%d failed, %d rows, %d INSERTs; want %d, %d, %d",
						failed, rows, st.inserts.Load(), tc.wantErrs, tc.wantRows, tc.wantInserts)
				}
			})
		})
	}
}

// waitFor yields until cond holds (another goroutine's progress), failing
// after a generous bound rather than hanging.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		runtime.Gosched()
	}
}

// holdCommitter keeps the store busy with an API log write until release is
// closed: the writes decided meanwhile wait and are committed together.
// first carries the held write's outcome.
func holdCommitter(h *harness) (release chan struct{}, first chan error) {
	held := make(chan struct{})
	release, first = make(chan struct{}), make(chan error, 1)
	var once sync.Once
	gate := func(op string, v any) {
		if _, ok := v.(*[]core.APILogEntry); ok {
			once.Do(func() { close(held); <-release })
		}
	}
	h.st.shared.onWrite.Store(&gate)
	go func() { first <- h.e.RecordAPICalls(h.ctx, []core.APILogEntry{{Dialect: "t", Function: "held"}}) }()
	<-held
	return release, first
}

// TestConcurrentPausesShareOneCommit: pauses of many agents decided while
// the store is busy (an API log write is held) are committed together in
// one transaction, and each command answers once its agent's paused
// session and PAUSE row are in the store.
func TestConcurrentPausesShareOneCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		const agents = 20
		h := newHarness(t, st, harnessOpt{agents: agents})
		users := make([]string, agents)
		for i := range users {
			users[i] = fmt.Sprintf("a%d", i+1)
			h.login(users[i])
		}
		must(t, h.e.Sync(h.ctx))
		release, first := holdCommitter(h)
		errs := make(chan error, agents)
		for _, u := range users {
			go func() { errs <- h.e.Pause(h.ctx, u, "") }()
		}
		// Each pause queues its session save, its PAUSE row and its event.
		waitFor(t, "every pause queued", func() bool { return h.e.CommitQueued() == 3*agents })
		txs := h.st.shared.txs.Load()
		close(release)
		must(t, <-first)
		for range agents {
			must(t, <-errs)
		}
		if n := h.st.shared.txs.Load() - txs; n != 1 {
			t.Errorf("%d transactions for %d pauses decided together, want 1", n, agents)
		}
		paused, _ := st.Count(h.ctx, &core.AgentSession{}, core.Eq("paused", true))
		rows, _ := st.Count(h.ctx, &core.QueueLogEntry{}, core.Eq("event", core.QLPause))
		if paused != agents || rows != agents {
			t.Errorf("stored: %d paused sessions, %d PAUSE rows; want %d each", paused, rows, agents)
		}
	})
}

// TestGroupedRecordWritesLeaveTheStoreAsTheEngineIs: while the store is
// busy, an agent logs out and in again (its old session deleted, a new one
// created for the same unique agent id) and a call arrives, is offered and
// connected (several writes of one call row): committed together, the
// store holds exactly the engine's state, on every database.
func TestGroupedRecordWritesLeaveTheStoreAsTheEngineIs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		h := newHarness(t, st, harnessOpt{agents: 2})
		h.login("a1", "a2")
		must(t, h.e.Pause(h.ctx, "a2", ""))
		must(t, h.e.Sync(h.ctx))
		release, first := holdCommitter(h)
		// Each answers once its writes are committed: the log in is decided
		// while the log out's writes wait, and joins their group.
		logout, login := make(chan error, 1), make(chan error, 1)
		go func() { _, err := h.e.Logout(h.ctx, "a1", "test"); logout <- err }()
		waitFor(t, "the log out queued", func() bool { _, in := h.e.Session("a1"); return !in })
		go func() { login <- h.e.Login(h.ctx, "a1", core.LoginOptions{}) }()
		waitFor(t, "the log in queued", func() bool { _, in := h.e.Session("a1"); return in })
		queued := h.e.CommitQueued()
		ch := h.inbound("5551000")
		waitFor(t, "the call's writes queued", func() bool { return h.e.CommitQueued() > queued+2 })
		close(release)
		must(t, <-first)
		must(t, <-logout)
		must(t, <-login)
		c := h.callOf("a1")
		must(t, h.e.Sync(h.ctx))

		var stored core.Call
		must(t, st.First(h.ctx, &stored, core.ByID(c.ID)))
		if stored.State != c.State || stored.Agent != "a1" || stored.ChannelID != ch || stored.AnsweredAt == nil {
			t.Errorf("stored call %+v, engine's %+v", stored, c)
		}
		s, _ := h.e.Session("a1")
		var rows []core.AgentSession
		must(t, st.Find(h.ctx, &rows, core.Eq("agent_id", s.AgentID)))
		if len(rows) != 1 || rows[0].ID != s.ID || rows[0].State != s.State || rows[0].CallID != c.ID {
			t.Errorf("stored sessions of a1 %+v, engine's %+v", rows, s)
		}
	})
}
