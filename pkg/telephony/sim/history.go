package sim

import (
	"context"
	"sync"

	"github.com/callgate/callgate/core"
)

// history keeps the events already handed to the sink, so tests can wait for
// an event whether it was delivered before or after they started waiting. It
// is stored in fixed-size chunks so that neither growth nor trimming copies
// the log (benchmarks run millions of events through it).
type history struct {
	mu      sync.Mutex
	chunks  [][]core.TelEvent
	base    int // absolute index of chunks[0][0]
	n       int // events held
	limit   int
	changed chan struct{} // closed and replaced on add when someone waits
	waiting bool
}

const maxChunk = 1024

func (h *history) add(ev core.TelEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	last := len(h.chunks) - 1
	if last < 0 || len(h.chunks[last]) == cap(h.chunks[last]) {
		h.chunks = append(h.chunks, make([]core.TelEvent, 0, min(maxChunk, max(1, h.limit/2))))
		last++
	}
	h.chunks[last] = append(h.chunks[last], ev)
	h.n++
	for h.n > h.limit && len(h.chunks) > 1 {
		dropped := len(h.chunks[0])
		h.chunks[0] = nil
		h.chunks = h.chunks[1:]
		h.base += dropped
		h.n -= dropped
	}
	if h.waiting {
		close(h.changed)
		h.changed = make(chan struct{})
		h.waiting = false
	}
}

// from copies the events at absolute index i and later, with mu held.
func (h *history) from(i int) []core.TelEvent {
	skip := max(i-h.base, 0)
	if skip >= h.n {
		return nil
	}
	out := make([]core.TelEvent, 0, h.n-skip)
	for _, c := range h.chunks {
		if skip >= len(c) {
			skip -= len(c)
			continue
		}
		out = append(out, c[skip:]...)
		skip = 0
	}
	return out
}

// Mark returns a position in the delivered-event log: WaitEventAfter(mark)
// only considers events delivered after this call. Events still queued when
// Mark is called count as after it.
func (p *PBX) Mark() int {
	p.hist.mu.Lock()
	defer p.hist.mu.Unlock()
	return p.hist.base + p.hist.n
}

// WaitEvent returns the first delivered event (since Start, within the event
// log limit) for which match is true, waiting for it if needed. Events count
// as delivered once the sink has returned.
func (p *PBX) WaitEvent(ctx context.Context, match func(core.TelEvent) bool) (core.TelEvent, error) {
	return p.WaitEventAfter(ctx, 0, match)
}

// WaitEventAfter is WaitEvent restricted to events at or after mark.
func (p *PBX) WaitEventAfter(ctx context.Context, mark int, match func(core.TelEvent) bool) (core.TelEvent, error) {
	next := mark
	for {
		p.hist.mu.Lock()
		next = max(next, p.hist.base)
		// match runs without the lock so it may inspect the PBX.
		fresh := p.hist.from(next)
		p.hist.waiting = true
		changed := p.hist.changed
		p.hist.mu.Unlock()
		for _, ev := range fresh {
			next++
			if match(ev) {
				return ev, nil
			}
		}
		select {
		case <-ctx.Done():
			return core.TelEvent{}, ctx.Err()
		case <-changed:
		}
	}
}

// Events returns a copy of the delivered events still in the log.
func (p *PBX) Events() []core.TelEvent {
	p.hist.mu.Lock()
	defer p.hist.mu.Unlock()
	return p.hist.from(p.hist.base)
}

// Match helpers for WaitEvent.

// Is matches an event of type t on channel id ("" matches any channel).
func Is(t core.TelEventType, channelID string) func(core.TelEvent) bool {
	return func(ev core.TelEvent) bool {
		return ev.Type == t && (channelID == "" || ev.ChannelID == channelID)
	}
}

// IsPlayback matches a playback event for playbackID.
func IsPlayback(t core.TelEventType, playbackID string) func(core.TelEvent) bool {
	return func(ev core.TelEvent) bool { return ev.Type == t && ev.PlaybackID == playbackID }
}

// IsRecording matches a recording event for name.
func IsRecording(t core.TelEventType, name string) func(core.TelEvent) bool {
	return func(ev core.TelEvent) bool { return ev.Type == t && ev.RecordingName == name }
}
