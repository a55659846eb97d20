package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/config"
)

// lineWriter hands each line run prints to the test.
type lineWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	lines chan string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	for {
		line, err := w.buf.ReadString('\n')
		if err != nil {
			w.buf.WriteString(line)
			break
		}
		select {
		case w.lines <- strings.TrimSpace(line):
		default:
		}
	}
	return len(p), nil
}

type running struct {
	httpBase string
	eccpAddr string
	stop     func() error
}

var listenRE = regexp.MustCompile(`^callgate: (HTTP|ECCP) listening on (\S+)`)

// startGateway runs the real program in demo mode on loopback ports;
// extra holds more variables as name, value pairs.
func startGateway(t *testing.T, dbPath string, extra ...string) *running {
	t.Helper()
	env := map[string]string{
		"CALLGATE_DEMO":      "1",
		"CALLGATE_HTTP_ADDR": "127.0.0.1:0",
		"CALLGATE_ECCP_ADDR": "127.0.0.1:0",
		"CALLGATE_DB_DSN":    "sqlite://" + dbPath,
		"CALLGATE_LOG_LEVEL": "warn",
		"CALLGATE_NODE_ID":   "test-node",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		env[extra[i]] = extra[i+1]
	}
	ctx, cancel := context.WithCancel(context.Background())
	out := &lineWriter{lines: make(chan string, 64)}
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, func(k string) string { return env[k] }, out, io.Discard) }()
	r := &running{}
	deadline := time.After(30 * time.Second)
	for r.httpBase == "" || r.eccpAddr == "" {
		select {
		case line := <-out.lines:
			if m := listenRE.FindStringSubmatch(line); m != nil {
				if m[1] == "HTTP" {
					r.httpBase = "http://" + m[2]
				} else {
					r.eccpAddr = m[2]
				}
			}
		case err := <-done:
			cancel()
			t.Fatalf("gateway exited: %v", err)
		case <-deadline:
			cancel()
			t.Fatal("gateway did not print its listen addresses")
		}
	}
	stopped := false
	r.stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			return fmt.Errorf("gateway did not stop")
		}
	}
	t.Cleanup(func() { _ = r.stop() })
	return r
}

func (r *running) get(t *testing.T, path string, auth bool) (int, []byte) {
	t.Helper()
	return r.do(t, "GET", path, "", auth)
}

func (r *running) do(t *testing.T, method, path, body string, auth bool) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, r.httpBase+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth {
		req.Header.Set("Authorization", "Bearer demo-admin-token")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestGatewayDemoModeEndToEnd(t *testing.T) {
	db := filepath.Join(t.TempDir(), "callgate.db")
	g := startGateway(t, db)

	t.Run("health", func(t *testing.T) {
		for _, p := range []string{"/healthz", "/readyz"} {
			if code, b := g.get(t, p, false); code != http.StatusOK {
				t.Fatalf("%s: %d %s", p, code, b)
			}
		}
	})

	t.Run("admin API lists the seeded agents and queues", func(t *testing.T) {
		code, b := g.get(t, "/api/v1/agents", false)
		if code != http.StatusUnauthorized {
			t.Fatalf("no token: %d", code)
		}
		var agents []core.Agent
		code, b = g.get(t, "/api/v1/agents", true)
		if code != 200 || json.Unmarshal(b, &agents) != nil {
			t.Fatalf("agents: %d %s", code, b)
		}
		names := map[string]bool{}
		for _, a := range agents {
			names[a.Interface()] = true
			names[a.Username] = true
		}
		for _, want := range []string{"1000", "Agent/9000", "SIP/1064"} {
			if !names[want] {
				t.Errorf("agent %s not seeded: %v", want, names)
			}
		}
		var queues []core.Queue
		code, b = g.get(t, "/api/v1/queues", true)
		if code != 200 || json.Unmarshal(b, &queues) != nil {
			t.Fatalf("queues: %d %s", code, b)
		}
		qn := map[string]bool{}
		for _, q := range queues {
			qn[q.Name] = true
		}
		for _, want := range []string{"8000", "8001", "TEST_IN"} {
			if !qn[want] {
				t.Errorf("queue %s not seeded", want)
			}
		}
	})

	t.Run("inbound call reaches a logged-in agent through the ACD", func(t *testing.T) {
		var agents []core.Agent
		_, b := g.get(t, "/api/v1/agents?username=1064", true)
		if err := json.Unmarshal(b, &agents); err != nil || len(agents) != 1 {
			t.Fatalf("agent 1064: %s", b)
		}
		id := agents[0].ID
		if code, b := g.do(t, "POST", fmt.Sprintf("/api/v1/agents/%d/login", id), "", true); code != 200 {
			t.Fatalf("login: %d %s", code, b)
		}
		code, b := g.do(t, "POST", "/api/v1/sim/inbound", `{"caller_id":"5551234","did":"5558000"}`, true)
		if code != http.StatusCreated {
			t.Fatalf("inbound: %d %s", code, b)
		}
		var ch struct{ ID string }
		_ = json.Unmarshal(b, &ch)
		var connect []core.QueueLogEntry
		waitFor(t, "CONNECT in the queue log", func() bool {
			_, b := g.get(t, "/api/v1/queuelog?event=CONNECT&agent=1064", true)
			connect = nil
			_ = json.Unmarshal(b, &connect)
			return len(connect) == 1
		})
		if connect[0].Queue != "8000" {
			t.Fatalf("connected in queue %q", connect[0].Queue)
		}
		var sess core.AgentSession
		_, b = g.get(t, fmt.Sprintf("/api/v1/agents/%d/session", id), true)
		if err := json.Unmarshal(b, &sess); err != nil || sess.State != core.AgentOnCall || sess.CallID != connect[0].CallID {
			t.Fatalf("session: %s", b)
		}
		if code, b := g.do(t, "POST", "/api/v1/sim/channels/"+ch.ID+"/hangup", "", true); code != 200 {
			t.Fatalf("hangup: %d %s", code, b)
		}
		waitFor(t, "a CDR", func() bool {
			var cdr []core.CDR
			_, b := g.get(t, "/api/v1/cdr?agent=1064", true)
			_ = json.Unmarshal(b, &cdr)
			return len(cdr) == 1
		})
	})

	t.Run("metrics", func(t *testing.T) {
		code, b := g.get(t, "/metrics", false)
		if code != 200 {
			t.Fatalf("metrics: %d", code)
		}
		for _, want := range []string{
			`callgate_http_requests_total{code="200",method="GET",route="/api/v1/agents"}`,
			"callgate_pbx_ready 1",
			"callgate_agents_logged_in 1",
			"callgate_http_request_duration_seconds_bucket",
		} {
			if !bytes.Contains(b, []byte(want)) {
				t.Errorf("metrics lack %s", want)
			}
		}
		// The call above was written through the group commit.
		commits, writes := metricValue(t, b, "callgate_store_commits_total"), metricValue(t, b, "callgate_store_commit_writes_total")
		if commits < 1 || writes < commits {
			t.Errorf("group commit counters: %v commits carrying %v writes", commits, writes)
		}
	})

	t.Run("ECCP listener accepts connections", func(t *testing.T) {
		c, err := net.DialTimeout("tcp", g.eccpAddr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	})

	t.Run("graceful shutdown closes the listeners", func(t *testing.T) {
		if err := g.stop(); err != nil {
			t.Fatalf("stop: %v", err)
		}
		if _, err := http.Get(g.httpBase + "/healthz"); err == nil {
			t.Fatal("HTTP still answering after shutdown")
		}
	})

	t.Run("restart on the same database does not duplicate the seed", func(t *testing.T) {
		g2 := startGateway(t, db)
		var agents []core.Agent
		_, b := g2.get(t, "/api/v1/agents?limit=1000", true)
		if err := json.Unmarshal(b, &agents); err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, a := range agents {
			seen[a.Username]++
		}
		for u, n := range seen {
			if n != 1 {
				t.Errorf("agent %s seeded %d times", u, n)
			}
		}
		// The session persisted by the first run is restored or dropped,
		// never duplicated.
		if code, _ := g2.get(t, "/readyz", false); code != 200 {
			t.Fatalf("readyz after restart: %d", code)
		}
	})
}

// waitFor polls cond until it holds; the deadline only bounds a hang.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestInvalidConfigFailsFastNamingTheKey(t *testing.T) {
	cases := []struct {
		env     map[string]string
		wantKey string
	}{
		{map[string]string{"CALLGATE_DEMO": "1", "CALLGATE_HTTP_ADDR": "nope"}, "http.addr"},
		{map[string]string{"CALLGATE_TELEPHONY": "ari", "CALLGATE_HTTP_ADDR": "127.0.0.1:0"}, "CALLGATE_DEMO=1"},
		{map[string]string{
			"CALLGATE_DB_DSN": "sqlite://" + filepath.Join(t.TempDir(), "t.db"), "CALLGATE_ADMIN_TOKEN": "change-me-to-a-long-random-token",
			"CALLGATE_TELEPHONY": "sim", "CALLGATE_HTTP_ADDR": "127.0.0.1:0",
		}, "admin.token"},
		{map[string]string{"CALLGATE_DEMO": "1", "CALLGATE_TELEPHONY": "pstn"}, "telephony.mode"},
		{map[string]string{
			"CALLGATE_DB_DSN": "sqlite://" + filepath.Join(t.TempDir(), "p.db"), "CALLGATE_ADMIN_TOKEN": "0123456789abcdef",
			"CALLGATE_ARI_PASSWORD": "x", "CALLGATE_ARI_TRANSPORT": "proxy", "CALLGATE_HTTP_ADDR": "127.0.0.1:0",
		}, "ari.transport"},
	}
	for _, tc := range cases {
		err := run(context.Background(), nil, func(k string) string { return tc.env[k] }, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.wantKey) {
			t.Errorf("env %v: error %v does not name %s", tc.env, err, tc.wantKey)
		}
	}
}

func TestCheckFlagValidatesOnly(t *testing.T) {
	var out bytes.Buffer
	env := map[string]string{"CALLGATE_DEMO": "1", "CALLGATE_DB_DSN": "sqlite://" + filepath.Join(t.TempDir(), "x.db")}
	if err := run(context.Background(), []string{"-check"}, func(k string) string { return env[k] }, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&out)
	if !sc.Scan() || sc.Text() != "configuration OK" {
		t.Fatalf("output %q", out.String())
	}
}

func TestCheckRefusesPlaceholderTokenAndWarnsAboutARIPassword(t *testing.T) {
	dir := t.TempDir()
	ariConf := filepath.Join(dir, "ari.conf")
	if err := os.WriteFile(ariConf, []byte("[callgate]\ntype = user\npassword = right-one\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := map[string]string{"CALLGATE_DB_DSN": "sqlite://" + filepath.Join(dir, "c.db"), "CALLGATE_ARI_PASSWORD": "wrong-one"}
	cases := []struct {
		name    string
		token   string
		wantErr string
		wantOut string
	}{
		{"placeholder token fails", config.ExampleAdminToken, "admin.token", ""},
		{"short token fails", "short-token", "admin.token", ""},
		{"ari password mismatch only warns", "9f3c2a7e5b1d4c6a8e0f", "", "does not match"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"CALLGATE_ADMIN_TOKEN": tc.token}
			for k, v := range base {
				env[k] = v
			}
			var out, errw bytes.Buffer
			err := run(context.Background(), []string{"-check", "-ari-conf", ariConf}, func(k string) string { return env[k] }, &out, &errw)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("want error naming %s, got %v", tc.wantErr, err)
				}
				return
			}
			if err != nil || !strings.Contains(out.String(), "configuration OK") {
				t.Fatalf("err %v out %q", err, out.String())
			}
			if !strings.Contains(errw.String(), tc.wantOut) || strings.Contains(errw.String(), "right-one") || strings.Contains(errw.String(), "wrong-one") {
				t.Fatalf("stderr %q", errw.String())
			}
		})
	}
}

// Demo mode publishes its credentials, so with no address configured it
// must listen on loopback only. It uses the fixed demo ports: skipped when
// another process holds them.
func TestDemoModeListensOnLoopbackOnly(t *testing.T) {
	for _, a := range []string{config.DemoHTTPAddr, config.DemoECCPAddr} {
		ln, err := net.Listen("tcp", a)
		if err != nil {
			t.Skipf("%s busy: %v", a, err)
		}
		ln.Close()
	}
	env := map[string]string{
		"CALLGATE_DEMO":      "1",
		"CALLGATE_DB_DSN":    "sqlite://" + filepath.Join(t.TempDir(), "d.db"),
		"CALLGATE_LOG_LEVEL": "warn",
	}
	ctx, cancel := context.WithCancel(context.Background())
	out := &lineWriter{lines: make(chan string, 64)}
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, func(k string) string { return env[k] }, out, io.Discard) }()
	defer func() {
		cancel()
		<-done
	}()
	got := map[string]string{}
	deadline := time.After(30 * time.Second)
	for len(got) < 2 {
		select {
		case line := <-out.lines:
			if m := listenRE.FindStringSubmatch(line); m != nil {
				got[m[1]] = m[2]
			}
		case err := <-done:
			t.Fatalf("gateway exited: %v", err)
		case <-deadline:
			t.Fatal("no listen lines")
		}
	}
	if got["HTTP"] != config.DemoHTTPAddr || got["ECCP"] != config.DemoECCPAddr {
		t.Fatalf("listening on %v, want %s and %s", got, config.DemoHTTPAddr, config.DemoECCPAddr)
	}
	// Reaching the same ports through any other local address must fail.
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok || ipn.IP.IsLoopback() || ipn.IP.IsLinkLocalUnicast() {
			continue
		}
		for _, port := range []string{"8080", "20005"} {
			c, err := net.DialTimeout("tcp", net.JoinHostPort(ipn.IP.String(), port), 2*time.Second)
			if err == nil {
				c.Close()
				t.Errorf("demo port %s reachable on %s", port, ipn.IP)
			}
		}
	}
}

func TestReadyzFollowsThePBXConnection(t *testing.T) {
	cfg, err := config.Load("", func(k string) string {
		return map[string]string{
			"CALLGATE_DEMO":      "1",
			"CALLGATE_HTTP_ADDR": "127.0.0.1:0",
			"CALLGATE_ECCP_ADDR": "off",
			"CALLGATE_DB_DSN":    "sqlite://" + filepath.Join(t.TempDir(), "r.db"),
			"CALLGATE_SEED":      "false",
		}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	g, err := newGateway(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := g.start(ctx, io.Discard); err != nil {
		t.Fatal(err)
	}
	defer g.shutdown(ctx)
	r := &running{httpBase: "http://" + g.httpLn.Addr().String()}
	if code, b := r.get(t, "/readyz", false); code != 200 {
		t.Fatalf("connected: %d %s", code, b)
	}
	g.sim.SetReady(false)
	if code, _ := r.get(t, "/readyz", false); code != http.StatusServiceUnavailable {
		t.Fatalf("disconnected PBX: readyz %d", code)
	}
	if code, _ := r.get(t, "/healthz", false); code != 200 {
		t.Fatalf("healthz must not follow the PBX: %d", code)
	}
	g.sim.SetReady(true)
	if code, _ := r.get(t, "/readyz", false); code != 200 {
		t.Fatalf("reconnected: readyz %d", code)
	}
	g.draining.Store(true)
	if code, _ := r.get(t, "/readyz", false); code != http.StatusServiceUnavailable {
		t.Fatalf("draining: readyz %d", code)
	}
}

// With bus.kind nats the gateway publishes domain events to JetStream; runs
// when CALLGATE_TEST_NATS_URL points at a NATS server with JetStream.
func TestGatewayOnNATSBus(t *testing.T) {
	url := os.Getenv("CALLGATE_TEST_NATS_URL")
	if url == "" {
		t.Skip("CALLGATE_TEST_NATS_URL not set")
	}
	stream := fmt.Sprintf("CGTEST_GW_%d", time.Now().UnixNano())
	t.Cleanup(func() {
		nc, err := nats.Connect(url)
		if err != nil {
			return
		}
		defer nc.Close()
		if js, err := jetstream.New(nc); err == nil {
			_ = js.DeleteStream(context.Background(), stream)
		}
	})
	cfg, err := config.Load("", func(k string) string {
		return map[string]string{
			"CALLGATE_DEMO":        "1",
			"CALLGATE_HTTP_ADDR":   "127.0.0.1:0",
			"CALLGATE_ECCP_ADDR":   "off",
			"CALLGATE_DB_DSN":      "sqlite://" + filepath.Join(t.TempDir(), "n.db"),
			"CALLGATE_BUS":         "nats",
			"CALLGATE_NATS_URL":    url,
			"CALLGATE_NATS_STREAM": stream,
		}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	g, err := newGateway(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := g.start(ctx, io.Discard); err != nil {
		t.Fatal(err)
	}
	defer g.shutdown(ctx)
	sub, err := g.bus.Subscribe(0, 64)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	r := &running{httpBase: "http://" + g.httpLn.Addr().String()}
	if code, b := r.do(t, "POST", "/api/v1/agents/3/login", "", true); code != 200 {
		t.Fatalf("login: %d %s", code, b)
	}
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-sub.C():
			if !ok {
				t.Fatalf("subscription closed: %v", sub.Err())
			}
			if ev.Type == (core.AgentLoggedIn{}).EventType() && ev.Agent == "1064" {
				return
			}
		case <-timeout:
			t.Fatal("no agent.logged_in event from NATS")
		}
	}
}

// Every start-up and shutdown log line is one well-formed record: JSON
// lines parse, the settings are an object (not a Go map dump), node is
// given once, and no secret appears.
func TestStartupLogLinesAreWellFormed(t *testing.T) {
	for _, format := range []string{"json", "text"} {
		t.Run(format, func(t *testing.T) {
			env := map[string]string{
				"CALLGATE_DEMO":        "1",
				"CALLGATE_HTTP_ADDR":   "127.0.0.1:0",
				"CALLGATE_ECCP_ADDR":   "127.0.0.1:0",
				"CALLGATE_DB_DSN":      "sqlite://" + filepath.Join(t.TempDir(), "l.db"),
				"CALLGATE_LOG_FORMAT":  format,
				"CALLGATE_NODE_ID":     "node-x",
				"CALLGATE_ADMIN_TOKEN": "s3cret-token-not-logged",
			}
			ctx, cancel := context.WithCancel(context.Background())
			out := &lineWriter{lines: make(chan string, 64)}
			var logs syncBuffer
			done := make(chan error, 1)
			go func() { done <- run(ctx, nil, func(k string) string { return env[k] }, out, &logs) }()
			seen := 0
			for seen < 2 {
				select {
				case line := <-out.lines:
					if strings.Contains(line, "s3cret") {
						t.Errorf("stdout shows the token: %q", line)
					}
					if listenRE.MatchString(line) {
						seen++
					}
				case err := <-done:
					t.Fatalf("exited: %v", err)
				case <-time.After(30 * time.Second):
					t.Fatal("no listen lines")
				}
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			if len(lines) < 3 {
				t.Fatalf("log lines: %q", lines)
			}
			for _, line := range lines {
				if strings.Contains(line, "s3cret") {
					t.Errorf("log line shows the token: %s", line)
				}
				switch format {
				case "json":
					var m map[string]any
					if err := json.Unmarshal([]byte(line), &m); err != nil {
						t.Errorf("not JSON: %s", line)
					}
					if n := strings.Count(line, `"node":`); n != 1 {
						t.Errorf("node given %d times: %s", n, line)
					}
					if m["msg"] == "starting callgate" {
						if _, ok := m["config"].(map[string]any); !ok {
							t.Errorf("config is not an object: %s", line)
						}
					}
				case "text":
					if n := strings.Count(line, " node="); n != 1 {
						t.Errorf("node given %d times: %s", n, line)
					}
					if strings.Contains(line, "map[") {
						t.Errorf("Go map dump: %s", line)
					}
				}
			}
		})
	}
}

// syncBuffer collects log output written from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// metricValue reads one unlabelled series from a /metrics page.
func metricValue(t *testing.T, page []byte, name string) float64 {
	t.Helper()
	for _, line := range strings.Split(string(page), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return f
		}
	}
	t.Fatalf("metrics lack %s", name)
	return 0
}
