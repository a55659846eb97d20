package admin

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
)

// The event stream (GET /events) is Server-Sent Events over the engine's
// bus: each domain event is one SSE event whose id is the bus sequence and
// whose name is the event type. A client that reconnects with Last-Event-ID
// (or ?from=) gets every event after it that the bus still holds; when the
// bus no longer holds them, the stream starts with a "gap" event naming the
// first sequence it can still send, never silently. A client that reads
// too slowly is not allowed to hold the bus back: the bus ends its
// subscription, and the stream ends with an "overflow" event naming the
// sequence to resume from.

const (
	defaultMaxEventStreams = 64
	defaultHeartbeat       = 15 * time.Second
	// defaultEventBuffer is how many events a stream may lag behind the bus
	// before it is cut as too slow.
	defaultEventBuffer = 1024
	// eventWriteTimeout bounds one write to a stream's client: a client
	// that stops reading is cut rather than held open for ever.
	eventWriteTimeout = 30 * time.Second
	maxFilterValues   = 32
)

// eventBus is the engine's bus (core.Engine has Bus()).
type eventBus interface {
	Bus() core.Bus
}

// eventFilter keeps the events a client asked for; empty sets match all.
type eventFilter struct {
	agents, queues, campaigns, types map[string]bool
	// scope, when set, is the session's own limit (sessions.go).
	scope func(ev core.Event, data []byte) bool
}

// eventFields are the fields of any payload that filters look at: the agent
// and the call's queue and campaign, wherever the payload carries them.
type eventFields struct {
	Agent    string `json:"agent"`
	Queue    string `json:"queue"`
	Campaign string `json:"campaign"`
	Call     struct {
		Agent    string `json:"agent"`
		Queue    string `json:"queue"`
		Campaign string `json:"campaign"`
	} `json:"call"`
	Lead struct {
		Campaign string `json:"campaign"`
	} `json:"lead"`
	Job struct {
		Campaign string `json:"campaign"`
	} `json:"job"`
	Command struct {
		Agent string `json:"agent"`
	} `json:"command"`
}

func parseEventFilter(r *http.Request) (eventFilter, error) {
	q := r.URL.Query()
	var f eventFilter
	var err error
	set := func(name string) map[string]bool {
		vals := q[name]
		if len(vals) == 0 || err != nil {
			return nil
		}
		m := map[string]bool{}
		for _, v := range vals {
			for _, s := range strings.Split(v, ",") {
				if s = strings.TrimSpace(s); s != "" {
					m[s] = true
				}
			}
		}
		if len(m) > maxFilterValues {
			err = badRequest("at most %d values for %q", maxFilterValues, name)
		}
		return m
	}
	f.agents, f.queues, f.campaigns, f.types = set("agent"), set("queue"), set("campaign"), set("type")
	return f, err
}

func (f eventFilter) empty() bool {
	return f.agents == nil && f.queues == nil && f.campaigns == nil && f.types == nil
}

// typeMatches accepts exact types and prefixes ending in "." ("call.").
func (f eventFilter) typeMatches(t string) bool {
	if f.types == nil || f.types[t] {
		return true
	}
	for p := range f.types {
		if strings.HasSuffix(p, ".") && strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

func (f eventFilter) match(ev core.Event, data []byte) bool {
	if f.empty() {
		return true
	}
	if !f.typeMatches(ev.Type) {
		return false
	}
	if f.agents == nil && f.queues == nil && f.campaigns == nil {
		return true
	}
	var fl eventFields
	_ = json.Unmarshal(data, &fl) // a payload without these fields matches none
	if f.agents != nil && !anyIn(f.agents, ev.Agent, fl.Agent, fl.Call.Agent, fl.Command.Agent) {
		return false
	}
	if f.queues != nil && !anyIn(f.queues, fl.Queue, fl.Call.Queue) {
		return false
	}
	if f.campaigns != nil && !anyIn(f.campaigns, fl.Campaign, fl.Call.Campaign, fl.Lead.Campaign, fl.Job.Campaign) {
		return false
	}
	return true
}

func anyIn(set map[string]bool, vals ...string) bool {
	for _, v := range vals {
		if v != "" && set[v] {
			return true
		}
	}
	return false
}

// resumeFrom is the first sequence the client wants: the one after
// Last-Event-ID (the SSE reconnect header), or ?from=; 0 means live only.
func resumeFrom(r *http.Request) (uint64, error) {
	if id := strings.TrimSpace(r.Header.Get("Last-Event-ID")); id != "" {
		n, err := strconv.ParseUint(id, 10, 64)
		if err != nil {
			return 0, badRequest("Last-Event-ID must be an event sequence number")
		}
		return n + 1, nil
	}
	if v := r.URL.Query().Get("from"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return 0, badRequest("from must be an event sequence number")
		}
		return n, nil
	}
	return 0, nil
}

// gapInfo is the data of a "gap" event.
type gapInfo struct {
	Requested      uint64 `json:"requested"`
	FirstAvailable uint64 `json:"first_available"`
	Missed         uint64 `json:"missed"`
}

// endInfo is the data of the final "overflow" or "closed" event.
type endInfo struct {
	Reason     string `json:"reason"`
	ResumeFrom uint64 `json:"resume_from"`
}

// subscribe opens the bus from the requested sequence; when the bus no
// longer holds it, it opens from the first sequence it does hold and
// reports the gap.
func subscribeFrom(bus core.Bus, from uint64, eventBuffer int) (core.Subscription, *gapInfo, error) {
	for attempt := 0; attempt < 5; attempt++ {
		sub, err := bus.Subscribe(from, eventBuffer)
		if !errors.Is(err, core.ErrGap) {
			return sub, nil, err
		}
		first := firstHeld(bus)
		if first <= from {
			first = from + 1
		}
		sub, err = bus.Subscribe(first, eventBuffer)
		if errors.Is(err, core.ErrGap) {
			continue // the window moved on meanwhile
		}
		if err != nil {
			return nil, nil, err
		}
		return sub, &gapInfo{Requested: from, FirstAvailable: first, Missed: first - from}, nil
	}
	// The window moves faster than we can open it: follow live events.
	last := bus.LastSeq()
	sub, err := bus.Subscribe(0, eventBuffer)
	if err != nil {
		return nil, nil, err
	}
	return sub, &gapInfo{Requested: from, FirstAvailable: last + 1, Missed: last + 1 - from}, nil
}

// firstHeld is the oldest sequence the bus can replay.
func firstHeld(bus core.Bus) uint64 {
	if w, ok := bus.(core.ReplayWindow); ok {
		if first, err := w.FirstSeq(); err == nil {
			return first
		}
	}
	return bus.LastSeq() + 1
}

func (a *API) events(w http.ResponseWriter, r *http.Request) {
	bus := a.bus
	if eb, ok := a.eng.(eventBus); ok && a.eng != nil && eb.Bus() != nil {
		bus = eb.Bus()
	}
	if bus == nil {
		a.fail(w, r, errNoEngine)
		return
	}
	filter, err := parseEventFilter(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	filter.scope = a.eventScope(r)
	from, err := resumeFrom(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if !a.streams.acquire() {
		w.Header().Set("Retry-After", "5")
		writeError(w, http.StatusServiceUnavailable, "too many event streams")
		return
	}
	defer a.streams.release()
	sub, gap, err := subscribeFrom(bus, from, a.eventBuffer)
	if err != nil {
		a.fail(w, r, &httpError{status: http.StatusServiceUnavailable, msg: "event bus unavailable"})
		return
	}
	defer sub.Close()
	s := &sseWriter{w: w, rc: http.NewResponseController(w)}
	// The server's read timeout would otherwise end a long stream: the
	// request was read, only the client's disconnect is still awaited.
	_ = s.rc.SetReadDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	next := from
	if gap != nil {
		next = gap.FirstAvailable
		s.send("gap", gap)
	}
	s.comment("stream open")
	s.flush()
	a.pump(r, s, sub, filter, next)
}

// pump copies the subscription to the client until either ends.
func (a *API) pump(r *http.Request, s *sseWriter, sub core.Subscription, filter eventFilter, next uint64) {
	beat := make(chan struct{}, 1)
	hb := a.heartbeat
	t := a.clock.AfterFunc(hb, func() {
		select {
		case beat <- struct{}{}:
		default:
		}
	})
	defer t.Stop()
	for s.err == nil {
		select {
		case <-r.Context().Done():
			return
		case <-a.closing:
			s.send("closed", endInfo{Reason: "the server is shutting down; reconnect with Last-Event-ID to resume", ResumeFrom: next})
			s.flush()
			return
		case <-beat:
			s.comment("heartbeat")
			s.flush()
			t.Reset(hb)
		case ev, ok := <-sub.C():
			if !ok {
				s.end(sub.Err(), next)
				return
			}
			if ev.Seq < next {
				continue // already sent, or before what the client asked for
			}
			next = ev.Seq + 1
			data, err := json.Marshal(ev.Data)
			if err != nil {
				a.log.Error("events: encode", "type", ev.Type, "err", err)
				continue
			}
			if filter.match(ev, data) && (filter.scope == nil || filter.scope(ev, data)) {
				s.event(ev, data)
			}
			if len(sub.C()) == 0 {
				s.flush()
			}
		}
	}
}

// sseWriter writes SSE frames, each write bounded by a deadline.
type sseWriter struct {
	w   http.ResponseWriter
	rc  *http.ResponseController
	err error
}

func (s *sseWriter) write(b []byte) {
	if s.err != nil {
		return
	}
	_ = s.rc.SetWriteDeadline(time.Now().Add(eventWriteTimeout))
	_, s.err = s.w.Write(b)
}

func (s *sseWriter) flush() {
	if s.err == nil {
		s.err = s.rc.Flush()
	}
}

func (s *sseWriter) comment(text string) { s.write([]byte(": " + text + "\n\n")) }

// event writes one domain event: id is the sequence, data the whole event
// (seq, time, type, agent, data) on one line.
func (s *sseWriter) event(ev core.Event, data []byte) {
	line, _ := json.Marshal(struct {
		Seq   uint64          `json:"seq"`
		Time  time.Time       `json:"time"`
		Type  string          `json:"type"`
		Agent string          `json:"agent,omitempty"`
		Data  json.RawMessage `json:"data"`
	}{ev.Seq, ev.Time, ev.Type, ev.Agent, data})
	s.write(fmt.Appendf(nil, "id: %d\nevent: %s\ndata: %s\n\n", ev.Seq, ev.Type, line))
}

// send writes a control event (gap, overflow, closed), without an id so
// the client's Last-Event-ID stays at the last domain event.
func (s *sseWriter) send(name string, v any) {
	b, _ := json.Marshal(v)
	s.write(fmt.Appendf(nil, "event: %s\ndata: %s\n\n", name, b))
}

// end tells the client why the stream stops and where to resume.
func (s *sseWriter) end(err error, next uint64) {
	reason := "closed"
	if errors.Is(err, core.ErrOverflow) {
		reason = "overflow"
	}
	s.send(reason, endInfo{Reason: reasonText(reason), ResumeFrom: next})
	s.flush()
}

func reasonText(reason string) string {
	if reason == "overflow" {
		return "the client read too slowly and fell behind the event bus; reconnect with Last-Event-ID to resume"
	}
	return "the event bus closed the stream; reconnect with Last-Event-ID to resume"
}

// streamLimit caps concurrent event streams.
type streamLimit chan struct{}

func (l streamLimit) acquire() bool {
	select {
	case l <- struct{}{}:
		return true
	default:
		return false
	}
}

func (l streamLimit) release() { <-l }

// CloseStreams ends every event stream with a final "closed" event naming
// where to resume; the gateway calls it when its HTTP server shuts down, so
// that open streams do not hold the shutdown until its grace period ends.
func (a *API) CloseStreams() { a.closeOnce.Do(func() { close(a.closing) }) }

func (a *API) initStreams(o Options) {
	a.closing = make(chan struct{})
	n := o.MaxEventStreams
	if n <= 0 {
		n = defaultMaxEventStreams
	}
	a.streams = make(streamLimit, n)
	a.heartbeat = o.Heartbeat
	if a.heartbeat <= 0 {
		a.heartbeat = defaultHeartbeat
	}
	a.eventBuffer = o.EventBuffer
	if a.eventBuffer <= 0 {
		a.eventBuffer = defaultEventBuffer
	}
	a.clock = o.Clock
	if a.clock == nil {
		a.clock = core.RealClock()
	}
}
