package natsbus

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/callgate/callgate/core"
)

// Fanout is a core.Bus for a gateway with many local subscribers (one per
// ECCP session, webhook, screen): it publishes to the NATS stream like Bus,
// but reads the stream once, through a single consumer feeding an
// in-process core.MemoryBus, and serves subscribers from that. Each
// subscriber then costs a channel send per event instead of a JetStream
// consumer and a JSON decode. A subscriber asking for events older than the
// local replay ring (or not yet arrived) gets its own stream consumer, so
// the semantics are Bus's.
type Fanout struct {
	nb     *Bus
	mem    *core.MemoryBus
	replay uint64

	mu     sync.Mutex
	cond   *sync.Cond
	first  uint64 // first sequence injected into mem, 0 before any
	last   uint64 // last sequence injected into mem
	closed bool
	feed   core.Subscription
	done   chan struct{}
	// direct counts subscriptions served by their own stream consumer.
	direct atomic.Int64
}

var _ core.Bus = (*Fanout)(nil)

// NewFanout serves b's stream to local subscribers, keeping the last replay
// events in memory. Closing the Fanout closes b.
func NewFanout(b *Bus, replay int) (*Fanout, error) {
	if replay <= 0 {
		replay = 10000
	}
	f := &Fanout{nb: b, mem: core.NewMemoryBus(replay), replay: uint64(replay), done: make(chan struct{})}
	f.cond = sync.NewCond(&f.mu)
	feed, err := b.Subscribe(0, 1<<16)
	if err != nil {
		return nil, err
	}
	f.feed = feed
	go f.run()
	return f, nil
}

// run injects the stream into mem in stream order. If the feed ends (it
// fell behind, or the connection failed for good) it resumes after the last
// injected event.
func (f *Fanout) run() {
	defer close(f.done)
	feed := f.feed
	for {
		for ev := range feed.C() {
			f.mu.Lock()
			f.mem.Inject(ev)
			if f.first == 0 {
				f.first = ev.Seq
			}
			f.last = ev.Seq
			f.cond.Broadcast()
			f.mu.Unlock()
		}
		f.mu.Lock()
		if f.closed {
			f.mu.Unlock()
			return
		}
		from := f.last + 1
		f.mu.Unlock()
		f.nb.opts.Logger.Warn("natsbus: fanout feed ended, resuming", "from", from, "err", feed.Err())

		for {
			next, err := f.nb.Subscribe(from, 1<<16)
			if errors.Is(err, core.ErrGap) {
				// Local subscribers missed events no longer in the stream;
				// they can only learn it by asking for them.
				f.nb.opts.Logger.Error("natsbus: fanout lost events", "from", from)
				next, err = f.nb.Subscribe(0, 1<<16)
			}
			if err == nil {
				f.mu.Lock()
				if f.closed {
					f.mu.Unlock()
					next.Close()
					return
				}
				f.feed = next
				f.mu.Unlock()
				feed = next
				break
			}
			if errors.Is(err, core.ErrBusClosed) {
				return
			}
			select {
			case <-time.After(time.Second):
			case <-f.nb.closedCh():
				return
			}
		}
	}
}

// Publish stores the event in the stream; local subscribers get it from the
// feed, in stream order with every other gateway's events.
func (f *Fanout) Publish(p core.Payload, agent string) core.Event {
	return f.nb.Publish(p, agent)
}

// Enqueue publishes without waiting, in enqueue order (see Bus.Enqueue).
func (f *Fanout) Enqueue(p core.Payload, agent string) { f.nb.Enqueue(p, agent) }

var _ core.QueuedBus = (*Fanout)(nil)

func (f *Fanout) LastSeq() uint64 { return f.nb.LastSeq() }

func (f *Fanout) Subscribe(from uint64, buffer int) (core.Subscription, error) {
	f.mu.Lock()
	closed := f.closed
	f.mu.Unlock()
	if closed {
		return nil, core.ErrBusClosed
	}
	// Let the feed catch up with everything the stream holds now, so "new"
	// and "from" mean the same as on the stream itself, and so every stored
	// event is in the subscription's backlog (sized to hold it) rather than
	// arriving live into a buffer smaller than the replay.
	target := f.nb.LastSeq()
	if !f.waitFor(target) {
		f.direct.Add(1)
		return f.nb.Subscribe(from, buffer)
	}
	if from == 0 {
		from = target + 1
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil, core.ErrBusClosed
	}
	oldest := f.first
	if f.last >= f.replay && f.last-f.replay+1 > oldest {
		oldest = f.last - f.replay + 1
	}
	switch {
	case from == f.last+1:
		// Exactly the events still to come; f.mu keeps the feed from
		// injecting one between the check and the subscription.
		return f.mem.Subscribe(0, buffer)
	case f.first != 0 && from >= oldest && from <= f.last:
		return f.mem.Subscribe(from, buffer)
	default:
		// Older than the local ring, or further ahead than the feed.
		f.direct.Add(1)
		return f.nb.Subscribe(from, buffer)
	}
}

// waitFor waits until the feed has injected seq, or Timeout passes.
func (f *Fanout) waitFor(seq uint64) bool {
	deadline := time.Now().Add(f.nb.opts.Timeout)
	timer := time.AfterFunc(f.nb.opts.Timeout, func() {
		f.mu.Lock()
		f.cond.Broadcast()
		f.mu.Unlock()
	})
	defer timer.Stop()
	f.mu.Lock()
	defer f.mu.Unlock()
	for f.last < seq && !f.closed {
		if time.Now().After(deadline) {
			return false
		}
		f.cond.Wait()
	}
	return !f.closed
}

// Close ends every subscription and closes the underlying Bus.
func (f *Fanout) Close() error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil
	}
	f.closed = true
	feed := f.feed
	f.cond.Broadcast()
	f.mu.Unlock()
	feed.Close()
	err := f.nb.Close()
	<-f.done
	f.mem.Close()
	return err
}
