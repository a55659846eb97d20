// Package natsbus is a core.Bus on NATS JetStream, for gateways that share
// work: every gateway publishing to the same stream sees every event, in one
// order.
//
// Sequence numbers are the JetStream stream sequence. Publish waits for the
// stream's acknowledgement (one round trip to the server) and returns the
// sequence the stream assigned; the engine uses Enqueue instead, which
// never waits (queue.go). A local counter would be cheaper but cannot
// give two gateways one gap-free order, and resuming with
// Subscribe(lastSeq+1) must mean the same thing on every gateway; the
// stream sequence is that order, and the stream is the replay log (MaxMsgs
// and MaxAge bound it). Each message also carries a Nats-Msg-Id, so the
// client's retries after a lost acknowledgement are deduplicated by the
// server instead of stored twice.
//
// Each subscription is an ordered JetStream consumer (created at the
// requested sequence, recreated by the client after a reconnect) read by one
// goroutine into the subscriber's channel. Events that were already stored
// when Subscribe was called are replayed at the subscriber's pace; after
// that a full channel ends the subscription with core.ErrOverflow. The
// stream is server-side, so nothing a subscriber does can slow a publisher.
//
// A gateway with many local subscribers wraps its Bus in a Fanout: one
// stream consumer feeding an in-process MemoryBus (see fanout.go).
//
// Usage:
//
//	b, err := natsbus.Connect(ctx, "nats://127.0.0.1:4222", natsbus.Options{})
//	bus, err := natsbus.NewFanout(b, 10000) // a core.Bus
package natsbus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/callgate/callgate/core"
)

// Options configures the stream. Gateways sharing work use the same Stream
// and Subject.
type Options struct {
	// Stream is the JetStream stream name (default CALLGATE_EVENTS).
	Stream string
	// Subject prefixes event subjects: events go to <Subject>.<event type>
	// (default callgate.events).
	Subject string
	// Replay is how many events the stream keeps for resuming subscribers
	// (default 100000); older ones are discarded, and asking for them is
	// core.ErrGap.
	Replay int64
	// MaxAge discards events older than this (default 24h; negative: never).
	MaxAge time.Duration
	// Memory keeps the stream in server memory instead of on disk.
	Memory bool
	// Replicas for a clustered server (default 1).
	Replicas int
	// Timeout bounds each request to the server: a publish acknowledgement,
	// a consumer creation (default 2s).
	Timeout time.Duration
	// Logger receives publish failures (default slog.Default()).
	Logger *slog.Logger
}

func (o *Options) defaults() {
	if o.Stream == "" {
		o.Stream = "CALLGATE_EVENTS"
	}
	if o.Subject == "" {
		o.Subject = "callgate.events"
	}
	o.Subject = strings.TrimSuffix(o.Subject, ".")
	if o.Replay <= 0 {
		o.Replay = 100000
	}
	if o.MaxAge == 0 {
		o.MaxAge = 24 * time.Hour
	}
	if o.MaxAge < 0 {
		o.MaxAge = 0
	}
	if o.Replicas <= 0 {
		o.Replicas = 1
	}
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// Bus is the JetStream core.Bus.
type Bus struct {
	opts   Options
	nc     *nats.Conn
	ownNC  bool
	js     jetstream.JetStream
	stream jetstream.Stream
	epoch  string

	mu      sync.Mutex
	subs    map[*subscription]struct{}
	closed  bool
	closedc chan struct{}

	// seen is the highest sequence this process published or received,
	// LastSeq's answer when the server cannot be asked.
	seen atomic.Uint64
	// PublishErrors counts events Publish could not store (returned with
	// Seq 0), and events Enqueue dropped, for metrics.
	PublishErrors atomic.Uint64

	// The Enqueue FIFO and its sender (queue.go).
	qmu       sync.Mutex
	queue     []queued
	qsending  int
	qclosed   bool
	qwake     chan struct{}
	qstop     chan struct{}
	qstopOnce sync.Once
	qdone     chan struct{}
}

var _ core.Bus = (*Bus)(nil)

// Connect dials url and opens the bus; Close closes the connection too.
func Connect(ctx context.Context, url string, opts Options) (*Bus, error) {
	nc, err := nats.Connect(url, nats.Name("callgate"), nats.MaxReconnects(-1))
	if err != nil {
		return nil, fmt.Errorf("natsbus: connect: %w", err)
	}
	b, err := New(ctx, nc, opts)
	if err != nil {
		nc.Close()
		return nil, err
	}
	b.ownNC = true
	return b, nil
}

// New opens the bus on an existing connection (shared, for instance, with
// ari-proxy), creating or updating the stream. Close leaves nc open.
func New(ctx context.Context, nc *nats.Conn, opts Options) (*Bus, error) {
	opts.defaults()
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("natsbus: %w", err)
	}
	storage := jetstream.FileStorage
	if opts.Memory {
		storage = jetstream.MemoryStorage
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	stream, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        opts.Stream,
		Description: "callgate domain events",
		Subjects:    []string{opts.Subject + ".>"},
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardOld,
		MaxMsgs:     opts.Replay,
		MaxAge:      opts.MaxAge,
		Storage:     storage,
		Replicas:    opts.Replicas,
		Duplicates:  2 * time.Minute,
	})
	if err != nil {
		return nil, fmt.Errorf("natsbus: stream %s: %w", opts.Stream, err)
	}
	b := &Bus{opts: opts, nc: nc, js: js, stream: stream, subs: map[*subscription]struct{}{}, closedc: make(chan struct{}),
		qwake: make(chan struct{}, 1), qstop: make(chan struct{}), qdone: make(chan struct{})}
	info := stream.CachedInfo()
	b.epoch = opts.Stream + "@" + info.Created.UTC().Format(time.RFC3339Nano)
	b.observe(info.State.LastSeq)
	go b.send()
	return b, nil
}

// Epoch is the stream's name and creation time: a stream deleted and made
// again numbers its events from 1.
func (b *Bus) Epoch() string { return b.epoch }

func (b *Bus) observe(seq uint64) {
	for {
		cur := b.seen.Load()
		if seq <= cur || b.seen.CompareAndSwap(cur, seq) {
			return
		}
	}
}

// Publish stores the event in the stream and returns it with the stream
// sequence. If the connection is down, or the acknowledgement does not come
// within Options.Timeout, the event is logged, counted in PublishErrors and
// returned with Seq 0 at once: the engine's state is in the store, and
// consumers resynchronise from it.
func (b *Bus) Publish(p core.Payload, agent string) core.Event {
	ev := core.Event{Time: time.Now().UTC(), Type: p.EventType(), Agent: agent, Data: p}
	b.mu.Lock()
	closed := b.closed
	b.mu.Unlock()
	if closed {
		return ev
	}
	if !b.nc.IsConnected() {
		// While the client reconnects an acknowledgement cannot come; the
		// engine must not wait Timeout for every event of an outage.
		b.PublishErrors.Add(1)
		b.opts.Logger.Error("natsbus: publish while disconnected", "type", ev.Type)
		return ev
	}
	data, err := json.Marshal(ev)
	if err != nil {
		b.PublishErrors.Add(1)
		b.opts.Logger.Error("natsbus: encode event", "type", ev.Type, "err", err)
		return ev
	}
	ctx, cancel := context.WithTimeout(context.Background(), b.opts.Timeout)
	defer cancel()
	ack, err := b.js.PublishMsg(ctx, &nats.Msg{Subject: b.opts.Subject + "." + ev.Type, Data: data},
		jetstream.WithMsgID(nuid.Next()), jetstream.WithExpectStream(b.opts.Stream))
	if err != nil {
		b.PublishErrors.Add(1)
		b.opts.Logger.Error("natsbus: publish", "type", ev.Type, "err", err)
		return ev
	}
	ev.Seq = ack.Sequence
	b.observe(ev.Seq)
	return ev
}

// LastSeq asks the stream for its last sequence, falling back to the
// highest this process has seen.
func (b *Bus) LastSeq() uint64 {
	ctx, cancel := context.WithTimeout(context.Background(), b.opts.Timeout)
	defer cancel()
	if info, err := b.stream.Info(ctx); err == nil {
		b.observe(info.State.LastSeq)
	}
	return b.seen.Load()
}

func (b *Bus) Subscribe(from uint64, buffer int) (core.Subscription, error) {
	b.mu.Lock()
	closed := b.closed
	b.mu.Unlock()
	if closed {
		return nil, core.ErrBusClosed
	}
	if buffer <= 0 {
		buffer = 1024
	}
	ctx, cancel := context.WithTimeout(context.Background(), b.opts.Timeout)
	defer cancel()
	info, err := b.stream.Info(ctx)
	if err != nil {
		return nil, fmt.Errorf("natsbus: stream info: %w", err)
	}
	last := info.State.LastSeq
	b.observe(last)
	start := from
	if from == 0 {
		start = last + 1
	} else if from < info.State.FirstSeq {
		return nil, core.ErrGap
	}
	cons, err := b.stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:   start,
	})
	if err != nil {
		return nil, fmt.Errorf("natsbus: consumer: %w", err)
	}
	// Fetch batches no larger than the subscriber's buffer, so a
	// subscriber is not handed far more than it asked to hold.
	it, err := cons.Messages(jetstream.PullMaxMessages(min(max(buffer, 16), 512)))
	if err != nil {
		return nil, fmt.Errorf("natsbus: consume: %w", err)
	}
	s := &subscription{
		bus:     b,
		it:      it,
		ch:      make(chan core.Event, buffer),
		replay:  last,
		stop:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		it.Stop()
		return nil, core.ErrBusClosed
	}
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	go s.run()
	return s, nil
}

// Close ends every subscription (Err nil) and, if Connect opened the
// connection, closes it. The stream and its events stay on the server.
func (b *Bus) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.mu.Unlock()
	// Events the engine enqueued reach the stream before the connection
	// goes: each gets up to Timeout (and its retries) while the queue
	// drains.
	b.flush(b.opts.Timeout + time.Second)
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	close(b.closedc)
	subs := make([]*subscription, 0, len(b.subs))
	for s := range b.subs {
		subs = append(subs, s)
	}
	b.mu.Unlock()
	for _, s := range subs {
		s.Close()
	}
	if b.ownNC {
		b.nc.Close()
	}
	return nil
}

func (b *Bus) closedCh() <-chan struct{} { return b.closedc }

type subscription struct {
	bus *Bus
	it  jetstream.MessagesContext
	ch  chan core.Event
	// replay is the stream's last sequence at Subscribe: events up to it
	// are the backlog, delivered however slowly the subscriber reads.
	replay uint64

	mu      sync.Mutex
	err     error
	ended   bool
	stop    chan struct{} // closed to ask run to return
	stopped chan struct{} // closed when run has returned and ch is closed
}

// run is the only sender on ch, and closes it when it returns.
func (s *subscription) run() {
	defer func() {
		close(s.ch)
		s.bus.mu.Lock()
		delete(s.bus.subs, s)
		s.bus.mu.Unlock()
		close(s.stopped)
	}()
	for {
		msg, err := s.it.Next()
		if err != nil {
			if !errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				s.end(fmt.Errorf("natsbus: %w", err))
			}
			return
		}
		md, err := msg.Metadata()
		if err != nil {
			continue
		}
		var ev core.Event
		if err := json.Unmarshal(msg.Data(), &ev); err != nil {
			// An event type this build does not know (a newer gateway);
			// the sequence still moves on.
			continue
		}
		ev.Seq = md.Sequence.Stream
		s.bus.observe(ev.Seq)
		if ev.Seq <= s.replay {
			select {
			case s.ch <- ev:
			case <-s.stop:
				return
			}
			continue
		}
		select {
		case <-s.stop:
			return
		default:
		}
		select {
		case s.ch <- ev:
		default:
			s.end(core.ErrOverflow)
			return
		}
	}
}

// end records why the subscription ended, first reason wins, and stops the
// consumer.
func (s *subscription) end(err error) {
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	s.ended = true
	s.err = err
	close(s.stop)
	s.mu.Unlock()
	s.it.Stop()
}

func (s *subscription) C() <-chan core.Event { return s.ch }

func (s *subscription) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close ends the subscription; C is closed when it returns.
func (s *subscription) Close() {
	s.end(nil)
	<-s.stopped
}
