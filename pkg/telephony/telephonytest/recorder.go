package telephonytest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
)

// waitTimeout bounds every wait of the suite. Asterisk on loopback answers in
// milliseconds; the margin is for loaded CI machines under -race.
const waitTimeout = 10 * time.Second

// recorder is the sink the suite gives to Start: it keeps every event so a
// case can wait for one whether it already arrived or not.
type recorder struct {
	mu      sync.Mutex
	events  []core.TelEvent
	changed chan struct{}
}

func newRecorder() *recorder { return &recorder{changed: make(chan struct{})} }

func (r *recorder) sink(ev core.TelEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
	close(r.changed)
	r.changed = make(chan struct{})
}

func (r *recorder) all() []core.TelEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]core.TelEvent(nil), r.events...)
}

// wait returns the first event (from the start of the run) matching match.
func (r *recorder) wait(ctx context.Context, match func(core.TelEvent) bool) (core.TelEvent, error) {
	ev, _, err := r.waitFrom(ctx, 0, match)
	return ev, err
}

func (r *recorder) mark() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

// waitFrom is wait restricted to events at index from or later; it also
// returns the index of the event found.
func (r *recorder) waitFrom(ctx context.Context, from int, match func(core.TelEvent) bool) (core.TelEvent, int, error) {
	for {
		r.mu.Lock()
		for ; from < len(r.events); from++ {
			if match(r.events[from]) {
				ev := r.events[from]
				r.mu.Unlock()
				return ev, from, nil
			}
		}
		ch := r.changed
		r.mu.Unlock()
		select {
		case <-ctx.Done():
			return core.TelEvent{}, from, ctx.Err()
		case <-ch:
		}
	}
}

// has reports whether an event matching match already arrived.
func (r *recorder) has(match func(core.TelEvent) bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, ev := range r.events {
		if match(ev) {
			return true
		}
	}
	return false
}

// dump formats the events for a failure message.
func (r *recorder) dump() string {
	var b strings.Builder
	for _, ev := range r.all() {
		fmt.Fprintf(&b, "\n  %s ch=%q args=%q cause=%d digit=%q pb=%q rec=%q", ev.Type, ev.ChannelID, ev.Args,
			ev.Cause, ev.Digit, ev.PlaybackID, ev.RecordingName)
	}
	return b.String()
}

func isType(t core.TelEventType, channelID string) func(core.TelEvent) bool {
	return func(ev core.TelEvent) bool { return ev.Type == t && ev.ChannelID == channelID }
}

func isPlayback(t core.TelEventType, id string) func(core.TelEvent) bool {
	return func(ev core.TelEvent) bool { return ev.Type == t && ev.PlaybackID == id }
}

func isRecording(t core.TelEventType, name string) func(core.TelEvent) bool {
	return func(ev core.TelEvent) bool { return ev.Type == t && ev.RecordingName == name }
}

// harness is one case's running implementation.
type harness struct {
	t   *testing.T
	env Env
	tel core.Telephony
	rec *recorder
	ctx context.Context
	ids *idGen
}

type idGen struct {
	mu     sync.Mutex
	prefix string
	n      int
}

func (g *idGen) next(kind string) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n++
	return fmt.Sprintf("%s-%s-%d", g.prefix, kind, g.n)
}

// waitFor fails the case if no matching event arrives in time.
func (h *harness) waitFor(what string, match func(core.TelEvent) bool) core.TelEvent {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, waitTimeout)
	defer cancel()
	ev, err := h.rec.wait(ctx, match)
	if err != nil {
		h.t.Fatalf("waiting for %s: %v; events so far:%s", what, err, h.rec.dump())
	}
	return ev
}

// eventually polls cond until it holds, for state the env can only be asked
// about (there is no event for it).
func (h *harness) eventually(what string, cond func() bool) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, waitTimeout)
	defer cancel()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			h.t.Fatalf("waiting for %s: %v", what, ctx.Err())
		case <-tick.C:
		}
	}
}

func (h *harness) must(what string, err error) {
	h.t.Helper()
	if err != nil {
		h.t.Fatalf("%s: %v", what, err)
	}
}

// answered originates to the answer endpoint and waits until the channel is
// in the application.
func (h *harness) answered(args ...string) string {
	h.t.Helper()
	id := h.ids.next("out")
	if len(args) == 0 {
		args = []string{"tt"}
	}
	_, err := h.tel.Originate(h.ctx, core.OriginateRequest{
		ChannelID: id, Endpoint: h.env.AnswerEndpoint, CallerIDNum: "5550100", Timeout: 5 * time.Second,
		AppArgs: args,
	})
	h.must("originate to answer endpoint", err)
	h.waitFor("StasisStart of answered originate", isType(core.TelStasisStart, id))
	return id
}

// inbound brings in a call and answers it.
func (h *harness) inbound(callerID, dialed string) string {
	h.t.Helper()
	id, err := h.env.Inbound(h.ctx, callerID, dialed)
	h.must("inbound", err)
	h.waitFor("StasisStart of inbound", isType(core.TelStasisStart, id))
	return id
}

func (h *harness) hangup(id string) {
	h.t.Helper()
	h.must("hangup", h.tel.Hangup(h.ctx, id, core.CauseNormal))
	h.waitFor("hangup of "+id, isType(core.TelHangup, id))
}

func (h *harness) channelInfo(id string) (core.ChannelInfo, bool) {
	h.t.Helper()
	list, err := h.tel.Channels(h.ctx)
	h.must("Channels", err)
	for _, c := range list {
		if c.ID == id {
			return c, true
		}
	}
	return core.ChannelInfo{}, false
}

func (h *harness) bridgeInfo(id string) (core.BridgeInfo, bool) {
	h.t.Helper()
	list, err := h.tel.Bridges(h.ctx)
	h.must("Bridges", err)
	for _, b := range list {
		if b.ID == id {
			return b, true
		}
	}
	return core.BridgeInfo{}, false
}
