package e2e

import (
	"fmt"
	"testing"

	"github.com/callgate/callgate/core"
)

// Manual dial by an on-hook agent: the agent's phone is rung first, then
// the customer; both meet in a mixing bridge. A busy number fails the call
// with Asterisk's cause and frees the agent.
func TestManualDialOnHookAgent(t *testing.T) {
	v := newEnv(t, envOpt{})
	f := v.far
	v.login("a1")

	call, err := v.e.Dial(v.ctx, core.DialRequest{Agent: "a1", Phone: "answer"})
	must(t, err)
	c := v.connected("a1")
	if c.ID != call.ID || c.AnsweredAt == nil {
		t.Fatalf("connected call %+v, want %d answered", c, call.ID)
	}
	bridge := fmt.Sprintf("call-%d", c.ID)
	eventually(t, "agent leg and customer bridged", func() bool {
		return f.inBridge(bridge, c.ChannelID) && f.inBridge(bridge, c.AgentChannelID)
	})
	// The customer presses digits; the agent sends some back.
	f.sendDTMF(c.ChannelID, "1")
	eventually(t, "customer DTMF published", func() bool {
		for _, d := range published[core.DTMFReceived](v) {
			if d.CallID == c.ID && d.Digit == "1" {
				return true
			}
		}
		return false
	})
	must(t, v.e.SendDTMF(v.ctx, "a1", "9"))
	eventually(t, "agent DTMF heard by the customer", func() bool { return f.received(c.ChannelID) == "9" })
	v.noFailures()

	// The customer hangs up.
	f.hangupFar(c.ChannelID)
	done := v.ended(c.ID)
	if done.HangupBy != "caller" {
		t.Errorf("hangup by %q, want caller", done.HangupBy)
	}
	eventually(t, "agent leg hung up", func() bool { return !f.alive(c.AgentChannelID) })
	v.waitState("a1", core.AgentAvailable)
	v.noFailures()

	// Busy: Asterisk's cause 17 becomes dial status B.
	busy, err := v.e.Dial(v.ctx, core.DialRequest{Agent: "a1", Phone: "busy"})
	must(t, err)
	b := v.ended(busy.ID)
	if b.Status != "B" || b.HangupCause != int(core.CauseBusy) {
		t.Errorf("busy call status %q cause %d, want B / 17", b.Status, b.HangupCause)
	}
	v.waitState("a1", core.AgentAvailable)
	eventually(t, "no channel left", func() bool { return len(f.channels()) == 0 })
	v.noFailures()

	// No answer: the dial timeout (5s here) gives cause 19, status NA.
	na, err := v.e.Dial(v.ctx, core.DialRequest{Agent: "a1", Phone: "noanswer", Timeout: 1_000_000_000})
	must(t, err)
	n := v.ended(na.ID)
	if n.Status != "NA" {
		t.Errorf("unanswered call status %q cause %d, want NA", n.Status, n.HangupCause)
	}
	v.waitState("a1", core.AgentAvailable)
	eventually(t, "no channel left", func() bool { return len(f.channels()) == 0 })
	v.noFailures()
}

// Manual dial by a persistent agent: the customer is bridged to the
// agent's open line when it answers; the agent hangs up.
func TestManualDialPersistentAgent(t *testing.T) {
	v := newEnv(t, envOpt{})
	f := v.far
	v.login("a2")
	s, _ := v.e.Session("a2")

	call, err := v.e.Dial(v.ctx, core.DialRequest{Agent: "a2", Phone: "answer"})
	must(t, err)
	c := v.connected("a2")
	if c.ID != call.ID {
		t.Fatalf("connected call %d, want %d", c.ID, call.ID)
	}
	bridge := fmt.Sprintf("call-%d", c.ID)
	eventually(t, "line and customer bridged", func() bool {
		return f.inBridge(bridge, c.ChannelID) && f.inBridge(bridge, s.ChannelID)
	})
	must(t, v.e.Hangup(v.ctx, "a2"))
	v.ended(c.ID)
	eventually(t, "customer hung up, line back home", func() bool {
		return !f.alive(c.ChannelID) && f.inBridge(s.BridgeID, s.ChannelID)
	})
	v.waitState("a2", core.AgentAvailable)
	v.noFailures()
}

// A progressive campaign dials one lead per free agent; the answered
// customer waits in the campaign's queue and is given to the agent, whose
// phone is rung. Busy leads are rescheduled.
func TestProgressiveCampaign(t *testing.T) {
	v := newEnv(t, envOpt{
		campaign: &core.Campaign{Name: "PROG", Type: core.CampaignOutbound, DialMethod: core.DialProgressive,
			Active: true, MaxRetries: 1, RetryDelay: 3600, DialTimeout: 5},
		leads: []string{"busy", "answer"},
	})
	f := v.far
	v.login("a1") // a1's campaign is PROG

	c := v.connected("a1")
	if c.Campaign != "PROG" || c.Direction != core.CallOutbound || c.LeadID == 0 {
		t.Fatalf("a1 connected to %+v, want a PROG lead call", c)
	}
	bridge := fmt.Sprintf("call-%d", c.ID)
	eventually(t, "customer and agent leg bridged", func() bool {
		return f.inBridge(bridge, c.ChannelID) && c.AgentChannelID != "" && f.inBridge(bridge, c.AgentChannelID)
	})
	var leads []core.Lead
	must(t, v.st.Find(v.ctx, &leads, core.Eq("campaign", "PROG").Asc("id")))
	if len(leads) != 2 || leads[0].Status != "B" || leads[0].CalledCount != 1 {
		t.Errorf("busy lead after its attempt: %+v", leads[0])
	}
	if got := v.queueLog(c.ID); !contains(got, core.QLDialOut, core.QLDialResult, core.QLEnterQueue, core.QLConnect) {
		t.Errorf("queue log %v, want DIALOUT, DIALRESULT, ENTERQUEUE, CONNECT", got)
	}
	v.noFailures()

	must(t, v.e.Hangup(v.ctx, "a1"))
	v.ended(c.ID)
	v.waitState("a1", core.AgentAvailable)
	eventually(t, "no channel left", func() bool { return len(f.channels()) == 0 })
	// Nothing more to dial: the busy lead waits for its retry delay.
	v.waitState("a1", core.AgentAvailable)
	if calls := v.e.ActiveCalls(); len(calls) != 0 {
		t.Errorf("dialer placed %d more calls, want none", len(calls))
	}
	v.noFailures()
}
