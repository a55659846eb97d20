package core_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// namer is a caller-name backend under the test's control: every question
// is reported on asked; answers are given by name, or held until release
// (or the engine's cancel) when gated.
type namer struct {
	mu      sync.Mutex
	names   map[string]string
	ttl     time.Duration
	gated   bool
	release chan struct{}
	asked   chan string
	// cancelled receives the context error a held question ended with.
	cancelled chan error
}

func newNamer(ttl time.Duration, names map[string]string) *namer {
	return &namer{names: names, ttl: ttl, release: make(chan struct{}), asked: make(chan string, 16), cancelled: make(chan error, 16)}
}

func (n *namer) LookupCallerName(ctx context.Context, number string) (core.CallerName, error) {
	n.asked <- number
	n.mu.Lock()
	gated := n.gated
	n.mu.Unlock()
	if gated {
		select {
		case <-n.release:
		case <-ctx.Done():
			n.cancelled <- ctx.Err()
			return core.CallerName{}, ctx.Err()
		}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return core.CallerName{Name: n.names[number], TTL: n.ttl}, nil
}

// receive waits for what a background step sends; the deadline only turns
// a hang into a failure (the step is driven by the test, not by time).
func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("never happened: %s", what)
		var zero T
		return zero
	}
}

// queued waits for the OnQueue event of a call from caller.
func queued(t *testing.T, sub core.Subscription, caller string) core.Call {
	t.Helper()
	for {
		ev := receive(t, sub.C(), "call from "+caller+" queued")
		if p, ok := ev.Data.(core.CallProgress); ok && p.Status == "OnQueue" && p.Call.CallerID == caller {
			return p.Call
		}
	}
}

func TestInboundCallerIsNamedBeforeQueueingAndTheNameReachesAgentAndCDR(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		h := newHarness(t, st, harnessOpt{})
		n := newNamer(time.Minute, map[string]string{"5551234": "Juan Perez"})
		h.e.SetCallerNameLookup(n)
		sub, err := h.e.Bus().Subscribe(0, 1024)
		must(t, err)
		defer sub.Close()
		h.login("a1")
		ch := h.inbound("5551234")
		if got := receive(t, n.asked, "lookup"); got != "5551234" {
			t.Fatalf("asked for %q", got)
		}
		if q := queued(t, sub, "5551234"); q.CallerName != "Juan Perez" {
			t.Fatalf("queued call named %q", q.CallerName)
		}
		c := h.callOf("a1")
		if c.CallerName != "Juan Perez" {
			t.Fatalf("agent's call named %q", c.CallerName)
		}
		must(t, h.pbx.FarHangup(ch, core.CauseNormal))
		h.settle()
		must(t, h.e.Sync(h.ctx))
		var cdr core.CDR
		must(t, st.First(h.ctx, &cdr, core.Eq("call_id", c.ID)))
		var stored core.Call
		must(t, st.First(h.ctx, &stored, core.ByID(c.ID)))
		if cdr.CallerName != "Juan Perez" || stored.CallerName != "Juan Perez" {
			t.Fatalf("cdr name %q, stored call name %q", cdr.CallerName, stored.CallerName)
		}
	})
}

func TestCallerNamesAreCachedForTheirTTLOnTheEngineClock(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	n := newNamer(time.Minute, map[string]string{"5551234": "Juan Perez"})
	h.e.SetCallerNameLookup(n)
	sub, err := h.e.Bus().Subscribe(0, 1024)
	must(t, err)
	defer sub.Close()
	steps := []struct {
		after time.Duration
		asks  bool
	}{
		{0, true},                              // first call: asked
		{59 * time.Second, false},              // within the TTL: cached
		{time.Second + time.Millisecond, true}, // TTL over: asked again
	}
	for i, s := range steps {
		h.advance(s.after)
		ch := h.inbound("5551234")
		if q := queued(t, sub, "5551234"); q.CallerName != "Juan Perez" {
			t.Fatalf("step %d: named %q", i, q.CallerName)
		}
		select {
		case <-n.asked:
			if !s.asks {
				t.Fatalf("step %d: backend asked within the TTL", i)
			}
		default:
			if s.asks {
				t.Fatalf("step %d: backend not asked", i)
			}
		}
		must(t, h.pbx.FarHangup(ch, core.CauseNormal))
		h.settle()
	}
}

func TestSlowCallerNameBackendQueuesTheCallAtTheBoundWithoutAName(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		h := newHarness(t, st, harnessOpt{})
		n := newNamer(time.Minute, map[string]string{"5551234": "Juan Perez"})
		n.gated = true
		h.e.SetCallerNameLookup(n)
		sub, err := h.e.Bus().Subscribe(0, 1024)
		must(t, err)
		defer sub.Close()
		h.login("a1")
		h.inbound("5551234")
		receive(t, n.asked, "lookup")
		h.advance(core.DefaultCallerNameBound - time.Millisecond)
		if _, ok := h.e.AgentCall("a1"); ok || len(h.queueLog(core.QLEnterQueue)) != 0 {
			t.Fatal("call queued before the bound while the backend is still answering")
		}
		h.advance(time.Millisecond)
		if q := queued(t, sub, "5551234"); q.CallerName != "" {
			t.Fatalf("queued with name %q", q.CallerName)
		}
		if err := receive(t, n.cancelled, "lookup cancelled"); err == nil {
			t.Fatal("lookup not cancelled")
		}
		if c := h.callOf("a1"); c.CallerName != "" {
			t.Fatalf("agent's call named %q", c.CallerName)
		}
	})
}

func TestCallerWhoHangsUpDuringTheLookupIsNeverQueued(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	n := newNamer(time.Minute, nil)
	n.gated = true
	h.e.SetCallerNameLookup(n)
	h.login("a1")
	ch := h.inbound("5551234")
	receive(t, n.asked, "lookup")
	must(t, h.pbx.FarHangup(ch, core.CauseNormal))
	h.settle()
	close(n.release)
	h.advance(core.DefaultCallerNameBound)
	if len(h.queueLog(core.QLEnterQueue)) != 0 {
		t.Fatal("a gone caller entered the queue")
	}
	if st := h.state("a1"); st != core.AgentAvailable {
		t.Fatalf("a1 is %s", st)
	}
}

// A queue's caller list sends a known caller to the agent (or queue) the
// list names; unknown callers and callers of an agent who is not logged in
// stay in the queue they were routed to.
func TestQueueCallerListRoutesKnownCallersToTheirAgent(t *testing.T) {
	cases := []struct {
		name   string
		caller string
		value  string // the list's value for caller
		login  []string
		want   string // agent offered the call
		queue  string // queue the call enters
	}{
		{"by agent number", "5551234", "9002", []string{"a1", "a2"}, "a2", "agent:a2"},
		{"by extension", "5551234", "PJSIP/a3", []string{"a1", "a3"}, "a3", "agent:a3"},
		{"by username", "5551234", "a2", []string{"a1", "a2"}, "a2", "agent:a2"},
		{"to another queue", "5551234", "support", []string{"a1", "a2"}, "a2", "support"},
		{"unknown caller", "5559999", "", []string{"a1", "a2"}, "a1", "sales"},
		{"agent logged out", "5551234", "9002", []string{"a1"}, "a1", "sales"},
		{"agent paused", "5551234", "9002", []string{"a1", "a2"}, "a1", "sales"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := sqlite(t)
			ctx := context.Background()
			list := core.SimpleList{Name: "cartera"}
			must(t, st.Create(ctx, &list))
			if tc.value != "" {
				must(t, st.Create(ctx, &core.SimpleListElement{ListID: list.ID, Key: tc.caller, Value: tc.value}))
			}
			h := newHarness(t, st, harnessOpt{strategy: core.StrategyLinear})
			support := core.Queue{Name: "support", Active: true, Strategy: core.StrategyLinear}
			must(t, st.Create(ctx, &support))
			must(t, st.Create(ctx, &core.QueueMember{QueueID: support.ID, Queue: "support", Agent: "a2"}))
			var sales core.Queue
			must(t, st.First(ctx, &sales, core.Eq("name", "sales")))
			must(t, st.Updates(ctx, &sales, map[string]any{"caller_list": "cartera"}))
			must(t, h.e.Reload(ctx))
			sub, err := h.e.Bus().Subscribe(0, 1024)
			must(t, err)
			defer sub.Close()
			h.login(tc.login...)
			if tc.name == "agent paused" {
				must(t, h.e.Pause(h.ctx, "a2", "LUNCH"))
			}
			h.inbound(tc.caller)
			if q := queued(t, sub, tc.caller); q.Queue != tc.queue {
				t.Fatalf("entered %q, want %q", q.Queue, tc.queue)
			}
			if c := h.callOf(tc.want); c.CallerID != tc.caller {
				t.Fatalf("%s got %+v", tc.want, c)
			}
		})
	}
}
