package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/telephony/ari"
	"github.com/callgate/callgate/pkg/telephony/simari"
)

// The program serves ARI on the address it is given: the real ARI driver
// connects with the configured user and password, a call made through the
// control API reaches it as StasisStart, and cancelling stops the server.
func TestSimariProgramServesTheARIDriver(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-user", "gw", "-password", "pw-123", "-app", "cg"}, io.Discard,
			func(a string) { addrc <- a })
	}()
	var addr string
	select {
	case addr = <-addrc:
	case err := <-done:
		t.Fatalf("run: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("not listening")
	}

	tel, err := ari.New(ari.Config{URL: "http://" + addr + "/ari", User: "gw", Password: "pw-123", App: "cg", NodeID: "n1",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan core.TelEvent, 64)
	if err := tel.Start(ctx, func(ev core.TelEvent) { got <- ev }); err != nil {
		t.Fatal(err)
	}
	defer tel.Close()
	wait := func(typ core.TelEventType) core.TelEvent {
		t.Helper()
		for {
			select {
			case ev := <-got:
				if ev.Type == typ {
					return ev
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("no %s event", typ)
			}
		}
	}
	wait(core.TelConnected)
	ctl := &simari.Client{Base: "http://" + addr, User: "gw", Password: "pw-123"}
	id, err := ctl.Inbound(ctx, simari.Inbound{CallerID: "5551234", Dialed: "5550100"})
	if err != nil {
		t.Fatal(err)
	}
	ev := wait(core.TelStasisStart)
	if ev.ChannelID != id || ev.CallerID != "5551234" || strings.Join(ev.Args, ",") != "inbound,5550100" {
		t.Errorf("StasisStart %+v, want channel %s from 5551234 args inbound,5550100", ev, id)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("did not stop")
	}
}

// Without a password the program refuses to start: an ARI open to anyone
// on the network is never the default.
func TestSimariProgramRequiresAPassword(t *testing.T) {
	t.Setenv("CALLGATE_SIMARI_PASSWORD", "")
	err := run(context.Background(), []string{"-addr", "127.0.0.1:0"}, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "password is required") {
		t.Errorf("run without password: %v", err)
	}
}
