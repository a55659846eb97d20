package ariproxy

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/telephony/ari"
	"github.com/callgate/callgate/pkg/telephony/telephonytest"
)

// The contract suite runs through a real ari-proxy when
// CALLGATE_TEST_ARIPROXY_NATS (e.g. nats://127.0.0.1:4222) and
// CALLGATE_TEST_ARIPROXY_NODE (the Asterisk entity id the proxy announces)
// are set; CALLGATE_TEST_ARIPROXY_APP is the proxy's application (default
// callgate). The far ends of the test calls are driven directly over ARI by
// a second application, "callgate-far" (pkg/telephony/ari), so
// CALLGATE_TEST_ARI_URL, CALLGATE_TEST_ARI_USER and
// CALLGATE_TEST_ARI_PASSWORD must point at the same Asterisk, which runs
// deploy/asterisk/extensions.conf (the callgate-test contexts).
func TestContractThroughAriProxy(t *testing.T) {
	natsURL, node := os.Getenv("CALLGATE_TEST_ARIPROXY_NATS"), os.Getenv("CALLGATE_TEST_ARIPROXY_NODE")
	if natsURL == "" || node == "" {
		t.Skip("CALLGATE_TEST_ARIPROXY_NATS / CALLGATE_TEST_ARIPROXY_NODE not set: no ari-proxy to run the contract suite through")
	}
	ariURL := os.Getenv("CALLGATE_TEST_ARI_URL")
	if ariURL == "" {
		t.Fatal("CALLGATE_TEST_ARI_URL is needed too: the far ends are driven directly over ARI")
	}
	app := os.Getenv("CALLGATE_TEST_ARIPROXY_APP")
	if app == "" {
		app = "callgate"
	}
	cfg := Config{NATSURL: natsURL, App: app, Nodes: []string{node}, Logger: testLogger(t)}
	farCfg := ari.Config{
		URL: ariURL, User: os.Getenv("CALLGATE_TEST_ARI_USER"), Password: os.Getenv("CALLGATE_TEST_ARI_PASSWORD"),
		App: "callgate-far", NodeID: "contract-far", Logger: testLogger(t),
	}
	telephonytest.Run(t, func(t *testing.T) telephonytest.Env {
		tel, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		far := startFar(t, farCfg)
		return telephonytest.Env{
			Tel:                tel,
			AnswerEndpoint:     "Local/answer@callgate-test",
			BusyEndpoint:       "Local/busy@callgate-test",
			NoAnswerEndpoint:   "Local/noanswer@callgate-test",
			CongestionEndpoint: "Local/congestion@callgate-test",
			NoAnswerTimeout:    time.Second,
			Inbound:            far.inbound,
			FarDTMF:            far.sendDTMF,
			SentDTMF:           far.received,
			Media:              "sound:beep",
		}
	})
}

func testLogger(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// farEnd holds the other half of every test call in its own application,
// over direct ARI: it plays music on hold to answered far ends (recordings
// need audio), sends DTMF toward the application under test and records the
// DTMF it receives.
type farEnd struct {
	tel  *ari.Telephony
	mu   sync.Mutex
	dtmf map[string]string
	n    int
}

func startFar(t *testing.T, cfg ari.Config) *farEnd {
	t.Helper()
	tel, err := ari.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f := &farEnd{tel: tel, dtmf: map[string]string{}}
	connected := make(chan struct{}, 1)
	sink := func(ev core.TelEvent) {
		switch ev.Type {
		case core.TelConnected:
			select {
			case connected <- struct{}{}:
			default:
			}
		case core.TelStasisStart:
			id := ev.ChannelID
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				_ = tel.StartMOH(ctx, id, "default")
			}()
		case core.TelDTMF:
			f.mu.Lock()
			f.dtmf[ev.ChannelID] += ev.Digit
			f.mu.Unlock()
		}
	}
	if err := tel.Start(context.Background(), sink); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tel.Close() })
	select {
	case <-connected:
	case <-time.After(10 * time.Second):
		t.Fatal("far-end application did not connect")
	}
	return f
}

func peer(id string) string {
	if s, ok := strings.CutSuffix(id, ";2"); ok {
		return s
	}
	return id + ";2"
}

// inbound originates Local/<dialed>@callgate-test-inbound from the far
// application; its ;2 half runs the inbound dialplan into the application
// under test, unanswered, with the chosen caller id.
func (f *farEnd) inbound(ctx context.Context, callerID, dialed string) (string, error) {
	f.mu.Lock()
	f.n++
	id := fmt.Sprintf("far-%d-%d", time.Now().UnixNano(), f.n)
	f.mu.Unlock()
	_, err := f.tel.Originate(ctx, core.OriginateRequest{
		ChannelID:   id,
		Endpoint:    "Local/" + dialed + "@callgate-test-inbound",
		CallerIDNum: callerID,
		Timeout:     30 * time.Second,
		Variables:   map[string]string{"__CALLGATE_TEST_CID": callerID},
		AppArgs:     []string{"far"},
	})
	if err != nil {
		return "", err
	}
	return peer(id), nil
}

func (f *farEnd) sendDTMF(ctx context.Context, channelID, digits string) error {
	return f.tel.SendDTMF(ctx, peer(channelID), digits, 100*time.Millisecond)
}

func (f *farEnd) received(channelID string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.dtmf[peer(channelID)]
}

// TestTwoNodesThroughRealAriProxies runs when CALLGATE_TEST_ARIPROXY_NODES
// lists two or more nodes (comma-separated entity ids), each an Asterisk
// with deploy/asterisk/extensions.conf behind its own ari-proxy on
// CALLGATE_TEST_ARIPROXY_NATS. It checks what the single-node contract
// cannot: calls spread over the nodes, every event stamped with the node the
// call is on, a linked call placed on its partner's node, one logical bridge
// holding channels of two nodes, a cause without an ARI name reaching
// Asterisk, and listings merged across nodes.
func TestTwoNodesThroughRealAriProxies(t *testing.T) {
	natsURL, list := os.Getenv("CALLGATE_TEST_ARIPROXY_NATS"), os.Getenv("CALLGATE_TEST_ARIPROXY_NODES")
	nodes := strings.Split(list, ",")
	if natsURL == "" || len(nodes) < 2 {
		t.Skip("CALLGATE_TEST_ARIPROXY_NATS / CALLGATE_TEST_ARIPROXY_NODES (two or more) not set")
	}
	app := os.Getenv("CALLGATE_TEST_ARIPROXY_APP")
	if app == "" {
		app = "callgate"
	}
	tel, err := New(Config{NATSURL: natsURL, App: app, Nodes: nodes, Pick: PickRoundRobin, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	ctx := t.Context()
	must(t, tel.Start(ctx, rec.sink))
	defer tel.Close()
	for _, n := range nodes {
		rec.waitN(t, "connected "+n, 1, is(core.TelConnected, n))
	}
	prefix := fmt.Sprintf("mn%d-", time.Now().UnixNano())
	nodeOf := map[string]string{}
	var ids []string
	for i := range 2 * len(nodes) {
		id := fmt.Sprintf("%s%d", prefix, i)
		ids = append(ids, id)
		if _, err := tel.Originate(ctx, core.OriginateRequest{ChannelID: id, Endpoint: "Local/answer@callgate-test", Timeout: 5 * time.Second, AppArgs: []string{"mn"}}); err != nil {
			t.Fatal(err)
		}
	}
	perNode := map[string]int{}
	for _, id := range ids {
		rec.waitN(t, "StasisStart "+id, 1, isChan(core.TelStasisStart, id))
		for _, ev := range rec.all() {
			if ev.ChannelID != id {
				continue
			}
			if nodeOf[id] == "" {
				nodeOf[id] = ev.Node
				perNode[ev.Node]++
			} else if ev.Node != nodeOf[id] {
				t.Errorf("events of %s come from %s and %s", id, nodeOf[id], ev.Node)
			}
		}
	}
	for _, n := range nodes {
		if perNode[n] != 2 {
			t.Errorf("node %s got %d of the calls, want 2 (round robin): %v", n, perNode[n], perNode)
		}
	}
	// A call linked to one on the last node lands there too.
	anchor := ids[len(ids)-1]
	linked := prefix + "linked"
	if _, err := tel.Originate(ctx, core.OriginateRequest{ChannelID: linked, Endpoint: "Local/answer@callgate-test", Timeout: 5 * time.Second, AppArgs: []string{"mn"}, OtherChannelID: anchor}); err != nil {
		t.Fatal(err)
	}
	rec.waitN(t, "linked StasisStart", 1, isChan(core.TelStasisStart, linked))
	for _, ev := range rec.all() {
		if ev.ChannelID == linked && ev.Node != nodeOf[anchor] {
			t.Errorf("linked call event on %s, want its partner's node %s", ev.Node, nodeOf[anchor])
		}
	}
	// One logical holding bridge with a channel on each of two nodes.
	br := prefix + "queue"
	must(t, tel.CreateBridge(ctx, br, core.BridgeHolding))
	must(t, tel.BridgeMOH(ctx, br, "default"))
	must(t, tel.AddToBridge(ctx, br, ids[0]))
	must(t, tel.AddToBridge(ctx, br, ids[1]))
	bridges, err := tel.Bridges(ctx)
	must(t, err)
	var found bool
	for _, b := range bridges {
		if b.ID == br {
			found = true
			if !slices.Equal(sorted(b.Channels), sorted([]string{ids[0], ids[1]})) || b.Kind != core.BridgeHolding {
				t.Errorf("bridge %+v, want holding with %s and %s", b, ids[0], ids[1])
			}
		}
	}
	if !found {
		t.Errorf("bridge %s not listed: %+v", br, bridges)
	}
	chans, err := tel.Channels(ctx)
	must(t, err)
	listed := map[string]bool{}
	for _, c := range chans {
		listed[c.ID] = true
	}
	for _, id := range append(ids, linked) {
		if !listed[id] {
			t.Errorf("channel %s not listed by Channels()", id)
		}
	}
	must(t, tel.DestroyBridge(ctx, br))
	// 27 (destination out of order) has no ARI reason name.
	must(t, tel.Hangup(ctx, ids[2], 27))
	rec.waitN(t, "hangup 27", 1, isChan(core.TelHangup, ids[2]))
	for _, ev := range rec.all() {
		if ev.Type == core.TelHangup && ev.ChannelID == ids[2] && ev.Cause != 27 {
			t.Errorf("hangup cause %d (%s), want 27", ev.Cause, ev.CauseText)
		}
	}
	for _, id := range append(ids, linked) {
		if id != ids[2] {
			must(t, tel.Hangup(ctx, id, core.CauseNormal))
		}
	}
	for _, id := range append(ids, linked) {
		rec.waitN(t, "hangup "+id, 1, isChan(core.TelHangup, id))
	}
	for _, ev := range rec.all() {
		if ev.Node == "" || ev.Time.IsZero() {
			t.Errorf("event without node or time: %+v", ev)
		}
	}
}

// TestNodeLossThroughRealAriProxy stops and restarts a real ari-proxy
// (CALLGATE_TEST_ARIPROXY_STOP_CMD / _START_CMD, run with sh -c) under a
// live Telephony with two nodes: the lost node is reported, the other keeps
// the port ready and takes new calls, and the node comes back by itself.
func TestNodeLossThroughRealAriProxy(t *testing.T) {
	natsURL, list := os.Getenv("CALLGATE_TEST_ARIPROXY_NATS"), os.Getenv("CALLGATE_TEST_ARIPROXY_NODES")
	stop, start := os.Getenv("CALLGATE_TEST_ARIPROXY_STOP_CMD"), os.Getenv("CALLGATE_TEST_ARIPROXY_START_CMD")
	nodes := strings.Split(list, ",")
	if natsURL == "" || len(nodes) < 2 || stop == "" || start == "" {
		t.Skip("CALLGATE_TEST_ARIPROXY_NATS, _NODES (two), _STOP_CMD and _START_CMD not set")
	}
	app := os.Getenv("CALLGATE_TEST_ARIPROXY_APP")
	if app == "" {
		app = "callgate"
	}
	tel, err := New(Config{NATSURL: natsURL, App: app, Nodes: nodes, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	ctx := t.Context()
	must(t, tel.Start(ctx, rec.sink))
	defer tel.Close()
	for _, n := range nodes {
		rec.waitN(t, "connected "+n, 1, is(core.TelConnected, n))
	}
	// The stop command stops the proxy of the first node.
	if out, err := exec.Command("sh", "-c", stop).CombinedOutput(); err != nil {
		t.Fatalf("stop: %v: %s", err, out)
	}
	rec.waitN(t, "first node gone", 1, is(core.TelDisconnected, nodes[0]))
	if !tel.Ready() {
		t.Error("Ready() false with the other node up")
	}
	id := fmt.Sprintf("loss-%d", time.Now().UnixNano())
	if _, err := tel.Originate(ctx, core.OriginateRequest{ChannelID: id, Endpoint: "Local/answer@callgate-test", Timeout: 5 * time.Second, AppArgs: []string{"loss"}}); err != nil {
		t.Fatal(err)
	}
	rec.waitN(t, "call on the remaining node", 1, isChan(core.TelStasisStart, id))
	if out, err := exec.Command("sh", "-c", start).CombinedOutput(); err != nil {
		t.Fatalf("start: %v: %s", err, out)
	}
	rec.waitN(t, "first node back", 2, is(core.TelConnected, nodes[0]))
	must(t, tel.Hangup(ctx, id, core.CauseNormal))
	rec.waitN(t, "hangup", 1, isChan(core.TelHangup, id))
	for _, ev := range rec.all() {
		if ev.ChannelID == id && ev.Node == nodes[0] {
			t.Errorf("call placed on the node that was gone: %+v", ev)
		}
	}
}

// TestRealBurstThroughAriProxy has Asterisk publish 10,000 user events to
// the application behind a real ari-proxy (CALLGATE_TEST_ARIPROXY_NATS,
// _NODE, and CALLGATE_TEST_ARI_URL/_USER/_PASSWORD of that Asterisk to post
// them). An independent NATS subscriber counts what the proxy published:
// every one of those must reach us. What the proxy itself lost is logged,
// not failed: ari-proxy v5.3.1 reads Asterisk through ari/v5, whose bus
// drops events once 100 are buffered for its single subscriber, and nothing
// downstream can get them back (measured here: more than half of a 10,000
// burst posted by 4 clients).
func TestRealBurstThroughAriProxy(t *testing.T) {
	natsURL, node, ariURL := os.Getenv("CALLGATE_TEST_ARIPROXY_NATS"), os.Getenv("CALLGATE_TEST_ARIPROXY_NODE"), os.Getenv("CALLGATE_TEST_ARI_URL")
	if natsURL == "" || node == "" || ariURL == "" {
		t.Skip("CALLGATE_TEST_ARIPROXY_NATS, _NODE and CALLGATE_TEST_ARI_URL not set")
	}
	app := os.Getenv("CALLGATE_TEST_ARIPROXY_APP")
	if app == "" {
		app = "callgate"
	}
	tel, err := New(Config{NATSURL: natsURL, App: app, Nodes: []string{node}, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	must(t, tel.Start(t.Context(), rec.sink))
	defer tel.Close()
	rec.waitN(t, "connected", 1, is(core.TelConnected, node))

	witness, err := nats.Connect(natsURL)
	must(t, err)
	defer witness.Close()
	var published atomic.Int64
	sub, err := witness.Subscribe("ari.event."+app+"."+node, func(*nats.Msg) { published.Add(1) })
	must(t, err)
	must(t, sub.SetPendingLimits(-1, -1))
	must(t, witness.Flush())

	before := tel.Stats().EventsRead
	const n, workers = 10000, 4
	user, pass := os.Getenv("CALLGATE_TEST_ARI_USER"), os.Getenv("CALLGATE_TEST_ARI_PASSWORD")
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				body := strings.NewReader(fmt.Sprintf(`{"variables":{"i":"%d"}}`, i))
				req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, ariURL+"/events/user/burst?application="+app, body)
				req.SetBasicAuth(user, pass)
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					errs <- err
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode/100 != 2 {
					errs <- fmt.Errorf("user event %d: %s", i, resp.Status)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// Settled when neither count has moved for half a second.
	last, stable := int64(-1), time.Now()
	for time.Since(stable) < 500*time.Millisecond {
		cur := published.Load() + int64(tel.Stats().EventsRead)
		if cur != last {
			last, stable = cur, time.Now()
		}
		time.Sleep(20 * time.Millisecond)
	}
	got := int64(tel.Stats().EventsRead - before)
	pub := published.Load()
	t.Logf("Asterisk sent %d user events; ari-proxy published %d (lost %d inside the proxy); we read %d", n, pub, n-pub, got)
	if got != pub {
		t.Errorf("we read %d events, the proxy published %d", got, pub)
	}
}
