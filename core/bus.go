package core

import (
	"sync"
	"time"
)

// QueuedBus is a Bus whose events can be published without waiting: the
// engine publishes from its ordered store lane and must not wait for a
// network round trip per event. Enqueue keeps the order of the calls; the
// sequence is assigned when the event is stored.
type QueuedBus interface {
	Bus
	Enqueue(p Payload, agent string)
}

// MemoryBus is the in-process Bus: a bounded replay ring plus one buffered
// channel per subscriber.
type MemoryBus struct {
	mu     sync.Mutex
	seq    uint64
	ring   []Event // replay log, ring[(seq-1)%len]
	size   int
	subs   map[*memSub]struct{}
	closed bool
	now    func() time.Time
	epoch  string
}

// NewMemoryBus keeps the last replay events for resuming consumers.
func NewMemoryBus(replay int) *MemoryBus {
	if replay <= 0 {
		replay = 10000
	}
	return &MemoryBus{ring: make([]Event, replay), subs: map[*memSub]struct{}{}, now: time.Now, epoch: newGUID()}
}

// Epoch is this bus's own: its sequences start at 1 with it.
func (b *MemoryBus) Epoch() string { return b.epoch }

func (b *MemoryBus) Publish(p Payload, agent string) Event {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.seq++
	ev := Event{Seq: b.seq, Time: b.now(), Type: p.EventType(), Agent: agent, Data: p}
	b.ring[(b.seq-1)%uint64(len(b.ring))] = ev
	if b.size < len(b.ring) {
		b.size++
	}
	for s := range b.subs {
		s.deliver(ev)
	}
	return ev
}

// Inject publishes an event that already has its sequence number (an event
// received from another gateway over NATS). Events at or below the current
// sequence are ignored.
func (b *MemoryBus) Inject(ev Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if ev.Seq <= b.seq {
		return
	}
	b.seq = ev.Seq
	b.ring[(b.seq-1)%uint64(len(b.ring))] = ev
	if b.size < len(b.ring) {
		b.size++
	}
	for s := range b.subs {
		s.deliver(ev)
	}
}

func (b *MemoryBus) LastSeq() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.seq
}

func (b *MemoryBus) Subscribe(from uint64, buffer int) (Subscription, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, ErrBusClosed
	}
	if buffer <= 0 {
		buffer = 1024
	}
	var backlog []Event
	if from > 0 && from <= b.seq {
		oldest := b.seq - uint64(b.size) + 1
		if from < oldest {
			return nil, ErrGap
		}
		for s := from; s <= b.seq; s++ {
			backlog = append(backlog, b.ring[(s-1)%uint64(len(b.ring))])
		}
	}
	if len(backlog) > buffer {
		buffer = len(backlog) + buffer
	}
	s := &memSub{bus: b, ch: make(chan Event, buffer)}
	for _, ev := range backlog {
		s.ch <- ev
	}
	b.subs[s] = struct{}{}
	return s, nil
}

func (b *MemoryBus) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	for s := range b.subs {
		s.end(nil)
	}
	return nil
}

type memSub struct {
	bus    *MemoryBus
	ch     chan Event
	err    error
	closed bool
}

// deliver runs with the bus lock held.
func (s *memSub) deliver(ev Event) {
	if s.closed {
		return
	}
	select {
	case s.ch <- ev:
	default:
		s.end(ErrOverflow)
	}
}

// end runs with the bus lock held.
func (s *memSub) end(err error) {
	if s.closed {
		return
	}
	s.closed = true
	s.err = err
	close(s.ch)
	delete(s.bus.subs, s)
}

func (s *memSub) C() <-chan Event { return s.ch }

func (s *memSub) Err() error {
	s.bus.mu.Lock()
	defer s.bus.mu.Unlock()
	return s.err
}

func (s *memSub) Close() {
	s.bus.mu.Lock()
	defer s.bus.mu.Unlock()
	s.end(nil)
}
