// Package webhook is the HTTP side of core's webhook outbox
// (core.WebhookSender): one request per attempt, bounded by the context's
// deadline, the answer read up to core.MaxWebhookResponse bytes. Redirects
// are not followed: a receiver that moved must be reconfigured, not chased
// (a redirect could turn a POST carrying signatures into a GET elsewhere).
package webhook

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/callgate/callgate/core"
)

// HTTPSender sends webhooks over net/http.
type HTTPSender struct {
	Client    *http.Client
	UserAgent string
}

// NewHTTPSender returns a sender with its own connection pool.
func NewHTTPSender() *HTTPSender {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 16
	tr.ResponseHeaderTimeout = 60 * time.Second
	return &HTTPSender{
		Client: &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
		UserAgent: "Callgate-Webhook/1",
	}
}

// Send makes one request. A non-2xx status is an answer, not an error.
func (s *HTTPSender) Send(ctx context.Context, r core.WebhookRequest) (core.WebhookResponse, error) {
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return core.WebhookResponse{}, fmt.Errorf("webhook request: %w", err)
	}
	req.Header.Set("Content-Type", r.ContentType)
	req.Header.Set("User-Agent", s.UserAgent)
	for k, v := range r.Headers {
		req.Header.Set(k, v)
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		return core.WebhookResponse{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, core.MaxWebhookResponse))
	// Drain a little more so the connection can be reused, never much.
	_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
	if err != nil {
		return core.WebhookResponse{Status: resp.StatusCode, Body: body}, fmt.Errorf("webhook answer: %w", err)
	}
	return core.WebhookResponse{Status: resp.StatusCode, Body: body}, nil
}
