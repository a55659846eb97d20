package core_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/core/clocktest"
	"github.com/callgate/callgate/pkg/store/storetest"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

// harness is an engine on the simulated PBX with one queue "sales" and
// three on-hook agents a1..a3 (extensions PJSIP/a1..a3).
type harness struct {
	t   testing.TB
	ctx context.Context
	st  *checkedStore
	pbx *sim.PBX
	e   *core.Engine
	// pbxHook runs after the lock check on every PBX call (tests' gates).
	pbxHook atomic.Pointer[sim.Hook]
	// clk drives every engine and PBX timer: tests Advance it.
	clk *clocktest.Clock
	log *slog.Logger
	o   harnessOpt
	// fence is the lease term engines run in (Options.Fence).
	fence core.Fence
}

// epoch is where the harness's fake clock starts (a Monday morning).
var epoch = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

type harnessOpt struct {
	strategy core.QueueStrategy
	wrapUp   int
	agents   int
	persist  bool
	ring     int
	maxWait  int
	log      *slog.Logger // discarded if nil
	// serial: the engine without group commit (Options.SerialWrites).
	serial bool
	// bench: no lock check (it costs a stack trace per lock).
	bench bool
	fence core.Fence // the engine's lease term (zero: none)
}

func newHarness(t testing.TB, st core.Store, o harnessOpt) *harness {
	t.Helper()
	ctx := context.Background()
	if o.agents == 0 {
		o.agents = 3
	}
	if o.ring == 0 {
		o.ring = 2
	}
	q := core.Queue{Name: "sales", Strategy: o.strategy, RingTimeout: o.ring, WrapUp: o.wrapUp, MaxWait: o.maxWait, Active: true, DID: "5550100"}
	must(t, st.Create(ctx, &q))
	camp := core.Campaign{Name: "OUT1", Type: core.CampaignOutbound, DialMethod: core.DialManual, Active: true, MaxRetries: 2}
	must(t, st.Create(ctx, &camp))
	for i := 1; i <= o.agents; i++ {
		a := core.Agent{Username: fmt.Sprintf("a%d", i), Number: fmt.Sprint(9000 + i), Type: "Agent",
			Extension: fmt.Sprintf("PJSIP/a%d", i), Active: true, Persistent: o.persist, Campaign: "OUT1"}
		must(t, st.Create(ctx, &a))
		must(t, st.Create(ctx, &core.QueueMember{QueueID: q.ID, AgentID: a.ID, Queue: "sales", Agent: a.Username}))
	}
	must(t, st.Create(ctx, &core.PauseCode{Code: "LUNCH", Name: "Lunch", Active: true}))
	if o.log == nil {
		o.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	clk := clocktest.New(epoch)
	pbx := sim.New("sim-1")
	pbx.UseClock(clk)
	cst := &checkedStore{Store: st, shared: &storeChecks{t: t}}
	h := &harness{t: t, ctx: ctx, st: cst, pbx: pbx, clk: clk, log: o.log, o: o, fence: o.fence}
	h.e = h.newEngine()
	must(t, h.e.Start(ctx))
	return h
}

// newEngine builds an engine on the harness's store, PBX and clock,
// checked for I/O under its lock and stopped at the end of the test
// (restart tests start a second one on the same store and PBX).
func (h *harness) newEngine() *core.Engine {
	e := core.New(core.Options{
		Store: h.st, Tel: h.pbx, Logger: h.log,
		DialerInterval: time.Second, Seed: 1, Clock: h.clk, LockCheck: !h.o.bench, SerialWrites: h.o.serial, Fence: h.fence,
	})
	// No PBX or store call may happen while the engine holds its lock.
	h.st.shared.e.Store(e)
	h.pbx.SetHook(func(ctx context.Context, op, target string) {
		if e.HoldsLock() {
			h.t.Errorf("PBX %s %s called under the engine lock", op, target)
		}
		if hk := h.pbxHook.Load(); hk != nil {
			(*hk)(ctx, op, target)
		}
	})
	h.t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = e.Stop(sctx)
	})
	return e
}

// onPBX installs a hook run on every PBX call after the lock check.
func (h *harness) onPBX(fn sim.Hook) { h.pbxHook.Store(&fn) }

// storeChecks is shared by a checkedStore and the transactions it opens.
type storeChecks struct {
	t testing.TB
	e atomic.Pointer[core.Engine]
	// onWrite runs before every write (tests' gates).
	onWrite atomic.Pointer[func(op string, v any)]
	// txs counts transactions begun (outermost and nested).
	txs atomic.Int64
}

// checkedStore fails the test when the store is used while the engine
// holds its lock, and lets a test hold writes back.
type checkedStore struct {
	core.Store
	shared *storeChecks
}

// WatchWrites passes the store's write reports on, as the gateway's store
// gives them to the engine (its caches are then on in these tests too).
func (s *checkedStore) WatchWrites(fn func(reflect.Type)) {
	if w, ok := s.Store.(core.WriteWatcher); ok {
		w.WatchWrites(fn)
	}
}

func (s *checkedStore) check(op string) {
	if e := s.shared.e.Load(); e != nil && e.HoldsLock() {
		s.shared.t.Errorf("store %s called under the engine lock", op)
	}
}

func (s *checkedStore) write(op string, v any) {
	s.check(op)
	if fn := s.shared.onWrite.Load(); fn != nil {
		(*fn)(op, v)
	}
}

func (s *checkedStore) Tx(ctx context.Context, fn func(core.Store) error) error {
	s.check("tx")
	s.shared.txs.Add(1)
	return s.Store.Tx(ctx, func(tx core.Store) error { return fn(&checkedStore{Store: tx, shared: s.shared}) })
}

// WriteGroup passes a group commit on to a store that takes it in one
// request (MySQL), each of its writes seen by the checks and gates as an
// upsert or a create, and the group counted as one transaction.
func (s *checkedStore) WriteGroup(ctx context.Context, ops []core.GroupWrite) error {
	gw, ok := s.Store.(core.GroupWriter)
	if !ok || s.Store.Dialect() != "mysql" {
		return errors.ErrUnsupported
	}
	s.check("write group")
	for _, op := range ops {
		if op.Upsert {
			s.write("upsert", op.Rows)
		} else {
			s.write("create", op.Rows)
		}
	}
	s.shared.txs.Add(1)
	return gw.WriteGroup(ctx, ops)
}

// SingleWriter passes the store's answer on, so the engine takes the same
// write paths as on the gateway's store.
func (s *checkedStore) SingleWriter() bool {
	sw, ok := s.Store.(core.SingleWriter)
	return ok && sw.SingleWriter()
}

func (s *checkedStore) Create(ctx context.Context, v any) error {
	s.write("create", v)
	return s.Store.Create(ctx, v)
}

func (s *checkedStore) Save(ctx context.Context, v any) error {
	s.write("save", v)
	return s.Store.Save(ctx, v)
}

func (s *checkedStore) Upsert(ctx context.Context, v any) error {
	s.write("upsert", v)
	return s.Store.Upsert(ctx, v)
}

func (s *checkedStore) Updates(ctx context.Context, v any, cols map[string]any) error {
	s.write("updates", v)
	return s.Store.Updates(ctx, v, cols)
}

func (s *checkedStore) Delete(ctx context.Context, v any, q core.Filter) error {
	s.write("delete", v)
	return s.Store.Delete(ctx, v, q)
}

func (s *checkedStore) First(ctx context.Context, dst any, q core.Filter) error {
	s.check("first")
	return s.Store.First(ctx, dst, q)
}

func (s *checkedStore) Find(ctx context.Context, dst any, q core.Filter) error {
	s.check("find")
	return s.Store.Find(ctx, dst, q)
}

func (s *checkedStore) Count(ctx context.Context, model any, q core.Filter) (int64, error) {
	s.check("count")
	return s.Store.Count(ctx, model, q)
}

// settle returns once the PBX has delivered every event it produced and
// the engine has handled them, including the events those reactions
// produced: nothing is left in flight.
func (h *harness) settle() {
	for {
		before := h.pbx.Flush()
		h.e.Settle()
		if h.pbx.Flush() == before {
			return
		}
	}
}

// advance moves the fake clock forward by d one due timer at a time,
// settling the PBX and the engine after each, so every timer sees the
// effects of the ones before it, as it would in real time.
func (h *harness) advance(d time.Duration) {
	h.t.Helper()
	h.settle()
	for d > 0 {
		step, ok := h.clk.NextIn()
		if !ok || step > d {
			step = d
		}
		h.clk.Advance(step)
		h.settle()
		d -= step
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// require settles the PBX and the engine, then requires cond: what a
// test waits for must hold once nothing is in flight, so no test polls or
// sleeps.
func (h *harness) require(what string, cond func() bool) {
	h.t.Helper()
	h.settle()
	if !cond() {
		h.t.Fatalf("not so once settled: %s", what)
	}
}

func (h *harness) login(users ...string) {
	h.t.Helper()
	for _, u := range users {
		must(h.t, h.e.Login(h.ctx, u, core.LoginOptions{}))
		h.waitState(u, core.AgentAvailable)
	}
}

func (h *harness) state(user string) core.AgentState {
	s, ok := h.e.Session(user)
	if !ok {
		return core.AgentOffline
	}
	return s.State
}

// waitState settles the PBX and the engine, then requires user in st: no
// polling, the state must hold once nothing is in flight.
func (h *harness) waitState(user string, st core.AgentState) {
	h.t.Helper()
	h.settle()
	if got := h.state(user); got != st {
		h.t.Fatalf("%s is %s, want %s", user, got, st)
	}
}

// inbound places a call into the sales queue and returns its channel.
func (h *harness) inbound(caller string) string {
	return h.pbx.InjectInbound(caller, "5550100")
}

func (h *harness) queueLog(event string) []core.QueueLogEntry {
	// What the test saw in the engine's memory is in the store once the
	// store lane has caught up.
	must(h.t, h.e.Sync(h.ctx))
	var rows []core.QueueLogEntry
	must(h.t, h.st.Find(h.ctx, &rows, core.Eq("event", event).Asc("id")))
	return rows
}

func (h *harness) callOf(user string) core.Call {
	h.t.Helper()
	h.settle()
	c, ok := h.e.AgentCall(user)
	if !ok || c.State != core.CallConnected {
		h.t.Fatalf("%s has no connected call (%+v)", user, c)
	}
	return c
}

func sqlite(t *testing.T) core.Store { return storetest.Open(t, "sqlite") }

// settleNoStore is settle for tests that hold a store write back: the
// PBX's events and the engine's PBX commands are all done, store writes
// may still wait.
func (h *harness) settleNoStore() {
	for {
		before := h.pbx.Flush()
		h.e.SettleNoStore()
		if h.pbx.Flush() == before {
			return
		}
	}
}

func (s *checkedStore) DialableLeads(ctx context.Context, campaign string, statuses []string, maxCalls int, now time.Time, limit int) ([]core.Lead, error) {
	s.check("dialable leads")
	return s.Store.DialableLeads(ctx, campaign, statuses, maxCalls, now, limit)
}

func (s *checkedStore) UpdateWhere(ctx context.Context, model any, f core.Filter, cols map[string]any, fence core.Fence) (int64, error) {
	s.write("update where", model)
	return s.Store.UpdateWhere(ctx, model, f, cols, fence)
}
