package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"
)

// The web pages' event streams authenticate with the session cookie,
// which only the leader's engine can check (and a supervisor's scope is
// the leader's live state). A request/reply forward over NATS cannot carry
// a stream, so a gateway that does not lead proxies these streams over
// HTTP to the leader's advertised address. When the leader dies the
// stream ends; EventSource reconnects with Last-Event-ID through the same
// gateway to the new leader, which replays from the JetStream stream:
// nothing is lost or repeated.

// isPageStream: GET /api/v1/events without a bearer token.
func isPageStream(r *http.Request) bool {
	return r.Method == http.MethodGet && r.URL.Path == adminPrefix+"/events" && r.Header.Get("Authorization") == ""
}

// proxyStream proxies r to the leader's HTTP listener, flushing each
// event as it comes. During a failover it waits for the next leader (up to
// streamLeaderWait) rather than failing: EventSource gives up for good on
// an error status, but reconnects by itself after a dropped connection.
func (c *cluster) proxyStream(w http.ResponseWriter, r *http.Request) {
	p := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			// The host is resolved at dial time (leaderDial).
			pr.SetURL(&url.URL{Scheme: "http", Host: "leader"})
			pr.SetXForwarded()
		},
		Transport:     &http.Transport{DialContext: c.leaderDial, DisableKeepAlives: true},
		FlushInterval: -1,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if r.Context().Err() != nil {
				return // the client left
			}
			c.g.log.Warn("cluster: page event stream to the leader failed", "err", err)
			w.Header().Set("Retry-After", "1")
			writeJSONError(w, http.StatusServiceUnavailable, "no leader reachable; retry")
		},
	}
	// The server's timeouts would end a long stream.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	p.ServeHTTP(w, r)
}

// streamLeaderWait bounds the wait for a leader (a failover's takeover
// is within ttl*5/4, 5 s by default).
const streamLeaderWait = 15 * time.Second

// leaderDial connects to whichever gateway leads, waiting for one.
func (c *cluster) leaderDial(ctx context.Context, network, _ string) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, streamLeaderWait)
	defer cancel()
	var d net.Dialer
	err := errors.New("no leader known")
	for {
		if addr := c.leaderHTTP(); addr != "" {
			var conn net.Conn
			if conn, err = d.DialContext(ctx, network, addr); err == nil {
				return conn, nil
			}
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("no leader within %v: %w", streamLeaderWait, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// leaderHTTP is the leader's advertised HTTP address ("" if unknown).
func (c *cluster) leaderHTTP() string {
	_, s := c.el.State()
	return c.leaderNode(s.Holder, func(n nodeView) string { return n.Addr })
}

// advertisedHTTP is this gateway's HTTP address as the others reach it.
func (g *gateway) advertisedHTTP() string {
	if g.httpLn == nil {
		return ""
	}
	return g.advertised(g.httpLn.Addr())
}
