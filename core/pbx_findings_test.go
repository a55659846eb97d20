package core_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
)

// Regression tests for engine bugs found by running the engine against a
// real Asterisk (pkg/telephony/ari/e2e), reproduced here on the simulator.

// A supervisor listening to a call is hung up when the call ends: the PBX
// ends the snoop with the agent's leg, and the supervisor's own leg must
// not stay connected to nothing.
func TestSupervisorLegEndsWithTheCall(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	h.login("a1")
	ch := h.inbound("5550201")
	h.callOf("a1")
	must(t, h.e.Snoop(h.ctx, "PJSIP/sup", "a1", "listen"))
	sup := func() (string, bool) {
		chans, err := h.pbx.Channels(h.ctx)
		must(t, err)
		for _, c := range chans {
			if strings.HasPrefix(c.ID, "sup-") {
				return c.ID, true
			}
		}
		return "", false
	}
	h.require("supervisor leg up", func() bool { _, ok := sup(); return ok })
	must(t, h.pbx.FarHangup(ch, core.CauseNormal))
	h.waitState("a1", core.AgentAvailable)
	h.require("supervisor leg hung up", func() bool { _, ok := sup(); return !ok })
}

// A call that ends while recording closes its recording row at once: the
// PBX reports RecordingFinished only after the call is gone (or never, if
// the PBX went away with the call).
func TestRecordingClosedWhenCallEnds(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	h.login("a1")
	ch := h.inbound("5550202")
	h.callOf("a1")
	rec, err := h.e.StartRecording(h.ctx, "a1")
	must(t, err)
	must(t, h.pbx.FarHangup(ch, core.CauseNormal))
	h.require("recording row closed", func() bool {
		var r core.Recording
		return h.st.First(h.ctx, &r, core.Eq("name", rec.Name)) == nil && r.Status == "done" && r.End != nil
	})
}

// An offer the PBX refuses outright (here: not connected) leaves the call
// waiting and the agent available, and is retried later; it used to be
// re-offered to the same agent at once, recursing under the engine lock for
// as long as the PBX kept refusing.
func TestRefusedOfferIsRetriedNotRecursed(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{agents: 1})
	h.inbound("5550203")
	h.require("call waiting", func() bool { return len(h.e.Waiting("sales")) == 1 })
	h.pbx.SetReady(false)
	must(t, h.e.Login(h.ctx, "a1", core.LoginOptions{}))
	h.waitState("a1", core.AgentAvailable)
	if n := len(h.queueLog(core.QLRingNoAnswer)); n != 1 {
		t.Fatalf("%d refused offers logged, want 1 (no immediate re-offer)", n)
	}
	h.pbx.SetReady(true)
	h.advance(time.Second) // the retry delay
	h.callOf("a1")
}

// After a PBX restart, callers lost with it are not offered to the agents
// the reconciliation frees.
func TestRestartDoesNotOfferLostCallers(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{agents: 1})
	h.login("a1")
	h.inbound("5550204")
	c := h.callOf("a1")
	h.inbound("5550205")
	h.require("second caller waiting", func() bool { return len(h.e.Waiting("sales")) == 1 })
	rings := len(h.queueLog(core.QLRinging))
	h.pbx.Restart()
	h.require("first call ended", func() bool {
		got, err := h.e.Call(h.ctx, c.ID)
		return err == nil && got.State == core.CallDone
	})
	h.waitState("a1", core.AgentAvailable)
	if n := len(h.queueLog(core.QLRinging)) - rings; n != 0 {
		t.Errorf("%d offers made to a caller lost in the restart", n)
	}
	if n := len(h.e.Waiting("sales")); n != 0 {
		t.Errorf("%d callers still waiting after the restart", n)
	}
}

// Asterisk may report an originated channel answered before it enters the
// application, and refuses to bridge it until then: the engine bridges
// agents' lines, agents' legs and dialed customers on StasisStart, not on
// the answer.
func TestOriginatedChannelsBridgedOnceInApplication(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{agents: 2})
	h.pbx.SetStasisLag(30 * time.Millisecond)
	inBridge := func(bridge, ch string) bool {
		b, ok := h.pbx.Bridge(bridge)
		return ok && slices.Contains(b.Channels, ch)
	}

	// A persistent login: the line waits in the agent's holding bridge.
	yes := true
	must(t, h.e.Login(h.ctx, "a2", core.LoginOptions{Persistent: &yes}))
	h.advance(30 * time.Millisecond)
	h.waitState("a2", core.AgentAvailable)
	s, _ := h.e.Session("a2")
	h.require("line in the agent bridge", func() bool { return inBridge(s.BridgeID, s.ChannelID) })
	must(t, h.e.Pause(h.ctx, "a2", ""))

	// An on-hook agent's leg is bridged with the caller.
	h.login("a1")
	h.inbound("5550206")
	h.advance(30 * time.Millisecond)
	c := h.callOf("a1")
	h.require("agent leg and caller bridged", func() bool {
		return inBridge(c.BridgeID, c.ChannelID) && inBridge(c.BridgeID, c.AgentChannelID)
	})
	must(t, h.e.Hangup(h.ctx, "a1"))
	h.waitState("a1", core.AgentAvailable)

	// A manual dial: agent leg first, then the customer.
	d, err := h.e.Dial(h.ctx, core.DialRequest{Agent: "a1", Phone: "5550207"})
	must(t, err)
	h.advance(30 * time.Millisecond) // the agent's leg enters the application
	h.advance(30 * time.Millisecond) // then the customer's
	c = h.callOf("a1")
	if c.ID != d.ID {
		t.Fatalf("a1 on call %d, want %d", c.ID, d.ID)
	}
	h.require("dialed customer and agent leg bridged", func() bool {
		return inBridge(c.BridgeID, c.ChannelID) && inBridge(c.BridgeID, c.AgentChannelID)
	})
}
