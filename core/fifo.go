package core

import "sync"

// FIFO is an unbounded queue for event paths that must never wait for
// their consumer: a PBX connection that blocks loses events (Asterisk drops a
// websocket slower than 100 ms and never replays), so memory is the cheaper
// thing to spend during a burst. Producers Push; one consumer waits on
// Signal, drains with Take and hands the batch back with Recycle, so the
// steady state allocates nothing. Used by the engine and by the telephony
// implementations.
type FIFO[T any] struct {
	mu     sync.Mutex
	items  []T
	spare  []T
	signal chan struct{}
}

func NewFIFO[T any]() *FIFO[T] {
	return &FIFO[T]{signal: make(chan struct{}, 1)}
}

// Push appends v; it never blocks.
func (q *FIFO[T]) Push(v T) {
	q.mu.Lock()
	q.items = append(q.items, v)
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

// Signal is ready after a Push the consumer has not taken yet.
func (q *FIFO[T]) Signal() <-chan struct{} { return q.signal }

// Take returns everything queued so far, in order. The caller owns the
// slice until it hands it back with Recycle.
func (q *FIFO[T]) Take() []T {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.items
	q.items = q.spare[:0]
	q.spare = nil
	return out
}

// Recycle gives a drained batch back for reuse.
func (q *FIFO[T]) Recycle(b []T) {
	clear(b)
	q.mu.Lock()
	if q.spare == nil && cap(b) <= 1<<16 {
		q.spare = b[:0]
	}
	q.mu.Unlock()
}

// Len is the number of queued items.
func (q *FIFO[T]) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}
