package core

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// outbox delivers stored webhooks in the background, outside the engine
// lock. Messages are grouped by order key; one goroutine per key with
// something to send walks its messages in order, waiting on the clock
// between attempts; at most webhookConcurrency requests are in flight.
type outbox struct {
	e       *Engine
	mu      sync.Mutex
	queues  map[string][]OutboxMessage // head: the message being (re)tried
	active  map[string]bool            // a goroutine or timer owns the key
	timers  map[string]Timer
	known   map[string]bool // message ids queued, so Start's load and a push never double
	started bool
	stopped bool
	sem     chan struct{}
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

func newOutbox(e *Engine) *outbox {
	ctx, cancel := context.WithCancel(context.Background())
	return &outbox{e: e, queues: map[string][]OutboxMessage{}, active: map[string]bool{}, timers: map[string]Timer{},
		known: map[string]bool{}, sem: make(chan struct{}, webhookConcurrency), ctx: ctx, cancel: cancel}
}

func orderKey(m OutboxMessage) string {
	if m.OrderKey == "" {
		return "msg:" + m.MsgID
	}
	return "key:" + m.OrderKey
}

// push queues a stored message. Before start it is left to start's load.
func (o *outbox) push(m OutboxMessage) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.started || o.stopped || o.known[m.MsgID] {
		return
	}
	o.known[m.MsgID] = true
	k := orderKey(m)
	o.queues[k] = append(o.queues[k], m)
	if !o.active[k] {
		o.active[k] = true
		o.goRun(k)
	}
}

// goRun starts k's goroutine; mu held (so stop's Wait never races an Add).
func (o *outbox) goRun(k string) {
	o.wg.Add(1)
	go func() { defer o.wg.Done(); o.run(k) }()
}

// start takes back every durable message still pending, in enqueue order.
func (o *outbox) start(ctx context.Context) error {
	o.mu.Lock()
	o.started = true
	o.mu.Unlock()
	var pending []OutboxMessage
	if err := o.e.store.Find(ctx, &pending, Eq("status", OutboxPending).Eq("sync", false).Asc("id")); err != nil {
		return fmt.Errorf("load outbox: %w", err)
	}
	if len(pending) > 0 && o.e.opt.Webhooks == nil {
		o.e.log.Warn("outbox: messages pending but no webhook sender is configured", "pending", len(pending))
		return nil
	}
	for _, m := range pending {
		o.push(m)
	}
	return nil
}

// stop interrupts requests in flight (their attempt is not counted: the
// message stays pending for the next start) and waits for the goroutines.
func (o *outbox) stop() {
	o.mu.Lock()
	o.stopped = true
	for _, t := range o.timers {
		t.Stop()
	}
	o.mu.Unlock()
	o.cancel()
	o.wg.Wait()
}

// run delivers key k's messages until none is left or the head must wait.
func (o *outbox) run(k string) {
	for {
		m, ok := o.head(k)
		if !ok {
			return
		}
		if wait := o.wait(m); wait > 0 {
			o.later(k, wait)
			return
		}
		if !o.acquire() {
			return
		}
		start := o.e.clock.Now()
		resp, err := o.e.sendWebhook(o.ctx, m)
		<-o.sem
		if o.ctx.Err() != nil {
			return // stopping: the message stays pending
		}
		o.settle(k, m, start, resp, err)
	}
}

// head is k's next message; when there is none the key is released.
func (o *outbox) head(k string) (OutboxMessage, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.timers, k)
	if o.stopped || len(o.queues[k]) == 0 {
		delete(o.queues, k)
		delete(o.active, k)
		return OutboxMessage{}, false
	}
	return o.queues[k][0], true
}

func (o *outbox) wait(m OutboxMessage) time.Duration {
	if m.NextAt == nil {
		return 0
	}
	return m.NextAt.Sub(o.e.clock.Now())
}

// later re-runs k once its head is due; the key stays active meanwhile.
func (o *outbox) later(k string, d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.stopped {
		return
	}
	o.timers[k] = o.e.clock.AfterFunc(d, func() {
		o.mu.Lock()
		defer o.mu.Unlock()
		if !o.stopped {
			o.goRun(k)
		}
	})
}

func (o *outbox) acquire() bool {
	select {
	case o.sem <- struct{}{}:
		return true
	case <-o.ctx.Done():
		return false
	}
}

// settle records an attempt and moves the message on: delivered or out of
// attempts leaves the queue, anything else waits for its backoff.
func (o *outbox) settle(k string, m OutboxMessage, start time.Time, resp WebhookResponse, err error) {
	now := o.e.clock.Now()
	a, ok := webhookAttempt(m, start, now, resp, err)
	m.Attempts++
	m.LastStatus, m.LastError, m.UpdatedAt = a.Status, a.Error, o.e.now()
	switch {
	case ok:
		m.Status, m.NextAt, m.DeliveredAt = OutboxDelivered, nil, &a.At
	case m.Attempts >= m.MaxAttempts:
		m.Status, m.NextAt = OutboxFailed, nil
	default:
		next := now.Add(webhookBackoff(m.Attempts))
		m.NextAt = &next
	}
	o.persist(m, a)
	o.mu.Lock()
	if m.Status == OutboxPending {
		o.queues[k][0] = m
	} else {
		o.queues[k] = o.queues[k][1:]
		delete(o.known, m.MsgID)
	}
	o.mu.Unlock()
	if m.Status != OutboxPending {
		o.e.emit(WebhookDelivered{Message: m}, "")
	}
}

// persist writes the message's new state with its log line. A store error
// is logged: the message is then sent again after a restart (at least once).
func (o *outbox) persist(m OutboxMessage, a OutboxAttempt) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := o.e.store.Tx(ctx, func(tx Store) error {
		if err := tx.Updates(ctx, &m, map[string]any{"status": m.Status, "attempts": m.Attempts, "next_at": m.NextAt,
			"last_status": m.LastStatus, "last_error": m.LastError, "delivered_at": m.DeliveredAt, "updated_at": m.UpdatedAt}); err != nil {
			return err
		}
		return tx.Create(ctx, &a)
	})
	if err != nil {
		o.e.log.Error("outbox: store attempt", "id", m.MsgID, "err", err)
	}
}

// OutboxQuery selects messages of the delivery log.
type OutboxQuery struct {
	Status OutboxStatus
	Topic  string
	Origin string
	CallID uint64
	Limit  int // default 100, at most 1000
}

// OutboxMessages lists messages, newest first.
func (e *Engine) OutboxMessages(ctx context.Context, q OutboxQuery) ([]OutboxMessage, error) {
	f := All.Desc("id").Take(min(max(q.Limit, 0), 1000))
	if q.Limit <= 0 {
		f = f.Take(100)
	}
	for field, v := range map[string]string{"status": string(q.Status), "topic": q.Topic, "origin": q.Origin} {
		if v != "" {
			f = f.Eq(field, v)
		}
	}
	if q.CallID != 0 {
		f = f.Eq("call_id", q.CallID)
	}
	var out []OutboxMessage
	if err := e.store.Find(ctx, &out, f); err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	return out, nil
}

// OutboxMessage is one message with its delivery log, oldest attempt first.
func (e *Engine) OutboxMessage(ctx context.Context, id string) (OutboxMessage, []OutboxAttempt, error) {
	var m OutboxMessage
	if err := e.store.First(ctx, &m, Eq("msg_id", id)); err != nil {
		if errors.Is(err, ErrNoRecord) {
			return m, nil, Errorf(ENOTFOUND, "webhook %s not found", truncate(id, 16))
		}
		return m, nil, fmt.Errorf("outbox: %w", err)
	}
	var log []OutboxAttempt
	if err := e.store.Find(ctx, &log, Eq("msg_id", id).Asc("id")); err != nil {
		return m, nil, fmt.Errorf("outbox: %w", err)
	}
	return m, log, nil
}

// RetryWebhook sends a failed durable message again with a fresh set of
// attempts. A message still pending or delivered is refused (ECONFLICT).
func (e *Engine) RetryWebhook(ctx context.Context, id string) (OutboxMessage, error) {
	m, _, err := e.OutboxMessage(ctx, id)
	if err != nil {
		return m, err
	}
	if m.Status != OutboxFailed || m.Sync {
		return m, Errorf(ECONFLICT, "webhook %s is %s, only a failed message can be retried", m.MsgID, m.Status)
	}
	now := e.now()
	m.Status, m.Attempts, m.NextAt, m.UpdatedAt = OutboxPending, 0, &now, now
	if err := e.store.Updates(ctx, &m, map[string]any{"status": m.Status, "attempts": 0, "next_at": m.NextAt, "updated_at": now}); err != nil {
		return m, fmt.Errorf("outbox: %w", err)
	}
	e.outbox.push(m)
	return m, nil
}
