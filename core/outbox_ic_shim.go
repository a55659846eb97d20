package core

// TEMPORARY (branch ic): the lead's durable outbox (core/outbox.go) has not
// landed yet. This file declares its contract (shared-contracts.md) with a
// best-effort, in-memory delivery so the Infocaller webhooks can be built
// and tested against the same API. It is deleted when main is merged.

import (
	"context"
	"sync"
	"time"
)

type WebhookRequest struct {
	Topic       string
	Origin      string
	URL         string
	Method      string
	ContentType string
	Headers     map[string]string
	Body        []byte
	Timeout     time.Duration
	MaxAttempts int
	OrderKey    string
	CallID      uint64
}

type WebhookResponse struct {
	Status int
	Body   []byte
}

type WebhookSender interface {
	Send(ctx context.Context, r WebhookRequest) (WebhookResponse, error)
}

var shimQueues sync.Map // *Engine -> chan WebhookRequest

func (e *Engine) EnqueueWebhook(ctx context.Context, r WebhookRequest) (string, error) {
	if e.opt.Webhooks == nil {
		return "", Errorf(EUNAVAILABLE, "webhook %s: no webhook sender is configured", r.Topic)
	}
	q, loaded := shimQueues.LoadOrStore(e, make(chan WebhookRequest, 4096))
	ch := q.(chan WebhookRequest)
	if !loaded {
		go func() {
			for r := range ch {
				if r.Timeout <= 0 {
					r.Timeout = 5 * time.Second
				}
				ctx, cancel := context.WithTimeout(context.Background(), r.Timeout)
				_, _ = e.opt.Webhooks.Send(ctx, r)
				cancel()
			}
		}()
	}
	select {
	case ch <- r:
		return newGUID(), nil
	default:
		return "", Errorf(EUNAVAILABLE, "outbox full")
	}
}

func (e *Engine) CallWebhook(ctx context.Context, r WebhookRequest) (WebhookResponse, error) {
	if e.opt.Webhooks == nil {
		return WebhookResponse{}, Errorf(EUNAVAILABLE, "webhook %s: no webhook sender is configured", r.Topic)
	}
	if r.Timeout <= 0 {
		r.Timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, r.Timeout)
	defer cancel()
	resp, err := e.opt.Webhooks.Send(ctx, r)
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	return resp, err
}
