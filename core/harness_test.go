package core_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

// harness is an engine on the simulated PBX with one queue "sales" and
// three on-hook agents a1..a3 (extensions PJSIP/a1..a3).
type harness struct {
	t   testing.TB
	ctx context.Context
	st  core.Store
	pbx *sim.PBX
	e   *core.Engine
}

type harnessOpt struct {
	strategy core.QueueStrategy
	wrapUp   int
	agents   int
	persist  bool
	ring     int
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
	q := core.Queue{Name: "sales", Strategy: o.strategy, RingTimeout: o.ring, WrapUp: o.wrapUp, Active: true, DID: "5550100"}
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
	pbx := sim.New("sim-1")
	e := core.New(core.Options{
		Store: st, Tel: pbx, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		DialerInterval: 20 * time.Millisecond, Seed: 1,
	})
	must(t, e.Start(ctx))
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = e.Stop(sctx)
	})
	return &harness{t: t, ctx: ctx, st: st, pbx: pbx, e: e}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// eventually polls cond until it holds or the deadline passes. The deadline
// only bounds a hung test; nothing measures speed.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func (h *harness) login(users ...string) {
	h.t.Helper()
	for _, u := range users {
		must(h.t, h.e.Login(h.ctx, u, core.LoginOptions{}))
		eventually(h.t, u+" available", func() bool {
			s, ok := h.e.Session(u)
			return ok && s.State == core.AgentAvailable
		})
	}
}

func (h *harness) state(user string) core.AgentState {
	s, ok := h.e.Session(user)
	if !ok {
		return core.AgentOffline
	}
	return s.State
}

func (h *harness) waitState(user string, st core.AgentState) {
	h.t.Helper()
	eventually(h.t, fmt.Sprintf("%s %s", user, st), func() bool { return h.state(user) == st })
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
	must(h.t, h.st.Find(h.ctx, &rows, core.Where("event = ?", event).OrderBy("id")))
	return rows
}

func (h *harness) callOf(user string) core.Call {
	h.t.Helper()
	var c core.Call
	eventually(h.t, user+" has a call", func() bool {
		var ok bool
		c, ok = h.e.AgentCall(user)
		return ok && c.State == core.CallConnected
	})
	return c
}

func sqlite(t *testing.T) core.Store { return storetest.Open(t, "sqlite") }

// waitBridge waits until the PBX has channel ch in bridge br: the engine
// decides under its lock and drives the PBX after releasing it, so what
// the PBX shows follows what the engine reports.
func (h *harness) waitBridge(ch, br string) {
	h.t.Helper()
	eventually(h.t, fmt.Sprintf("channel %s in bridge %s", ch, br), func() bool {
		cs, _ := h.pbx.Channel(ch)
		return cs.Bridge == br
	})
}
