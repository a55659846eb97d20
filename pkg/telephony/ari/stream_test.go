package ari

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
)

func dtmfFrame(channelID, digit string, durMs int) string {
	return fmt.Sprintf(`{"type":"ChannelDtmfReceived","application":"callgate","timestamp":"2026-11-21T05:00:00.000+0000","digit":%q,"duration_ms":%d,"channel":{"id":%q,"name":"Local/100@test-00000001;1","state":"Up","caller":{"name":"","number":"100"},"connected":{"name":"","number":""},"accountcode":"","dialplan":{"context":"test","exten":"100","priority":1,"app_name":"Stasis","app_data":"callgate"},"creationtime":"2026-11-21T05:00:00.000+0000","language":"en"}}`, digit, durMs, channelID)
}

// A burst of 10,000 events must reach the sink complete and in order even
// while the sink is stalled. The proof is structural rather than timed: with
// the sink blocked on the first event, the reader must still take all 10,000
// frames off the socket, so Asterisk (which drops a websocket it cannot
// write to within 100 ms) never sees back-pressure from the engine.
func TestBurstOf10000EventsReachesSinkInOrderWhileSinkIsStalled(t *testing.T) {
	const n = 10000
	f := newFakeARI(t)
	f.writeTO = 10 * time.Second // a hang guard only; see above
	_, rec := startTel(t, f, nil)

	release := make(chan struct{})
	stalled := make(chan struct{}, 1)
	var got []core.TelEvent
	done := make(chan struct{})
	stallingSink := func(ev core.TelEvent) {
		if ev.Type != core.TelDTMF {
			return
		}
		if len(got) == 0 {
			stalled <- struct{}{}
			<-release // the engine is busy: the sink blocks
		}
		got = append(got, ev)
		if len(got) == n {
			close(done)
		}
	}
	// A second Telephony with the stalling sink takes over the websocket
	// (the fake, like Asterisk, serves the newest connection).
	tel2, err := New(f.config())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tel2.Close() })
	if err := tel2.Start(t.Context(), stallingSink); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "second connection", func() bool { return f.connectCount() == 2 && tel2.Ready() })

	frames := make([]string, n)
	for i := range frames {
		frames[i] = dtmfFrame("chan-"+strconv.Itoa(i), "1", i)
	}
	if err := f.send(frames[0]); err != nil {
		t.Fatal(err)
	}
	<-stalled
	if err := f.send(frames[1:]...); err != nil {
		t.Fatalf("websocket backed up while sink stalled: %v", err)
	}
	waitUntil(t, "all frames read while the sink is stalled", func() bool { return tel2.framesRead.Load() == n })
	if len(got) != 0 {
		t.Fatalf("sink progressed while stalled: %d", len(got))
	}
	close(release)
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("only %d of %d events reached the sink", len(got), n)
	}
	for i, ev := range got {
		if want := "chan-" + strconv.Itoa(i); ev.ChannelID != want || ev.Duration != time.Duration(i)*time.Millisecond {
			t.Fatalf("event %d: channel %q, want %q (order lost)", i, ev.ChannelID, want)
		}
	}
	if c := countType(rec.events(), core.TelDisconnected); c != 0 {
		t.Fatalf("connection dropped during burst (%d disconnects)", c)
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestUnknownEventTypesAndGarbageFramesAreSkippedWithoutPanic(t *testing.T) {
	f := newFakeARI(t)
	tel, rec := startTel(t, f, nil)

	frames := []string{
		`{"type":"ApplicationRegistered","application":"callgate","timestamp":"2026-11-21T05:00:00.000+0000"}`,
		`{"type":"ChannelToneDetected","application":"callgate","channel":{"id":"c1"}}`,
		`{"type":"ChannelTransfer","application":"callgate","refer_to":{},"referred_by":{}}`,
		`{"type":"CallBroadcast","application":"callgate"}`,
		`{"type":"CallClaimed","application":"callgate"}`,
		`{"type":"RESTResponse","application":"callgate","status_code":200}`,
		`{"type":"SomethingFromAsterisk99"}`,
		`not json at all`,
		``,
		`{}`,
		`[]`,
		`null`,
		`{"type":5}`,
		`{"type":"StasisStart","args":5,"channel":{"id":"bad"}}`,
		`{"type":"ChannelDestroyed","cause":"sixteen","channel":{"id":"bad2"}}`,
		`{"type":"PlaybackFinished"}`,
		`{"type":"RecordingFinished","recording":null}`,
		`{"type":"StasisStart","application":"callgate","channel":null}`,
		"\x00\xff\xfe",
	}
	if err := f.send(frames...); err != nil {
		t.Fatal(err)
	}
	if err := f.sendBinary([]byte{0xde, 0xad, 0xbe, 0xef}); err != nil {
		t.Fatal(err)
	}
	if err := f.send(dtmfFrame("after-garbage", "5", 80)); err != nil {
		t.Fatal(err)
	}
	evs := rec.waitFor(t, "the valid event after the garbage", func(evs []core.TelEvent) bool {
		for _, e := range evs {
			if e.ChannelID == "after-garbage" {
				return true
			}
		}
		return false
	})
	for _, e := range evs {
		if e.ChannelID == "bad" || e.ChannelID == "bad2" || e.ChannelID == "c1" {
			t.Errorf("malformed frame produced an event: %+v", e)
		}
	}
	if countType(evs, core.TelDisconnected) != 0 || !tel.Ready() {
		t.Fatal("garbage frames broke the connection")
	}
	if st := tel.Stats(); st.DecodeErrors == 0 || st.FramesRead < uint64(len(frames)) {
		t.Errorf("stats %+v: malformed known events must be counted as decode errors", st)
	}
}

func TestEventFilterDisallowsTypesUnknownToARIv5OnConnect(t *testing.T) {
	f := newFakeARI(t)
	startTel(t, f, nil)
	var filter *recorded
	for _, r := range f.requests() {
		if r.Method == "PUT" && r.Path == "/applications/callgate/eventFilter" {
			filter = &r
		}
	}
	if filter == nil {
		t.Fatal("eventFilter was not set on connect")
	}
	for _, typ := range []string{"ApplicationRegistered", "ApplicationUnregistered", "ChannelToneDetected",
		"ChannelTransfer", "CallBroadcast", "CallClaimed", "RESTResponse"} {
		if !strings.Contains(filter.Body, `{"type":"`+typ+`"}`) {
			t.Errorf("eventFilter body does not disallow %s: %s", typ, filter.Body)
		}
	}
	if !strings.HasPrefix(filter.Body, `{"disallowed":[`) {
		t.Errorf("eventFilter body = %s", filter.Body)
	}
}

func TestReconnectsAfterServerDropsWebsocket(t *testing.T) {
	f := newFakeARI(t)
	tel, rec := startTel(t, f, nil)
	if !tel.Ready() {
		t.Fatal("not ready after TelConnected")
	}
	f.drop()
	rec.waitFor(t, "disconnected", func(evs []core.TelEvent) bool { return countType(evs, core.TelDisconnected) == 1 })
	rec.waitFor(t, "reconnected", func(evs []core.TelEvent) bool { return countType(evs, core.TelConnected) == 2 })
	if !tel.Ready() {
		t.Fatal("not ready after reconnect")
	}
	if n := f.connectCount(); n != 2 {
		t.Fatalf("websocket connects = %d, want 2", n)
	}
	filters := 0
	for _, r := range f.requests() {
		if r.Path == "/applications/callgate/eventFilter" {
			filters++
		}
	}
	if filters != 2 {
		t.Fatalf("eventFilter set %d times, want once per connection", filters)
	}
	// Events flow on the new connection, after TelConnected.
	if err := f.send(dtmfFrame("post-reconnect", "9", 100)); err != nil {
		t.Fatal(err)
	}
	evs := rec.waitFor(t, "event on new connection", func(evs []core.TelEvent) bool {
		return len(evs) > 0 && evs[len(evs)-1].ChannelID == "post-reconnect"
	})
	want := []core.TelEventType{core.TelConnected, core.TelDisconnected, core.TelConnected, core.TelDTMF}
	if len(evs) != len(want) {
		t.Fatalf("events = %v, want %v", typesOf(evs), want)
	}
	for i := range want {
		if evs[i].Type != want[i] || evs[i].Node != "ast-test-1" {
			t.Fatalf("event %d = %s node %q, want %s node ast-test-1", i, evs[i].Type, evs[i].Node, want[i])
		}
	}
}

func TestNotReadyAndErrNotConnectedWhileAsteriskIsDown(t *testing.T) {
	f := newFakeARI(t)
	cfg := f.config()
	f.srv.Close() // nothing listens any more
	tel, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tel.Close()
	rec := newRecorder()
	if err := tel.Start(t.Context(), rec.sink); err != nil {
		t.Fatalf("Start must not fail when Asterisk is down (it retries): %v", err)
	}
	if tel.Ready() {
		t.Fatal("ready without Asterisk")
	}
	_, err = tel.Originate(t.Context(), core.OriginateRequest{Endpoint: "Local/1@x"})
	if !errors.Is(err, core.ErrNotConnected) {
		t.Fatalf("originate while down: %v, want ErrNotConnected", err)
	}
	if _, err := tel.Channels(t.Context()); !errors.Is(err, core.ErrNotConnected) {
		t.Fatalf("channels while down: %v", err)
	}
	if err := tel.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestBadCredentialsNeverConnectAndDoNotLeakPassword(t *testing.T) {
	f := newFakeARI(t)
	cfg := f.config()
	cfg.Password = "wrong-password-123"
	var logs strings.Builder
	tel, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tel.Close()
	if err := tel.Start(t.Context(), newRecorder().sink); err != nil {
		t.Fatal(err)
	}
	if tel.Ready() {
		t.Fatal("connected with a wrong password")
	}
	_, err = tel.connect(t.Context())
	if err == nil {
		t.Fatal("connect succeeded with a wrong password")
	}
	logs.WriteString(err.Error())
	if strings.Contains(logs.String(), "wrong-password-123") {
		t.Fatalf("error leaks the password: %v", err)
	}
}

// Asterisk sends ApplicationReplaced when another websocket registers our
// application name: the gateway must notice it no longer gets events, yield
// for ReplacedPause (a rolling restart hands over to the new instance), and
// come back after it.
func TestApplicationReplacedYieldsThenReconnects(t *testing.T) {
	f := newFakeARI(t)
	_, rec := startTel(t, f, func(c *Config) { c.ReplacedPause = 1500 * time.Millisecond })
	if err := f.send(`{"type":"ApplicationReplaced","application":"callgate","timestamp":"2026-11-21T05:00:00.000+0000"}`); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "disconnect", func(evs []core.TelEvent) bool { return countType(evs, core.TelDisconnected) == 1 })
	// With a 20-100 ms backoff it would be back at once; it must wait.
	time.Sleep(200 * time.Millisecond)
	if n := f.connectCount(); n != 1 {
		t.Fatalf("reconnected after %d connects instead of yielding", n)
	}
	rec.waitFor(t, "reconnect after the pause", func(evs []core.TelEvent) bool { return countType(evs, core.TelConnected) == 2 })
}
