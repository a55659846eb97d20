package main

import (
	"context"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/pkg/telephony/simari"
)

var simariRE = regexp.MustCompile(`^callgate: simulated Asterisk: ARI http://(\S+)/ari`)

// In telephony mode simari the gateway runs its real ARI driver against an
// in-process simulated Asterisk: /readyz follows the ARI connection, and a
// call made through simari's control API to the demo queue's DID is
// answered, queued and bridged with the agent logged in through the admin
// API, whose phone the engine rang over ARI.
func TestGatewayRunsItsARIDriverAgainstInProcessSimari(t *testing.T) {
	env := map[string]string{
		"CALLGATE_DEMO":         "1",
		"CALLGATE_TELEPHONY":    "simari",
		"CALLGATE_ARI_PASSWORD": "simari-test-pw",
		"CALLGATE_SIMARI_ADDR":  "127.0.0.1:0",
		"CALLGATE_HTTP_ADDR":    "127.0.0.1:0",
		"CALLGATE_ECCP_ADDR":    "off",
		"CALLGATE_DB_DSN":       "sqlite://" + filepath.Join(t.TempDir(), "s.db"),
		"CALLGATE_LOG_LEVEL":    "warn",
		"CALLGATE_NODE_ID":      "simari-node",
	}
	ctx, cancel := context.WithCancel(context.Background())
	out := &lineWriter{lines: make(chan string, 64)}
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, func(k string) string { return env[k] }, out, io.Discard) }()
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("gateway stop: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("gateway did not stop")
		}
	}()
	r := &running{}
	var pbx string
	deadline := time.After(30 * time.Second)
	for r.httpBase == "" || pbx == "" {
		select {
		case line := <-out.lines:
			if m := listenRE.FindStringSubmatch(line); m != nil && m[1] == "HTTP" {
				r.httpBase = "http://" + m[2]
			}
			if m := simariRE.FindStringSubmatch(line); m != nil {
				pbx = m[1]
			}
		case err := <-done:
			t.Fatalf("gateway exited: %v", err)
		case <-deadline:
			t.Fatal("gateway did not print its addresses")
		}
	}
	waitFor(t, "ready over ARI", func() bool { code, _ := r.get(t, "/readyz", false); return code == 200 })
	if code, b := r.do(t, "POST", "/api/v1/agents/3/login", "", true); code != 200 {
		t.Fatalf("login: %d %s", code, b)
	}
	ctl := &simari.Client{Base: "http://" + pbx, User: "callgate", Password: "simari-test-pw"}
	id, err := ctl.Inbound(ctx, simari.Inbound{CallerID: "5551234", Dialed: "5558000"})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "caller bridged with the agent", func() bool {
		v, err := ctl.Channel(ctx, id)
		return err == nil && v.State == "Up" && strings.HasPrefix(v.Bridge, "call-")
	})
	if err := ctl.Hangup(ctx, id, 16); err != nil {
		t.Fatal(err)
	}
	// A wrong password is refused by the simulated Asterisk.
	bad := &simari.Client{Base: "http://" + pbx, User: "callgate", Password: "nope"}
	if _, err := bad.Channel(ctx, id); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("control API with a wrong password: %v, want 401", err)
	}
}
