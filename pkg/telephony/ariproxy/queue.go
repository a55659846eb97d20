package ariproxy

import (
	"sync"

	"github.com/callgate/callgate/core"
)

// item is one entry of the event queue: a raw event as published by a
// node's ari-proxy, or an event synthesised here (node up/down, a hangup
// noticed by a failed subscription) that must keep its place among them.
type item struct {
	node  string
	raw   []byte
	ev    core.TelEvent
	synth bool
}

// fifo is an unbounded queue, the same design as pkg/telephony/ari's (whose
// items carry no node): the NATS callback only appends, so a busy engine
// never makes the NATS client buffer, and then drop, events as a slow
// consumer.
type fifo struct {
	mu     sync.Mutex
	items  []item
	spare  []item
	signal chan struct{}
}

func newFIFO() *fifo { return &fifo{signal: make(chan struct{}, 1)} }

func (q *fifo) push(it item) {
	q.mu.Lock()
	q.items = append(q.items, it)
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

// take returns everything queued so far; the caller owns the slice until it
// hands it back with recycle.
func (q *fifo) take() []item {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.items
	q.items = q.spare[:0]
	q.spare = nil
	return out
}

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
