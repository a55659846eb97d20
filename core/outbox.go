package core

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// The webhook outbox: messages Callgate sends to customers' systems
// (Infocaller's informative webhooks, eXpand's pushAgentInfo, ...). A
// message is stored before EnqueueWebhook returns and delivered in the
// background, so a slow, down or broken receiver never blocks the engine or
// a call, and a gateway restart loses nothing: Start takes back every
// message still pending. Non-2xx answers and transport errors are retried
// with doubling backoff on the engine's clock until MaxAttempts; every
// attempt is written to the delivery log (OutboxAttempt). Messages that
// share an OrderKey are delivered one after the other in enqueue order,
// retries included, so a call's "ended" never overtakes its "started".
//
// The wire format of a message (form variables, JSON, SOAP) is the
// dialect's: the core only carries bytes to a URL.

// OutboxStatus is where a message stands.
type OutboxStatus string

const (
	OutboxPending   OutboxStatus = "pending"   // waiting for its (next) attempt
	OutboxDelivered OutboxStatus = "delivered" // a 2xx answer was received
	OutboxFailed    OutboxStatus = "failed"    // every attempt failed; kept for the log and a manual retry
)

// Bounds on one message, so a dialect bug or a hostile configuration cannot
// fill the store or hold a connection forever.
const (
	MaxWebhookBody          = 256 << 10
	MaxWebhookResponse      = 1 << 20
	MaxWebhookAttempts      = 20
	maxWebhookTimeout       = 60 * time.Second
	defaultWebhookTimeout   = 5 * time.Second
	defaultWebhookAttempts  = 8
	webhookFirstBackoff     = 2 * time.Second
	webhookMaxBackoff       = 5 * time.Minute
	webhookConcurrency      = 8
	maxWebhookLogResponse   = 512
	maxWebhookHeaderEntries = 32
	// maxWebhookSource leaves room in the source column for the epoch.
	maxWebhookSource = 23
)

// WebhookRequest is one HTTP request to a customer's system.
type WebhookRequest struct {
	Topic       string // what it is: "infocaller.fin", "expand.pushAgentInfo", ...
	Origin      string // the dialect or subsystem asking
	URL         string
	Method      string // default POST
	ContentType string // default application/x-www-form-urlencoded
	Headers     map[string]string
	Body        []byte
	// Timeout bounds each attempt (default 5 s, at most 60 s).
	Timeout time.Duration
	// MaxAttempts of a durable message (default 8; 1 = no retry).
	MaxAttempts int
	// OrderKey: messages with the same key are delivered in enqueue order
	// (e.g. "call-17"). Empty: no ordering with other messages.
	OrderKey string
	CallID   uint64 // for the delivery log
	// Source and SourceSeq name the bus event the message derives from
	// (the consumer, "infocaller"; the event's sequence): such a message
	// is enqueued once per source and sequence, so a consumer may replay
	// events (a new leader resuming from WebhookSourceNext) without
	// sending twice.
	Source    string
	SourceSeq uint64
}

// WebhookResponse is the receiver's answer; Body is capped at
// MaxWebhookResponse bytes.
type WebhookResponse struct {
	Status int
	Body   []byte
}

// WebhookSender sends one request (Options.Webhooks; pkg/webhook's
// HTTPSender is the real one). It must honour ctx's deadline.
type WebhookSender interface {
	Send(ctx context.Context, r WebhookRequest) (WebhookResponse, error)
}

// OutboxMessage is a stored webhook.
type OutboxMessage struct {
	ID          uint   `gorm:"primaryKey" json:"-"`
	MsgID       string `gorm:"size:16;uniqueIndex" json:"id"`
	Topic       string `gorm:"size:64;index" json:"topic"`
	Origin      string `gorm:"size:32" json:"origin"`
	URL         string `gorm:"size:1024" json:"url"`
	Method      string `gorm:"size:8" json:"method"`
	ContentType string `gorm:"size:128" json:"content_type"`
	// Headers is a JSON object, sealed at rest: it may carry the
	// receiver's credentials (an Authorization header).
	Headers     string       `gorm:"type:text" secret:"seal" json:"-"`
	Body        string       `gorm:"type:mediumtext" json:"body"`
	TimeoutMs   int          `json:"timeout_ms"`
	MaxAttempts int          `json:"max_attempts"`
	OrderKey    string       `gorm:"size:64" json:"order_key"`
	CallID      uint64       `json:"call_id"`
	Sync        bool         `json:"sync"` // an interactive query, logged, never retried
	Status      OutboxStatus `gorm:"size:12;index" json:"status"`
	Attempts    int          `json:"attempts"`
	NextAt      *time.Time   `json:"next_attempt_at,omitempty"`
	LastStatus  int          `json:"last_status"`
	LastError   string       `gorm:"size:255" json:"last_error,omitempty"`
	DeliveredAt *time.Time   `json:"delivered_at,omitempty"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
	// Source, SourceSeq: see WebhookRequest (NULL when the message has
	// no source event: the unique index ignores those rows).
	Source    *string `gorm:"size:32;uniqueIndex:idx_outbox_source" json:"source,omitempty"`
	SourceSeq *uint64 `gorm:"uniqueIndex:idx_outbox_source" json:"source_seq,omitempty"`
}

// TableName keeps the table's name plain.
func (OutboxMessage) TableName() string { return "outbox_messages" }

// OutboxAttempt is one line of the delivery log.
type OutboxAttempt struct {
	ID         uint      `gorm:"primaryKey" json:"-"`
	MsgID      string    `gorm:"size:16;index" json:"message_id"`
	Attempt    int       `json:"attempt"`
	At         time.Time `json:"at"`
	DurationMs int64     `json:"duration_ms"`
	Status     int       `json:"status"` // HTTP status, 0 when none came back
	Error      string    `gorm:"size:255" json:"error,omitempty"`
	Response   string    `gorm:"size:512" json:"response,omitempty"` // the answer's first bytes
}

// TableName keeps the table's name plain.
func (OutboxAttempt) TableName() string { return "outbox_attempts" }

// WebhookDelivered: a durable message reached its receiver (2xx) or gave up
// after its last attempt (Status failed). Published once the row is stored.
type WebhookDelivered struct {
	Message OutboxMessage `json:"message"`
}

func (WebhookDelivered) EventType() string { return "webhook.ended" }

// EnqueueWebhook stores r and returns its id; delivery happens in the
// background (see the package comment above). EINVALID for a request that
// could never be sent, EUNAVAILABLE when no sender is configured.
func (e *Engine) EnqueueWebhook(ctx context.Context, r WebhookRequest) (string, error) {
	msg, err := e.newOutboxMessage(r, false)
	if err != nil {
		return "", err
	}
	if err := e.store.Create(ctx, &msg); err != nil {
		if msg.Source != nil && errors.Is(err, ErrDuplicate) {
			// Enqueued before (by this leader or the one before it).
			var first OutboxMessage
			if ferr := e.store.First(ctx, &first, Eq("source", *msg.Source).Eq("source_seq", *msg.SourceSeq)); ferr == nil {
				return first.MsgID, nil
			}
		}
		return "", fmt.Errorf("enqueue webhook: %w", err)
	}
	e.outbox.push(msg)
	return msg.MsgID, nil
}

// WebhookSourceStart is where a consumer that turns events into webhooks
// starts following the bus: after the last event it enqueued a message for
// in this bus epoch, else at the first event this engine published (none
// is missed however late the consumer subscribes). A new leader so handles
// the events its predecessor published but did not live to turn into
// messages, and WebhookRequest.Source keeps the ones it did from being
// sent twice. A trimmed stream answers ErrGap, which the consumer reports.
func (e *Engine) WebhookSourceStart(ctx context.Context, source string) uint64 {
	start := e.busStart.Load()
	next, err := e.WebhookSourceNext(ctx, source)
	if err != nil {
		e.log.Warn("engine: webhook source: following this engine's events only", "source", source, "err", err)
		return start
	}
	if next == 0 || next > e.bus.LastSeq()+1 {
		return start
	}
	return next
}

// sourceKey is a source within the bus's sequence space (BusEpoch): the
// source's name and 8 hex digits of the epoch, so the messages of a
// previous epoch neither stop nor place a consumer.
func (e *Engine) sourceKey(source string) string {
	epoch := ""
	if b, ok := e.bus.(BusEpoch); ok {
		epoch = b.Epoch()
	}
	sum := sha256.Sum256([]byte(epoch))
	return source + "/" + hex.EncodeToString(sum[:4])
}

// WebhookSourceNext is the bus sequence a consumer of events resumes from:
// the one after the last event it enqueued a message for (it handles
// events in order, so every earlier one was handled), 0 (live events) when
// it never enqueued one.
func (e *Engine) WebhookSourceNext(ctx context.Context, source string) (uint64, error) {
	var last []OutboxMessage
	if err := e.store.Find(ctx, &last, Eq("source", e.sourceKey(source)).Desc("source_seq").Take(1)); err != nil {
		return 0, fmt.Errorf("webhook source %s: %w", source, err)
	}
	if len(last) == 0 || last[0].SourceSeq == nil {
		return 0, nil
	}
	return *last[0].SourceSeq + 1, nil
}

// CallWebhook sends r once, now, bounded by r.Timeout, and returns the
// receiver's answer (any status) or the transport error. It is for
// interactive queries whose answer a call waits for; the attempt is written
// to the delivery log in the background so the caller waits only for the
// receiver.
func (e *Engine) CallWebhook(ctx context.Context, r WebhookRequest) (WebhookResponse, error) {
	r.MaxAttempts = 1
	msg, err := e.newOutboxMessage(r, true)
	if err != nil {
		return WebhookResponse{}, err
	}
	start := e.clock.Now()
	resp, sendErr := e.sendWebhook(ctx, msg)
	e.recordSync(msg, start, resp, sendErr)
	return resp, sendErr
}

func (e *Engine) newOutboxMessage(r WebhookRequest, sync bool) (OutboxMessage, error) {
	if e.opt.Webhooks == nil {
		return OutboxMessage{}, Errorf(EUNAVAILABLE, "webhook %s: no webhook sender is configured", r.Topic)
	}
	if err := checkWebhook(&r); err != nil {
		return OutboxMessage{}, err
	}
	var h []byte
	if len(r.Headers) > 0 {
		h, _ = json.Marshal(r.Headers)
	}
	now := e.now()
	msg := OutboxMessage{MsgID: newOutboxID(), Topic: r.Topic, Origin: r.Origin, URL: r.URL, Method: r.Method,
		ContentType: r.ContentType, Headers: string(h), Body: string(r.Body), TimeoutMs: int(r.Timeout / time.Millisecond),
		MaxAttempts: r.MaxAttempts, OrderKey: r.OrderKey, CallID: r.CallID, Sync: sync, Status: OutboxPending,
		NextAt: &now, CreatedAt: now, UpdatedAt: now}
	if r.Source != "" && !sync {
		src, seq := e.sourceKey(r.Source), r.SourceSeq
		msg.Source, msg.SourceSeq = &src, &seq
	}
	return msg, nil
}

// checkWebhook fills defaults and refuses what could never be delivered.
func checkWebhook(r *WebhookRequest) error {
	u, err := url.Parse(r.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(r.URL) > 1024 {
		return Errorf(EINVALID, "webhook %s: %q is not an http(s) URL", r.Topic, truncate(r.URL, 64))
	}
	if r.Method == "" {
		r.Method = "POST"
	}
	if r.ContentType == "" {
		r.ContentType = "application/x-www-form-urlencoded"
	}
	if r.Timeout <= 0 {
		r.Timeout = defaultWebhookTimeout
	}
	r.Timeout = min(r.Timeout, maxWebhookTimeout)
	if r.MaxAttempts <= 0 {
		r.MaxAttempts = defaultWebhookAttempts
	}
	r.MaxAttempts = min(r.MaxAttempts, MaxWebhookAttempts)
	switch {
	case len(r.Body) > MaxWebhookBody:
		return Errorf(EINVALID, "webhook %s: body over %d bytes", r.Topic, MaxWebhookBody)
	case len(r.Headers) > maxWebhookHeaderEntries:
		return Errorf(EINVALID, "webhook %s: more than %d headers", r.Topic, maxWebhookHeaderEntries)
	case len(r.Topic) > 64 || len(r.OrderKey) > 64 || len(r.Origin) > 32 || len(r.ContentType) > 128 || len(r.Source) > maxWebhookSource:
		return Errorf(EINVALID, "webhook %s: topic, order key, origin, content type or source too long", truncate(r.Topic, 64))
	case strings.ContainsAny(r.Method, " \r\n") || len(r.Method) > 8:
		return Errorf(EINVALID, "webhook %s: bad method", r.Topic)
	}
	return nil
}

func newOutboxID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// webhookRequest rebuilds what a stored message sends, its headers opened.
func (e *Engine) webhookRequest(m OutboxMessage) (WebhookRequest, error) {
	var h map[string]string
	if m.Headers != "" {
		clear, err := e.Credentials().Reveal(m.Headers)
		if err != nil {
			return WebhookRequest{}, fmt.Errorf("open the headers: %w", err)
		}
		if err := json.Unmarshal([]byte(clear), &h); err != nil {
			return WebhookRequest{}, fmt.Errorf("stored headers: %w", err)
		}
	}
	return WebhookRequest{Topic: m.Topic, Origin: m.Origin, URL: m.URL, Method: m.Method, ContentType: m.ContentType,
		Headers: h, Body: []byte(m.Body), Timeout: time.Duration(m.TimeoutMs) * time.Millisecond,
		MaxAttempts: m.MaxAttempts, OrderKey: m.OrderKey, CallID: m.CallID}, nil
}

// sendWebhook makes one attempt, bounded by the message's timeout.
func (e *Engine) sendWebhook(ctx context.Context, m OutboxMessage) (WebhookResponse, error) {
	r, err := e.webhookRequest(m)
	if err != nil {
		return WebhookResponse{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, r.Timeout)
	defer cancel()
	resp, err := e.opt.Webhooks.Send(ctx, r)
	if len(resp.Body) > MaxWebhookResponse {
		resp.Body = resp.Body[:MaxWebhookResponse]
	}
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	return resp, err
}

// webhookAttempt turns one attempt into its log line; ok when delivered.
func webhookAttempt(m OutboxMessage, start, end time.Time, resp WebhookResponse, err error) (OutboxAttempt, bool) {
	a := OutboxAttempt{MsgID: m.MsgID, Attempt: m.Attempts + 1, At: start, DurationMs: end.Sub(start).Milliseconds(),
		Status: resp.Status, Response: truncate(string(resp.Body), maxWebhookLogResponse)}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		a.Error = fmt.Sprintf("no answer within %s", time.Duration(m.TimeoutMs)*time.Millisecond)
	case err != nil:
		a.Error = truncate(err.Error(), 255)
	case resp.Status < 200 || resp.Status > 299:
		a.Error = fmt.Sprintf("HTTP status %d", resp.Status)
	}
	return a, a.Error == ""
}

// recordSync writes an interactive query and its single attempt to the log.
func (e *Engine) recordSync(m OutboxMessage, start time.Time, resp WebhookResponse, err error) {
	a, ok := webhookAttempt(m, start, e.clock.Now(), resp, err)
	m.Attempts, m.LastStatus, m.LastError, m.NextAt = 1, a.Status, a.Error, nil
	m.Status = OutboxFailed
	if ok || (err == nil && resp.Status > 0) {
		// Any answer is the query's result for the caller to judge.
		m.Status, m.DeliveredAt = OutboxDelivered, &a.At
	}
	e.outbox.wg.Add(1)
	go func() {
		defer e.outbox.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := e.store.Tx(ctx, func(tx Store) error {
			if err := tx.Create(ctx, &m); err != nil {
				return err
			}
			return tx.Create(ctx, &a)
		}); err != nil && e.log != nil {
			e.log.Warn("outbox: log query", "topic", m.Topic, "err", err)
		}
	}()
}

// webhookBackoff is the wait before attempt n+1 (n ≥ 1): 2 s doubling, at
// most 5 min.
func webhookBackoff(n int) time.Duration {
	d := webhookFirstBackoff
	for i := 1; i < n && d < webhookMaxBackoff; i++ {
		d *= 2
	}
	return min(d, webhookMaxBackoff)
}
