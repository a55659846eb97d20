package main

import (
	"bufio"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/config"
	"github.com/callgate/callgate/pkg/demo"
	"github.com/callgate/callgate/pkg/store"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// childEnv marks a copy of this test binary started as a gateway process,
// so a test can SIGKILL a real gateway.
const childEnv = "CALLGATE_TEST_GATEWAY_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err := run(ctx, nil, os.Getenv, os.Stdout, os.Stderr)
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "callgate:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// member is one gateway process of a test cluster.
type member struct {
	node   string
	cmd    *exec.Cmd
	http   string
	eccp   string
	stderr *syncBuffer
	exited chan struct{}
}

// startMember starts a gateway process in cluster mode on the shared
// database and NATS, on loopback ports.
func startMember(t testing.TB, node string, env map[string]string) *member {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1", "CALLGATE_NODE_ID="+node, "CALLGATE_HTTP_ADDR=127.0.0.1:0",
		"CALLGATE_ECCP_ADDR=127.0.0.1:0", "CALLGATE_CLUSTER_ADVERTISE=127.0.0.1", "CALLGATE_DEMO=1", "CALLGATE_LOG_LEVEL=warn", "CALLGATE_MEDIA_DIR=")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	m := &member{node: node, cmd: cmd, stderr: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stderr = m.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan []string, 2)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if mm := listenRE.FindStringSubmatch(sc.Text()); mm != nil {
				addr <- mm[1:]
			}
		}
	}()
	go func() { _ = cmd.Wait(); close(m.exited) }()
	t.Cleanup(func() {
		m.kill()
		// A race-enabled child reports races on its stderr, and a
		// SIGKILLed one never exits with the race detector's status.
		if strings.Contains(m.stderr.String(), "DATA RACE") {
			t.Errorf("%s: %s", node, m.stderr.String())
		}
	})
	for m.http == "" || m.eccp == "" {
		select {
		case a := <-addr:
			if a[0] == "HTTP" {
				m.http = "http://" + a[1]
			} else {
				m.eccp = a[1]
			}
		case <-m.exited:
			t.Fatalf("%s exited: %s", node, m.stderr.String())
		case <-time.After(60 * time.Second):
			t.Fatalf("%s did not start: %s", node, m.stderr.String())
		}
	}
	return m
}

// kill is SIGKILL: no release of the lease, no shutdown of anything.
func (m *member) kill() {
	_ = m.cmd.Process.Kill()
	<-m.exited
}

func (m *member) do(t testing.TB, method, path, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, m.http+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer demo-admin-token")
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (m *member) view(t testing.TB) clusterView {
	t.Helper()
	var v clusterView
	if code, b := m.do(t, "GET", "/api/v1/cluster", ""); code == http.StatusOK {
		_ = json.Unmarshal(b, &v)
	}
	return v
}

// clusterEnv is the configuration the members of one test cluster share.
func clusterEnv(t testing.TB, lease string) (map[string]string, core.Store) {
	url := os.Getenv("CALLGATE_TEST_NATS_URL")
	if url == "" {
		t.Skip("CALLGATE_TEST_NATS_URL not set")
	}
	if os.Getenv("CALLGATE_TEST_MYSQL_DSN") == "" {
		t.Skip("CALLGATE_TEST_MYSQL_DSN not set: gateways share a MariaDB")
	}
	dsn := storetest.DSN(t, storetest.MySQL)
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	name := fmt.Sprintf("t%d", time.Now().UnixNano())
	t.Cleanup(func() { dropStream(url, "EV_"+name) })
	return map[string]string{
		"CALLGATE_DB_DSN": dsn, "CALLGATE_NATS_URL": url, "CALLGATE_CLUSTER_LEASE": lease,
		"CALLGATE_CLUSTER_NAME": name, "CALLGATE_CLUSTER_LEASE_TTL": "1s", "CALLGATE_SEED": "0",
		"CALLGATE_BUS": "nats", "CALLGATE_NATS_STREAM": "EV_" + name,
	}, st
}

// clusterUntil polls cond (a real cluster: elections take real time) up to a
// generous bound; the takeover time itself is measured by the benchmark.
func clusterUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	clusterUntilOr(t, what, cond, func() string { return "" })
}

// clusterUntilOr is clusterUntil that says what it last saw on failure.
func clusterUntilOr(t testing.TB, what string, cond func() bool, seen func() string) {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s %s", what, seen())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Three gateway processes on MariaDB and NATS: one leads, the standbys
// serve every request by forwarding it to the leader, every gateway reports
// the same leader; the leader is SIGKILLed and a standby takes over in a
// new term with the agent's session restored from the store, and the
// database holds one session and one term row, nothing doubled.
func TestThreeGatewaysFailOverWhenTheLeaderIsKilled(t *testing.T) {
	for _, lease := range []string{"sql", "nats"} {
		t.Run(lease, func(t *testing.T) {
			env, st := clusterEnv(t, lease)
			seed := map[string]string{"CALLGATE_SEED": "1"}
			for k, v := range env {
				if _, ok := seed[k]; !ok {
					seed[k] = v
				}
			}
			gw1 := startMember(t, "gw-1", seed)
			clusterUntil(t, "gw-1 leads", func() bool { v := gw1.view(t); return v.Leader && v.Term == 1 })
			gw2 := startMember(t, "gw-2", env)
			gw3 := startMember(t, "gw-3", env)
			clusterUntil(t, "every gateway sees gw-1 lead and the two others", func() bool {
				for _, m := range []*member{gw1, gw2, gw3} {
					v := m.view(t)
					if v.LeaderID != "gw-1" || v.Leader != (m == gw1) || len(v.Nodes) != 2 {
						return false
					}
				}
				return true
			})

			for _, tc := range []struct {
				m      *member
				want   int
				metric string
			}{
				{gw1, http.StatusOK, "callgate_cluster_leader 1\n"},
				{gw2, http.StatusServiceUnavailable, "callgate_cluster_leader 0\n"},
				{gw3, http.StatusServiceUnavailable, "callgate_cluster_leader 0\n"},
			} {
				if code, _ := tc.m.do(t, "GET", "/leaderz", ""); code != tc.want {
					t.Fatalf("%s /leaderz %d, want %d", tc.m.node, code, tc.want)
				}
				_, b := tc.m.do(t, "GET", "/metrics", "")
				if !strings.Contains(string(b), tc.metric) || !strings.Contains(string(b), "callgate_cluster_term 1\n") ||
					!strings.Contains(string(b), "callgate_cluster_nodes_seen 2\n") {
					t.Fatalf("%s metrics lack %q, term 1, 2 nodes seen", tc.m.node, tc.metric)
				}
			}
			// Requests to standbys are served by the leader's engine.
			for _, m := range []*member{gw1, gw2, gw3} {
				if got := m.eccpLogin(t); !strings.Contains(got, "<success/>") {
					t.Fatalf("ECCP login through %s: %q", m.node, got)
				}
			}
			if code, b := gw2.do(t, "POST", "/api/v1/agents/3/login", ""); code != http.StatusOK {
				t.Fatalf("login through standby gw-2: %d %s", code, b)
			}
			code, b := gw3.do(t, "GET", "/api/v1/agents/3/session", "")
			if code != http.StatusOK || !strings.Contains(string(b), `"1064"`) {
				t.Fatalf("session through standby gw-3: %d %s", code, b)
			}
			if code, b := gw3.do(t, "GET", "/agc/api.php?source=t&user=6666&pass=nope&function=version", ""); code != http.StatusOK || len(b) == 0 {
				t.Fatalf("VICIdial through standby gw-3: %d %s", code, b)
			}

			gw1.kill()
			var leader, standby *member
			clusterUntil(t, "a standby leads in term 2", func() bool {
				for _, m := range []*member{gw2, gw3} {
					if v := m.view(t); v.Leader && v.Term == 2 {
						leader = m
					}
				}
				return leader != nil
			})
			standby = map[bool]*member{true: gw3, false: gw2}[leader == gw2]
			clusterUntil(t, "the other standby follows the new leader", func() bool {
				v := standby.view(t)
				return v.LeaderID == leader.node && !v.Leader
			})
			// The session was restored from the store by the new leader.
			clusterUntil(t, "the session is served after the failover", func() bool {
				code, b := standby.do(t, "GET", "/api/v1/agents/3/session", "")
				return code == http.StatusOK && strings.Contains(string(b), `"1064"`)
			})
			clusterUntil(t, "ECCP through the standby reaches the new leader", func() bool {
				return strings.Contains(standby.eccpLogin(t), "<success/>")
			})
			ctx := context.Background()
			if n, err := st.Count(ctx, &core.AgentSession{}, core.Eq("username", "1064")); err != nil || n != 1 {
				t.Fatalf("sessions of 1064 in the store: %d %v, want 1", n, err)
			}
			var leases []core.LeaseRecord
			if err := st.Find(ctx, &leases, core.Eq("name", env["CALLGATE_CLUSTER_NAME"])); err != nil || len(leases) != 1 || leases[0].Token != 2 || leases[0].Holder != leader.node {
				t.Fatalf("lease rows %+v %v, want one in term 2 held by %s", leases, err, leader.node)
			}
		})
	}
}

// BenchmarkGatewayFailover measures the time from SIGKILL of the leader to
// a standby serving as leader (default lease TTL, 4 s: the bound is 5 s).
func BenchmarkGatewayFailover(b *testing.B) {
	var total time.Duration
	for i := 0; i < b.N; i++ {
		env, _ := clusterEnv(b, "sql")
		env["CALLGATE_CLUSTER_LEASE_TTL"] = "4s"
		seed := map[string]string{}
		for k, v := range env {
			seed[k] = v
		}
		seed["CALLGATE_SEED"] = "1"
		gw1 := startMember(b, "gw-1", seed)
		clusterUntil(b, "gw-1 leads", func() bool { return gw1.view(b).Leader })
		gw2 := startMember(b, "gw-2", env)
		clusterUntil(b, "gw-2 stands by", func() bool { return gw2.view(b).LeaderID == "gw-1" })
		killed := time.Now()
		gw1.kill()
		clusterUntil(b, "gw-2 leads", func() bool {
			code, _ := gw2.do(b, "GET", "/api/v1/agents", "")
			return gw2.view(b).Leader && code == http.StatusOK
		})
		total += time.Since(killed)
		gw2.kill()
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s/takeover")
}

// One gateway (no cluster.lease) is always the leader, in no term; the
// cluster view needs the admin token like the rest of /api/v1.
func TestSingleGatewayClusterViewSaysItLeads(t *testing.T) {
	r := startGateway(t, t.TempDir()+"/c.db")
	if code, _ := r.get(t, "/api/v1/cluster", false); code != http.StatusUnauthorized {
		t.Fatalf("without the token: %d", code)
	}
	code, b := r.get(t, "/api/v1/cluster", true)
	var v clusterView
	if err := json.Unmarshal(b, &v); code != http.StatusOK || err != nil {
		t.Fatalf("%d %s %v", code, b, err)
	}
	if !v.Leader || v.LeaderID != "test-node" || v.Node != "test-node" || v.Term != 0 || v.Backend != "none" || len(v.Nodes) != 0 {
		t.Fatalf("view %+v", v)
	}
	if code, _ := r.get(t, "/leaderz", false); code != http.StatusOK {
		t.Fatalf("/leaderz %d", code)
	}
}

// eccpLogin logs the demo ECCP client in through m's ECCP listener and
// returns the response (a standby relays it to the leader).
func (m *member) eccpLogin(t testing.TB) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", m.eccp, 5*time.Second)
	if err != nil {
		return err.Error()
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	sum := md5.Sum([]byte(demo.ECCPClientPass))
	fmt.Fprintf(c, `<request id="1"><login><username>%s</username><password>%s</password></login></request>`, demo.ECCPClient, hex.EncodeToString(sum[:]))
	var got strings.Builder
	buf := make([]byte, 4096)
	for !strings.Contains(got.String(), "</response>") {
		n, err := c.Read(buf)
		got.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return got.String()
}

// inProcess starts a cluster gateway in this process (so -race sees its
// terms start and stop) on the shared configuration.
func inProcess(t *testing.T, node string, env map[string]string) *gateway {
	t.Helper()
	all := map[string]string{"CALLGATE_DEMO": "1", "CALLGATE_HTTP_ADDR": "127.0.0.1:0", "CALLGATE_ECCP_ADDR": "127.0.0.1:0",
		"CALLGATE_CLUSTER_ADVERTISE": "127.0.0.1", "CALLGATE_NODE_ID": node, "CALLGATE_MEDIA_DIR": ""}
	for k, v := range env {
		all[k] = v
	}
	cfg, err := config.Load("", func(k string) string { return all[k] })
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
	t.Cleanup(func() { g.shutdown(ctx) })
	return g
}

// handOver makes from give up the lease until to leads (from may win the
// lease back before to tries: it resigns again).
func handOver(t *testing.T, from, to *gateway) core.LeaseState {
	t.Helper()
	var term core.LeaseState
	clusterUntil(t, to.cfg.NodeID+" leads", func() bool {
		if leading, s := to.cl.el.State(); leading && to.cl.serving.Load() {
			term = s
			return true
		}
		if from.cl.serving.Load() {
			from.cl.el.Resign()
		}
		return false
	})
	return term
}

// A gateway that loses the lease stops its engine and forwards; when it is
// elected again it builds a new engine in the new term and serves again.
func TestGatewayStepsDownAndLeadsAgainInANewTerm(t *testing.T) {
	env, _ := clusterEnv(t, "sql")
	seed := map[string]string{}
	for k, v := range env {
		seed[k] = v
	}
	seed["CALLGATE_SEED"] = "1"
	gw1 := inProcess(t, "gw-1", seed)
	clusterUntil(t, "gw-1 leads", func() bool { return gw1.cl.serving.Load() })
	gw2 := inProcess(t, "gw-2", env)
	r1 := &running{httpBase: "http://" + gw1.httpLn.Addr().String()}
	r2 := &running{httpBase: "http://" + gw2.httpLn.Addr().String()}
	if code, b := r2.do(t, "POST", "/api/v1/agents/3/login", "", true); code != http.StatusOK {
		t.Fatalf("login through gw-2: %d %s", code, b)
	}
	first := gw1.engPtr.Load()

	t2 := handOver(t, gw1, gw2)
	clusterUntil(t, "gw-1 stands by with no engine", func() bool { return !gw1.engineUp.Load() && gw1.engPtr.Load() == nil })
	if code, _ := r1.get(t, "/leaderz", false); code != http.StatusServiceUnavailable {
		t.Fatalf("gw-1 /leaderz %d after stepping down", code)
	}
	if code, b := r1.get(t, "/api/v1/agents/3/session", true); code != http.StatusOK {
		t.Fatalf("session through gw-1 standing by: %d %s", code, b)
	}

	t3 := handOver(t, gw2, gw1)
	if t3.Token <= t2.Token || gw1.engPtr.Load() == first {
		t.Fatalf("gw-1 leads again in term %d after %d, new engine %v", t3.Token, t2.Token, gw1.engPtr.Load() != first)
	}
	if code, b := r2.get(t, "/api/v1/agents/3/session", true); code != http.StatusOK {
		t.Fatalf("session through gw-2 after the hand back: %d %s", code, b)
	}
}

// dropStream deletes a test cluster's event stream from the shared NATS
// server (best effort: it may never have been created).
func dropStream(url, stream string) {
	nc, err := nats.Connect(url)
	if err != nil {
		return
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = js.DeleteStream(ctx, stream)
}

// Two shards (two independent call centers) on one NATS and one MariaDB
// server: each has its own cluster name (its lease), database and event
// stream. Each elects its own leader, sees only its own members, keeps its
// agents to itself, and the death of one shard's leader is no event for
// the other.
func TestTwoShardsShareNATSAndTheDatabaseServerButNothingElse(t *testing.T) {
	type shard struct {
		env             map[string]string
		st              core.Store
		leader, standby *member
	}
	var shards [2]*shard
	for i, prefix := range []string{"a", "b"} {
		env, st := clusterEnv(t, "nats")
		seed := map[string]string{"CALLGATE_SEED": "1"}
		for k, v := range env {
			if _, ok := seed[k]; !ok {
				seed[k] = v
			}
		}
		s := &shard{env: env, st: st}
		s.leader = startMember(t, prefix+"-1", seed)
		clusterUntil(t, prefix+"-1 leads", func() bool { v := s.leader.view(t); return v.Leader && v.Term == 1 })
		s.standby = startMember(t, prefix+"-2", env)
		shards[i] = s
	}
	a, b := shards[0], shards[1]
	clusterUntil(t, "each shard's members see their leader and only each other", func() bool {
		for _, s := range shards {
			for _, m := range []*member{s.leader, s.standby} {
				v := m.view(t)
				if v.LeaderID != s.leader.node || v.Leader != (m == s.leader) || len(v.Nodes) != 1 {
					return false
				}
			}
		}
		return true
	})
	if code, body := a.standby.do(t, "POST", "/api/v1/agents/3/login", ""); code != http.StatusOK {
		t.Fatalf("login in shard a: %d %s", code, body)
	}
	if code, _ := b.standby.do(t, "GET", "/api/v1/agents/3/session", ""); code != http.StatusNotFound {
		t.Fatalf("shard b sees shard a's agent session: %d", code)
	}
	ctx := context.Background()
	if n, _ := b.st.Count(ctx, &core.AgentSession{}, core.Filter{}); n != 0 {
		t.Fatalf("shard b's database holds %d sessions", n)
	}

	a.leader.kill()
	clusterUntil(t, "shard a's standby leads in term 2", func() bool { v := a.standby.view(t); return v.Leader && v.Term == 2 })
	clusterUntil(t, "shard a's session is restored", func() bool {
		code, _ := a.standby.do(t, "GET", "/api/v1/agents/3/session", "")
		return code == http.StatusOK
	})
	for _, m := range []*member{b.leader, b.standby} {
		if v := m.view(t); v.LeaderID != "b-1" || v.Term != 1 {
			t.Fatalf("shard b after shard a's failover, %s sees %+v", m.node, v)
		}
	}
	if code, _ := b.standby.do(t, "GET", "/api/v1/agents/3/session", ""); code != http.StatusNotFound {
		t.Fatalf("shard b sees shard a's agent after the failover: %d", code)
	}
}

// A front gateway (cluster.role front) never leads, not even when no
// member is left; an ECCP console and an event stream connected to it
// outlive the leaders, so clients that must not lose their connection are
// pointed at fronts.
func TestFrontGatewayNeverLeadsAndItsClientsOutliveTheLeaders(t *testing.T) {
	env, _ := clusterEnv(t, "nats")
	with := func(k, v string) map[string]string {
		out := map[string]string{k: v}
		for ek, ev := range env {
			if _, ok := out[ek]; !ok {
				out[ek] = ev
			}
		}
		return out
	}
	gw1 := startMember(t, "gw-1", with("CALLGATE_SEED", "1"))
	clusterUntil(t, "gw-1 leads", func() bool { v := gw1.view(t); return v.Leader && v.Term == 1 })
	front := startMember(t, "fr-1", with("CALLGATE_CLUSTER_ROLE", "front"))
	gw2 := startMember(t, "gw-2", env)
	clusterUntil(t, "the front follows gw-1", func() bool {
		v := front.view(t)
		return v.Role == "front" && !v.Leader && v.LeaderID == "gw-1" && len(v.Nodes) == 2
	})
	console := openConsole(t, front)
	events := openEventStream(t, front)
	// A page's stream (session cookie): proxied to the leader over HTTP.
	cookie := pageSession(t, front)
	page := openStream(t, front, http.Header{"Cookie": {cookie.String()}})
	if code, b := front.do(t, "POST", "/api/v1/agents/1/login", ""); code != http.StatusOK {
		t.Fatalf("login through the front: %d %s", code, b)
	}
	clusterUntil(t, "the page's stream carries gw-1's events", func() bool { return page.count() > 0 })

	gw1.kill()
	clusterUntil(t, "gw-2 leads in term 2", func() bool { v := gw2.view(t); return v.Leader && v.Term == 2 })
	<-page.ended // EventSource reconnects, with the last id it saw
	last := page.last()
	page = openStream(t, front, http.Header{"Cookie": {cookie.String()}, "Last-Event-ID": {strconv.FormatUint(last, 10)}})
	// A request the relay holds while it finds the new leader is answered
	// 503 (not run): the console retries, as a real one would.
	for id := 90; ; id++ {
		if id == 100 {
			t.Fatal("the console's requests through the front are never answered by gw-2")
		}
		resp := fmt.Sprintf(`<response id="%d">`, id)
		console.write(t, fmt.Sprintf(`<request id="%d"><getcampaignlist/></request>`, id))
		clusterUntil(t, "an answer to request "+strconv.Itoa(id), func() bool { return console.count(resp) == 1 })
		if console.count(resp, "<getcampaignlist_response>") == 1 {
			break
		}
	}
	seen := events.count()
	if code, b := front.do(t, "POST", "/api/v1/agents/3/login", ""); code != http.StatusOK {
		t.Fatalf("login through the front: %d %s", code, b)
	}
	clusterUntil(t, "the front's event stream carries gw-2's events", func() bool { return events.count() > seen })
	clusterUntil(t, "the page's stream resumed through the front carries gw-2's events", func() bool { return page.count() > 0 })
	if first := page.first(); first != last+1 {
		t.Fatalf("the page's stream resumed at %d, want %d (the one after the last it saw)", first, last+1)
	}

	gw2.kill()
	clusterUntil(t, "the front sees the lease expire", func() bool { return front.view(t).LeaderID == "" })
	if v := front.view(t); v.Leader || v.Term != 2 {
		t.Fatalf("front with no member left: %+v", v)
	}
	if code, _ := front.do(t, "GET", "/leaderz", ""); code != http.StatusServiceUnavailable {
		t.Fatalf("front /leaderz %d", code)
	}
	// Had the front taken a term while alone, gw-3 would not lead in 3.
	gw3 := startMember(t, "gw-3", env)
	clusterUntil(t, "gw-3 leads in term 3", func() bool { v := gw3.view(t); return v.Leader && v.Term == 3 })
	clusterUntil(t, "the front follows gw-3", func() bool { return front.view(t).LeaderID == "gw-3" })
}

// pageSession logs in to the web pages as the admin through m (the form's
// double-submit CSRF cookie first) and returns the session cookie.
func pageSession(t *testing.T, m *member) *http.Cookie {
	t.Helper()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(m.http + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var csrf *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "callgate_login" {
			csrf = c
		}
	}
	if csrf == nil {
		t.Fatalf("login form through %s: %d without its CSRF cookie", m.node, resp.StatusCode)
	}
	form := url.Values{"role": {"admin"}, "username": {"admin"}, "password": {"demo-admin-token"}, "csrf": {csrf.Value}}
	req, _ := http.NewRequest("POST", m.http+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(csrf)
	resp, err = noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == "callgate_session" && c.Value != "" {
			return c
		}
	}
	t.Fatalf("login through %s: %d without a session cookie", m.node, resp.StatusCode)
	return nil
}
