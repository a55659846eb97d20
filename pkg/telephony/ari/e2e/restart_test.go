package e2e

import (
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
)

// restartAsterisk runs CALLGATE_TEST_ARI_RESTART_CMD and returns once the
// command has returned.
func restartAsterisk(t *testing.T) {
	t.Helper()
	if out, err := exec.Command("sh", "-c", os.Getenv(envRestart)).CombinedOutput(); err != nil {
		t.Fatalf("restart command: %v: %s", err, out)
	}
}

func requireRestart(t *testing.T) {
	t.Helper()
	if os.Getenv(envRestart) == "" {
		t.Skip(envRestart + " not set")
	}
}

// Asterisk restarts in the middle of a call, with a persistent agent's
// line up and a second caller waiting. Asterisk replays nothing, so the
// engine must reconcile on reconnect: not ready while Asterisk is away, the
// lost calls ended and stored, the on-hook agent freed, the persistent
// agent (whose line died) logged out; then calls work again.
func TestAsteriskRestartMidCall(t *testing.T) {
	requireRestart(t)
	v := newEnv(t, envOpt{})
	f := v.far

	v.login("a2")
	v.login("a1")
	must(t, v.e.Pause(v.ctx, "a2", "")) // so the first call goes to a1
	cust := f.inbound("5554000", did)
	c := v.connected("a1")
	if c.ChannelID != cust {
		t.Fatalf("a1 on %q, want %q", c.ChannelID, cust)
	}
	rec, err := v.e.StartRecording(v.ctx, "a1")
	must(t, err)
	f.inbound("5554001", did)
	eventually(t, "second caller waiting", func() bool { return len(v.e.Waiting("sales")) == 1 })
	waiting := v.e.Waiting("sales")[0]
	v.noFailures()

	var downSeen bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) && !downSeen {
			if !v.e.Ready() {
				downSeen = true
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	restartAsterisk(t)
	<-done
	if !downSeen {
		t.Error("engine never reported not-ready while Asterisk restarted")
	}
	deadline := time.Now().Add(60 * time.Second)
	for !v.e.Ready() {
		if time.Now().After(deadline) {
			t.Fatal("engine not ready 60s after the Asterisk restart")
		}
		time.Sleep(50 * time.Millisecond)
	}

	first := v.ended(c.ID)
	if first.HangupCause != int(core.CauseFailure) || first.HangupBy != "system" && first.HangupBy != "caller" {
		t.Logf("lost call ended by %q cause %d", first.HangupBy, first.HangupCause)
	}
	second := v.ended(waiting.ID)
	if !second.Abandoned && second.Status != "DROP" {
		t.Logf("lost waiting call: status %q abandoned %v", second.Status, second.Abandoned)
	}
	if n := len(v.e.ActiveCalls()); n != 0 {
		t.Errorf("%d calls still live after the restart", n)
	}
	if n := len(v.e.Waiting("sales")); n != 0 {
		t.Errorf("%d calls still waiting after the restart", n)
	}
	v.waitState("a1", core.AgentAvailable)
	if _, ok := v.e.Session("a2"); ok {
		t.Error("persistent agent still logged in although its line died with Asterisk")
	}
	if _, ok := v.e.CurrentRecording("a1"); ok {
		t.Error("recording still open")
	}
	var r core.Recording
	must(t, v.st.First(v.ctx, &r, core.Eq("name", rec.Name)))
	if r.Status == "recording" {
		t.Errorf("recording row still %q after the call was lost", r.Status)
	}
	var cdrs int64
	cdrs, err = v.st.Count(v.ctx, &core.CDR{}, core.All.In("call_id", []uint64{c.ID, waiting.ID}))
	must(t, err)
	if cdrs != 2 {
		t.Errorf("%d CDRs for the two lost calls, want 2", cdrs)
	}

	// Service resumes: a new call reaches the freed agent.
	v.tel.reset()
	eventually(t, "far end reconnected", func() bool { return f.tel.Ready() })
	cust3 := f.inbound("5554002", did)
	c3 := v.connected("a1")
	if c3.ChannelID != cust3 {
		t.Fatalf("a1 on %q after restart, want %q", c3.ChannelID, cust3)
	}
	eventually(t, "new call bridged", func() bool { return f.inBridge(c3.BridgeID, cust3) })
	f.hangupFar(cust3)
	v.ended(c3.ID)
	v.noFailures()
}

// A caller hangs up while the gateway is down: the restarted engine ends
// the call and clears what is left of it on Asterisk (the on-hook agent's
// leg, the call bridge).
func TestCallEndedWhileGatewayDown(t *testing.T) {
	v := newEnv(t, envOpt{})
	f := v.far
	v.login("a1")
	v.login("a2")
	must(t, v.e.Pause(v.ctx, "a2", ""))
	cust := f.inbound("5555100", did)
	c := v.connected("a1")
	must(t, v.e.Unpause(v.ctx, "a2"))
	cust2 := f.inbound("5555101", did)
	c2 := v.connected("a2")
	s2, _ := v.e.Session("a2")

	v.stopEngine()
	f.hangupFar(cust)
	f.hangupFar(cust2)
	eventually(t, "callers gone", func() bool { return !f.alive(cust) && !f.alive(cust2) })
	v.startEngine()

	for _, id := range []uint64{c.ID, c2.ID} {
		if done := v.ended(id); done.Status != "LOST" {
			t.Errorf("call %d ended with status %q, want LOST", id, done.Status)
		}
	}
	v.waitState("a1", core.AgentAvailable)
	v.waitState("a2", core.AgentAvailable)
	eventually(t, "a1's leg hung up, call bridges destroyed, a2's line home", func() bool {
		bs := f.bridges()
		_, b1 := bs[c.BridgeID]
		_, b2 := bs[c2.BridgeID]
		return !f.alive(c.AgentChannelID) && !b1 && !b2 && f.inBridge(s2.BridgeID, s2.ChannelID)
	})
	v.noFailures()
	// Both take calls again.
	cust3 := f.inbound("5555102", did)
	cust4 := f.inbound("5555103", did)
	c3, c4 := v.connected("a1"), v.connected("a2")
	eventually(t, "new callers bridged with a1's leg and a2's line", func() bool {
		return f.inBridge(c3.BridgeID, c3.AgentChannelID) && f.inBridge(c4.BridgeID, s2.ChannelID) &&
			(f.inBridge(c3.BridgeID, cust3) && f.inBridge(c4.BridgeID, cust4) ||
				f.inBridge(c3.BridgeID, cust4) && f.inBridge(c4.BridgeID, cust3))
	})
	v.noFailures()
}

// The gateway restarts (engine stopped and started again on the same
// store) while calls are up on Asterisk: the calls survive, are reconciled
// with Asterisk's channels and end normally afterwards.
func TestGatewayRestartMidCall(t *testing.T) {
	v := newEnv(t, envOpt{})
	f := v.far
	v.login("a1")
	v.login("a2")
	must(t, v.e.Pause(v.ctx, "a2", ""))
	cust1 := f.inbound("5555000", did)
	c1 := v.connected("a1")
	must(t, v.e.Unpause(v.ctx, "a2"))
	cust2 := f.inbound("5555001", did)
	c2 := v.connected("a2")
	s2, _ := v.e.Session("a2")

	v.stopEngine()
	v.startEngine()

	for _, x := range []struct {
		user string
		call core.Call
	}{{"a1", c1}, {"a2", c2}} {
		got, ok := v.e.AgentCall(x.user)
		if !ok || got.ID != x.call.ID || got.State != core.CallConnected {
			t.Errorf("%s after the gateway restart: call %+v (ok %v), want %d connected", x.user, got, ok, x.call.ID)
		}
	}
	if !f.inBridge(c1.BridgeID, cust1) || !f.inBridge(c2.BridgeID, s2.ChannelID) {
		t.Error("calls' bridges changed across the gateway restart")
	}
	// The on-hook agent's caller hangs up: the call ends, a1 is freed.
	f.hangupFar(cust1)
	v.ended(c1.ID)
	v.waitState("a1", core.AgentAvailable)
	eventually(t, "a1's leg hung up", func() bool { return !f.alive(c1.AgentChannelID) })
	// The persistent agent hangs up: the line goes home.
	must(t, v.e.Hangup(v.ctx, "a2"))
	v.ended(c2.ID)
	eventually(t, "second caller hung up, a2's line back home", func() bool {
		return !f.alive(cust2) && f.inBridge(s2.BridgeID, s2.ChannelID)
	})
	v.waitState("a2", core.AgentAvailable)
	v.noFailures()
}
