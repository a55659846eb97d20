package natsbus

import (
	"context"
	"encoding/json"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/callgate/callgate/core"
)

// The engine publishes with Enqueue (core.QueuedBus): it must never wait for
// the stream's acknowledgement, and its events must reach the stream in the
// order it decided them. Enqueue appends the event to an in-memory FIFO and
// returns; one sender goroutine publishes the FIFO in order, each event with
// its own Nats-Msg-Id, retrying (with the same id, so the server stores it
// once) until it is acknowledged. The stream assigns the sequence numbers, in
// that order. Close flushes what is queued, for at most Options.Timeout per
// event still failing; what cannot be sent then is counted in PublishErrors.

type queued struct {
	ev core.Event
	id string
}

// maxQueued bounds the FIFO during a long outage; events beyond it are
// dropped and counted (the store holds the state consumers resync from).
const maxQueued = 100000

var _ core.QueuedBus = (*Bus)(nil)

// Enqueue publishes p after every event enqueued before it, without waiting.
func (b *Bus) Enqueue(p core.Payload, agent string) {
	ev := core.Event{Time: time.Now().UTC(), Type: p.EventType(), Agent: agent, Data: p}
	b.qmu.Lock()
	if b.qclosed || len(b.queue) >= maxQueued {
		b.qmu.Unlock()
		b.PublishErrors.Add(1)
		b.opts.Logger.Error("natsbus: event dropped", "type", ev.Type, "queued", maxQueued)
		return
	}
	b.queue = append(b.queue, queued{ev: ev, id: nuid.Next()})
	b.qmu.Unlock()
	select {
	case b.qwake <- struct{}{}:
	default:
	}
}

// Queued is how many enqueued events wait for the stream (for metrics).
func (b *Bus) Queued() int {
	b.qmu.Lock()
	defer b.qmu.Unlock()
	return len(b.queue) + b.qsending
}

// send is the one goroutine that publishes the FIFO, in order.
func (b *Bus) send() {
	defer close(b.qdone)
	for {
		b.qmu.Lock()
		batch := b.queue
		b.queue = nil
		b.qsending = len(batch)
		closing := b.qclosed
		b.qmu.Unlock()
		if len(batch) == 0 {
			if closing {
				return
			}
			select {
			case <-b.qwake:
			case <-b.qstop:
				return
			}
			continue
		}
		for i, q := range batch {
			if !b.sendOne(q) {
				// Close gave up: what is left is lost, and counted.
				b.PublishErrors.Add(uint64(len(batch) - i))
				b.qmu.Lock()
				b.PublishErrors.Add(uint64(len(b.queue)))
				b.queue, b.qsending = nil, 0
				b.qmu.Unlock()
				return
			}
			b.qmu.Lock()
			b.qsending--
			b.qmu.Unlock()
		}
	}
}

// sendOne publishes one event until acknowledged; false if Close stopped
// the sender first.
func (b *Bus) sendOne(q queued) bool {
	data, err := json.Marshal(q.ev)
	if err != nil {
		b.PublishErrors.Add(1)
		b.opts.Logger.Error("natsbus: encode event", "type", q.ev.Type, "err", err)
		return true
	}
	msg := &nats.Msg{Subject: b.opts.Subject + "." + q.ev.Type, Data: data}
	delay := 50 * time.Millisecond
	for attempt := 0; ; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), b.opts.Timeout)
		ack, err := b.js.PublishMsg(ctx, msg, jetstream.WithMsgID(q.id), jetstream.WithExpectStream(b.opts.Stream))
		cancel()
		if err == nil {
			b.observe(ack.Sequence)
			return true
		}
		if attempt == 0 {
			b.opts.Logger.Error("natsbus: publish failed, retrying", "type", q.ev.Type, "err", err)
		}
		select {
		case <-b.qstop:
			return false
		case <-time.After(delay):
		}
		delay = min(2*delay, 2*time.Second)
	}
}

// flush stops taking events and waits for the queued ones to be sent, at
// most limit; then it stops the sender.
func (b *Bus) flush(limit time.Duration) {
	b.qmu.Lock()
	b.qclosed = true
	b.qmu.Unlock()
	select {
	case b.qwake <- struct{}{}:
	default:
	}
	select {
	case <-b.qdone:
		return
	case <-time.After(limit):
	}
	b.qstopOnce.Do(func() { close(b.qstop) })
	<-b.qdone
}
