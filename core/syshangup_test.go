package core_test

import (
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

// Calls cut by a PBX restart are the system's doing: hangup_by=system,
// status LOST, a SYSTEMHANGUP row instead of COMPLETECALLER or ABANDON,
// and the queue report still balances (offered = answered + lost).
func TestPBXRestartRecordsSystemHangup(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{agents: 1})
	h.login("a1")
	h.inbound("5550400")
	talking := h.callOf("a1")
	h.inbound("5550401")
	h.settle()
	waiting := h.e.Waiting("sales")
	if len(waiting) != 1 {
		t.Fatalf("%d callers waiting, want 1", len(waiting))
	}
	h.advance(30 * time.Second)
	h.pbx.Restart()
	h.waitState("a1", core.AgentAvailable)

	for _, id := range []uint64{talking.ID, waiting[0].ID} {
		c, err := h.e.Call(h.ctx, id)
		must(t, err)
		if c.State != core.CallDone || c.HangupBy != core.HangupBySystem || c.Status != core.StatusLost || c.Abandoned {
			t.Errorf("call %d = state %s hangup_by %q status %q abandoned %v, want a system hang-up", id, c.State, c.HangupBy, c.Status, c.Abandoned)
		}
	}
	for _, ev := range []string{core.QLCompleteCaller, core.QLCompleteAgent, core.QLAbandon} {
		if rows := h.queueLog(ev); len(rows) != 0 {
			t.Errorf("%s rows %+v for calls nobody hung up", ev, rows)
		}
	}
	rows := h.queueLog(core.QLSystemHangup)
	if len(rows) != 2 {
		t.Fatalf("SYSTEMHANGUP rows %+v, want 2", rows)
	}
	byCall := map[uint64]core.QueueLogEntry{}
	for _, r := range rows {
		byCall[r.CallID] = r
	}
	if r := byCall[talking.ID]; r.Data4 != "connected" || r.Data2 != "30" || r.Agent != "a1" {
		t.Errorf("talking call's row %+v, want connected with 30 s of talk", r)
	}
	if r := byCall[waiting[0].ID]; r.Data4 != "waiting" || r.Data3 != "30" {
		t.Errorf("waiting call's row %+v, want waiting 30 s", r)
	}
	st, err := h.e.QueueStats(h.ctx, "sales", epoch, h.clk.Now().Add(time.Second))
	must(t, err)
	if st.Offered != 2 || st.Answered != 1 || st.Lost != 1 || st.Abandoned != 0 || st.Completed != 1 || st.AvgTalk != 30 {
		t.Fatalf("stats %+v", st)
	}
}

// A person's hang-up is still theirs: the caller hanging up is
// COMPLETECALLER with hangup_by=caller, and a supervisor's hang-up of a
// call (system, normal cause) is not counted as a failure.
func TestHangupsByPeopleAreNotSystemCuts(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{agents: 1})
	h.login("a1")
	ch := h.inbound("5550402")
	c := h.callOf("a1")
	must(t, h.pbx.FarHangup(ch, core.CauseNormal))
	h.settle()
	got, err := h.e.Call(h.ctx, c.ID)
	must(t, err)
	if got.HangupBy != "caller" || len(h.queueLog(core.QLCompleteCaller)) != 1 {
		t.Fatalf("caller hang-up recorded as %q", got.HangupBy)
	}
	h.inbound("5550403")
	c = h.callOf("a1")
	must(t, h.e.HangupCall(h.ctx, c.ID, 0))
	if rows := h.queueLog(core.QLSystemHangup); len(rows) != 0 {
		t.Fatalf("supervisor hang-up logged as a failure: %+v", rows)
	}
}

// Calls found open when the engine starts and gone from the PBX were cut
// while the gateway was down: they are closed as system hang-ups with
// their closing queue-log row.
func TestEngineStartClosesStaleCallsAsSystem(t *testing.T) {
	st := sqlite(t)
	h := newHarness(t, st, harnessOpt{agents: 1})
	h.login("a1")
	h.inbound("5550404")
	c := h.callOf("a1")
	must(t, h.e.Stop(h.ctx))
	e2 := core.New(core.Options{Store: st, Tel: sim.New("sim-1"), Clock: h.clk})
	must(t, e2.Start(h.ctx))
	defer e2.Stop(h.ctx)
	got, err := e2.Call(h.ctx, c.ID)
	must(t, err)
	if got.State != core.CallDone || got.HangupBy != core.HangupBySystem || got.Status != core.StatusLost {
		t.Fatalf("stale call = state %s hangup_by %q status %q", got.State, got.HangupBy, got.Status)
	}
	rows := h.queueLog(core.QLSystemHangup)
	if len(rows) != 1 || rows[0].CallID != c.ID || rows[0].Data4 != "connected" {
		t.Fatalf("SYSTEMHANGUP rows %+v, want one for the stale call", rows)
	}
	if n := len(h.queueLog(core.QLCompleteCaller)); n != 0 {
		t.Fatalf("%d COMPLETECALLER rows for a call nobody hung up", n)
	}
}

// A caller waits at most the queue's MaxWait, then leaves with
// EXITWITHTIMEOUT; not a millisecond earlier.
func TestMaxWaitEndsTheWait(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{agents: 1, maxWait: 45})
	h.inbound("5550405")
	h.settle()
	h.advance(45*time.Second - time.Millisecond)
	if n := len(h.e.Waiting("sales")); n != 1 {
		t.Fatalf("%d waiting before the maximum wait, want 1", n)
	}
	if rows := h.queueLog(core.QLExitTimeout); len(rows) != 0 {
		t.Fatalf("timed out early: %+v", rows)
	}
	h.advance(time.Millisecond)
	if n := len(h.e.Waiting("sales")); n != 0 {
		t.Fatalf("%d waiting after the maximum wait, want 0", n)
	}
	if rows := h.queueLog(core.QLExitTimeout); len(rows) != 1 {
		t.Fatalf("EXITWITHTIMEOUT rows %+v, want 1", rows)
	}
}

func TestMaxWaitIsNotAlsoAnAbandon(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{agents: 1, maxWait: 45})
	h.inbound("5550406")
	h.advance(45 * time.Second)
	if rows := h.queueLog(core.QLAbandon); len(rows) != 0 {
		t.Fatalf("a timed-out caller also counted as abandoned: %+v", rows)
	}
	st, err := h.e.QueueStats(h.ctx, "sales", epoch, h.clk.Now().Add(time.Second))
	must(t, err)
	if st.Offered != 1 || st.TimedOut != 1 || st.Abandoned != 0 {
		t.Fatalf("stats %+v", st)
	}
}
