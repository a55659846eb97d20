package ariproxy

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/CyCoreSystems/ari-proxy/v5/proxy"
	ariv5 "github.com/CyCoreSystems/ari/v5"
	"github.com/nats-io/nats.go"
)

// fakeProxy answers an ari-proxy server's NATS subjects for one node the
// way ari-proxy v5.3.1 does (same subjects, queue group for "create", the
// proxy package's Request/Response, ari/v5 events marshalled with
// encoding/json), over a real NATS server. It keeps just enough state
// (channels, bridges, variables) for the tests and records every request.
type fakeProxy struct {
	t      *testing.T
	nc     *nats.Conn
	app    string
	node   string
	prefix string

	mu       sync.Mutex
	channels map[string]bool
	vars     map[string]map[string]string
	bridges  map[string][]string
	got      []proxy.Request
	silent   bool // answers no ping (its Asterisk is "down")
	ariDown  bool // answers requests with "ARI connection is down"
	reqSubs  []*nats.Subscription
}

func natsURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("CALLGATE_TEST_NATS_URL")
	if u == "" {
		t.Skip("CALLGATE_TEST_NATS_URL not set: these tests need a real NATS server")
	}
	return u
}

// testApp is an application name of its own per test, so tests (and any
// real ari-proxy on the same NATS) never see each other's traffic.
func testApp() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "cgt" + hex.EncodeToString(b[:])
}

func newFakeProxy(t *testing.T, url, app, node string) *fakeProxy {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeProxy{
		t: t, nc: nc, app: app, node: node, prefix: "ari.",
		channels: map[string]bool{}, vars: map[string]map[string]string{}, bridges: map[string][]string{},
	}
	t.Cleanup(nc.Close)
	if _, err := nc.Subscribe(proxy.PingSubject(f.prefix), func(*nats.Msg) { f.announce() }); err != nil {
		t.Fatal(err)
	}
	f.listen()
	return f
}

func (f *fakeProxy) listen() {
	for _, class := range []string{"get", "data", "command"} {
		s, err := f.nc.Subscribe(proxy.Subject(f.prefix, class, f.app, f.node), f.handle)
		if err != nil {
			f.t.Fatal(err)
		}
		f.reqSubs = append(f.reqSubs, s)
	}
	s, err := f.nc.QueueSubscribe(proxy.Subject(f.prefix, "create", f.app, f.node), "ariproxy", f.handle)
	if err != nil {
		f.t.Fatal(err)
	}
	f.reqSubs = append(f.reqSubs, s)
	if err := f.nc.Flush(); err != nil {
		f.t.Fatal(err)
	}
}

// deaf stops answering requests while still announcing itself: a proxy
// that vanished between two announcements.
func (f *fakeProxy) deaf() {
	for _, s := range f.reqSubs {
		_ = s.Unsubscribe()
	}
	f.reqSubs = nil
	_ = f.nc.Flush()
}

func (f *fakeProxy) announce() {
	f.mu.Lock()
	silent := f.silent
	f.mu.Unlock()
	if silent {
		return
	}
	b, _ := json.Marshal(&proxy.Announcement{Node: f.node, Application: f.app})
	_ = f.nc.Publish(proxy.AnnouncementSubject(f.prefix), b)
}

func (f *fakeProxy) setSilent(v bool) {
	f.mu.Lock()
	f.silent = v
	f.mu.Unlock()
}

func (f *fakeProxy) addChannel(id string) {
	f.mu.Lock()
	f.channels[id] = true
	f.mu.Unlock()
}

// requests returns the kinds of the requests received so far.
func (f *fakeProxy) requests() []proxy.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.got)
}

func (f *fakeProxy) kinds() []string {
	var out []string
	for _, r := range f.requests() {
		out = append(out, r.Kind)
	}
	return out
}

// publish sends an ari/v5 event as the proxy does: stamped with its node
// and application, marshalled with encoding/json.
func (f *fakeProxy) publish(ev ariv5.Event) {
	f.t.Helper()
	b, err := json.Marshal(ev)
	if err != nil {
		f.t.Fatal(err)
	}
	f.publishRaw(b)
}

func (f *fakeProxy) publishRaw(b []byte) {
	if err := f.nc.Publish(f.prefix+"event."+f.app+"."+f.node, b); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fakeProxy) eventData(typ string) ariv5.EventData {
	return ariv5.EventData{Type: typ, Application: f.app, Node: f.node, Timestamp: ariv5.DateTime(time.Now())}
}

func (f *fakeProxy) stasisStart(id string, args ...string) *ariv5.StasisStart {
	return &ariv5.StasisStart{
		EventData: f.eventData("StasisStart"),
		Args:      args,
		Channel:   ariv5.ChannelData{ID: id, Name: "Local/" + id, State: "Ring", Caller: &ariv5.CallerID{Number: "5550100"}},
	}
}

func (f *fakeProxy) dtmf(id, digit string) *ariv5.ChannelDtmfReceived {
	return &ariv5.ChannelDtmfReceived{
		EventData: f.eventData("ChannelDtmfReceived"),
		Channel:   ariv5.ChannelData{ID: id, Name: "Local/" + id, State: "Up"},
		Digit:     digit, DurationMs: 100,
	}
}

func (f *fakeProxy) destroyed(id string, cause int) *ariv5.ChannelDestroyed {
	return &ariv5.ChannelDestroyed{
		EventData: f.eventData("ChannelDestroyed"),
		Channel:   ariv5.ChannelData{ID: id, Name: "Local/" + id, State: "Up"},
		Cause:     cause,
	}
}

const notFoundText = "failed to get data: Non-2XX response: 404 Not Found"

func (f *fakeProxy) handle(m *nats.Msg) {
	var req proxy.Request
	if err := json.Unmarshal(m.Data, &req); err != nil {
		f.t.Errorf("fake proxy: undecodable request: %v", err)
		return
	}
	f.mu.Lock()
	f.got = append(f.got, req)
	resp := f.answerLocked(&req)
	f.mu.Unlock()
	b, _ := json.Marshal(resp)
	_ = m.Respond(b)
}

func (f *fakeProxy) answerLocked(req *proxy.Request) *proxy.Response {
	if f.ariDown {
		return &proxy.Response{Error: "ARI connection is down"}
	}
	id := ""
	if req.Key != nil {
		id = req.Key.ID
	}
	key := func(kind, id string) *ariv5.Key {
		return ariv5.NewKey(kind, id, ariv5.WithApp(f.app), ariv5.WithNode(f.node))
	}
	chanKnown := func(id string) *proxy.Response {
		if !f.channels[id] {
			return &proxy.Response{Error: notFoundText}
		}
		return &proxy.Response{}
	}
	switch req.Kind {
	case "ChannelOriginate":
		o := req.ChannelOriginate.OriginateRequest
		f.channels[o.ChannelID] = true
		return &proxy.Response{Key: key(ariv5.ChannelKey, o.ChannelID)}
	case "ChannelData":
		if !f.channels[id] {
			return &proxy.Response{Error: notFoundText}
		}
		return &proxy.Response{Data: &proxy.EntityData{Channel: &ariv5.ChannelData{
			Key: key(ariv5.ChannelKey, id), ID: id, Name: "Local/" + id, State: "Up",
			ChannelVars: map[string]string{"CHANNEL(linkedid)": id},
		}}}
	case "ChannelList":
		var keys []*ariv5.Key
		for c := range f.channels {
			keys = append(keys, key(ariv5.ChannelKey, c))
		}
		return &proxy.Response{Keys: keys}
	case "ChannelHangup":
		r := chanKnown(id)
		delete(f.channels, id)
		return r
	case "ChannelVariableSet":
		if !f.channels[id] {
			return &proxy.Response{Error: notFoundText}
		}
		if f.vars[id] == nil {
			f.vars[id] = map[string]string{}
		}
		f.vars[id][req.ChannelVariable.Name] = req.ChannelVariable.Value
		return &proxy.Response{}
	case "ChannelVariableGet":
		v, ok := f.vars[id][req.ChannelVariable.Name]
		if !ok {
			return &proxy.Response{Error: "Non-2XX response: 404 Not Found"}
		}
		return &proxy.Response{Data: &proxy.EntityData{Variable: v}}
	case "BridgeCreate":
		f.bridges[id] = []string{}
		return &proxy.Response{Key: key(ariv5.BridgeKey, id)}
	case "BridgeAddChannel":
		if _, ok := f.bridges[id]; !ok {
			return &proxy.Response{Error: "Non-2XX response: 404 Not Found"}
		}
		if !f.channels[req.BridgeAddChannel.Channel] {
			return &proxy.Response{Error: "Non-2XX response: 400 Bad Request"}
		}
		f.bridges[id] = append(f.bridges[id], req.BridgeAddChannel.Channel)
		return &proxy.Response{}
	case "BridgeData":
		chans, ok := f.bridges[id]
		if !ok {
			return &proxy.Response{Error: notFoundText}
		}
		return &proxy.Response{Data: &proxy.EntityData{Bridge: &ariv5.BridgeData{
			Key: key(ariv5.BridgeKey, id), ID: id, Type: "holding", ChannelIDs: chans,
		}}}
	case "BridgeList":
		var keys []*ariv5.Key
		for b := range f.bridges {
			keys = append(keys, key(ariv5.BridgeKey, b))
		}
		return &proxy.Response{Keys: keys}
	case "BridgeDelete", "BridgeMOH", "BridgeStopMOH":
		if _, ok := f.bridges[id]; !ok {
			return &proxy.Response{Error: "Non-2XX response: 404 Not Found"}
		}
		if req.Kind == "BridgeDelete" {
			delete(f.bridges, id)
		}
		return &proxy.Response{}
	case "ChannelAnswer", "ChannelRing", "ChannelHold", "ChannelStopHold", "ChannelMOH", "ChannelStopMOH",
		"ChannelSendDTMF", "ChannelContinue", "ChannelSnoop", "ChannelPlay", "ChannelRecord":
		return chanKnown(id)
	case "ApplicationSubscribe":
		src := req.ApplicationSubscribe.EventSource
		if c, ok := strings.CutPrefix(src, "channel:"); ok {
			return chanKnown(c)
		}
		return &proxy.Response{}
	}
	return &proxy.Response{}
}
