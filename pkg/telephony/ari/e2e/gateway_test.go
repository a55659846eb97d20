package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const adminToken = "e2e-admin-token-0123456789"

// gw is the real gateway binary running in ari mode against the test
// Asterisk, driven over its admin API.
type gw struct {
	t    *testing.T
	base string
	out  *bytes.Buffer
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer l.Close()
	return l.Addr().String()
}

func startGateway(t *testing.T) *gw {
	t.Helper()
	cfg := ariConfig(t, "callgate", "probe") // skips without an Asterisk
	bin := filepath.Join(t.TempDir(), "gateway")
	build := exec.Command("go", "build", "-o", bin, "github.com/callgate/callgate/cmd/gateway")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/gateway: %v\n%s", err, out)
	}
	httpAddr := freePort(t)
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(),
		"CALLGATE_TELEPHONY=ari",
		"CALLGATE_ARI_URL="+cfg.URL,
		"CALLGATE_ARI_USER="+cfg.User,
		"CALLGATE_ARI_PASSWORD="+cfg.Password,
		"CALLGATE_NODE_ID=e2e-gw",
		"CALLGATE_DB_DSN=sqlite://"+filepath.Join(t.TempDir(), "gw.db"),
		"CALLGATE_SEED=true",
		"CALLGATE_ADMIN_TOKEN="+adminToken,
		"CALLGATE_HTTP_ADDR="+httpAddr,
		"CALLGATE_ECCP_ADDR="+freePort(t),
		"CALLGATE_LOG_LEVEL=warn",
	)
	out := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	must(t, cmd.Start())
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("gateway output:\n%s", out.String())
		}
	})
	g := &gw{t: t, base: "http://" + httpAddr, out: out}
	eventually(t, "gateway /readyz 200 (connected to Asterisk)", func() bool { return g.status("/readyz") == 200 })
	return g
}

func (g *gw) status(path string) int {
	resp, err := http.Get(g.base + path)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// api calls the admin API and decodes a JSON answer into out (if non-nil).
func (g *gw) api(method, path, body string, out any) int {
	g.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, g.base+"/api/v1"+path, rd)
	must(g.t, err)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	must(g.t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 && !(method == http.MethodGet && resp.StatusCode == http.StatusNotFound) {
		g.t.Logf("%s %s: %d %s", method, path, resp.StatusCode, b)
		return resp.StatusCode
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			g.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return resp.StatusCode
}

type apiCall struct {
	ID             uint64 `json:"id"`
	State          string `json:"state"`
	Agent          string `json:"agent"`
	ChannelID      string `json:"channel_id"`
	AgentChannelID string `json:"agent_channel_id"`
	BridgeID       string `json:"bridge_id"`
	HangupBy       string `json:"hangup_by"`
}

type apiSession struct {
	State     string `json:"state"`
	ChannelID string `json:"channel_id"`
}

func (g *gw) agentID(username string) uint {
	g.t.Helper()
	var agents []struct {
		ID uint `json:"id"`
	}
	if g.api("GET", "/agents?username="+username, "", &agents) != 200 || len(agents) != 1 {
		g.t.Fatalf("agent %s not provisioned", username)
	}
	return agents[0].ID
}

func (g *gw) active() []apiCall {
	g.t.Helper()
	var calls []apiCall
	g.api("GET", "/calls/active", "", &calls)
	return calls
}

func (g *gw) session(id uint) (apiSession, bool) {
	g.t.Helper()
	var s apiSession
	return s, g.api("GET", fmt.Sprintf("/agents/%d/session", id), "", &s) == 200
}

// The gateway binary, configured only through CALLGATE_* variables with the
// demo data seeded, takes real calls from Asterisk: an inbound call to the
// demo DID 5558000 reaches on-hook agent 1064 (its phone re-pointed at a
// Local endpoint through the admin API) and is hung up through the API; a
// persistent agent logged in on a Local line takes the next one; a manual
// dial of campaign TESTCAMP (trunk re-pointed at the test dialplan) connects;
// an Asterisk restart turns /readyz 503 until the gateway has reconnected
// and reconciled.
func TestGatewayBinaryOnAsterisk(t *testing.T) {
	g := startGateway(t)
	f := startFar(t)

	id1064 := g.agentID("1064")
	if c := g.api("PATCH", fmt.Sprintf("/agents/%d", id1064), `{"extension":"`+answerEP+`"}`, nil); c != 200 {
		t.Fatalf("re-point 1064's phone: %d", c)
	}
	if c := g.api("POST", fmt.Sprintf("/agents/%d/login", id1064), `{}`, nil); c != 200 {
		t.Fatalf("login 1064: %d", c)
	}

	cust := f.inbound("5551234", "5558000")
	var call apiCall
	eventually(t, "1064 connected to the caller", func() bool {
		for _, c := range g.active() {
			if c.ChannelID == cust && c.Agent == "1064" && c.State == "connected" {
				call = c
				return true
			}
		}
		return false
	})
	eventually(t, "caller and agent leg bridged on Asterisk", func() bool {
		return f.inBridge(call.BridgeID, cust) && f.inBridge(call.BridgeID, call.AgentChannelID)
	})
	if c := g.api("POST", fmt.Sprintf("/calls/%d/hangup", call.ID), `{}`, nil); c != 200 {
		t.Fatalf("hangup: %d", c)
	}
	eventually(t, "both legs hung up", func() bool { return !f.alive(cust) && !f.alive(call.AgentChannelID) })
	var rows []struct {
		Event string `json:"event"`
	}
	g.api("GET", fmt.Sprintf("/queuelog?call_id=%d", call.ID), "", &rows)
	var evs []string
	for _, r := range rows {
		evs = append(evs, r.Event)
	}
	if !contains(evs, "ENTERQUEUE", "RINGING", "CONNECT") {
		t.Errorf("queue log %v, want ENTERQUEUE, RINGING, CONNECT, ...", evs)
	}
	var cdrs []struct {
		Disposition string `json:"disposition"`
	}
	g.api("GET", fmt.Sprintf("/cdr?call_id=%d", call.ID), "", &cdrs)
	if len(cdrs) != 1 || cdrs[0].Disposition != "ANSWERED" {
		t.Errorf("CDR %+v, want one ANSWERED", cdrs)
	}

	// Manual dial through the admin API.
	var camps []struct {
		ID uint `json:"id"`
	}
	g.api("GET", "/campaigns?name=TESTCAMP", "", &camps)
	if len(camps) != 1 {
		t.Fatalf("campaign TESTCAMP: %v", camps)
	}
	g.api("PATCH", fmt.Sprintf("/campaigns/%d", camps[0].ID), `{"trunk":"Local/{number}@callgate-test"}`, nil)
	var dialed apiCall
	eventually(t, "1064 free for the manual dial", func() bool {
		s, ok := g.session(id1064)
		return ok && s.State == "available"
	})
	if c := g.api("POST", "/calls", `{"agent":"1064","phone":"answer","campaign":"TESTCAMP","skip_dnc":true}`, &dialed); c != 201 {
		t.Fatalf("manual dial: %d", c)
	}
	eventually(t, "manual call connected", func() bool {
		for _, c := range g.active() {
			if c.ID == dialed.ID && c.State == "connected" {
				dialed = c
				return true
			}
		}
		return false
	})
	eventually(t, "manual call bridged on Asterisk", func() bool {
		return f.inBridge(dialed.BridgeID, dialed.ChannelID) && f.inBridge(dialed.BridgeID, dialed.AgentChannelID)
	})

	// A persistent agent on a Local line, logged in while 1064 talks.
	id9000 := g.agentID("9000")
	if c := g.api("POST", fmt.Sprintf("/agents/%d/login", id9000), `{"extension":"`+answerEP+`"}`, nil); c != 200 {
		t.Fatalf("login 9000: %d", c)
	}
	var line string
	eventually(t, "9000's line up", func() bool {
		s, ok := g.session(id9000)
		line = s.ChannelID
		return ok && s.State == "available" && line != "" && f.alive(line)
	})
	cust2 := f.inbound("5552222", "5558000")
	eventually(t, "9000 connected to the second caller", func() bool {
		for _, c := range g.active() {
			if c.ChannelID == cust2 && c.Agent == "9000" && c.State == "connected" {
				return f.inBridge(c.BridgeID, line) && f.inBridge(c.BridgeID, cust2)
			}
		}
		return false
	})

	if os.Getenv(envRestart) == "" {
		t.Log("restart part skipped: " + envRestart + " not set")
		return
	}
	// Asterisk restarts with both calls up.
	saw503 := make(chan bool, 1)
	go func() {
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			if g.status("/readyz") == http.StatusServiceUnavailable {
				saw503 <- true
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
		saw503 <- false
	}()
	restartAsterisk(t)
	if !<-saw503 {
		t.Error("/readyz never answered 503 while Asterisk restarted")
	}
	deadline := time.Now().Add(60 * time.Second)
	for g.status("/readyz") != 200 {
		if time.Now().After(deadline) {
			t.Fatal("/readyz not 200 within 60s of the Asterisk restart")
		}
		time.Sleep(50 * time.Millisecond)
	}
	eventually(t, "no live call after the restart", func() bool { return len(g.active()) == 0 })
	eventually(t, "1064 available again", func() bool {
		s, ok := g.session(id1064)
		return ok && s.State == "available"
	})
	if _, ok := g.session(id9000); ok {
		t.Error("9000 still logged in although its line died with Asterisk")
	}
	// And the next call is served.
	eventually(t, "far end reconnected", func() bool { return f.tel.Ready() })
	cust3 := f.inbound("5553333", "5558000")
	eventually(t, "1064 connected after the restart", func() bool {
		for _, c := range g.active() {
			if c.ChannelID == cust3 && c.Agent == "1064" && c.State == "connected" {
				return true
			}
		}
		return false
	})
	f.hangupFar(cust3)
	eventually(t, "call over", func() bool { return len(g.active()) == 0 })
}
