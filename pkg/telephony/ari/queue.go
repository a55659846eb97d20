package ari

import (
	"sync"

	"github.com/callgate/callgate/core"
)

// item is one entry of the event queue: a raw websocket frame still to be
// decoded, or an event synthesised by the connection manager (connected,
// disconnected) that must keep its place among the frames.
type item struct {
	raw   []byte
	ev    core.TelEvent
	synth bool
	// gen is the connection generation the frame was read on.
	gen uint64
}

// fifo is an unbounded queue. The websocket reader only appends to it, so it
// never waits for the consumer: Asterisk drops a websocket that does not
// drain within websocket_write_timeout (100 ms) and never replays what it
// dropped, so memory is the cheaper thing to spend during a burst.
type fifo struct {
	mu     sync.Mutex
	items  []item
	spare  []item
	signal chan struct{}
}

func newFIFO() *fifo {
	return &fifo{signal: make(chan struct{}, 1)}
}

func (q *fifo) push(it item) {
	q.mu.Lock()
	q.items = append(q.items, it)
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

// take returns everything queued so far. The returned slice is owned by the
// caller until it hands it back with recycle.
func (q *fifo) take() []item {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.items
	q.items = q.spare[:0]
	q.spare = nil
	return out
}

// recycle gives a drained batch back so steady state allocates nothing.
func (q *fifo) recycle(b []item) {
	clear(b)
	q.mu.Lock()
	if q.spare == nil && cap(b) <= 1<<16 {
		q.spare = b[:0]
	}
	q.mu.Unlock()
}

func (q *fifo) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}
