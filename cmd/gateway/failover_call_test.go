package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callgate/callgate/api/eccp"
	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/telephony/sim"
	"github.com/callgate/callgate/pkg/telephony/simari"
)

// sharedSimari serves one simulated Asterisk in the test process, so it
// outlives the gateway processes that drive it over ARI.
func sharedSimari(t *testing.T) (*simari.Client, string) {
	t.Helper()
	srv, err := simari.New(simari.Config{User: "callgate", Password: "failover-pw", App: "callgate", NodeID: "shared-pbx"})
	if err != nil {
		t.Fatal(err)
	}
	srv.PBX().SetDefaultBehavior(sim.Behavior{Outcome: sim.Answer})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("simari: %v", err)
		}
	}()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(ctx)
		_ = srv.Close()
	})
	addr := ln.Addr().String()
	return &simari.Client{Base: "http://" + addr, User: "callgate", Password: "failover-pw"}, "http://" + addr + "/ari"
}

// activeCalls is GET /api/v1/calls/active through m.
func (m *member) activeCalls(t testing.TB) []core.Call {
	t.Helper()
	var calls []core.Call
	if code, b := m.do(t, "GET", "/api/v1/calls/active", ""); code == http.StatusOK {
		_ = json.Unmarshal(b, &calls)
	}
	return calls
}

// Three gateways drive one simulated Asterisk over ARI, on MariaDB and
// NATS. With one caller on hold with an agent (logged in through one
// standby, held through the other), one ringing a second agent and one
// waiting in the queue, the leader is SIGKILLed: the new leader finds the
// three calls in the store and on the PBX, the ringing caller reaches its
// agent, the held call stays in its bridge and is taken off hold, the
// waiting caller is offered once an agent is free, and the store holds one
// queue entry, one connect and one call row per call, nothing lost or
// doubled.
func TestLeaderKilledMidCallKeepsTheCalls(t *testing.T) {
	env, st := clusterEnv(t, "sql")
	ctl, ariURL := sharedSimari(t)
	for k, v := range map[string]string{"CALLGATE_TELEPHONY": "ari", "CALLGATE_ARI_URL": ariURL,
		"CALLGATE_ARI_USER": "callgate", "CALLGATE_ARI_PASSWORD": "failover-pw"} {
		env[k] = v
	}
	seed := map[string]string{}
	for k, v := range env {
		seed[k] = v
	}
	seed["CALLGATE_SEED"] = "1"
	gw1 := startMember(t, "gw-1", seed)
	clusterUntil(t, "gw-1 leads", func() bool { v := gw1.view(t); return v.Leader && v.Term == 1 })
	gw2 := startMember(t, "gw-2", env)
	gw3 := startMember(t, "gw-3", env)
	clusterUntil(t, "the standbys follow gw-1", func() bool {
		return gw2.view(t).LeaderID == "gw-1" && gw3.view(t).LeaderID == "gw-1"
	})
	// A client follows the event stream through a standby for the whole
	// test: the stream must carry the killed leader's events and then the
	// new leader's, in sequence, none twice.
	stream := openEventStream(t, gw3)
	// ECCP consoles logged in through the standbys keep their connections
	// and sessions across the failover (the relays resume them on the new
	// leader, be it their own gateway or the other).
	consoles := []*eccpConsole{openConsole(t, gw2), openConsole(t, gw3)}
	if code, b := gw2.do(t, "POST", "/api/v1/agents/3/login", ""); code != http.StatusOK {
		t.Fatalf("login through standby gw-2: %d %s", code, b)
	}
	ctx := context.Background()
	talking, err := ctl.Inbound(ctx, simari.Inbound{CallerID: "5551001", Dialed: "5558000"})
	if err != nil {
		t.Fatal(err)
	}
	clusterUntil(t, "the first caller talks to the agent", func() bool {
		v, err := ctl.Channel(ctx, talking)
		return err == nil && v.State == "Up" && strings.HasPrefix(v.Bridge, "call-")
	})
	bridge := mustChannel(t, ctl, talking).Bridge
	// The caller is put on hold through the other standby: the call is
	// held when the leader dies.
	callID := func() string {
		for _, c := range gw3.activeCalls(t) {
			if c.Phone == "5551001" {
				return strconv.FormatUint(c.ID, 10)
			}
		}
		t.Fatal("the talking call is not live")
		return ""
	}()
	if code, b := gw3.do(t, "POST", "/api/v1/calls/"+callID+"/hold", ""); code != http.StatusOK {
		t.Fatalf("hold through gw-3: %d %s", code, b)
	}
	clusterUntil(t, "the caller hears music on hold", func() bool { return mustChannel(t, ctl, talking).MOH != "" })
	// A second agent joins queue 8000 (VICIdial non-agent update_user
	// through gw-2) and logs in through gw-3; its phone rings 6 s before
	// answering, so the next caller is ringing it when the leader dies.
	if code, b := gw2.do(t, "GET", "/vicidial/non_agent_api.php?source=test&user=6666&pass=1234&function=update_user&agent_user=1000&in_groups=8000", ""); code != http.StatusOK || !strings.HasPrefix(string(b), "SUCCESS") {
		t.Fatalf("update_user in_groups through gw-2: %d %s", code, b)
	}
	if err := ctl.SetBehavior(ctx, simari.Behavior{Endpoint: "PJSIP/1000", Outcome: "answer", AfterMS: 6000}); err != nil {
		t.Fatal(err)
	}
	if code, b := gw3.do(t, "POST", "/api/v1/agents/1/login", `{"queues":["8000"],"paused":false}`); code != http.StatusOK {
		t.Fatalf("login of 1000 through gw-3: %d %s", code, b)
	}
	ringing, err := ctl.Inbound(ctx, simari.Inbound{CallerID: "5551003", Dialed: "5558000"})
	if err != nil {
		t.Fatal(err)
	}
	clusterUntil(t, "the third caller rings agent 1000", func() bool {
		_, b := gw2.do(t, "GET", "/api/v1/agents/1/session", "")
		return strings.Contains(string(b), `"state":"ringing"`)
	})
	waiting, err := ctl.Inbound(ctx, simari.Inbound{CallerID: "5551002", Dialed: "5558000"})
	if err != nil {
		t.Fatal(err)
	}
	clusterUntil(t, "the second caller waits in the queue", func() bool {
		for _, c := range gw3.activeCalls(t) {
			if c.State == core.CallQueued && c.Queue == "8000" {
				return true
			}
		}
		return false
	})
	// The engine decides before its group commit writes: the scenario is
	// a leader that recorded the three calls (the store, which the next
	// leader restores from, says where each stands).
	clusterUntil(t, "the store holds the three calls where they stand", func() bool {
		n, _ := st.Count(ctx, &core.Call{}, core.Eq("state", string(core.CallQueued)).Eq("phone", "5551002"))
		r, _ := st.Count(ctx, &core.Call{}, core.Eq("state", string(core.CallOffering)).Eq("phone", "5551003"))
		h, _ := st.Count(ctx, &core.Call{}, core.Eq("state", string(core.CallOnHold)).Eq("phone", "5551001"))
		return n == 1 && r == 1 && h == 1
	})

	gw1.kill()
	var leader *member
	clusterUntil(t, "a standby leads in term 2", func() bool {
		for _, m := range []*member{gw2, gw3} {
			if v := m.view(t); v.Leader && v.Term == 2 {
				leader = m
			}
		}
		return leader != nil
	})
	var seen []core.Call
	clusterUntilOr(t, "the new leader holds the three calls, one held and one queued", func() bool {
		seen = leader.activeCalls(t)
		held, queued := false, false
		for _, c := range seen {
			held = held || c.State == core.CallOnHold
			queued = queued || c.State == core.CallQueued
		}
		return len(seen) == 3 && held && queued
	}, func() string { return fmt.Sprintf("calls %+v", seen) })
	t.Logf("%s leads; calls %+v", leader.node, leader.activeCalls(t))
	if v := mustChannel(t, ctl, talking); v.State != "Up" || v.HungUp || v.MOH == "" {
		t.Fatalf("the held call after the failover: %+v, want still up, on hold", v)
	}
	if v := mustChannel(t, ctl, waiting); v.HungUp {
		t.Fatalf("the waiting caller was dropped: %+v", v)
	}

	clusterUntil(t, "the ringing caller reaches agent 1000 under the new leader", func() bool {
		for _, c := range leader.activeCalls(t) {
			if c.Phone == "5551003" && c.State == core.CallConnected && c.Agent == "1000" {
				return strings.HasPrefix(mustChannel(t, ctl, ringing).Bridge, "call-")
			}
		}
		return false
	})
	// The new leader takes the caller off hold, through the last standby.
	standby := map[bool]*member{true: gw3, false: gw2}[leader == gw2]
	if code, b := standby.do(t, "POST", "/api/v1/calls/"+callID+"/unhold", ""); code != http.StatusOK {
		t.Fatalf("unhold through %s: %d %s", standby.node, code, b)
	}
	clusterUntil(t, "the caller is off hold, still with the agent", func() bool {
		v := mustChannel(t, ctl, talking)
		return v.MOH == "" && v.Bridge == bridge
	})
	if err := ctl.Hangup(ctx, talking, 16); err != nil {
		t.Fatal(err)
	}
	clusterUntil(t, "the waiting caller reaches the agent under the new leader", func() bool {
		v, err := ctl.Channel(ctx, waiting)
		return err == nil && strings.HasPrefix(v.Bridge, "call-")
	})
	for _, id := range []string{waiting, ringing} {
		if err := ctl.Hangup(ctx, id, 16); err != nil {
			t.Fatal(err)
		}
	}
	clusterUntil(t, "no call is live", func() bool { return len(leader.activeCalls(t)) == 0 })
	assertOneRowEach(t, st)
	clusterUntil(t, "the stream through gw-3 shows the three calls end", func() bool {
		return len(stream.endedCalls()) == 3
	})
	stream.checkInOrder(t)
	for i, console := range consoles {
		clusterUntilOr(t, "the ECCP consoles see the three calls unlinked", func() bool {
			return console.count("<agentunlinked>") >= 3
		}, func() string {
			return fmt.Sprintf("console %d got %d agentunlinked; gw-2: %s\ngw-3: %s", i, console.count("<agentunlinked>"), gw2.stderr.String(), gw3.stderr.String())
		})
		for _, phone := range []string{"5551001", "5551002", "5551003"} {
			if n := console.count("<agentunlinked>", "<phone>"+phone+"</phone>"); n != 1 {
				t.Errorf("console %d got %d agentunlinked events for %s, want 1", i, n, phone)
			}
		}
		if n := console.count("callgate"); n != 0 {
			t.Errorf("relay documents leaked to console %d %d times", i, n)
		}
		console.write(t, `<request id="90"><getcampaignlist/></request>`)
		clusterUntil(t, "the console's request is answered by the new leader", func() bool {
			return console.count(`<response id="90">`, "<getcampaignlist_response>") == 1
		})
	}
}

// eccpConsole is an ECCP client reading documents in the background.
type eccpConsole struct {
	conn net.Conn
	mu   sync.Mutex
	docs []string
}

func openConsole(t *testing.T, m *member) *eccpConsole {
	t.Helper()
	conn, err := net.DialTimeout("tcp", m.eccp, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c := &eccpConsole{conn: conn}
	done := make(chan struct{})
	t.Cleanup(func() { conn.Close(); <-done })
	go func() {
		defer close(done)
		fr := eccp.NewFramer(0)
		buf := make([]byte, 64<<10)
		for {
			n, err := conn.Read(buf)
			fr.Feed(buf[:n])
			for {
				d, ferr := fr.Next()
				if d == nil || ferr != nil {
					break
				}
				c.mu.Lock()
				c.docs = append(c.docs, string(d))
				c.mu.Unlock()
			}
			if err != nil {
				return
			}
		}
	}()
	c.write(t, `<request id="1"><login><username>agentconsole</username><password>agentconsole</password></login></request>`)
	clusterUntil(t, "the console logs in through "+m.node, func() bool { return c.count("<login_response><success/>") == 1 })
	return c
}

func (c *eccpConsole) write(t *testing.T, req string) {
	t.Helper()
	if _, err := c.conn.Write([]byte("<?xml version=\"1.0\"?>\n" + req + "\n")); err != nil {
		t.Fatalf("console write: %v", err)
	}
}

// count is how many documents contain every one of parts.
func (c *eccpConsole) count(parts ...string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, d := range c.docs {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(d, p)
		}
		if all {
			n++
		}
	}
	return n
}

// eventStream reads an SSE stream in the background.
type eventStream struct {
	mu     sync.Mutex
	seqs   []uint64
	phones []string      // of call.ended
	ended  chan struct{} // closed when the stream is over
}

func openEventStream(t *testing.T, m *member) *eventStream {
	t.Helper()
	return openStream(t, m, http.Header{"Authorization": {"Bearer demo-admin-token"}})
}

// openStream opens GET /api/v1/events through m with these headers (a
// token, or a page's session cookie and Last-Event-ID).
func openStream(t *testing.T, m *member, h http.Header) *eventStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", m.http+"/api/v1/events", nil)
	req.Header = h
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		cancel()
		var body []byte
		if resp != nil {
			body, _ = io.ReadAll(resp.Body)
		}
		t.Fatalf("event stream through %s: %v %v %s", m.node, err, resp, body)
	}
	s := &eventStream{ended: make(chan struct{})}
	t.Cleanup(func() { cancel(); <-s.ended })
	go func() {
		defer close(s.ended)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			s.line(sc.Text())
		}
	}()
	return s
}

func (s *eventStream) line(l string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case strings.HasPrefix(l, "id: "):
		n, _ := strconv.ParseUint(l[4:], 10, 64)
		s.seqs = append(s.seqs, n)
	case strings.HasPrefix(l, "data: ") && strings.Contains(l, `"type":"call.ended"`):
		var ev struct {
			Data struct {
				Call core.Call `json:"call"`
			} `json:"data"`
		}
		if json.Unmarshal([]byte(l[6:]), &ev) == nil {
			s.phones = append(s.phones, ev.Data.Call.Phone)
		}
	}
}

// count is how many events arrived.
func (s *eventStream) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seqs)
}

// first is the sequence of the first event that arrived.
func (s *eventStream) first() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.seqs) == 0 {
		return 0
	}
	return s.seqs[0]
}

// last is the sequence of the last event that arrived.
func (s *eventStream) last() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.seqs) == 0 {
		return 0
	}
	return s.seqs[len(s.seqs)-1]
}

func (s *eventStream) endedCalls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.phones...)
}

// checkInOrder: every sequence once, each greater than the one before.
func (s *eventStream) checkInOrder(t *testing.T) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 1; i < len(s.seqs); i++ {
		if s.seqs[i] <= s.seqs[i-1] {
			t.Fatalf("event %d after %d: out of order or twice (%v)", s.seqs[i], s.seqs[i-1], s.seqs)
		}
	}
	if len(s.seqs) < 10 {
		t.Fatalf("only %d events on the stream", len(s.seqs))
	}
}

func mustChannel(t *testing.T, ctl *simari.Client, id string) simari.ChannelView {
	t.Helper()
	v, err := ctl.Channel(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// assertOneRowEach checks the store kept each call once: three call rows,
// one ENTERQUEUE and one CONNECT each (the queue-log rows of the killed
// leader's term and the new one's together).
func assertOneRowEach(t *testing.T, st core.Store) {
	t.Helper()
	ctx := context.Background()
	var calls []core.Call
	if err := st.Find(ctx, &calls, core.Eq("queue", "8000")); err != nil || len(calls) != 3 {
		t.Fatalf("call rows of queue 8000: %d (%v), want 3", len(calls), err)
	}
	for _, c := range calls {
		for _, ev := range []string{core.QLEnterQueue, core.QLConnect} {
			n, err := st.Count(ctx, &core.QueueLogEntry{}, core.Eq("call_id", c.ID).Eq("event", ev))
			if err != nil || n != 1 {
				t.Errorf("call %d (%s): %d %s rows (%v), want 1", c.ID, c.State, n, ev, err)
			}
		}
	}
}
