package e2e

import (
	"fmt"
	"testing"

	"github.com/callgate/callgate/core"
)

// A persistent agent's line is called at login and waits in the agent's
// own holding bridge; a queued call is bridged to it at once. A blind
// transfer frees the agent (its line goes back to its holding bridge) and
// the caller talks to the target once it answers.
func TestPersistentAgentBlindTransfer(t *testing.T) {
	v := newEnv(t, envOpt{})
	f := v.far

	v.login("a2")
	s, _ := v.e.Session("a2")
	if s.ChannelID == "" || s.BridgeID == "" {
		t.Fatalf("persistent session without line or bridge: %+v", s)
	}
	line := s.ChannelID
	eventually(t, "agent line in its holding bridge", func() bool { return f.inBridge(s.BridgeID, line) })

	cust := f.inbound("5552000", did)
	c := v.connected("a2")
	if c.ChannelID != cust {
		t.Fatalf("a2 connected to %q, want %q", c.ChannelID, cust)
	}
	bridge := fmt.Sprintf("call-%d", c.ID)
	eventually(t, "caller and agent line in the call bridge", func() bool {
		return f.inBridge(bridge, cust) && f.inBridge(bridge, line)
	})
	if f.inBridge(s.BridgeID, line) {
		t.Error("agent line still in its holding bridge while talking")
	}
	v.noFailures()

	must(t, v.e.Transfer(v.ctx, "a2", core.TransferRequest{Kind: core.TransferBlind, Target: "6000", Endpoint: answerEP}))
	v.waitState("a2", core.AgentAvailable)
	eventually(t, "agent line back in its holding bridge", func() bool { return f.inBridge(s.BridgeID, line) })
	var target string
	eventually(t, "caller bridged with the transfer target", func() bool {
		b := f.bridges()[bridge]
		if len(b.Channels) != 2 {
			return false
		}
		for _, ch := range b.Channels {
			if ch != cust {
				target = ch
			}
		}
		return f.inBridge(bridge, cust) && target != line
	})
	eventually(t, "transfer reported", func() bool {
		for _, x := range published[core.CallTransferred](v) {
			if x.Call.ID == c.ID && x.Kind == "blind" && x.OK {
				return true
			}
		}
		return false
	})
	if got := v.queueLog(c.ID); !contains(got, core.QLConnect, core.QLTransfer) {
		t.Errorf("queue log %v, want CONNECT, TRANSFER", got)
	}
	v.noFailures()

	// The agent is free for the next call while the first goes on.
	cust2 := f.inbound("5552001", did)
	c2 := v.connected("a2")
	if c2.ChannelID != cust2 {
		t.Fatalf("a2's second call is on %q, want %q", c2.ChannelID, cust2)
	}
	// The agent hangs up its call: the line stays (persistent), the
	// caller's leg is hung up.
	must(t, v.e.Hangup(v.ctx, "a2"))
	done2 := v.ended(c2.ID)
	if done2.HangupBy != "agent" {
		t.Errorf("second call hung up by %q, want agent", done2.HangupBy)
	}
	eventually(t, "second caller hung up", func() bool { return !f.alive(cust2) })
	eventually(t, "agent line back in its holding bridge", func() bool { return f.inBridge(s.BridgeID, line) })
	v.waitState("a2", core.AgentAvailable)

	// The transferred caller hangs up: the call ends, nothing is left but
	// the agent's line.
	f.hangupFar(cust)
	v.ended(c.ID)
	eventually(t, "transfer target hung up", func() bool { return !f.alive(target) })
	v.noFailures()

	// Logging out hangs up the line and removes the agent's bridge.
	_, err := v.e.Logout(v.ctx, "a2", "done")
	must(t, err)
	eventually(t, "agent line and bridge gone", func() bool {
		_, b := f.bridges()[s.BridgeID]
		return !b && !f.alive(line)
	})
	v.noFailures()
}

// Attended transfer with an on-hook agent: the caller waits on hold while
// the agent talks to the target, then the two are joined and the agent
// leaves. A cancelled attended transfer brings the caller back.
func TestOnHookAgentAttendedTransfer(t *testing.T) {
	v := newEnv(t, envOpt{})
	f := v.far
	v.login("a1")

	cust := f.inbound("5553000", did)
	c := v.connected("a1")
	bridge := fmt.Sprintf("call-%d", c.ID)
	agentLeg := c.AgentChannelID
	eventually(t, "call bridged", func() bool { return f.inBridge(bridge, cust) && f.inBridge(bridge, agentLeg) })

	// First attempt: cancelled.
	must(t, v.e.Transfer(v.ctx, "a1", core.TransferRequest{Kind: core.TransferAttended, Target: "6001", Endpoint: answerEP}))
	eventually(t, "caller on hold during the consultation", func() bool { return !f.inBridge(bridge, cust) })
	var consult string
	eventually(t, "agent talking to the target", func() bool {
		b := f.bridges()[bridge]
		for _, ch := range b.Channels {
			if ch != agentLeg && ch != cust {
				consult = ch
			}
		}
		return len(b.Channels) == 2 && consult != ""
	})
	must(t, v.e.CancelTransfer(v.ctx, "a1"))
	eventually(t, "target gone, caller back with the agent", func() bool {
		return !f.alive(consult) && f.inBridge(bridge, cust) && f.inBridge(bridge, agentLeg)
	})
	if k, _ := v.e.TransferState("a1"); k != "" {
		t.Errorf("transfer state %q after cancel", k)
	}
	v.noFailures()

	// Second attempt: completed.
	must(t, v.e.Transfer(v.ctx, "a1", core.TransferRequest{Kind: core.TransferAttended, Target: "6002", Endpoint: answerEP}))
	consult = ""
	eventually(t, "agent talking to the second target", func() bool {
		b := f.bridges()[bridge]
		for _, ch := range b.Channels {
			if ch != agentLeg && ch != cust {
				consult = ch
			}
		}
		return len(b.Channels) == 2 && consult != "" && !f.inBridge(bridge, cust)
	})
	must(t, v.e.CompleteTransfer(v.ctx, "a1"))
	v.waitState("a1", core.AgentAvailable)
	eventually(t, "caller joined with the target, agent leg gone", func() bool {
		return f.inBridge(bridge, cust) && f.inBridge(bridge, consult) && !f.alive(agentLeg)
	})
	v.noFailures()

	// The target hangs up: the call ends.
	f.hangupFar(consult)
	done := v.ended(c.ID)
	if done.Transferred != "6002" {
		t.Errorf("call transferred to %q, want 6002", done.Transferred)
	}
	eventually(t, "caller hung up", func() bool { return !f.alive(cust) })
	eventually(t, "no channel left", func() bool { return len(f.channels()) == 0 })
	v.noFailures()
}
