package admin

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/core/clocktest"
	"github.com/callgate/callgate/pkg/bus/natsbus"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// busEngine is an engine that only has a bus: the event stream needs
// nothing else, and the test controls exactly what is published.
type busEngine struct {
	Engine
	bus core.Bus
}

func (b busEngine) Bus() core.Bus { return b.bus }

type busFactory func(t *testing.T, replay int) core.Bus

// eventBuses are the buses the stream is tested on: in-process, and NATS
// JetStream when CALLGATE_TEST_NATS_URL is set.
func eventBuses(t *testing.T) map[string]busFactory {
	m := map[string]busFactory{"memory": func(t *testing.T, replay int) core.Bus {
		b := core.NewMemoryBus(replay)
		t.Cleanup(func() { _ = b.Close() })
		return b
	}}
	if url := os.Getenv("CALLGATE_TEST_NATS_URL"); url != "" {
		m["nats"] = func(t *testing.T, replay int) core.Bus {
			id := strconv.FormatInt(time.Now().UnixNano(), 36)
			b, err := natsbus.Connect(context.Background(), url, natsbus.Options{Stream: "SSE_" + id, Subject: "sse." + id, Replay: int64(replay), Memory: true})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = b.Close() })
			return b
		}
	}
	return m
}

func eachBus(t *testing.T, fn func(t *testing.T, newBus busFactory)) {
	for name, f := range eventBuses(t) {
		t.Run(name, func(t *testing.T) { fn(t, f) })
	}
}

func streamServer(t *testing.T, bus core.Bus, o Options) *client {
	o.Records = core.NewRecords(storetest.Open(t, "sqlite"))
	o.Engine = busEngine{bus: bus}
	return newServer(t, o)
}

// sseFrame is one Server-Sent Event (or comment) as a client parses it.
type sseFrame struct {
	id, event, data, comment string
}

type sseStream struct {
	t      *testing.T
	resp   *http.Response
	sc     *bufio.Scanner
	cancel context.CancelFunc
}

func (c *client) stream(t *testing.T, query, lastID string) *sseStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", c.base+"/events"+query, nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	s := &sseStream{t: t, resp: resp, sc: bufio.NewScanner(resp.Body), cancel: cancel}
	s.sc.Buffer(make([]byte, 64<<10), 1<<20)
	t.Cleanup(s.close)
	return s
}

func (s *sseStream) close() { s.cancel(); _ = s.resp.Body.Close() }

// next reads one frame; ok false at the end of the stream.
func (s *sseStream) next() (f sseFrame, ok bool) {
	s.t.Helper()
	seen := false
	for s.sc.Scan() {
		line := s.sc.Text()
		if line == "" {
			if seen {
				return f, true
			}
			continue
		}
		seen = true
		k, v, _ := strings.Cut(line, ":")
		v = strings.TrimPrefix(v, " ")
		switch k {
		case "":
			f.comment = v
		case "id":
			f.id = v
		case "event":
			f.event = v
		case "data":
			f.data = v
		}
	}
	return f, false
}

// nextEvent skips comments.
func (s *sseStream) nextEvent() sseFrame {
	s.t.Helper()
	for {
		f, ok := s.next()
		if !ok {
			s.t.Fatalf("stream ended early")
		}
		if f.comment == "" {
			return f
		}
	}
}

// opened waits for the stream's subscription to exist.
func (s *sseStream) opened() {
	s.t.Helper()
	if s.resp.StatusCode != http.StatusOK {
		s.t.Fatalf("status %d", s.resp.StatusCode)
	}
	for {
		f, ok := s.next()
		if !ok {
			s.t.Fatal("stream ended before it opened")
		}
		if f.comment == "stream open" {
			return
		}
	}
}

type streamedEvent struct {
	Seq  uint64            `json:"seq"`
	Type string            `json:"type"`
	Data core.DTMFReceived `json:"data"`
}

func decodeEvent(t *testing.T, f sseFrame) streamedEvent {
	t.Helper()
	var ev streamedEvent
	if err := json.Unmarshal([]byte(f.data), &ev); err != nil {
		t.Fatalf("frame %+v: %v", f, err)
	}
	if f.id != strconv.FormatUint(ev.Seq, 10) || f.event != ev.Type {
		t.Fatalf("frame id/event %q/%q do not match the event %+v", f.id, f.event, ev)
	}
	return ev
}

func publishDTMF(bus core.Bus, from, to int, digit string) {
	for i := from; i <= to; i++ {
		bus.Publish(core.DTMFReceived{CallID: uint64(i), Digit: digit}, "")
	}
}

// A consumer that drops its connection mid-burst and resumes with
// Last-Event-ID receives every event exactly once, in order.
func TestEventStreamResumeAfterDropDeliversEveryEventOnce(t *testing.T) {
	eachBus(t, func(t *testing.T, newBus busFactory) {
		bus := newBus(t, 1000)
		c := streamServer(t, bus, Options{})
		s := c.stream(t, "", "")
		s.opened()
		publishDTMF(bus, 1, 300, "1")
		got := map[uint64]int{}
		var lastSeq uint64
		take := func(s *sseStream, n int) {
			for i := 0; i < n; i++ {
				ev := decodeEvent(t, s.nextEvent())
				if ev.Seq <= lastSeq {
					t.Fatalf("seq %d after %d", ev.Seq, lastSeq)
				}
				lastSeq = ev.Seq
				got[ev.Data.CallID]++
			}
		}
		take(s, 120)
		s.close() // drop mid-burst
		publishDTMF(bus, 301, 500, "2")
		s2 := c.stream(t, "", strconv.FormatUint(lastSeq, 10))
		take(s2, 500-120)
		for i := uint64(1); i <= 500; i++ {
			if got[i] != 1 {
				t.Fatalf("event %d delivered %d times", i, got[i])
			}
		}
	})
}

// A resume point older than the replay window is answered with a "gap"
// event naming the first sequence still available, then those events.
func TestEventStreamSignalsGapTooOldToReplay(t *testing.T) {
	eachBus(t, func(t *testing.T, newBus busFactory) {
		bus := newBus(t, 10)
		c := streamServer(t, bus, Options{})
		publishDTMF(bus, 1, 50, "1")
		last := bus.LastSeq()
		s := c.stream(t, "", strconv.FormatUint(last-45, 10))
		f := s.nextEvent()
		var gap gapInfo
		if f.event != "gap" || f.id != "" || json.Unmarshal([]byte(f.data), &gap) != nil {
			t.Fatalf("first frame %+v, want a gap event without id", f)
		}
		want := gapInfo{Requested: last - 44, FirstAvailable: last - 9, Missed: 35}
		if gap != want {
			t.Fatalf("gap %+v, want %+v", gap, want)
		}
		for seq := last - 9; seq <= last; seq++ {
			if ev := decodeEvent(t, s.nextEvent()); ev.Seq != seq {
				t.Fatalf("after the gap got seq %d, want %d", ev.Seq, seq)
			}
		}
	})
}

// Filters keep only the events of the agent, queue, campaign or type asked.
func TestEventStreamFilters(t *testing.T) {
	bus := core.NewMemoryBus(100)
	c := streamServer(t, bus, Options{})
	call := func(agent, queue, campaign string) core.Call {
		return core.Call{Agent: agent, Queue: queue, Campaign: campaign}
	}
	bus.Publish(core.AgentStateChanged{Agent: "1064", To: core.AgentAvailable}, "1064")          // 1
	bus.Publish(core.CallRinging{Call: call("1064", "8000", "TESTCAMP"), Agent: "1064"}, "1064") // 2
	bus.Publish(core.CallEnded{Call: call("2000", "8001", "OTHER")}, "")                         // 3
	bus.Publish(core.LeadChanged{Lead: core.Lead{Campaign: "TESTCAMP"}}, "")                     // 4
	bus.Publish(core.CallProgress{Call: call("", "8000", "OTHER"), Status: "OnQueue"}, "")       // 5
	bus.Publish(core.DTMFReceived{CallID: 9, Digit: "5"}, "")                                    // 6
	ringing := core.CallRinging{Call: call("1064", "8000", "TESTCAMP"), Agent: "1064"}
	tests := []struct {
		query string
		want  []uint64
		// end is published after the replay; it passes the filter, so
		// it marks the end of what the filter let through.
		end core.Payload
	}{
		{"?from=1", []uint64{1, 2, 3, 4, 5, 6}, nil},
		{"?from=1&agent=1064", []uint64{1, 2}, nil},
		{"?from=1&queue=8000", []uint64{2, 5}, nil},
		{"?from=1&campaign=TESTCAMP", []uint64{2, 4}, nil},
		{"?from=1&type=call.", []uint64{2, 3, 5, 6}, nil},
		{"?from=1&type=call.ended,lead.changed", []uint64{3, 4}, core.CallEnded{Call: call("1064", "8000", "TESTCAMP")}},
		{"?from=1&type=call.&queue=8000&agent=1064", []uint64{2}, nil},
		{"?from=1&campaign=OTHER&campaign=TESTCAMP&type=call.ringing&type=call.progress", []uint64{2, 5}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			s := c.stream(t, tc.query, "")
			s.opened()
			end := tc.end
			if end == nil {
				end = ringing
			}
			bus.Publish(end, "1064")
			var got []uint64
			for {
				f := s.nextEvent()
				ev := decodeEvent(t, f)
				if ev.Seq > 6 {
					break
				}
				got = append(got, ev.Seq)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// Bad parameters are 400 in the API's JSON error format.
func TestEventStreamRejectsBadParameters(t *testing.T) {
	c := streamServer(t, core.NewMemoryBus(10), Options{})
	for _, tc := range []struct{ query, lastID string }{
		{"?from=abc", ""},
		{"", "not-a-number"},
		{"?agent=" + manyAgents(40), ""},
	} {
		req, _ := http.NewRequest("GET", c.base+"/events"+tc.query, nil)
		req.Header.Set("Authorization", "Bearer "+c.token)
		if tc.lastID != "" {
			req.Header.Set("Last-Event-ID", tc.lastID)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct{ Error string }
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || err != nil || body.Error == "" {
			t.Fatalf("%q %q: status %d body %+v", tc.query, tc.lastID, resp.StatusCode, body)
		}
	}
}

// A client that stops reading is cut with a final "overflow" event naming
// where to resume, the bus never waits for it, and resuming loses nothing.
func TestEventStreamCutsSlowConsumerWithFinalEvent(t *testing.T) {
	bus := core.NewMemoryBus(10000)
	c := streamServer(t, bus, Options{EventBuffer: 8})
	s := c.stream(t, "", "")
	s.opened()
	// Far more bytes than the loopback socket buffers hold while the
	// client reads nothing: the handler blocks, its subscription overflows.
	big := strings.Repeat("9", 16<<10)
	done := make(chan struct{})
	go func() { publishDTMF(bus, 1, 2000, big); close(done) }()
	<-done // Publish returned for every event although nobody read: never blocked
	got := map[uint64]int{}
	var lastSeq uint64
	var end endInfo
	for {
		f := s.nextEvent()
		if f.event == "overflow" {
			if f.id != "" || json.Unmarshal([]byte(f.data), &end) != nil {
				t.Fatalf("overflow frame %+v", f)
			}
			break
		}
		ev := decodeEvent(t, f)
		lastSeq = ev.Seq
		got[ev.Data.CallID]++
	}
	if _, ok := s.next(); ok {
		t.Fatal("stream continued after the overflow event")
	}
	if end.ResumeFrom != lastSeq+1 || lastSeq >= 2000 {
		t.Fatalf("overflow %+v after seq %d", end, lastSeq)
	}
	s2 := c.stream(t, "", strconv.FormatUint(lastSeq, 10))
	for len(got) < 2000 {
		ev := decodeEvent(t, s2.nextEvent())
		got[ev.Data.CallID]++
	}
	for i := uint64(1); i <= 2000; i++ {
		if got[i] != 1 {
			t.Fatalf("event %d delivered %d times", i, got[i])
		}
	}
}

// Idle streams get a heartbeat comment every interval of the clock port.
func TestEventStreamHeartbeats(t *testing.T) {
	clk := clocktest.New(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	c := streamServer(t, core.NewMemoryBus(10), Options{Clock: clk, Heartbeat: 15 * time.Second})
	s := c.stream(t, "", "")
	s.opened()
	for i := 0; i < 2; i++ {
		clk.BlockUntil(1)
		clk.Advance(15 * time.Second)
		if f, ok := s.next(); !ok || f.comment != "heartbeat" {
			t.Fatalf("frame %+v, want a heartbeat", f)
		}
	}
}

// Streams beyond the limit are refused with 503.
func TestEventStreamLimitsConcurrentStreams(t *testing.T) {
	c := streamServer(t, core.NewMemoryBus(10), Options{MaxEventStreams: 1})
	s := c.stream(t, "", "")
	s.opened()
	code, b := c.do("GET", "/events", nil)
	if code != http.StatusServiceUnavailable || !strings.Contains(string(b), "too many event streams") {
		t.Fatalf("second stream: %d %s", code, b)
	}
}

func manyAgents(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "a%d,", i)
	}
	return b.String()
}

// Shutting the server down ends open streams with a final "closed" event
// naming where to resume, instead of holding the shutdown.
func TestEventStreamClosesOnShutdownWithResumePoint(t *testing.T) {
	bus := core.NewMemoryBus(10)
	o := Options{Records: core.NewRecords(storetest.Open(t, "sqlite")), Engine: busEngine{bus: bus}, Token: testToken}
	api := New(o)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	c := &client{t: t, base: srv.URL, token: testToken}
	s := c.stream(t, "", "")
	s.opened()
	ev := bus.Publish(core.DTMFReceived{CallID: 1, Digit: "1"}, "")
	if got := decodeEvent(t, s.nextEvent()); got.Seq != ev.Seq {
		t.Fatalf("got %+v", got)
	}
	api.CloseStreams()
	f := s.nextEvent()
	var end endInfo
	if f.event != "closed" || json.Unmarshal([]byte(f.data), &end) != nil || end.ResumeFrom != ev.Seq+1 {
		t.Fatalf("final frame %+v", f)
	}
	if _, ok := s.next(); ok {
		t.Fatal("stream continued after the closed event")
	}
}

// The stream's query and Last-Event-ID parsers answer any input with a
// filter or a clear error, never a panic.
func FuzzEventStreamParameters(f *testing.F) {
	for _, s := range []string{"agent=1064&type=call.", "from=5", "from=-1", "queue=a,,b", "type=" + strings.Repeat(".", 300), "%zz"} {
		f.Add(s, "12")
		f.Add(s, "x")
	}
	f.Fuzz(func(t *testing.T, query, lastID string) {
		r := httptest.NewRequest("GET", "/events", nil)
		r.URL.RawQuery = query
		r.Header.Set("Last-Event-ID", lastID)
		if flt, err := parseEventFilter(r); err == nil {
			flt.match(core.Event{Type: "call.ended", Agent: "a"}, []byte(`{"call":{"queue":"q"}}`))
		}
		_, _ = resumeFrom(r)
	})
}

// BenchmarkEventStream measures events delivered through a real HTTP SSE
// stream per second (memory bus, no filter).
func BenchmarkEventStream(b *testing.B) {
	bus := core.NewMemoryBus(b.N + 10)
	o := Options{Records: core.NewRecords(storetest.Open(b, "sqlite")), Engine: busEngine{bus: bus}, Token: testToken, EventBuffer: b.N + 10}
	srv := httptest.NewServer(New(o))
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() && sc.Text() != ": stream open" {
	}
	b.ResetTimer()
	go publishDTMF(bus, 1, b.N, "5")
	for n := 0; n < b.N && sc.Scan(); {
		if strings.HasPrefix(sc.Text(), "id: ") {
			n++
		}
	}
}
