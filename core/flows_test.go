package core_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

// The whole inbound life cycle, on every database: queue -> agent -> talk
// -> caller hangs up -> wrap-up -> available, with the queue log and CDR.
func TestInboundCallLifeCycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		h := newHarness(t, st, harnessOpt{strategy: core.StrategyRRMemory, wrapUp: 1})
		sub, err := h.e.Bus().Subscribe(0, 256)
		must(t, err)
		defer sub.Close()
		h.login("a1")
		ch := h.inbound("5551234")
		c := h.callOf("a1")
		if c.Queue != "sales" || c.Phone != "5551234" || c.Direction != core.CallInbound {
			t.Fatalf("call = %+v", c)
		}
		if c.GUID == "" || c.UniqueID == "" {
			t.Fatalf("call ids missing: %+v", c)
		}
		cs, _ := h.pbx.Channel(ch)
		if cs.Bridge != c.BridgeID || c.BridgeID == "" {
			t.Fatalf("customer not bridged: %+v", cs)
		}
		must(t, h.pbx.FarHangup(ch, core.CauseNormal))
		h.settle()
		if st := h.state("a1"); st != core.AgentWrapUp {
			t.Fatalf("a1 %s after the call, want wrap-up", st)
		}
		h.advance(999 * time.Millisecond)
		if st := h.state("a1"); st != core.AgentWrapUp {
			t.Fatalf("a1 %s before the wrap-up time, want wrap-up", st)
		}
		h.advance(time.Millisecond)
		if st := h.state("a1"); st != core.AgentAvailable {
			t.Fatalf("a1 %s after the wrap-up time, want available", st)
		}
		for _, ev := range []string{core.QLLogin, core.QLEnterQueue, core.QLRinging, core.QLConnect, core.QLCompleteCaller, core.QLWrapUpStart, core.QLWrapUpEnd} {
			if len(h.queueLog(ev)) == 0 {
				t.Errorf("queue log has no %s", ev)
			}
		}
		var cdr core.CDR
		must(t, st.First(h.ctx, &cdr, core.Eq("call_id", c.ID)))
		if cdr.Disposition != "ANSWERED" || cdr.Agent != "a1" {
			t.Errorf("cdr = %+v", cdr)
		}
		got, err := h.e.Call(h.ctx, c.ID)
		must(t, err)
		if got.State != core.CallDone || got.HangupBy != "caller" {
			t.Errorf("ended call = %+v", got)
		}
		// Events are published under the engine's lock: once settled,
		// every one is in the subscription's buffer.
		h.settle()
		seen := map[string]bool{}
	drain:
		for {
			select {
			case ev := <-sub.C():
				seen[ev.Type] = true
			default:
				break drain
			}
		}
		for _, want := range []string{"agent.logged_in", "call.progress", "call.ringing", "call.linked", "call.unlinked"} {
			if !seen[want] {
				t.Errorf("no %s event", want)
			}
		}
	})
}

// Each strategy picks the agent it promises.
func TestACDStrategiesPickTheRightAgent(t *testing.T) {
	cases := []struct {
		strategy core.QueueStrategy
		prepare  func(h *harness)
		want     []string // acceptable agents for the next call
	}{
		{core.StrategyLinear, nil, []string{"a1"}},
		{core.StrategyRRMemory, func(h *harness) { h.talk("a1") }, []string{"a2"}},
		{core.StrategyLeastRecent, func(h *harness) { h.talk("a1") }, []string{"a2", "a3"}},
		{core.StrategyFewestCalls, func(h *harness) { h.talk("a1"); h.talk("a2") }, []string{"a3"}},
		{core.StrategyRandom, nil, []string{"a1", "a2", "a3"}},
		{core.StrategyRingAll, nil, []string{"a1", "a2", "a3"}},
	}
	for _, tc := range cases {
		t.Run(string(tc.strategy), func(t *testing.T) {
			h := newHarness(t, sqlite(t), harnessOpt{strategy: tc.strategy})
			h.login("a1", "a2", "a3")
			if tc.prepare != nil {
				tc.prepare(h)
			}
			h.inbound("5550001")
			var got string
			h.require("a call connected", func() bool {
				for _, u := range []string{"a1", "a2", "a3"} {
					if c, ok := h.e.AgentCall(u); ok && c.State == core.CallConnected {
						got = u
						return true
					}
				}
				return false
			})
			ok := false
			for _, w := range tc.want {
				ok = ok || w == got
			}
			if !ok {
				t.Fatalf("%s gave the call to %s, want one of %v", tc.strategy, got, tc.want)
			}
		})
	}
}

// talk gives user one complete call: (only that agent free), then frees it.
func (h *harness) talk(user string) {
	h.t.Helper()
	var paused []string
	for _, u := range []string{"a1", "a2", "a3"} {
		if u != user && h.state(u) == core.AgentAvailable {
			must(h.t, h.e.Pause(h.ctx, u, ""))
			paused = append(paused, u)
		}
	}
	ch := h.inbound("5559999")
	h.callOf(user)
	must(h.t, h.pbx.FarHangup(ch, core.CauseNormal))
	h.waitState(user, core.AgentAvailable)
	for _, u := range paused {
		must(h.t, h.e.Unpause(h.ctx, u))
	}
	h.advance(time.Second) // distinct LastCallEnd stamps for leastrecent
}

// Ringall rings every free agent; the first to answer gets the call and
// the others stop ringing.
func TestRingAllFirstAnswerWins(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{strategy: core.StrategyRingAll})
	h.pbx.SetBehavior("PJSIP/*", sim.Behavior{Outcome: sim.NoAnswer})
	h.login("a1", "a2")
	h.inbound("5550002")
	h.waitState("a1", core.AgentRinging)
	h.waitState("a2", core.AgentRinging)
	var offer string
	for _, op := range h.pbx.Ops() {
		if op.Name == "originate" && op.Target != "" {
			if st, ok := h.pbx.Channel(op.Target); ok && st.Endpoint == "PJSIP/a2" {
				offer = op.Target
			}
		}
	}
	if offer == "" {
		t.Fatalf("no offer channel to a2 in %v", h.pbx.Ops())
	}
	must(t, h.pbx.FarAnswer(offer))
	h.callOf("a2")
	h.waitState("a1", core.AgentAvailable)
}

// An agent who does not answer is skipped and the call goes to the next.
func TestRingNoAnswerMovesToNextAgent(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{strategy: core.StrategyLinear, ring: 1})
	h.pbx.SetBehavior("PJSIP/a1", sim.Behavior{Outcome: sim.NoAnswer})
	h.login("a1", "a2")
	h.inbound("5550003")
	h.settle()
	if st := h.state("a1"); st != core.AgentRinging {
		t.Fatalf("a1 %s, want ringing first", st)
	}
	h.advance(time.Second) // a1's ring timeout
	c := h.callOf("a2")
	if len(h.queueLog(core.QLRingNoAnswer)) == 0 {
		t.Fatal("no RINGNOANSWER row")
	}
	if h.state("a1") != core.AgentAvailable {
		t.Fatalf("a1 left in %s", h.state("a1"))
	}
	_ = c
}

// A caller hanging up while waiting is an abandon.
func TestCallerHangupWhileWaitingIsAbandon(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	ch := h.inbound("5550004")
	h.require("call waiting", func() bool { return len(h.e.Waiting("sales")) == 1 })
	must(t, h.pbx.FarHangup(ch, core.CauseNormal))
	h.require("abandon row", func() bool { return len(h.queueLog(core.QLAbandon)) == 1 })
	if n := len(h.e.Waiting("sales")); n != 0 {
		t.Fatalf("%d calls still waiting", n)
	}
	var c core.Call
	must(t, h.st.First(h.ctx, &c, core.Eq("phone", "5550004")))
	if !c.Abandoned || c.State != core.CallDone {
		t.Fatalf("call = %+v", c)
	}
}

// A waiting call is served as soon as an agent logs in.
func TestWaitingCallServedWhenAgentLogsIn(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	h.inbound("5550005")
	h.require("call waiting", func() bool { return len(h.e.Waiting("sales")) == 1 })
	must(t, h.e.Login(h.ctx, "a3", core.LoginOptions{}))
	h.callOf("a3")
}

// A paused agent gets no calls; unpausing delivers the waiting one.
func TestPausedAgentGetsNoCallUntilUnpaused(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	h.login("a1")
	must(t, h.e.Pause(h.ctx, "a1", "LUNCH"))
	if err := h.e.Pause(h.ctx, "a1", "NOPE"); !errors.Is(err, core.ErrUnknownPause) {
		t.Fatalf("unknown pause code: %v", err)
	}
	h.inbound("5550006")
	h.require("call waiting", func() bool { return len(h.e.Waiting("sales")) == 1 })
	h.advance(time.Minute)
	if _, ok := h.e.AgentCall("a1"); ok {
		t.Fatal("paused agent got a call")
	}
	must(t, h.e.Unpause(h.ctx, "a1"))
	h.callOf("a1")
	if rows := h.queueLog(core.QLPause); len(rows) != 1 || rows[0].Data1 != "LUNCH" {
		t.Fatalf("pause rows = %+v", rows)
	}
}

// Logout during a call waits for the call to end.
func TestLogoutWhileOnCallIsDeferred(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	h.login("a1")
	ch := h.inbound("5550007")
	h.callOf("a1")
	deferred, err := h.e.Logout(h.ctx, "a1", "api")
	must(t, err)
	if !deferred {
		t.Fatal("logout not deferred")
	}
	if h.state("a1") != core.AgentOnCall {
		t.Fatalf("state %s", h.state("a1"))
	}
	must(t, h.pbx.FarHangup(ch, core.CauseNormal))
	h.waitState("a1", core.AgentOffline)
	if len(h.queueLog(core.QLLogout)) != 1 {
		t.Fatal("no logout row")
	}
}

// An agent places a call: the agent's phone rings first, then the customer.
func TestManualDialConnectsAgentAndCustomer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		h := newHarness(t, st, harnessOpt{})
		h.login("a1")
		c, err := h.e.Dial(h.ctx, core.DialRequest{Agent: "a1", Phone: "5557777"})
		must(t, err)
		got := h.callOf("a1")
		if got.ID != c.ID || got.Direction != core.CallManual {
			t.Fatalf("call = %+v", got)
		}
		must(t, h.e.Hangup(h.ctx, "a1"))
		h.waitState("a1", core.AgentAvailable)
		cs, _ := h.pbx.Channel(got.ChannelID)
		if !cs.HungUp {
			t.Fatal("customer channel still up after agent hangup")
		}
		if _, err := h.e.Dial(h.ctx, core.DialRequest{Agent: "a2", Phone: "1"}); !errors.Is(err, core.ErrNotLoggedIn) {
			t.Fatalf("dial for logged-out agent: %v", err)
		}
	})
}

// A busy customer ends the manual call with status B and frees the agent.
func TestManualDialBusy(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	h.pbx.SetBehavior("Local/5558888@callgate-outbound", sim.Behavior{Outcome: sim.Busy})
	h.login("a1")
	c, err := h.e.Dial(h.ctx, core.DialRequest{Agent: "a1", Phone: "5558888"})
	must(t, err)
	h.require("call ended", func() bool {
		got, err := h.e.Call(h.ctx, c.ID)
		return err == nil && got.State == core.CallDone && got.Status == "B"
	})
	h.waitState("a1", core.AgentAvailable)
}

// Do-not-call numbers are refused.
func TestDialRefusesDNC(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	h.login("a1")
	must(t, h.e.AddDNC(h.ctx, "555-0000", "", "test"))
	if _, err := h.e.Dial(h.ctx, core.DialRequest{Agent: "a1", Phone: "5550000"}); !errors.Is(err, core.ErrDNC) {
		t.Fatalf("err = %v", err)
	}
}

func TestHoldAndUnhold(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	h.login("a1")
	ch := h.inbound("5550008")
	c := h.callOf("a1")
	must(t, h.e.HoldCall(h.ctx, "a1"))
	cs, _ := h.pbx.Channel(ch)
	if cs.Bridge != "" || cs.MOH == "" {
		t.Fatalf("held customer: %+v", cs)
	}
	if err := h.e.HoldCall(h.ctx, "a1"); !errors.Is(err, core.ErrAlreadyOnHold) {
		t.Fatalf("double hold: %v", err)
	}
	must(t, h.e.UnholdCall(h.ctx, "a1"))
	cs, _ = h.pbx.Channel(ch)
	if cs.Bridge != c.BridgeID || cs.MOH != "" {
		t.Fatalf("unheld customer: %+v", cs)
	}
	if len(h.queueLog(core.QLHold)) != 1 || len(h.queueLog(core.QLUnhold)) != 1 {
		t.Fatal("hold rows missing")
	}
}

func TestParkAndGrab(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	h.login("a1")
	ch := h.inbound("5550009")
	c := h.callOf("a1")
	must(t, h.e.Park(h.ctx, "a1"))
	if cs, _ := h.pbx.Channel(ch); cs.MOH == "" || cs.Bridge != "" {
		t.Fatalf("parked: %+v", cs)
	}
	must(t, h.e.Grab(h.ctx, "a1"))
	if cs, _ := h.pbx.Channel(ch); cs.Bridge != c.BridgeID {
		t.Fatalf("grabbed: %+v", cs)
	}
}

// Blind transfer: the agent is released at once; the customer ends up
// bridged with the target.
func TestBlindTransfer(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{wrapUp: 0})
	h.login("a1")
	ch := h.inbound("5550010")
	c := h.callOf("a1")
	must(t, h.e.Transfer(h.ctx, "a1", core.TransferRequest{Kind: core.TransferBlind, Target: "5553333"}))
	h.waitState("a1", core.AgentAvailable)
	h.require("customer bridged with target", func() bool {
		b, ok := h.pbx.Bridge(c.BridgeID)
		cs, _ := h.pbx.Channel(ch)
		return ok && len(b.Channels) == 2 && cs.Bridge == c.BridgeID && cs.MOH == ""
	})
	if rows := h.queueLog(core.QLTransfer); len(rows) != 1 || rows[0].Data1 != "5553333" {
		t.Fatalf("transfer rows %+v", rows)
	}
}

// Attended transfer: consult with the customer on hold, then complete.
func TestAttendedTransfer(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	h.login("a1")
	ch := h.inbound("5550011")
	c := h.callOf("a1")
	must(t, h.e.Transfer(h.ctx, "a1", core.TransferRequest{Kind: core.TransferAttended, Target: "5554444"}))
	h.require("consult leg bridged", func() bool {
		b, _ := h.pbx.Bridge(c.BridgeID)
		cs, _ := h.pbx.Channel(ch)
		return len(b.Channels) == 2 && cs.Bridge == "" && cs.MOH != ""
	})
	must(t, h.e.CompleteTransfer(h.ctx, "a1"))
	h.waitState("a1", core.AgentAvailable)
	b, _ := h.pbx.Bridge(c.BridgeID)
	cs, _ := h.pbx.Channel(ch)
	if cs.Bridge != c.BridgeID || len(b.Channels) != 2 {
		t.Fatalf("after complete: bridge %+v customer %+v", b, cs)
	}
}

// A transfer to a queue puts the caller back in line for another agent.
func TestTransferToQueue(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{strategy: core.StrategyLinear})
	h.login("a1")
	h.inbound("5550012")
	h.callOf("a1")
	must(t, h.e.Pause(h.ctx, "a1", ""))
	h.login("a2")
	must(t, h.e.Transfer(h.ctx, "a1", core.TransferRequest{Kind: core.TransferQueue, Queue: "sales"}))
	h.callOf("a2")
}

func TestRecordingStartStop(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	h.login("a1")
	h.inbound("5550013")
	c := h.callOf("a1")
	rec, err := h.e.StartRecording(h.ctx, "a1")
	must(t, err)
	if rs, ok := h.pbx.Recording(rec.Name); !ok || rs.Target.ID != c.BridgeID {
		t.Fatalf("pbx recording %+v %v", rs, ok)
	}
	stopped, err := h.e.StopRecording(h.ctx, "a1")
	must(t, err)
	if stopped.End == nil || stopped.Status != "done" {
		t.Fatalf("stopped = %+v", stopped)
	}
	var stored core.Recording
	must(t, h.st.First(h.ctx, &stored, core.Eq("guid", rec.GUID)))
	if stored.CallID != c.ID || stored.DayFolder == "" || stored.Format != "wav" {
		t.Fatalf("stored = %+v", stored)
	}
	if _, err := h.e.StopRecording(h.ctx, "a1"); !errors.Is(err, core.ErrNotRecording) {
		t.Fatalf("second stop: %v", err)
	}
}

func TestSendDTMFAndPlayback(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	h.login("a1")
	ch := h.inbound("5550014")
	h.callOf("a1")
	must(t, h.e.SendDTMF(h.ctx, "a1", "12#"))
	if cs, _ := h.pbx.Channel(ch); cs.DTMFSent != "12#" {
		t.Fatalf("dtmf sent %q", cs.DTMFSent)
	}
	id, err := h.e.Play(h.ctx, "a1", "hello-world")
	must(t, err)
	must(t, h.e.ControlPlayback(h.ctx, "a1", core.PlaybackPause))
	if pb, _ := h.pbx.Playback(id); !pb.Paused {
		t.Fatalf("playback %+v", pb)
	}
	must(t, h.e.ControlPlayback(h.ctx, "a1", core.PlaybackStop))
	if err := h.e.ControlPlayback(h.ctx, "a1", core.PlaybackStop); !errors.Is(err, core.ErrNoPlayback) {
		t.Fatalf("stop again: %v", err)
	}
}

// Hangup with no call is refused, not silently accepted.
func TestHangupWithoutCall(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	h.login("a1")
	if err := h.e.Hangup(h.ctx, "a1"); !errors.Is(err, core.ErrNoCall) {
		t.Fatalf("err = %v", err)
	}
}

// A persistent agent's phone is called at login and calls are bridged in
// without ringing it again.
func TestPersistentAgent(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{persist: true})
	h.login("a1")
	s, _ := h.e.Session("a1")
	if s.ChannelID == "" || s.BridgeID == "" {
		t.Fatalf("session %+v", s)
	}
	ch := h.inbound("5550015")
	c := h.callOf("a1")
	if cs, _ := h.pbx.Channel(s.ChannelID); cs.Bridge != c.BridgeID {
		t.Fatalf("agent channel in %q, call bridge %q", cs.Bridge, c.BridgeID)
	}
	must(t, h.pbx.FarHangup(ch, core.CauseNormal))
	h.waitState("a1", core.AgentAvailable)
	if cs, _ := h.pbx.Channel(s.ChannelID); cs.Bridge != s.BridgeID || cs.HungUp {
		t.Fatalf("agent channel after call: %+v", cs)
	}
	// The agent hanging up its own phone logs it out.
	must(t, h.pbx.FarHangup(s.ChannelID, core.CauseNormal))
	h.waitState("a1", core.AgentOffline)
}

// A login whose phone does not answer fails and leaves the agent out.
func TestPersistentLoginFailsWhenPhoneBusy(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{persist: true})
	h.pbx.SetBehavior("PJSIP/a1", sim.Behavior{Outcome: sim.Busy})
	must(t, h.e.Login(h.ctx, "a1", core.LoginOptions{}))
	h.require("login failed", func() bool { _, ok := h.e.Session("a1"); return !ok })
}

// After a PBX restart calls the PBX lost are ended, not left dangling.
func TestPBXRestartReconcilesCalls(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	h.login("a1")
	h.inbound("5550016")
	c := h.callOf("a1")
	h.pbx.Restart()
	h.require("call ended", func() bool {
		got, err := h.e.Call(h.ctx, c.ID)
		return err == nil && got.State == core.CallDone
	})
	h.waitState("a1", core.AgentAvailable)
}

// Progressive dialing calls the campaign's leads for free agents, retries
// a busy lead later, and connects answered calls to the agent.
func TestProgressiveDialerWithRetries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		h := newHarness(t, st, harnessOpt{})
		camp := core.Campaign{Name: "PROG", Type: core.CampaignOutbound, DialMethod: core.DialProgressive, Active: true, MaxRetries: 2, RetryDelay: 0}
		must(t, st.Create(h.ctx, &camp))
		must(t, h.e.Reload(h.ctx))
		busy := core.Lead{Campaign: "PROG", PhoneNumber: "5551000", Priority: 10}
		must(t, h.e.AddLead(h.ctx, &busy, core.AddLeadOptions{}))
		h.pbx.SetBehavior("Local/5551000@callgate-outbound", sim.Behavior{Outcome: sim.Busy})
		must(t, h.e.Login(h.ctx, "a1", core.LoginOptions{Campaign: "PROG"}))
		h.advance(2 * time.Second) // two dialer ticks: two busy attempts
		if l, _ := h.e.Lead(h.ctx, busy.ID); l.CalledCount != 2 {
			t.Fatalf("busy lead called %d times in two ticks, want 2", l.CalledCount)
		}
		h.pbx.ClearBehavior("Local/5551000@callgate-outbound")
		h.advance(time.Second)
		c := h.callOf("a1")
		if c.LeadID != busy.ID || c.Direction != core.CallOutbound {
			t.Fatalf("connected call %+v", c)
		}
		must(t, h.e.Hangup(h.ctx, "a1"))
		must(t, h.e.SetDisposition(h.ctx, "a1", core.DispositionRequest{Status: "SALE", CallID: c.ID}))
		l, _ := h.e.Lead(h.ctx, busy.ID)
		if l.Status != "SALE" {
			t.Fatalf("lead status %q", l.Status)
		}
	})
}

// A disposition with a callback schedules it; the dialer places it to the
// agent when due.
func TestCallbackIsPlacedWhenDue(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	lead := core.Lead{Campaign: "OUT1", PhoneNumber: "5552000"}
	must(t, h.e.AddLead(h.ctx, &lead, core.AddLeadOptions{}))
	h.login("a1")
	c, err := h.e.Dial(h.ctx, core.DialRequest{Agent: "a1", Phone: "5552000", LeadID: lead.ID})
	must(t, err)
	h.callOf("a1")
	must(t, h.e.Hangup(h.ctx, "a1"))
	when := h.clk.Now().Add(90 * time.Second)
	must(t, h.e.SetDisposition(h.ctx, "a1", core.DispositionRequest{Status: "CALLBK", CallID: c.ID, CallbackAt: &when, CallbackAgentOnly: true}))
	h.advance(89 * time.Second)
	if cur, ok := h.e.AgentCall("a1"); ok {
		t.Fatalf("callback placed before it was due: %+v", cur)
	}
	h.advance(time.Second)
	cur, ok := h.e.AgentCall("a1")
	if !ok || cur.ScheduledID == 0 || cur.State != core.CallConnected {
		t.Fatalf("due callback not connected: %+v %v", cur, ok)
	}
}

// An agent dialing a lead by id counts an attempt on it, as the dialer's
// own calls do (VICIdial increments called_count on every manual dial).
func TestManualDialOfALeadCountsTheAttempt(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	lead := core.Lead{Campaign: "OUT1", PhoneNumber: "5552100"}
	must(t, h.e.AddLead(h.ctx, &lead, core.AddLeadOptions{}))
	h.login("a1")
	_, err := h.e.Dial(h.ctx, core.DialRequest{Agent: "a1", Phone: "5552100", LeadID: lead.ID})
	must(t, err)
	h.callOf("a1")
	h.settle()
	got, err := h.e.Lead(h.ctx, lead.ID)
	must(t, err)
	if got.CalledCount != 1 || got.LastCalledAt == nil || got.Status != core.StatusInCall {
		t.Fatalf("lead after a manual dial: count %d, last %v, status %q", got.CalledCount, got.LastCalledAt, got.Status)
	}
}

// Reports are computed from the queue log.
func TestQueueStatsFromQueueLog(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	h.login("a1")
	ch := h.inbound("5550020")
	h.callOf("a1")
	must(t, h.pbx.FarHangup(ch, core.CauseNormal))
	h.waitState("a1", core.AgentAvailable)
	must(t, h.e.Pause(h.ctx, "a1", "LUNCH"))
	ab := h.inbound("5550021")
	h.require("waiting", func() bool { return len(h.e.Waiting("sales")) == 1 })
	must(t, h.pbx.FarHangup(ab, core.CauseNormal))
	h.require("abandon", func() bool { return len(h.queueLog(core.QLAbandon)) == 1 })
	must(t, h.e.Unpause(h.ctx, "a1"))
	since := h.clk.Now().Add(-time.Minute)
	st, err := h.e.QueueStats(h.ctx, "sales", since, h.clk.Now().Add(time.Minute))
	must(t, err)
	if st.Offered != 2 || st.Answered != 1 || st.Abandoned != 1 || st.Completed != 1 || st.WithinSL != 1 {
		t.Fatalf("stats = %+v", st)
	}
	act, err := h.e.AgentActivity(h.ctx, "a1", since, h.clk.Now().Add(time.Minute))
	must(t, err)
	if act.Calls != 1 || act.Logins != 1 || act.Pauses != 1 {
		t.Fatalf("activity = %+v", act)
	}
}

// Predictive pacing dials more lines than free agents; extra answered calls
// wait in the campaign queue.
func TestPredictiveDialerOverdials(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	camp := core.Campaign{Name: "PRED", Type: core.CampaignOutbound, DialMethod: core.DialPredictive, DialRatio: 2, Active: true, MaxRetries: 1}
	must(t, h.st.Create(h.ctx, &camp))
	must(t, h.e.Reload(h.ctx))
	for i := 0; i < 4; i++ {
		l := core.Lead{Campaign: "PRED", PhoneNumber: fmt.Sprintf("555300%d", i)}
		must(t, h.e.AddLead(h.ctx, &l, core.AddLeadOptions{}))
	}
	h.pbx.SetBehavior("Local/*", sim.Behavior{Outcome: sim.NoAnswer})
	must(t, h.e.Login(h.ctx, "a1", core.LoginOptions{Campaign: "PRED"}))
	h.advance(time.Second)
	if n := len(h.e.ActiveCalls()); n != 2 {
		t.Fatalf("%d lines for one agent, want 2", n)
	}
}

// A supervisor can listen to an agent's call through a snoop channel.
func TestSupervisorSnoop(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	h.login("a1")
	h.inbound("5550022")
	c := h.callOf("a1")
	must(t, h.e.Snoop(h.ctx, "PJSIP/sup", "a1", "whisper"))
	h.require("snoop bridged with supervisor", func() bool {
		bs, _ := h.pbx.Bridges(h.ctx)
		for _, b := range bs {
			if len(b.Channels) == 2 && b.ID != c.BridgeID {
				return true
			}
		}
		return false
	})
	if err := h.e.Snoop(h.ctx, "PJSIP/sup", "a1", "shout"); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("bad mode: %v", err)
	}
}

// A restarted gateway picks up logged-in agents from the store.
func TestEngineRestartRestoresSessions(t *testing.T) {
	st := sqlite(t)
	h := newHarness(t, st, harnessOpt{})
	h.login("a1")
	must(t, h.e.Pause(h.ctx, "a1", "LUNCH"))
	must(t, h.e.Stop(h.ctx))
	e2 := core.New(core.Options{Store: st, Tel: sim.New("sim-1")})
	must(t, e2.Start(h.ctx))
	defer e2.Stop(h.ctx)
	s, ok := e2.Session("a1")
	if !ok || !s.Paused || s.PauseCode != "LUNCH" || s.State != core.AgentAvailable {
		t.Fatalf("restored session %+v %v", s, ok)
	}
}

// An agent's phone dialing into the application logs the agent in with
// that line as its persistent channel.
func TestAgentPhoneDialInLogsIn(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	line := h.pbx.InjectInbound("9001", "9001", "agent", "9001")
	h.waitState("a1", core.AgentAvailable)
	s, _ := h.e.Session("a1")
	if s.ChannelID != line || s.BridgeID == "" {
		t.Fatalf("session %+v", s)
	}
	ch := h.inbound("5550030")
	c := h.callOf("a1")
	if cs, _ := h.pbx.Channel(line); cs.Bridge != c.BridgeID {
		t.Fatalf("agent line in %q, call in %q", cs.Bridge, c.BridgeID)
	}
	must(t, h.pbx.FarHangup(ch, core.CauseNormal))
	// An unknown extension is refused.
	bad := h.pbx.InjectInbound("1", "77", "agent", "77")
	h.require("unknown agent line hung up", func() bool { cs, _ := h.pbx.Channel(bad); return cs.HungUp })
}

// MANUALNEXT-style dialing takes the campaign's next lead for the agent.
func TestDialNextLeadDialsTheCampaignsNextLead(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	low := core.Lead{Campaign: "OUT1", PhoneNumber: "5556001", Priority: 1}
	high := core.Lead{Campaign: "OUT1", PhoneNumber: "5556002", Priority: 9}
	must(t, h.e.AddLead(h.ctx, &low, core.AddLeadOptions{}))
	must(t, h.e.AddLead(h.ctx, &high, core.AddLeadOptions{}))
	h.login("a1")
	c, err := h.e.DialNextLead(h.ctx, core.DialRequest{Agent: "a1"})
	must(t, err)
	if c.LeadID != high.ID || c.Phone != "5556002" {
		t.Fatalf("dialed %+v, want lead %d", c, high.ID)
	}
	h.callOf("a1")
	l, _ := h.e.Lead(h.ctx, high.ID)
	if l.CalledCount != 1 {
		t.Fatalf("called_count %d", l.CalledCount)
	}
}

// Transfers to agents: blind hands the call to the agent through the ACD;
// attended brings the agent in and CompleteTransfer passes the call over;
// through a queue, a free member is chosen.
func TestTransferToAgent(t *testing.T) {
	for _, persist := range []bool{false, true} {
		t.Run(fmt.Sprintf("persistent=%v", persist), func(t *testing.T) {
			h := newHarness(t, sqlite(t), harnessOpt{persist: persist, strategy: core.StrategyLinear})
			h.login("a1")
			ch := h.inbound("5550050")
			h.callOf("a1")
			h.login("a2", "a3")

			// Attended to a2, cancelled: a2 is free again, a1 keeps the caller.
			must(t, h.e.Transfer(h.ctx, "a1", core.TransferRequest{Kind: core.TransferAttended, Agent: "a2"}))
			h.waitState("a2", core.AgentOnCall)
			must(t, h.e.CancelTransfer(h.ctx, "a1"))
			h.waitState("a2", core.AgentAvailable)
			if cs, _ := h.pbx.Channel(ch); cs.MOH != "" || cs.HungUp {
				t.Fatalf("caller after cancel: %+v", cs)
			}
			if s, _ := h.e.Session("a2"); persist && s.ChannelID != "" {
				if cs, _ := h.pbx.Channel(s.ChannelID); cs.HungUp || cs.Bridge != s.BridgeID {
					t.Fatalf("a2 line after cancel: %+v", cs)
				}
			}

			// Conference through the queue (a free member is picked), then completed.
			must(t, h.e.Transfer(h.ctx, "a1", core.TransferRequest{Kind: core.TransferConference, Queue: "sales"}))
			h.waitState("a2", core.AgentOnCall)
			must(t, h.e.CompleteTransfer(h.ctx, "a1"))
			h.waitState("a1", core.AgentAvailable)
			c, ok := h.e.AgentCall("a2")
			if !ok || c.Agent != "a2" {
				t.Fatalf("a2 call %+v %v", c, ok)
			}

			// Blind from a2 to a3 through the ACD offer path.
			must(t, h.e.Transfer(h.ctx, "a2", core.TransferRequest{Kind: core.TransferBlind, Agent: "a3"}))
			h.waitState("a2", core.AgentAvailable)
			c3 := h.callOf("a3")
			if c3.ID != c.ID {
				t.Fatalf("a3 got call %d, want %d", c3.ID, c.ID)
			}
			must(t, h.pbx.FarHangup(ch, core.CauseNormal))
			h.waitState("a3", core.AgentAvailable)
			if err := h.e.Transfer(h.ctx, "a1", core.TransferRequest{Kind: core.TransferBlind, Agent: "a2"}); !errors.Is(err, core.ErrNoCall) {
				t.Fatalf("transfer without call: %v", err)
			}
		})
	}
}

// A blind transfer to an agent who is not free waits for that agent.
func TestBlindTransferToBusyAgentWaitsForIt(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	h.login("a1")
	ch := h.inbound("5550051")
	c := h.callOf("a1")
	must(t, h.e.Transfer(h.ctx, "a1", core.TransferRequest{Kind: core.TransferBlind, Agent: "a2"}))
	h.waitState("a1", core.AgentAvailable)
	h.require("waiting for a2", func() bool { return len(h.e.Waiting("agent:a2")) == 1 })
	must(t, h.e.Login(h.ctx, "a2", core.LoginOptions{}))
	if got := h.callOf("a2"); got.ID != c.ID {
		t.Fatalf("a2 got %d want %d", got.ID, c.ID)
	}
	must(t, h.pbx.FarHangup(ch, core.CauseNormal))
}

// Failed attempts rotate through the lead's numbers: phone, alt_phone,
// address3, then the extra LeadPhone numbers.
func TestDialerRotatesThroughTheLeadsNumbers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		h := newHarness(t, st, harnessOpt{})
		camp := core.Campaign{Name: "ROT", Type: core.CampaignOutbound, DialMethod: core.DialProgressive, Active: true, MaxRetries: 5}
		must(t, st.Create(h.ctx, &camp))
		must(t, h.e.Reload(h.ctx))
		l := core.Lead{Campaign: "ROT", PhoneNumber: "5557001", AltPhone: "5557002"}
		must(t, h.e.AddLead(h.ctx, &l, core.AddLeadOptions{}))
		must(t, st.Create(h.ctx, &core.LeadPhone{LeadID: l.ID, Phone: "5557003", Order: 1}))
		for _, n := range []string{"5557001", "5557002"} {
			h.pbx.SetBehavior("Local/"+n+"@callgate-outbound", sim.Behavior{Outcome: sim.Busy})
		}
		must(t, h.e.Login(h.ctx, "a1", core.LoginOptions{Campaign: "ROT"}))
		h.advance(3 * time.Second) // one attempt per dialer tick
		c := h.callOf("a1")
		if c.Phone != "5557003" || c.LeadID != l.ID {
			t.Fatalf("connected call %+v, want the third number", c)
		}
	})
}

// Predictive pacing backs off to one line per agent while the campaign's
// recent abandon rate is above its target.
func TestPredictivePacingBacksOffOnAbandons(t *testing.T) {
	for _, tc := range []struct {
		name      string
		abandons  int
		wantLines int
	}{
		{"within target", 0, 3},
		{"too many abandons", 10, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, sqlite(t), harnessOpt{})
			camp := core.Campaign{Name: "PRED", Type: core.CampaignOutbound, DialMethod: core.DialPredictive, DialRatio: 3, MaxAbandonPct: 3, Active: true, MaxRetries: 1}
			must(t, h.st.Create(h.ctx, &camp))
			now := h.clk.Now()
			for i := 0; i < 20; i++ {
				must(t, h.st.Create(h.ctx, &core.QueueLogEntry{Time: now, Queue: "PRED", Event: core.QLDialResult, Data1: "ANSWER"}))
			}
			for i := 0; i < tc.abandons; i++ {
				must(t, h.st.Create(h.ctx, &core.QueueLogEntry{Time: now, Queue: "campaign:PRED", Event: core.QLAbandon}))
			}
			must(t, h.e.Reload(h.ctx))
			for i := 0; i < 6; i++ {
				l := core.Lead{Campaign: "PRED", PhoneNumber: fmt.Sprintf("555400%d", i)}
				must(t, h.e.AddLead(h.ctx, &l, core.AddLeadOptions{}))
			}
			h.pbx.SetBehavior("Local/*", sim.Behavior{Outcome: sim.NoAnswer})
			must(t, h.e.Login(h.ctx, "a1", core.LoginOptions{Campaign: "PRED"}))
			h.advance(time.Second)
			if n := len(h.e.ActiveCalls()); n != tc.wantLines {
				t.Fatalf("%d lines after one tick, want %d", n, tc.wantLines)
			}
			h.advance(3 * time.Second) // more dialer ticks must not add lines
			if n := len(h.e.ActiveCalls()); n != tc.wantLines {
				t.Fatalf("%d lines, want %d", n, tc.wantLines)
			}
		})
	}
}
