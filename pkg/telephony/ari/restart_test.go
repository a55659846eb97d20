package ari

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
)

// TestReconnectsAfterAsteriskRestart restarts a real Asterisk under a live
// connection (CALLGATE_TEST_ARI_RESTART_CMD, e.g.
// `asterisk -rx "core restart now"`). Asterisk replays nothing it sent while
// we were away, so the port reports the loss, reconnects by itself, and
// Channels() is what lets the engine reconcile the call that died with it.
func TestReconnectsAfterAsteriskRestart(t *testing.T) {
	base, restart := os.Getenv("CALLGATE_TEST_ARI_URL"), os.Getenv("CALLGATE_TEST_ARI_RESTART_CMD")
	if base == "" || restart == "" {
		t.Skip("CALLGATE_TEST_ARI_URL and CALLGATE_TEST_ARI_RESTART_CMD not set")
	}
	tel, err := New(Config{
		URL: base, User: os.Getenv("CALLGATE_TEST_ARI_USER"), Password: os.Getenv("CALLGATE_TEST_ARI_PASSWORD"),
		NodeID: "restart-ast-1", ReconnectMin: 100 * time.Millisecond, ReconnectMax: time.Second, Logger: testLogger(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer tel.Close()
	rec := newRecorder()
	if err := tel.Start(t.Context(), rec.sink); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "connected", func(evs []core.TelEvent) bool { return countType(evs, core.TelConnected) == 1 })

	// A call in flight: the ;2 half plays music on hold in the dialplan
	// (no far application is running).
	id := "restart-" + time.Now().Format("150405.000")
	if _, err := tel.Originate(t.Context(), core.OriginateRequest{
		ChannelID: id, Endpoint: "Local/answer@callgate-test", Timeout: 5 * time.Second, AppArgs: []string{"tt"},
	}); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "call up", func(evs []core.TelEvent) bool { return countType(evs, core.TelStasisStart) == 1 })

	if out, err := exec.Command("sh", "-c", restart).CombinedOutput(); err != nil {
		t.Fatalf("restart command: %v: %s", err, out)
	}
	rec.waitFor(t, "disconnected", func(evs []core.TelEvent) bool { return countType(evs, core.TelDisconnected) == 1 })
	if tel.Ready() {
		t.Error("Ready() true while Asterisk restarts")
	}
	deadline := time.Now().Add(60 * time.Second)
	for countType(rec.events(), core.TelConnected) < 2 {
		if time.Now().After(deadline) {
			t.Fatal("did not reconnect within 60s of the restart")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !tel.Ready() {
		t.Fatal("not Ready() after TelConnected")
	}
	chans, err := tel.Channels(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range chans {
		if c.ID == id {
			t.Fatalf("call %s survived an Asterisk restart?", id)
		}
	}
	if countType(rec.events(), core.TelHangup) != 0 {
		t.Log("note: a hangup was reported for the call lost in the restart")
	}
	// The new connection works end to end.
	id2 := id + "-after"
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if _, err := tel.Originate(ctx, core.OriginateRequest{
		ChannelID: id2, Endpoint: "Local/answer@callgate-test", Timeout: 5 * time.Second, AppArgs: []string{"tt"},
	}); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "call after reconnect", func(evs []core.TelEvent) bool {
		for _, e := range evs {
			if e.Type == core.TelStasisStart && e.ChannelID == id2 {
				return true
			}
		}
		return false
	})
	if err := tel.Hangup(ctx, id2, core.CauseNormal); err != nil {
		t.Fatal(err)
	}
}
