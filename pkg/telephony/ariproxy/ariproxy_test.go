package ariproxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
)

// recorder is a sink that keeps every event and lets tests wait for one.
type recorder struct {
	mu     sync.Mutex
	events []core.TelEvent
	signal chan struct{}
	block  chan struct{} // if set, the sink waits on it once (a stalled engine)
}

func newRecorder() *recorder { return &recorder{signal: make(chan struct{}, 1)} }

func (r *recorder) sink(ev core.TelEvent) {
	r.mu.Lock()
	b := r.block
	r.block = nil
	r.mu.Unlock()
	if b != nil {
		<-b
	}
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.mu.Unlock()
	select {
	case r.signal <- struct{}{}:
	default:
	}
}

func (r *recorder) all() []core.TelEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

func (r *recorder) count(match func(core.TelEvent) bool) int {
	n := 0
	for _, ev := range r.all() {
		if match(ev) {
			n++
		}
	}
	return n
}

// waitN waits until n events match. It examines each event once (a burst
// of thousands stays linear under the race detector) and fails only when
// no matching event arrived for 10 s: a slow machine is not a lost event.
func (r *recorder) waitN(t *testing.T, what string, n int, match func(core.TelEvent) bool) {
	t.Helper()
	seen, got := 0, 0
	deadline := time.After(10 * time.Second)
	for {
		r.mu.Lock()
		fresh := r.events[seen:]
		seen = len(r.events)
		r.mu.Unlock()
		before := got
		for _, ev := range fresh {
			if match(ev) {
				got++
			}
		}
		if got >= n {
			return
		}
		if got > before {
			deadline = time.After(10 * time.Second)
		}
		select {
		case <-r.signal:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatalf("no progress for 10 s waiting for %d × %s; got %d", n, what, got)
		}
	}
}

func is(typ core.TelEventType, node string) func(core.TelEvent) bool {
	return func(ev core.TelEvent) bool { return ev.Type == typ && (node == "" || ev.Node == node) }
}

func isChan(typ core.TelEventType, id string) func(core.TelEvent) bool {
	return func(ev core.TelEvent) bool { return ev.Type == typ && ev.ChannelID == id }
}

type cluster struct {
	tel   *Telephony
	rec   *recorder
	nodes map[string]*fakeProxy
	ctx   context.Context
}

// startCluster starts fake proxies for nodes and a Telephony using them,
// and waits until every node is reported connected.
func startCluster(t *testing.T, pick Pick, nodes ...string) *cluster {
	t.Helper()
	url := natsURL(t)
	app := testApp()
	c := &cluster{rec: newRecorder(), nodes: map[string]*fakeProxy{}, ctx: context.Background()}
	for _, n := range nodes {
		c.nodes[n] = newFakeProxy(t, url, app, n)
	}
	tel, err := New(Config{
		NATSURL: url, App: app, Nodes: nodes, Pick: pick, Logger: testLogger(t),
		PingInterval: 50 * time.Millisecond, NodeTimeout: 300 * time.Millisecond, RequestTimeout: 2 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	c.tel = tel
	if err := tel.Start(c.ctx, c.rec.sink); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tel.Close() })
	for _, n := range nodes {
		c.rec.waitN(t, "connected "+n, 1, is(core.TelConnected, n))
	}
	if !tel.Ready() {
		t.Fatal("Ready() false with every node connected")
	}
	return c
}

func TestConfigRejectsWhatWouldMisroute(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no nodes", Config{}, "Nodes is required"},
		{"node with a dot", Config{Nodes: []string{"ast.1"}}, "one NATS subject token"},
		{"node listed twice", Config{Nodes: []string{"a", "a"}}, "listed twice"},
		{"app with wildcard", Config{App: "call*", Nodes: []string{"a"}}, "App must be"},
		{"bad url", Config{NATSURL: "http://x", Nodes: []string{"a"}}, "NATSURL"},
		{"unknown pick", Config{Nodes: []string{"a"}, Pick: "random"}, "unknown Pick"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New: %v, want error containing %q", err, tc.want)
			}
		})
	}
	tel, err := New(Config{Nodes: []string{"a", "b"}, App: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if tel.NodeID() != "ari-proxy:x" {
		t.Errorf("NodeID with two nodes = %q", tel.NodeID())
	}
	tel, _ = New(Config{Nodes: []string{"a"}})
	if tel.NodeID() != "a" {
		t.Errorf("NodeID with one node = %q", tel.NodeID())
	}
}

func TestOperationsGoToTheNodeOwningTheChannel(t *testing.T) {
	c := startCluster(t, PickRoundRobin, "node-a", "node-b")
	a, b := c.nodes["node-a"], c.nodes["node-b"]

	// An inbound call entering on node-b: its events tell us where it is.
	b.addChannel("in-1")
	b.publish(b.stasisStart("in-1", "inbound", "7000"))
	c.rec.waitN(t, "inbound StasisStart", 1, isChan(core.TelStasisStart, "in-1"))
	if err := c.tel.Answer(c.ctx, "in-1"); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(a.kinds(), "ChannelAnswer") || !slices.Contains(b.kinds(), "ChannelAnswer") {
		t.Fatalf("Answer went to a=%v b=%v, want node-b only", a.kinds(), b.kinds())
	}

	// A call linked to it must be on the same Asterisk.
	if _, err := c.tel.Originate(c.ctx, core.OriginateRequest{ChannelID: "agent-1", Endpoint: "PJSIP/1064", OtherChannelID: "in-1"}); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(b.kinds(), "ChannelOriginate") || slices.Contains(a.kinds(), "ChannelOriginate") {
		t.Fatalf("linked originate went to a=%v b=%v, want node-b", a.kinds(), b.kinds())
	}
	for _, r := range b.requests() {
		if r.Kind == "ChannelOriginate" {
			o := r.ChannelOriginate.OriginateRequest
			if o.Originator != "in-1" || o.App != c.tel.cfg.App || o.ChannelID != "agent-1" {
				t.Errorf("originate request %+v", o)
			}
			if r.Key == nil || r.Key.Kind != "" || r.Key.Node != "node-b" {
				t.Errorf("originate key %+v: want node-b and no channel kind (ari/v5 would make it the originator)", r.Key)
			}
		}
	}
	// A channel we never saw (a gateway restart) is looked for on every node.
	a.addChannel("old-1")
	if err := c.tel.Hold(c.ctx, "old-1"); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(a.kinds(), "ChannelHold") {
		t.Errorf("Hold on a channel only node-a has went elsewhere: a=%v", a.kinds())
	}
	if err := c.tel.Ring(c.ctx, "nowhere"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("Ring on a channel no node has: %v, want ErrNotFound", err)
	}
}

func TestOriginatePicksTheNode(t *testing.T) {
	t.Run("least channels", func(t *testing.T) {
		c := startCluster(t, PickLeastChannels, "node-a", "node-b")
		a := c.nodes["node-a"]
		for i := range 3 {
			id := fmt.Sprintf("busy-%d", i)
			a.addChannel(id)
			a.publish(a.stasisStart(id, "inbound", "7000"))
		}
		c.rec.waitN(t, "node-a's calls", 3, is(core.TelStasisStart, "node-a"))
		for i := range 3 {
			if _, err := c.tel.Originate(c.ctx, core.OriginateRequest{ChannelID: fmt.Sprintf("out-%d", i), Endpoint: "Local/1@x"}); err != nil {
				t.Fatal(err)
			}
		}
		if n := count(c.nodes["node-b"].kinds(), "ChannelOriginate"); n != 3 {
			t.Errorf("node-b got %d originates, want all 3 (node-a has 3 live channels)", n)
		}
	})
	t.Run("round robin", func(t *testing.T) {
		c := startCluster(t, PickRoundRobin, "node-a", "node-b")
		for i := range 4 {
			if _, err := c.tel.Originate(c.ctx, core.OriginateRequest{ChannelID: fmt.Sprintf("rr-%d", i), Endpoint: "Local/1@x"}); err != nil {
				t.Fatal(err)
			}
		}
		na, nb := count(c.nodes["node-a"].kinds(), "ChannelOriginate"), count(c.nodes["node-b"].kinds(), "ChannelOriginate")
		if na != 2 || nb != 2 {
			t.Errorf("round robin: node-a %d, node-b %d originates; want 2 and 2", na, nb)
		}
	})
	t.Run("a vanished node's call goes to another", func(t *testing.T) {
		c := startCluster(t, PickRoundRobin, "node-a", "node-b")
		c.nodes["node-a"].deaf()
		c.nodes["node-b"].deaf()
		c.nodes["node-b"].listen()
		for i := range 2 {
			if _, err := c.tel.Originate(c.ctx, core.OriginateRequest{ChannelID: fmt.Sprintf("fo-%d", i), Endpoint: "Local/1@x"}); err != nil {
				t.Fatalf("originate %d: %v", i, err)
			}
		}
		if n := count(c.nodes["node-b"].kinds(), "ChannelOriginate"); n != 2 {
			t.Errorf("node-b got %d originates, want 2", n)
		}
	})
}

func count(s []string, v string) int {
	n := 0
	for _, x := range s {
		if x == v {
			n++
		}
	}
	return n
}

// Events of two nodes arrive merged in one stream, each stamped with its
// node, each node's events in the order it published them.
func TestEventsOfAllNodesMergeInOrder(t *testing.T) {
	c := startCluster(t, PickRoundRobin, "node-a", "node-b")
	a, b := c.nodes["node-a"], c.nodes["node-b"]
	a.publish(a.stasisStart("ca", "inbound", "1"))
	b.publish(b.stasisStart("cb", "inbound", "2"))
	const n = 200
	digits := "0123456789*#"
	for i := range n {
		a.publish(a.dtmf("ca", string(digits[i%len(digits)])))
		b.publish(b.dtmf("cb", string(digits[(i+3)%len(digits)])))
	}
	c.rec.waitN(t, "DTMF of both nodes", 2*n, is(core.TelDTMF, ""))
	var got = map[string]string{}
	for _, ev := range c.rec.all() {
		if ev.Type != core.TelDTMF {
			continue
		}
		want := map[string]string{"ca": "node-a", "cb": "node-b"}[ev.ChannelID]
		if ev.Node != want {
			t.Fatalf("DTMF on %s has Node %q, want %q", ev.ChannelID, ev.Node, want)
		}
		got[ev.ChannelID] += ev.Digit
	}
	var wantA, wantB string
	for i := range n {
		wantA += string(digits[i%len(digits)])
		wantB += string(digits[(i+3)%len(digits)])
	}
	if got["ca"] != wantA || got["cb"] != wantB {
		t.Errorf("per-node order lost:\n a %s\n b %s", got["ca"], got["cb"])
	}
}

// A burst of 10,000 events while the engine is stalled loses none: the
// NATS callback only queues, the queue is unbounded.
func TestBurstOfTenThousandEventsLosesNone(t *testing.T) {
	c := startCluster(t, PickRoundRobin, "node-a")
	a := c.nodes["node-a"]
	release := make(chan struct{})
	c.rec.mu.Lock()
	c.rec.block = release
	c.rec.mu.Unlock()
	a.publish(a.stasisStart("burst", "inbound", "1"))
	const n = 10000
	var frames [10][]byte // marshalled once: the race detector makes encoding the slow part
	for d := range frames {
		frames[d], _ = json.Marshal(a.dtmf("burst", string("0123456789"[d])))
	}
	for i := range n {
		a.publishRaw(frames[i%10])
	}
	if err := a.nc.Flush(); err != nil {
		t.Fatal(err)
	}
	// Everything is read off NATS while the sink is still blocked.
	deadline := time.Now().Add(10 * time.Second)
	for c.tel.Stats().EventsRead < n+1 {
		if time.Now().After(deadline) {
			t.Fatalf("read %d events while the sink was stalled, want %d", c.tel.Stats().EventsRead, n+1)
		}
		time.Sleep(5 * time.Millisecond)
	}
	close(release)
	c.rec.waitN(t, "burst DTMF", n, isChan(core.TelDTMF, "burst"))
	i := 0
	for _, ev := range c.rec.all() {
		if ev.Type == core.TelDTMF {
			if ev.Digit != string("0123456789"[i%10]) {
				t.Fatalf("event %d: digit %q out of order", i, ev.Digit)
			}
			i++
		}
	}
}

// Event types nobody knows, garbage and odd shapes are skipped without
// harm; what follows them still arrives.
func TestUnknownAndBrokenEventsAreSkipped(t *testing.T) {
	c := startCluster(t, PickRoundRobin, "node-a")
	a := c.nodes["node-a"]
	for _, raw := range []string{
		`{"type":"ApplicationRegistered","application":"` + a.app + `"}`,
		`{"type":"ChannelToneDetected","channel":{"id":"x"}}`,
		`{"type":"SomethingFromAsterisk30","weird":[1,2,3]}`,
		`not json at all`,
		`{"type":"StasisStart","channel":"not an object"}`,
		`{"type":"ChannelDestroyed"}`,
		`{"type":"PlaybackStarted"}`,
		`{"type":"TextMessageReceived","message":{"from":"a","to":"b","body":"hi","variables":{"k":"v"}}}`,
		`{}`,
		``,
	} {
		a.publishRaw([]byte(raw))
	}
	a.publish(a.stasisStart("after", "inbound", "1"))
	c.rec.waitN(t, "the event after the garbage", 1, isChan(core.TelStasisStart, "after"))
	for _, ev := range c.rec.all() {
		if ev.Node != "node-a" || ev.Time.IsZero() {
			t.Errorf("event %+v: want Node node-a and a time", ev)
		}
	}
}

func TestNodesComingAndGoingAreReported(t *testing.T) {
	c := startCluster(t, PickRoundRobin, "node-a", "node-b")
	a, b := c.nodes["node-a"], c.nodes["node-b"]
	a.setSilent(true)
	c.rec.waitN(t, "node-a gone", 1, is(core.TelDisconnected, "node-a"))
	if !c.tel.Ready() {
		t.Error("Ready() false with node-b still up")
	}
	// New calls avoid the node that is gone.
	if _, err := c.tel.Originate(c.ctx, core.OriginateRequest{ChannelID: "o1", Endpoint: "Local/1@x"}); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(a.kinds(), "ChannelOriginate") {
		t.Error("originate went to a node that is gone")
	}
	b.setSilent(true)
	c.rec.waitN(t, "node-b gone", 1, is(core.TelDisconnected, "node-b"))
	if c.tel.Ready() {
		t.Error("Ready() true with every node gone")
	}
	if _, err := c.tel.Channels(c.ctx); !errors.Is(err, core.ErrNotConnected) {
		t.Errorf("Channels with no node: %v, want ErrNotConnected", err)
	}
	a.setSilent(false)
	c.rec.waitN(t, "node-a back", 2, is(core.TelConnected, "node-a"))
	if !c.tel.Ready() {
		t.Error("Ready() false after node-a came back")
	}
}

// A logical bridge gets an Asterisk bridge on each node that has one of its
// channels, with the music on hold it was given.
func TestBridgeSpansNodesLazily(t *testing.T) {
	c := startCluster(t, PickRoundRobin, "node-a", "node-b")
	a, b := c.nodes["node-a"], c.nodes["node-b"]
	for _, p := range []struct {
		f  *fakeProxy
		id string
	}{{a, "ca"}, {b, "cb"}} {
		p.f.addChannel(p.id)
		p.f.publish(p.f.stasisStart(p.id, "inbound", "1"))
	}
	c.rec.waitN(t, "both calls", 2, is(core.TelStasisStart, ""))
	must(t, c.tel.CreateBridge(c.ctx, "queue-sales", core.BridgeHolding))
	must(t, c.tel.BridgeMOH(c.ctx, "queue-sales", "jazz"))
	bridgeOps := func(f *fakeProxy) []string {
		var out []string
		for _, k := range f.kinds() {
			if strings.HasPrefix(k, "Bridge") {
				out = append(out, k)
			}
		}
		return out
	}
	if len(bridgeOps(a))+len(bridgeOps(b)) != 0 {
		t.Fatalf("bridge created before any channel: a=%v b=%v", a.kinds(), b.kinds())
	}
	must(t, c.tel.AddToBridge(c.ctx, "queue-sales", "ca"))
	must(t, c.tel.AddToBridge(c.ctx, "queue-sales", "cb"))
	for name, f := range map[string]*fakeProxy{"node-a": a, "node-b": b} {
		if got, want := bridgeOps(f), []string{"BridgeCreate", "BridgeMOH", "BridgeAddChannel"}; !slices.Equal(got, want) {
			t.Errorf("%s got %v, want %v", name, got, want)
		}
		for _, r := range f.requests() {
			if r.Kind == "BridgeCreate" && r.BridgeCreate.Type != "holding" {
				t.Errorf("%s bridge type %q", name, r.BridgeCreate.Type)
			}
			if r.Kind == "BridgeMOH" && r.BridgeMOH.Class != "jazz" {
				t.Errorf("%s moh class %q", name, r.BridgeMOH.Class)
			}
		}
	}
	bridges, err := c.tel.Bridges(c.ctx)
	must(t, err)
	if len(bridges) != 1 || !slices.Equal(sorted(bridges[0].Channels), []string{"ca", "cb"}) || bridges[0].Kind != core.BridgeHolding {
		t.Errorf("Bridges() = %+v, want one holding bridge with ca and cb", bridges)
	}
	chans, err := c.tel.Channels(c.ctx)
	must(t, err)
	if len(chans) != 2 {
		t.Errorf("Channels() = %+v, want ca and cb", chans)
	}
	for _, ch := range chans {
		if !slices.Equal(ch.Bridges, []string{"queue-sales"}) || ch.LinkedID != ch.ID {
			t.Errorf("channel %+v: want bridge queue-sales and its linked id", ch)
		}
	}
	must(t, c.tel.DestroyBridge(c.ctx, "queue-sales"))
	if count(a.kinds(), "BridgeDelete") != 1 || count(b.kinds(), "BridgeDelete") != 1 {
		t.Errorf("destroy reached a=%v b=%v, want both", a.kinds(), b.kinds())
	}
	if err := c.tel.DestroyBridge(c.ctx, "queue-sales"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("destroying it again: %v, want ErrNotFound", err)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestHangupCarriesTheCause(t *testing.T) {
	c := startCluster(t, PickRoundRobin, "node-a")
	a := c.nodes["node-a"]
	tests := []struct {
		cause  core.HangupCause
		reason string
	}{
		{core.CauseNormal, "normal"},
		{core.CauseBusy, "busy"},
		{0, "normal"},
		{27, "&reason_code=27"}, // destination out of order: no ARI name
	}
	for i, tc := range tests {
		id := fmt.Sprintf("h-%d", i)
		a.addChannel(id)
		must(t, c.tel.Hangup(c.ctx, id, tc.cause))
		reqs := a.requests()
		last := reqs[len(reqs)-1]
		if last.Kind != "ChannelHangup" || last.ChannelHangup.Reason != tc.reason {
			t.Errorf("cause %d sent as %+v, want reason %q", tc.cause, last.ChannelHangup, tc.reason)
		}
	}
	if err := c.tel.Hangup(c.ctx, "h-x", 300); err == nil {
		t.Error("cause 300 accepted")
	}
}

func TestProxyAnswersMapToPortErrors(t *testing.T) {
	c := startCluster(t, PickRoundRobin, "node-a")
	a := c.nodes["node-a"]
	a.addChannel("live")
	must(t, c.tel.SetVar(c.ctx, "live", "X", "1"))
	if v, err := c.tel.GetVar(c.ctx, "live", "X"); err != nil || v != "1" {
		t.Errorf("GetVar = %q, %v", v, err)
	}
	if v, err := c.tel.GetVar(c.ctx, "live", "NEVER_SET"); err != nil || v != "" {
		t.Errorf("GetVar of an unset variable = %q, %v; want empty and no error", v, err)
	}
	if _, err := c.tel.GetVar(c.ctx, "gone", "X"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("GetVar on an unknown channel: %v, want ErrNotFound", err)
	}
	must(t, c.tel.CreateBridge(c.ctx, "br", core.BridgeMixing))
	if err := c.tel.AddToBridge(c.ctx, "br", "gone"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("AddToBridge of an unknown channel (400): %v, want ErrNotFound", err)
	}
	if err := c.tel.SendText(c.ctx, "a", "pjsip:b", "hi", nil); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("SendText: %v, want ErrUnsupported", err)
	}
	a.mu.Lock()
	a.ariDown = true
	a.mu.Unlock()
	if err := c.tel.Answer(c.ctx, "live"); !errors.Is(err, core.ErrNotConnected) {
		t.Errorf("Answer while the proxy has no Asterisk: %v, want ErrNotConnected", err)
	}
	a.deaf()
	if err := c.tel.Answer(c.ctx, "live"); !errors.Is(err, core.ErrNotConnected) {
		t.Errorf("Answer with no proxy listening: %v, want ErrNotConnected", err)
	}
	for _, r := range a.requests() {
		if r.Key != nil && (r.Key.App != c.tel.cfg.App || r.Key.Node != "node-a") {
			t.Errorf("request %s key %+v: want app and node set", r.Kind, r.Key)
		}
	}
}

// A channel that entered from the dialplan is subscribed so its hangup is
// seen after it leaves the application; one already gone is reported hung
// up, once.
func TestEnteredChannelsAreFollowedToTheirHangup(t *testing.T) {
	c := startCluster(t, PickRoundRobin, "node-a")
	a := c.nodes["node-a"]
	a.addChannel("in-live")
	a.publish(a.stasisStart("in-live", "inbound", "1"))
	a.publish(a.stasisStart("in-gone", "inbound", "1")) // the fake does not have it
	c.rec.waitN(t, "synthesized hangup", 1, isChan(core.TelHangup, "in-gone"))
	deadline := time.Now().Add(5 * time.Second)
	for count(a.kinds(), "ApplicationSubscribe") < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	var subs []string
	for _, r := range a.requests() {
		if r.Kind == "ApplicationSubscribe" {
			subs = append(subs, r.ApplicationSubscribe.EventSource)
		}
	}
	if !slices.Contains(subs, "channel:in-live") {
		t.Errorf("subscriptions %v, want channel:in-live", subs)
	}
	// The real ChannelDestroyed arriving later is not reported twice.
	a.publish(a.destroyed("in-gone", 16))
	a.publish(a.destroyed("in-live", 17))
	c.rec.waitN(t, "live hangup", 1, isChan(core.TelHangup, "in-live"))
	if n := c.rec.count(isChan(core.TelHangup, "in-gone")); n != 1 {
		t.Errorf("in-gone hung up %d times, want 1", n)
	}
}

// cutter forwards TCP to NATS and can cut every connection, standing in
// for a network partition between the gateway and NATS.
type cutter struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	down   bool
}

func newCutter(t *testing.T, natsURL string) *cutter {
	t.Helper()
	u, err := url.Parse(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &cutter{ln: ln, target: u.Host}
	t.Cleanup(func() { _ = ln.Close(); c.cut() })
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			c.mu.Lock()
			if c.down {
				c.mu.Unlock()
				_ = in.Close()
				continue
			}
			out, err := net.Dial("tcp", c.target)
			if err != nil {
				c.mu.Unlock()
				_ = in.Close()
				continue
			}
			c.conns = append(c.conns, in, out)
			c.mu.Unlock()
			go func() { _, _ = io.Copy(out, in); _ = out.Close() }()
			go func() { _, _ = io.Copy(in, out); _ = in.Close() }()
		}
	}()
	return c
}

func (c *cutter) url() string { return "nats://" + c.ln.Addr().String() }

func (c *cutter) cut() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.down = true
	for _, x := range c.conns {
		_ = x.Close()
	}
	c.conns = nil
}

func (c *cutter) restore() {
	c.mu.Lock()
	c.down = false
	c.mu.Unlock()
}

// Losing NATS is losing every node at once; NATS coming back brings them
// back without any help.
func TestLosingNATSReportsEveryNodeGone(t *testing.T) {
	url := natsURL(t)
	app := testApp()
	a := newFakeProxy(t, url, app, "node-a")
	b := newFakeProxy(t, url, app, "node-b")
	cut := newCutter(t, url)
	rec := newRecorder()
	tel, err := New(Config{
		NATSURL: cut.url(), App: app, Nodes: []string{"node-a", "node-b"}, Logger: testLogger(t),
		PingInterval: 50 * time.Millisecond, NodeTimeout: 300 * time.Millisecond, ReconnectWait: 50 * time.Millisecond,
	})
	must(t, err)
	must(t, tel.Start(t.Context(), rec.sink))
	defer tel.Close()
	rec.waitN(t, "both nodes", 2, is(core.TelConnected, ""))
	cut.cut()
	rec.waitN(t, "both nodes gone", 2, is(core.TelDisconnected, ""))
	if tel.Ready() {
		t.Error("Ready() true without NATS")
	}
	if err := tel.Answer(t.Context(), "x"); !errors.Is(err, core.ErrNotConnected) {
		t.Errorf("Answer without NATS: %v, want ErrNotConnected", err)
	}
	cut.restore()
	rec.waitN(t, "both nodes back", 4, is(core.TelConnected, ""))
	if !tel.Ready() {
		t.Error("Ready() false after NATS came back")
	}
	// Events flow again.
	a.publish(a.stasisStart("after-a", "inbound", "1"))
	b.publish(b.stasisStart("after-b", "inbound", "1"))
	rec.waitN(t, "events after the reconnection", 2, is(core.TelStasisStart, ""))
}
