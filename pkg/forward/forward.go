// Package forward carries HTTP requests from any gateway to the leader over
// NATS request/reply: one generic mechanism for every HTTP dialect. A
// standby (Handler) puts the request's method, URL, headers and remote
// address in NATS headers and its body in the message; the leader (Serve)
// rebuilds the request, runs it through its own router and replies with
// the status, headers and body the router wrote.
package forward

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

// Header names of the envelope; the request's own headers are carried
// with the prefix hdrPrefix.
const (
	hdrMethod  = "Cg-Method"
	hdrURL     = "Cg-Url"
	hdrRemote  = "Cg-Remote"
	hdrHost    = "Cg-Host"
	hdrStatus  = "Cg-Status"
	hdrPrefix  = "Cg-H-"
	hdrForward = "X-Callgate-Forwarded-By"
)

// Options configures both sides.
type Options struct {
	// Subject is where the leader listens ("callgate.<lease>.http").
	Subject string
	// Timeout bounds one forwarded request (default 30 s).
	Timeout time.Duration
	// MaxBody bounds a request body a standby forwards (default 1 MiB,
	// never more than the NATS server's max payload allows).
	MaxBody int64
	// Node names this gateway in the X-Callgate-Forwarded-By header.
	Node   string
	Logger *slog.Logger
	// Parallel bounds the requests the leader runs at once (default 256).
	Parallel int
}

func (o *Options) defaults() {
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.MaxBody <= 0 {
		o.MaxBody = 1 << 20
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Parallel <= 0 {
		o.Parallel = 256
	}
}

// Handler forwards every request to the leader. With no leader listening
// it answers 503, when the leader does not answer in time 504, always with
// a short JSON error (no engine on this gateway can do better).
func Handler(nc *nats.Conn, opt Options) http.Handler {
	opt.defaults()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := min(opt.MaxBody, nc.MaxPayload()-64<<10)
		body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
		if err != nil {
			fail(w, http.StatusBadRequest, "request body could not be read")
			return
		}
		if int64(len(body)) > limit {
			w.Header().Set("Connection", "close")
			fail(w, http.StatusRequestEntityTooLarge, "request body too large")
			return
		}
		msg := nats.NewMsg(opt.Subject)
		msg.Data = body
		msg.Header.Set(hdrMethod, r.Method)
		msg.Header.Set(hdrURL, r.URL.RequestURI())
		msg.Header.Set(hdrRemote, r.RemoteAddr)
		msg.Header.Set(hdrHost, r.Host)
		for k, vs := range r.Header {
			for _, v := range vs {
				msg.Header.Add(hdrPrefix+k, v)
			}
		}
		msg.Header.Set(hdrPrefix+hdrForward, opt.Node)
		ctx, cancel := context.WithTimeout(r.Context(), opt.Timeout)
		defer cancel()
		resp, err := nc.RequestMsgWithContext(ctx, msg)
		switch {
		case errors.Is(err, nats.ErrNoResponders):
			w.Header().Set("Retry-After", "1")
			fail(w, http.StatusServiceUnavailable, "no leader gateway is serving; try again")
			return
		case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout):
			fail(w, http.StatusGatewayTimeout, "the leader gateway did not answer in time")
			return
		case err != nil:
			opt.Logger.Warn("forward: request to the leader failed", "err", err)
			w.Header().Set("Retry-After", "1")
			fail(w, http.StatusServiceUnavailable, "the leader gateway cannot be reached; try again")
			return
		}
		writeReply(w, resp)
	})
}

func writeReply(w http.ResponseWriter, resp *nats.Msg) {
	status, err := strconv.Atoi(resp.Header.Get(hdrStatus))
	if err != nil || status < 100 || status > 999 {
		fail(w, http.StatusBadGateway, "the leader gateway answered with no status")
		return
	}
	for k, vs := range resp.Header {
		name, ok := strings.CutPrefix(k, hdrPrefix)
		if !ok {
			continue
		}
		for _, v := range vs {
			w.Header().Add(name, v)
		}
	}
	w.WriteHeader(status)
	_, _ = w.Write(resp.Data)
}

func fail(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	fmt.Fprintf(w, "{\"error\":%q}\n", msg)
}

// Serve answers forwarded requests with h until the subscription is
// drained or unsubscribed (a deposed leader does so at once).
func Serve(nc *nats.Conn, h http.Handler, opt Options) (*nats.Subscription, error) {
	opt.defaults()
	sem := make(chan struct{}, opt.Parallel)
	sub, err := nc.Subscribe(opt.Subject, func(m *nats.Msg) {
		// NATS runs one subscription's callbacks one at a time: each
		// request gets its own goroutine, bounded.
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			reply := run(h, m, opt, int(nc.MaxPayload())-64<<10)
			if err := m.RespondMsg(reply); err != nil {
				opt.Logger.Warn("forward: reply failed", "err", err)
			}
		}()
	})
	if err != nil {
		return nil, err
	}
	// Once Flush returns the server has the subscription: requests sent
	// from now on reach this leader.
	if err := nc.Flush(); err != nil {
		_ = sub.Unsubscribe()
		return nil, err
	}
	return sub, nil
}

// run rebuilds the request from m and records what h answers.
// A reply over limit bytes is replaced by a 502 naming the limit.
func run(h http.Handler, m *nats.Msg, opt Options, limit int) *nats.Msg {
	ctx, cancel := context.WithTimeout(context.Background(), opt.Timeout)
	defer cancel()
	reply := nats.NewMsg(m.Reply)
	req, err := http.NewRequestWithContext(ctx, m.Header.Get(hdrMethod), m.Header.Get(hdrURL), bytes.NewReader(m.Data))
	if err != nil {
		reply.Header.Set(hdrStatus, strconv.Itoa(http.StatusBadRequest))
		return reply
	}
	req.RemoteAddr = m.Header.Get(hdrRemote)
	req.Host = m.Header.Get(hdrHost)
	req.RequestURI = m.Header.Get(hdrURL)
	req.ContentLength = int64(len(m.Data))
	for k, vs := range m.Header {
		if name, ok := strings.CutPrefix(k, hdrPrefix); ok {
			req.Header[http.CanonicalHeaderKey(name)] = vs
		}
	}
	rec := httptest.NewRecorder()
	func() {
		defer func() {
			if p := recover(); p != nil {
				opt.Logger.Error("forward: handler panicked", "panic", p)
				rec = httptest.NewRecorder()
				rec.WriteHeader(http.StatusInternalServerError)
			}
		}()
		h.ServeHTTP(rec, req)
	}()
	res := rec.Result()
	reply.Header.Set(hdrStatus, strconv.Itoa(res.StatusCode))
	for k, vs := range res.Header {
		for _, v := range vs {
			reply.Header.Add(hdrPrefix+k, v)
		}
	}
	reply.Data = rec.Body.Bytes()
	if len(reply.Data) > limit {
		reply = nats.NewMsg(m.Reply)
		reply.Header.Set(hdrStatus, strconv.Itoa(http.StatusBadGateway))
		reply.Header.Set(hdrPrefix+"Content-Type", "application/json; charset=utf-8")
		reply.Data = []byte("{\"error\":\"the answer is too large to forward; ask the leader gateway directly\"}\n")
	}
	return reply
}
