package e2e

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
)

// setExtension re-points an agent's phone and reloads the engine.
func (v *env) setExtension(user, ep string) {
	v.t.Helper()
	var a core.Agent
	must(v.t, v.st.First(v.ctx, &a, core.Eq("username", user)))
	must(v.t, v.st.Updates(v.ctx, &a, map[string]any{"extension": ep}))
	must(v.t, v.e.Reload(v.ctx))
}

// An agent whose phone rings out is skipped (RINGNOANSWER) and the caller
// goes to the next agent; a caller who hangs up while waiting is logged as
// an abandon; a queue transfer sends a caller back into a queue.
func TestRingNoAnswerAbandonAndQueueTransfer(t *testing.T) {
	v := newEnv(t, envOpt{})
	f := v.far
	// The queue's ring timeout is 10s; a1's phone rings for ever.
	var q core.Queue
	must(t, v.st.First(v.ctx, &q, core.Eq("name", "sales")))
	must(t, v.st.Updates(v.ctx, &q, map[string]any{"ring_timeout": 1, "strategy": string(core.StrategyLinear)}))
	v.setExtension("a1", "Local/noanswer@callgate-test")
	v.login("a1")

	// Abandon: nobody answers, the caller gives up.
	cust := f.inbound("5556000", did)
	eventually(t, "a1 rung", func() bool { return v.state("a1") == core.AgentRinging })
	var c core.Call
	eventually(t, "call waiting", func() bool {
		w := v.e.Waiting("sales")
		if len(w) == 1 {
			c = w[0]
		}
		return len(w) == 1
	})
	f.hangupFar(cust)
	done := v.ended(c.ID)
	if !done.Abandoned {
		t.Errorf("call %+v not marked abandoned", done)
	}
	if got := v.queueLog(c.ID); !contains(got, core.QLEnterQueue, core.QLRinging, core.QLAbandon) {
		t.Errorf("queue log %v, want ENTERQUEUE, RINGING, ABANDON", got)
	}
	v.waitState("a1", core.AgentAvailable)
	eventually(t, "a1's ringing phone hung up", func() bool { return len(f.channels()) == 0 })
	v.noFailures()

	// Ring no answer: a1 rings out after 1s, a3 (in-group at login) answers.
	must(t, v.e.Login(v.ctx, "a3", core.LoginOptions{Queues: []string{"sales"}}))
	must(t, v.e.Pause(v.ctx, "a3", ""))
	cust = f.inbound("5556001", did)
	eventually(t, "a1 rung", func() bool { return v.state("a1") == core.AgentRinging })
	must(t, v.e.Unpause(v.ctx, "a3"))
	c = v.connected("a3")
	if c.ChannelID != cust {
		t.Fatalf("a3 got %q, want %q", c.ChannelID, cust)
	}
	if got := v.queueLog(c.ID); !contains(got, core.QLRinging, core.QLRingNoAnswer, core.QLConnect) {
		t.Errorf("queue log %v, want RINGING, RINGNOANSWER, ..., CONNECT", got)
	}
	v.noFailures()

	// Queue transfer: a3 sends the caller back to the queue; a2
	// (persistent) takes it.
	v.login("a2")
	must(t, v.e.Transfer(v.ctx, "a3", core.TransferRequest{Kind: core.TransferQueue, Queue: "sales"}))
	v.waitState("a3", core.AgentAvailable)
	c2 := v.connected("a2")
	if c2.ID != c.ID {
		t.Fatalf("a2 got call %d, want the transferred %d", c2.ID, c.ID)
	}
	s2, _ := v.e.Session("a2")
	eventually(t, "caller bridged with a2's line", func() bool {
		return f.inBridge(c2.BridgeID, cust) && f.inBridge(c2.BridgeID, s2.ChannelID)
	})
	f.hangupFar(cust)
	v.ended(c.ID)
	v.waitState("a2", core.AgentAvailable)
	v.noFailures()
}

// A three-way call: the agent brings in a third party, all three talk,
// the agent leaves and the other two stay connected.
func TestThreeWayConference(t *testing.T) {
	v := newEnv(t, envOpt{})
	f := v.far
	v.login("a1")
	cust := f.inbound("5557000", did)
	c := v.connected("a1")
	bridge := fmt.Sprintf("call-%d", c.ID)
	must(t, v.e.Transfer(v.ctx, "a1", core.TransferRequest{Kind: core.TransferConference, Target: "6100", Endpoint: answerEP}))
	eventually(t, "three parties in the call bridge", func() bool {
		return len(f.bridges()[bridge].Channels) == 3 && f.inBridge(bridge, cust)
	})
	must(t, v.e.LeaveThreeWay(v.ctx, "a1"))
	v.waitState("a1", core.AgentAvailable)
	eventually(t, "caller and third party left together", func() bool {
		b := f.bridges()[bridge]
		return len(b.Channels) == 2 && f.inBridge(bridge, cust) && !f.alive(c.AgentChannelID)
	})
	f.hangupFar(cust)
	v.ended(c.ID)
	eventually(t, "no channel left", func() bool { return len(f.channels()) == 0 })
	v.noFailures()
}

// An agent phone reached through Dial() behind a Local channel (how a real
// PJSIP phone is usually reached) must not be optimized out of the call
// bridge. Needs an extension that Dial()s an answering endpoint, named by
// CALLGATE_TEST_ARI_DIAL_EP, e.g. Local/dialanswer@callgate-test with
//
//	[callgate-e2e]
//	exten => dialanswer,1,Dial(Local/answer@callgate-test)
func TestAgentPhoneBehindDialStaysBridged(t *testing.T) {
	ep := os.Getenv("CALLGATE_TEST_ARI_DIAL_EP")
	if ep == "" {
		t.Skip("CALLGATE_TEST_ARI_DIAL_EP not set")
	}
	v := newEnv(t, envOpt{})
	f := v.far
	v.setExtension("a1", ep)
	v.login("a1")
	cust := f.inbound("5558000", did)
	c := v.connected("a1")
	time.Sleep(time.Second) // Local channel optimization, if any, happens at once
	if !f.inBridge(c.BridgeID, c.AgentChannelID) || !f.inBridge(c.BridgeID, cust) {
		t.Fatalf("call bridge %+v lost a party", f.bridges()[c.BridgeID])
	}
	if got, ok := v.e.AgentCall("a1"); !ok || got.State != core.CallConnected {
		t.Fatalf("a1's call is %+v", got)
	}
	must(t, v.e.Hangup(v.ctx, "a1"))
	v.ended(c.ID)
	eventually(t, "no channel left", func() bool { return len(f.channels()) == 0 })
	v.noFailures()
}

// The port's CreateBridge is idempotent for an existing bridge of the same
// kind (the engine relies on it), although Asterisk 22 answers 409.
func TestCreateBridgeIdempotentOnAsterisk(t *testing.T) {
	f := startFar(t)
	ctx := t.Context()
	id := fmt.Sprintf("idem-%d", time.Now().UnixNano())
	must(t, f.tel.CreateBridge(ctx, id, core.BridgeHolding))
	defer func() { _ = f.tel.DestroyBridge(ctx, id) }()
	if err := f.tel.CreateBridge(ctx, id, core.BridgeHolding); err != nil {
		t.Errorf("second create of the same holding bridge: %v", err)
	}
	if err := f.tel.CreateBridge(ctx, id, core.BridgeMixing); err == nil {
		t.Error("creating an existing holding bridge as mixing succeeded")
	}
}
