package core_test

import (
	"context"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

// Restart tests: engine A is stopped mid-flow without hanging anything up
// (what a kill leaves: the store as each change wrote it, the PBX's calls
// going on), the PBX goes on meanwhile, and engine B starts on the same
// store and the same PBX.

// restart stops the engine without hanging anything up, runs whileDown
// (what the PBX's callers and agents do meanwhile; the downtime is a jump
// of the clock) and starts a new engine on the same store, PBX and clock,
// settled once started.
func (h *harness) restart(whileDown func()) {
	h.t.Helper()
	h.settle()
	must(h.t, h.e.Stop(h.ctx))
	if whileDown != nil {
		whileDown()
	}
	h.e = h.newEngine()
	must(h.t, h.e.Start(h.ctx))
	h.settle()
}

func (h *harness) hangup(ch string) {
	h.t.Helper()
	must(h.t, h.pbx.FarHangup(ch, core.CauseNormal))
}

// assertQueueLogBalanced: every ENTERQUEUE has a closing row.
func (h *harness) assertQueueLogBalanced() {
	h.t.Helper()
	var rows []core.QueueLogEntry
	must(h.t, h.st.Find(h.ctx, &rows, core.All.Asc("id")))
	open := map[uint64]bool{}
	for _, r := range rows {
		switch r.Event {
		case core.QLEnterQueue:
			open[r.CallID] = true
		case core.QLAbandon, core.QLExitTimeout, core.QLCompleteCaller, core.QLCompleteAgent,
			core.QLSystemHangup, core.QLTransfer:
			delete(open, r.CallID)
		}
	}
	for id := range open {
		h.t.Errorf("call %d entered a queue and was never closed in the queue log", id)
	}
}

// assertSessionsStored: agent_sessions holds what the engine holds.
func (h *harness) assertSessionsStored() {
	h.t.Helper()
	var rows []core.AgentSession
	must(h.t, h.st.Find(h.ctx, &rows, core.All.Asc("username")))
	live := h.e.Sessions()
	if len(rows) != len(live) {
		h.t.Fatalf("%d sessions stored, %d in the engine", len(rows), len(live))
	}
	for i, r := range rows {
		l := live[i]
		if r.Username != l.Username || r.State != l.State || r.CallID != l.CallID || r.OnHold != l.OnHold {
			h.t.Errorf("stored session %s %s call %d hold %v; engine %s %s call %d hold %v",
				r.Username, r.State, r.CallID, r.OnHold, l.Username, l.State, l.CallID, l.OnHold)
		}
	}
}

func (h *harness) storedCall(id uint64) core.Call {
	h.t.Helper()
	var c core.Call
	must(h.t, h.st.First(h.ctx, &c, core.Eq("id", id)))
	return c
}

// Callers waiting when the gateway died wait again, in their order, and
// are offered to the agent the restart finds free.
func TestRestartOffersWaitingCallersInOrder(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{agents: 1})
	h.login("a1")
	first := h.inbound("5550001")
	talking := h.callOf("a1")
	c1 := h.inbound("5550002")
	c2 := h.inbound("5550003")
	h.require("two callers waiting", func() bool { return len(h.e.Waiting("sales")) == 2 })

	h.restart(func() { h.hangup(first) })

	h.settle() // a1 linked to the first waiting caller
	got := h.callOf("a1")
	if got.ChannelID != c1 {
		t.Fatalf("a1 got %s, want the older caller %s", got.ChannelID, c1)
	}
	if w := h.e.Waiting("sales"); len(w) != 1 || w[0].ChannelID != c2 {
		t.Fatalf("waiting after restart = %+v, want only %s", w, c2)
	}
	ended := h.storedCall(talking.ID)
	if ended.State != core.CallDone || ended.HangupBy != "system" || ended.Failure == "" {
		t.Errorf("call ended while down = state %s by %s failure %q", ended.State, ended.HangupBy, ended.Failure)
	}
	// The agent's leg outlived the caller's: the caller hung up.
	if rows := h.queueLog(core.QLCompleteCaller); len(rows) != 1 || rows[0].CallID != talking.ID {
		t.Errorf("COMPLETECALLER rows %+v", rows)
	}
	h.hangup(c1)
	h.settle() // a1 gets the second caller
	h.hangup(c2)
	h.waitState("a1", core.AgentAvailable)
	h.assertQueueLogBalanced()
	h.assertSessionsStored()
}

// An offer ringing when the gateway died is withdrawn (its channel hung
// up) and the caller offered again.
func TestRestartWithdrawsOffersInFlight(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{agents: 1, ring: 60})
	h.pbx.SetBehavior("PJSIP/a1", sim.Behavior{Outcome: sim.NoAnswer})
	h.login("a1")
	caller := h.inbound("5550001")
	h.waitState("a1", core.AgentRinging)
	var before string
	h.require("offer recorded", func() bool {
		w := h.e.Waiting("sales")
		if len(w) == 1 {
			_, before, _ = strings.Cut(w[0].Offers, "=")
		}
		return before != ""
	})

	h.restart(nil)

	old, _ := h.pbx.Channel(before)
	if !old.HungUp || old.HangupBy != "app" {
		t.Fatalf("offer in flight not hung up by the new engine: %+v", old)
	}
	w := h.e.Waiting("sales")
	if len(w) != 1 || w[0].ChannelID != caller {
		t.Fatalf("waiting after restart = %+v", w)
	}
	_, again, _ := strings.Cut(w[0].Offers, "=")
	if again == "" || again == before {
		t.Fatalf("caller not offered again: offers %q (before %s)", w[0].Offers, before)
	}
	if h.state("a1") != core.AgentRinging {
		t.Fatalf("a1 %s, want ringing with the new offer", h.state("a1"))
	}
	must(t, h.pbx.FarAnswer(again))
	h.settle() // a1 answers the new offer
	h.hangup(caller)
	h.waitState("a1", core.AgentAvailable)
	h.assertQueueLogBalanced()
	h.assertSessionsStored()
}

// A customer on hold or parked when the gateway died can be taken back.
func TestRestartHeldAndParkedCallsCanBeTakenBack(t *testing.T) {
	cases := []struct {
		name       string
		put, take  func(h *harness) error
		held, park bool
	}{
		{"hold", func(h *harness) error { return h.e.HoldCall(h.ctx, "a1") },
			func(h *harness) error { return h.e.UnholdCall(h.ctx, "a1") }, true, false},
		{"park", func(h *harness) error { return h.e.Park(h.ctx, "a1") },
			func(h *harness) error { return h.e.Grab(h.ctx, "a1") }, false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, sqlite(t), harnessOpt{agents: 1})
			h.login("a1")
			caller := h.inbound("5550001")
			c := h.callOf("a1")
			must(t, tc.put(h))

			h.restart(nil)

			if held, parked := h.e.CallHeld("a1"); held != tc.held || parked != tc.park {
				t.Fatalf("after restart held=%v parked=%v", held, parked)
			}
			if s, _ := h.e.Session("a1"); s.State != core.AgentOnCall || s.OnHold != tc.held {
				t.Fatalf("session after restart %+v", s)
			}
			must(t, tc.take(h))
			cs, _ := h.pbx.Channel(caller)
			if cs.Bridge != c.BridgeID || cs.MOH != "" || cs.Held {
				t.Fatalf("customer not back with the agent: %+v (bridge %s)", cs, c.BridgeID)
			}
			if b, _ := h.pbx.Bridge(c.BridgeID); len(b.Channels) != 2 {
				t.Fatalf("call bridge %+v", b)
			}
			h.assertSessionsStored()
			h.hangup(caller)
			h.waitState("a1", core.AgentAvailable)
			h.assertQueueLogBalanced()
		})
	}
}

// A recording the PBX still makes goes on after the restart; one whose
// call ended while the gateway was down is closed as of then.
func TestRestartContinuesOrClosesRecordings(t *testing.T) {
	t.Run("continued", func(t *testing.T) {
		h := newHarness(t, sqlite(t), harnessOpt{agents: 1})
		h.login("a1")
		caller := h.inbound("5550001")
		h.callOf("a1")
		rec, err := h.e.StartRecording(h.ctx, "a1")
		must(t, err)

		h.restart(nil)

		cur, ok := h.e.CurrentRecording("a1")
		if !ok || cur.ID != rec.ID || cur.Name != rec.Name {
			t.Fatalf("recording after restart = %+v %v, want %s", cur, ok, rec.Name)
		}
		stopped, err := h.e.StopRecording(h.ctx, "a1")
		must(t, err)
		if stopped.End == nil || stopped.Status != "done" {
			t.Fatalf("stopped recording %+v", stopped)
		}
		h.hangup(caller)
		h.waitState("a1", core.AgentAvailable)
	})
	t.Run("closed", func(t *testing.T) {
		h := newHarness(t, sqlite(t), harnessOpt{agents: 1})
		h.login("a1")
		caller := h.inbound("5550001")
		c := h.callOf("a1")
		rec, err := h.e.StartRecording(h.ctx, "a1")
		must(t, err)
		h.advance(25 * time.Second)
		downAt := h.clk.Now()

		h.restart(func() {
			h.hangup(caller)
			h.hangup(c.AgentChannelID)
			h.clk.Advance(time.Hour)
		})

		var got core.Recording
		must(t, h.st.First(h.ctx, &got, core.Eq("id", rec.ID)))
		if got.End == nil || !got.End.Equal(downAt) || got.Length != 25 || got.Status != "done" {
			t.Fatalf("recording of a call ended while down = %+v, want end %s, 25 s", got, downAt)
		}
		if _, ok := h.e.CurrentRecording("a1"); ok {
			t.Fatal("a recording still current")
		}
	})
}

// A consult leg up when the gateway died is resumed (the transfer can be
// cancelled or completed); one that hung up meanwhile is gone and the
// customer is back with the agent.
func TestRestartResumesOrDropsTheConsultLeg(t *testing.T) {
	cases := []struct {
		name     string
		legDies  bool
		then     func(h *harness) error
		wantLegs int // channels in the call bridge at the end
	}{
		{"cancelled after restart", false, func(h *harness) error { return h.e.CancelTransfer(h.ctx, "a1") }, 2},
		{"completed after restart", false, func(h *harness) error { return h.e.CompleteTransfer(h.ctx, "a1") }, 2},
		{"hung up while down", true, nil, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, sqlite(t), harnessOpt{agents: 1})
			h.login("a1")
			caller := h.inbound("5550001")
			c := h.callOf("a1")
			must(t, h.e.Transfer(h.ctx, "a1", core.TransferRequest{Kind: core.TransferAttended, Target: "5554444"}))
			var leg string
			h.require("consult leg bridged", func() bool {
				b, _ := h.pbx.Bridge(c.BridgeID)
				cur, _ := h.e.AgentCall("a1")
				leg = cur.ConsultChannel
				return len(b.Channels) == 2 && leg != ""
			})

			h.restart(func() {
				if tc.legDies {
					h.hangup(leg)
				}
			})

			kind, _ := h.e.TransferState("a1")
			if tc.legDies {
				if kind != "" {
					t.Fatalf("transfer %q still pending after its leg hung up", kind)
				}
				if held, _ := h.e.CallHeld("a1"); held {
					t.Fatal("customer still held after the consult leg hung up")
				}
			} else {
				if kind != string(core.TransferAttended) {
					t.Fatalf("transfer state after restart %q", kind)
				}
				must(t, tc.then(h))
			}
			cs, _ := h.pbx.Channel(caller)
			b, _ := h.pbx.Bridge(c.BridgeID)
			if cs.Bridge != c.BridgeID || cs.MOH != "" || len(b.Channels) != tc.wantLegs {
				t.Fatalf("customer %+v, bridge %+v", cs, b)
			}
			h.hangup(caller)
			h.require("call ended", func() bool { return len(h.e.ActiveCalls()) == 0 })
			h.waitState("a1", core.AgentAvailable)
			h.assertQueueLogBalanced()
			h.assertSessionsStored()
		})
	}
}

// Calls that ended while the gateway was down are closed as of the last
// time the engine saw them: their CDR never counts the downtime, the
// queue log is closed (COMPLETECALLER when the agent's leg outlived the
// caller's, a neutral system row when nobody can tell, ABANDON for a
// caller who never reached an agent) and the agents are free again.
func TestRestartClosesCallsEndedWhileDown(t *testing.T) {
	cases := []struct {
		name      string
		agentLeg  bool // the agent's leg hangs up too
		waiting   bool // the caller never reached an agent
		wantEvent string
	}{
		{"caller hung up", false, false, core.QLCompleteCaller},
		{"both hung up", true, false, core.QLSystemHangup},
		{"waiting caller hung up", false, true, core.QLAbandon},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, st core.Store) {
				h := newHarness(t, st, harnessOpt{agents: 1})
				h.login("a1")
				start := h.clk.Now()
				if tc.waiting {
					must(t, h.e.Pause(h.ctx, "a1", ""))
				}
				caller := h.inbound("5550001")
				var c core.Call
				if tc.waiting {
					h.require("caller waiting", func() bool { return len(h.e.Waiting("sales")) == 1 })
					c = h.e.Waiting("sales")[0]
				} else {
					c = h.callOf("a1")
				}
				h.advance(30 * time.Second)
				if !tc.waiting {
					must(t, h.e.HoldCall(h.ctx, "a1")) // a change 30 s in
				}
				h.advance(10 * time.Second)
				downAt := h.clk.Now() // the last time the engine was alive

				h.restart(func() {
					h.hangup(caller)
					if tc.agentLeg {
						h.hangup(c.AgentChannelID)
					}
					h.clk.Advance(2 * time.Hour)
				})

				ended := h.storedCall(c.ID)
				if ended.State != core.CallDone || ended.EndedAt == nil || !ended.EndedAt.Equal(downAt) ||
					ended.HangupBy != "system" || ended.HangupCause == 0 || ended.Failure == "" {
					t.Fatalf("call ended while down: state %s ended %v by %s cause %d failure %q, want ended %s by system",
						ended.State, ended.EndedAt, ended.HangupBy, ended.HangupCause, ended.Failure, downAt)
				}
				var cdr core.CDR
				must(t, h.st.First(h.ctx, &cdr, core.Eq("call_id", c.ID)))
				if !cdr.End.Equal(downAt) || cdr.Duration != 40 || cdr.BillSec != 40 || !cdr.Start.Equal(start) {
					t.Fatalf("cdr start %s end %s duration %d billsec %d, want 40 s ending %s",
						cdr.Start, cdr.End, cdr.Duration, cdr.BillSec, downAt)
				}
				rows := h.queueLog(tc.wantEvent)
				if len(rows) != 1 || rows[0].CallID != c.ID {
					t.Fatalf("%s rows %+v", tc.wantEvent, rows)
				}
				wantData := "40" // talk (COMPLETE*) or wait (ABANDON) seconds
				got := rows[0].Data2
				if tc.waiting {
					got = rows[0].Data3
				}
				if got != wantData {
					t.Errorf("%s row %+v, want %s s", tc.wantEvent, rows[0], wantData)
				}
				h.assertQueueLogBalanced()
				s, ok := h.e.Session("a1")
				if !ok || s.CallID != 0 || s.OnHold || (s.State != core.AgentAvailable && s.State != core.AgentWrapUp) {
					t.Fatalf("a1 after restart %+v %v", s, ok)
				}
				h.assertSessionsStored()
				qs, err := h.e.QueueStats(h.ctx, "sales", start, h.clk.Now())
				must(t, err)
				if tc.waiting && qs.Abandoned != 1 || !tc.waiting && (qs.Completed != 1 || qs.AvgTalk != 40) {
					t.Errorf("queue stats %+v", qs)
				}
			})
		})
	}
}

// A persistent agent whose own line hung up while the gateway was down is
// logged out, with its queue-log row.
func TestRestartLogsOutAgentWhoseLineVanished(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{agents: 1, persist: true})
	h.login("a1")
	s, _ := h.e.Session("a1")

	h.restart(func() { h.hangup(s.ChannelID) })

	if s, ok := h.e.Session("a1"); ok {
		t.Fatalf("a1 still logged in: %+v", s)
	}
	if rows := h.queueLog(core.QLLogout); len(rows) != 1 || rows[0].Agent != "a1" || rows[0].Data3 == "" {
		t.Fatalf("logout rows %+v", rows)
	}
	h.assertSessionsStored()
}

// A manual dial ringing when the gateway died: a customer who answered
// meanwhile is connected to the agent by the new engine; one whose line
// went away is a failed attempt, as of the last time the engine saw it.
func TestRestartResolvesADialThatWasRinging(t *testing.T) {
	for _, answered := range []bool{true, false} {
		t.Run(map[bool]string{true: "answered", false: "gone"}[answered], func(t *testing.T) {
			h := newHarness(t, sqlite(t), harnessOpt{agents: 1})
			h.pbx.SetBehavior("Local/5557777@callgate-outbound", sim.Behavior{Outcome: sim.NoAnswer})
			h.login("a1")
			c, err := h.e.Dial(h.ctx, core.DialRequest{Agent: "a1", Phone: "5557777"})
			must(t, err)
			var customer string
			h.require("customer rung", func() bool {
				cur, ok := h.e.AgentCall("a1")
				customer = cur.ChannelID
				return ok && customer != ""
			})
			h.advance(20 * time.Second)
			downAt := h.clk.Now()

			h.restart(func() {
				if answered {
					must(t, h.pbx.FarAnswer(customer))
				} else {
					must(t, h.pbx.FarHangup(customer, core.CauseNoAnswer))
				}
				h.clk.Advance(time.Hour)
			})

			if !answered {
				got := h.storedCall(c.ID)
				if got.State != core.CallDone || got.HangupBy != "system" || !got.EndedAt.Equal(downAt) {
					t.Fatalf("dial gone while down: %+v", got)
				}
				if rows := h.queueLog(core.QLDialResult); len(rows) != 1 || rows[0].CallID != c.ID {
					t.Fatalf("DIALRESULT rows %+v", rows)
				}
				h.waitState("a1", core.AgentAvailable)
				h.assertSessionsStored()
				return
			}
			h.settle() // a1 linked to the customer
			got := h.callOf("a1")
			if got.ID != c.ID || got.ChannelID != customer {
				t.Fatalf("a1's call after restart %+v", got)
			}
			must(t, h.e.Hangup(h.ctx, "a1"))
			h.waitState("a1", core.AgentAvailable)
			h.assertSessionsStored()
		})
	}
}

// An on-hook agent whose leg hung up while the gateway was down ended the
// call: the customer still waiting on the line is hung up, the queue log
// says the agent completed it.
func TestRestartEndsACallWhoseAgentLegHungUpWhileDown(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{agents: 1})
	h.login("a1")
	caller := h.inbound("5550001")
	c := h.callOf("a1")

	h.restart(func() { h.hangup(c.AgentChannelID) })

	if cs, _ := h.pbx.Channel(caller); !cs.HungUp {
		t.Fatalf("customer left on the line: %+v", cs)
	}
	if rows := h.queueLog(core.QLCompleteAgent); len(rows) != 1 || rows[0].CallID != c.ID {
		t.Fatalf("COMPLETEAGENT rows %+v", rows)
	}
	if s, _ := h.e.Session("a1"); s.CallID != 0 {
		t.Fatalf("a1 still on the call: %+v", s)
	}
	h.assertQueueLogBalanced()
	h.assertSessionsStored()
}

// blindPBX cannot list its channels while blind (Asterisk not reachable
// yet when the engine starts).
type blindPBX struct {
	*sim.PBX
	blind atomic.Bool
}

func (b *blindPBX) Channels(ctx context.Context) ([]core.ChannelInfo, error) {
	if b.blind.Load() {
		return nil, core.ErrNotConnected
	}
	return b.PBX.Channels(ctx)
}

// When the PBX cannot tell at start which calls it still has, the calls are
// kept as stored and judged on the first connection: one that ended while
// the gateway was down is closed as of then, not as of the connection.
func TestRestartWithoutThePBXsViewJudgesCallsOnConnect(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{agents: 1})
	h.login("a1")
	caller := h.inbound("5550001")
	c := h.callOf("a1")
	h.advance(40 * time.Second)
	downAt := h.clk.Now()
	must(t, h.e.Stop(h.ctx))
	h.hangup(caller)
	h.clk.Advance(time.Hour)

	bp := &blindPBX{PBX: h.pbx}
	bp.blind.Store(true)
	h.e = core.New(core.Options{Store: h.st, Tel: bp, Clock: h.clk, DialerInterval: time.Second, Logger: h.log})
	t.Cleanup(func() { _ = h.e.Stop(context.Background()) })
	must(t, h.e.Start(h.ctx))
	h.settle()
	if got, ok := h.e.AgentCall("a1"); !ok || got.ID != c.ID {
		t.Fatalf("call not kept as stored while the PBX is blind: %+v %v", got, ok)
	}
	h.advance(time.Minute) // the connection comes later still
	bp.blind.Store(false)
	h.pbx.SetReady(false)
	h.pbx.SetReady(true)
	h.require("the lost call ended", func() bool { return len(h.e.ActiveCalls()) == 0 })
	var cdr core.CDR
	must(t, h.st.First(h.ctx, &cdr, core.Eq("call_id", c.ID)))
	if !cdr.End.Equal(downAt) || cdr.BillSec != 40 {
		t.Fatalf("cdr end %s billsec %d, want %s and 40", cdr.End, cdr.BillSec, downAt)
	}
	if rows := h.queueLog(core.QLCompleteCaller); len(rows) != 1 {
		t.Fatalf("COMPLETECALLER rows %+v", rows)
	}
	h.waitState("a1", core.AgentAvailable)
	h.assertQueueLogBalanced()
	h.assertSessionsStored()
}

// A waiting caller keeps what was left of its queue's maximum wait: the
// time waited before and during the downtime counts.
func TestRestartKeepsTheRestOfTheMaximumWait(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{agents: 1, maxWait: 60})
	h.login("a1")
	must(t, h.e.Pause(h.ctx, "a1", ""))
	h.inbound("5550001")
	h.require("caller waiting", func() bool { return len(h.e.Waiting("sales")) == 1 })
	h.advance(20 * time.Second)

	h.restart(func() { h.clk.Advance(10 * time.Second) })

	h.advance(29 * time.Second)
	if n := len(h.e.Waiting("sales")); n != 1 {
		t.Fatalf("%d callers waiting 59 s into a 60 s maximum wait", n)
	}
	h.advance(time.Second)
	if n := len(h.e.Waiting("sales")); n != 0 {
		t.Fatalf("%d callers still waiting after the maximum wait", n)
	}
	if rows := h.queueLog(core.QLExitTimeout); len(rows) != 1 {
		t.Fatalf("EXITWITHTIMEOUT rows %+v", rows)
	}
	h.assertQueueLogBalanced()
}

// A persistent agent whose caller hung up while the gateway was down gets
// its line back and the next waiting caller at once.
func TestRestartGivesAPersistentAgentTheNextWaitingCaller(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{agents: 1, persist: true})
	h.login("a1")
	first := h.inbound("5550001")
	talking := h.callOf("a1")
	next := h.inbound("5550002")
	h.require("second caller waiting", func() bool { return len(h.e.Waiting("sales")) == 1 })
	s, _ := h.e.Session("a1")

	h.restart(func() { h.hangup(first) })

	got := h.callOf("a1")
	if got.ChannelID != next || got.ID == talking.ID {
		t.Fatalf("a1 after restart on %+v, want the waiting caller %s", got, next)
	}
	if cs, _ := h.pbx.Channel(s.ChannelID); cs.HungUp || cs.Bridge != got.BridgeID {
		t.Fatalf("a1's line %+v, want it in %s", cs, got.BridgeID)
	}
	if rows := h.queueLog(core.QLCompleteCaller); len(rows) != 1 || rows[0].CallID != talking.ID {
		t.Fatalf("COMPLETECALLER rows %+v", rows)
	}
	h.hangup(next)
	h.waitState("a1", core.AgentAvailable)
	if cs, _ := h.pbx.Channel(s.ChannelID); cs.Bridge != s.BridgeID {
		t.Fatalf("a1's line %+v, want it home in %s", cs, s.BridgeID)
	}
	h.assertQueueLogBalanced()
	h.assertSessionsStored()
}

// A blind transfer still ringing its target when the gateway died is
// completed by the new engine when the target answered meanwhile.
func TestRestartCompletesABlindTransferAnsweredWhileDown(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{agents: 1})
	h.pbx.SetBehavior("Local/5554444@callgate-outbound", sim.Behavior{Outcome: sim.NoAnswer})
	h.login("a1")
	caller := h.inbound("5550001")
	c := h.callOf("a1")
	must(t, h.e.Transfer(h.ctx, "a1", core.TransferRequest{Kind: core.TransferBlind, Target: "5554444"}))
	h.waitState("a1", core.AgentAvailable)
	var leg string
	h.require("transfer leg ringing", func() bool {
		for _, x := range h.e.ActiveCalls() {
			if x.ID == c.ID {
				leg = x.ConsultChannel
			}
		}
		return leg != ""
	})

	h.restart(func() { must(t, h.pbx.FarAnswer(leg)) })

	cs, _ := h.pbx.Channel(caller)
	b, _ := h.pbx.Bridge(c.BridgeID)
	if cs.Bridge != c.BridgeID || cs.MOH != "" || !slices.Contains(b.Channels, leg) {
		t.Fatalf("customer %+v, bridge %+v: want the customer with the transfer target %s", cs, b, leg)
	}
	if s, _ := h.e.Session("a1"); s.CallID != 0 || s.State != core.AgentAvailable {
		t.Fatalf("a1 after restart %+v", s)
	}
	h.hangup(caller)
	h.require("call ended", func() bool { return len(h.e.ActiveCalls()) == 0 })
	if got := h.storedCall(c.ID); got.State != core.CallDone {
		t.Fatalf("call after the customer hung up: %+v", got)
	}
	h.assertQueueLogBalanced()
	h.assertSessionsStored()
}
