package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"sync"
	"time"
)

// ECCP in a cluster: the gateway owns its eccp.addr listener for its whole
// life. While it leads, accepted connections go to the term's ECCP server
// (through a connQueue, the server's listener); while it stands by, each
// connection is relayed to the leader's ECCP listener (the address the
// leader announces in gateway_nodes). With the cluster's secrets key the
// relay keeps the session across a failover (eccp_relay.go); without one
// it copies bytes and a failover drops the session. Sessions the leader
// serves itself end with it.

// connQueue is a net.Listener fed with connections accepted elsewhere.
type connQueue struct {
	ch   chan net.Conn
	done chan struct{}
	once sync.Once
	addr net.Addr
}

func newConnQueue(addr net.Addr) *connQueue {
	return &connQueue{ch: make(chan net.Conn), done: make(chan struct{}), addr: addr}
}

func (q *connQueue) Accept() (net.Conn, error) {
	select {
	case c := <-q.ch:
		return c, nil
	case <-q.done:
		return nil, net.ErrClosed
	}
}

func (q *connQueue) Close() error { q.once.Do(func() { close(q.done) }); return nil }

func (q *connQueue) Addr() net.Addr { return q.addr }

// offer hands c to the server behind q; false once q is closed.
func (q *connQueue) offer(c net.Conn) bool {
	select {
	case q.ch <- c:
		return true
	case <-q.done:
		return false
	}
}

// serveECCP accepts on ln until it is closed: to the leader's own ECCP
// server, or relayed to the leader.
func (c *cluster) serveECCP(ln net.Listener) {
	// A standby applies eccp.allow_from and eccp.max_conns itself: behind
	// the relay the leader sees this gateway's address, not the client's.
	allow, _ := prefixes(c.g.cfg.ECCPAllowFrom) // validated at start
	limit := c.g.cfg.ECCPMaxConns
	if limit <= 0 {
		limit = defaultRelayConns
	}
	slots := make(chan struct{}, limit)
	var delay time.Duration
	for {
		conn, err := ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			// Out of descriptors under a flood: wait, never stop.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			time.Sleep(delay)
			continue
		}
		delay = 0
		if q := c.eccpQ.Load(); q != nil && q.offer(conn) {
			continue
		}
		if !allowed(allow, conn.RemoteAddr()) {
			_ = conn.Close()
			continue
		}
		select {
		case slots <- struct{}{}:
			go func() { defer func() { <-slots }(); c.relayECCP(conn) }()
		default:
			_ = conn.Close() // at eccp.max_conns relayed connections
		}
	}
}

// defaultRelayConns bounds relayed ECCP connections when eccp.max_conns
// sets no bound.
const defaultRelayConns = 1024

// allowed: no list, or the address is in one of its prefixes.
func allowed(list []netip.Prefix, a net.Addr) bool {
	if len(list) == 0 {
		return true
	}
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return false
	}
	for _, p := range list {
		if p.Contains(ap.Addr().Unmap()) {
			return true
		}
	}
	return false
}

// relayECCP copies conn to and from the leader's ECCP listener; with no
// leader known, even after reading the gateways' table again (a leader
// elected since the last announce round), the connection is closed (the
// client retries).
func (c *cluster) relayECCP(conn net.Conn) {
	if key := c.g.relayKey; key != nil {
		(&sessionRelay{c: c, client: conn, key: key}).run()
		return
	}
	defer conn.Close()
	addr := c.leaderECCP()
	if addr == "" {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		c.announceOnce(ctx)
		cancel()
		addr = c.leaderECCP()
	}
	if addr == "" {
		return
	}
	up, err := net.DialTimeout("tcp", addr, 3*time.Second)
	if err != nil {
		c.g.log.Warn("cluster: ECCP relay to the leader failed", "leader", addr, "err", err)
		return
	}
	defer up.Close()
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		// One side ended: end the other so both copies return.
		_ = dst.SetDeadline(time.Now())
		_ = src.SetDeadline(time.Now())
		done <- struct{}{}
	}
	go pipe(up, conn)
	go pipe(conn, up)
	<-done
	<-done
}

// leaderECCP is the ECCP address the current leader announced, this
// gateway's own once it leads and its term serves (a relayed session
// resumes on it).
func (c *cluster) leaderECCP() string {
	leading, s := c.el.State()
	if leading {
		if c.serving.Load() {
			return c.g.advertisedECCP()
		}
		return ""
	}
	return c.leaderNode(s.Holder, func(n nodeView) string { return n.ECCPAddr })
}

// leaderNode is an address the leader (holder) announced, "" if unknown.
func (c *cluster) leaderNode(holder string, addr func(nodeView) string) string {
	c.nodesMu.Lock()
	defer c.nodesMu.Unlock()
	for _, n := range c.nodes {
		if n.Node == holder && n.Leader && addr(n) != "" {
			return addr(n)
		}
	}
	return ""
}

// advertisedECCP is this gateway's ECCP address as the others reach it.
func (g *gateway) advertisedECCP() string {
	if g.eccpShared == nil {
		return ""
	}
	return g.advertised(g.eccpShared.Addr())
}

// advertised is a listener's address as the other gateways reach it:
// cluster.advertise and the listener's port.
func (g *gateway) advertised(a net.Addr) string {
	_, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return ""
	}
	return net.JoinHostPort(g.cfg.ClusterAdvertise, port)
}
