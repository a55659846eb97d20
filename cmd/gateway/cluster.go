package main

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/callgate/callgate/api/admin"
	"github.com/callgate/callgate/api/eccp"
	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/forward"
	"github.com/callgate/callgate/pkg/lease/natskv"
)

// Several gateways (cluster.lease sql or nats) share one database: the
// lease elects the one that runs the engine, in a term whose token fences
// its claims. The leader serves every dialect itself; a standby forwards
// every HTTP request to it over NATS request/reply (pkg/forward) and, on
// election, builds and starts an engine, which rebuilds the live state from
// the store and the PBX (the restart recovery). A deposed leader stops
// serving and unsubscribes at once, then stops its engine.

// cluster is a gateway's side of the election.
type cluster struct {
	g       *gateway
	nc      *nats.Conn
	el      *core.Elector
	backend string
	forward http.Handler

	// mu serializes terms: a term's start and its stop never overlap.
	mu   sync.Mutex
	term *termParts
	// local is the current term's router (nil: forward).
	local atomic.Pointer[http.Handler]
	// subMu guards sub, the forwarded requests this leader serves.
	subMu sync.Mutex
	sub   *nats.Subscription
	// serving: this gateway leads and its term is fully started (engine,
	// dialects, ECCP, forwarded requests): what /leaderz reports.
	serving atomic.Bool
	// eccpQ feeds the term's ECCP server while leading (eccp_cluster.go).
	eccpQ atomic.Pointer[connQueue]
	// stops are term stops in flight.
	stops sync.WaitGroup

	cancel context.CancelFunc
	done   chan struct{} // the elector's loop ended

	nodesMu sync.Mutex
	nodes   []nodeView // other gateways seen
	started time.Time

	// events serves token-authenticated GET /api/v1/events on every
	// gateway from its own subscription to the shared bus, so a stream
	// outlives terms: it carries the leader's events with their bus
	// sequence across a failover, without a forward's timeout.
	events *admin.API
}

// termParts is what one term started, to be stopped with it.
type termParts struct {
	lease   core.LeaseState
	eng     *core.Engine
	admin   *admin.API
	eccp    *eccp.Server
	closers []io.Closer
}

func (g *gateway) newCluster(ctx context.Context) error {
	cfg := g.cfg
	nc, err := nats.Connect(cfg.NATSURL, nats.Name("callgate-cluster "+cfg.NodeID), nats.MaxReconnects(-1))
	if err != nil {
		return fmt.Errorf("cluster.lease needs NATS (bus.nats_url): %w", err)
	}
	c := &cluster{g: g, nc: nc, backend: cfg.ClusterLease, started: time.Now(), done: make(chan struct{})}
	var lease core.Lease
	var fences core.Store
	switch cfg.ClusterLease {
	case "sql":
		lease = &core.SQLLease{Store: g.st, Name: cfg.ClusterName}
	case "nats":
		js, err := jetstream.New(nc)
		if err != nil {
			nc.Close()
			return fmt.Errorf("cluster.lease nats: %w", err)
		}
		cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		l, err := natskv.Open(cctx, js, natskv.DefaultBucket, cfg.ClusterName, nil)
		if err != nil {
			nc.Close()
			return fmt.Errorf("cluster.lease nats: %w", err)
		}
		// The database fences the claims: each term is recorded there.
		lease, fences = l, g.st
	}
	c.el = core.NewElector(core.ElectorOptions{
		Lease: lease, Holder: cfg.NodeID, TTL: cfg.ClusterLeaseTTL, Fences: fences, Follower: cfg.ClusterRole == "front",
		Logger:    g.log.With("component", "cluster"),
		OnElected: func(s core.LeaseState) { go c.lead(s) },
		OnDeposed: c.stepDown,
	})
	c.forward = forward.Handler(nc, c.forwardOptions())
	if cfg.Bus != "nats" {
		g.log.Warn("cluster: bus.kind is not nats: event streams and ECCP events are the leader's only, forwarded to standbys")
	}
	if cfg.Bus == "nats" {
		c.events = admin.New(admin.Options{Records: core.NewRecords(g.st), Token: cfg.AdminToken, Bus: g.bus,
			Logger: g.log.With("component", "admin-events")})
	}
	g.cl = c
	return nil
}

func (c *cluster) forwardOptions() forward.Options {
	cfg := c.g.cfg
	return forward.Options{Subject: "callgate." + cfg.ClusterName + ".http", Timeout: cfg.ClusterForwardTimeout,
		MaxBody: cfg.HTTPMaxBody, Node: cfg.NodeID, Logger: c.g.log.With("component", "forward")}
}

// run starts the election and the announcements of this gateway.
func (c *cluster) run() {
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	go func() {
		defer close(c.done)
		c.el.Run(ctx)
	}()
	go c.announce(ctx)
	if c.g.eccpShared != nil {
		go c.serveECCP(c.g.eccpShared)
	}
}

// ServeHTTP serves the dialects: the term's router while leading, the
// leader over NATS otherwise.
func (c *cluster) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if c.events != nil && r.Method == http.MethodGet && r.URL.Path == adminPrefix+"/events" && r.Header.Get("Authorization") != "" {
		http.StripPrefix(adminPrefix, c.events).ServeHTTP(w, r)
		return
	}
	if leading, _ := c.el.State(); leading {
		if h := c.local.Load(); h != nil {
			(*h).ServeHTTP(w, r)
			return
		}
	}
	if isPageStream(r) {
		c.proxyStream(w, r)
		return
	}
	c.forward.ServeHTTP(w, r)
}

// lead starts a term: engine (with the restart recovery), dialects, ECCP,
// and the subscription serving the standbys' requests.
func (c *cluster) lead(term core.LeaseState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if leading, cur := c.el.State(); !leading || cur.Token != term.Token {
		return
	}
	g := c.g
	start := time.Now()
	t, err := c.startTerm(term)
	if err != nil {
		g.log.Error("cluster: elected but the engine did not start; resigning", "term", term.Token, "err", err)
		c.el.Resign()
		return
	}
	c.term = t
	c.subMu.Lock()
	if leading, cur := c.el.State(); leading && cur.Token == term.Token {
		if c.sub, err = forward.Serve(c.nc, *c.local.Load(), c.forwardOptions()); err != nil {
			g.log.Error("cluster: cannot serve forwarded requests", "err", err)
		} else {
			c.serving.Store(true)
		}
	}
	c.subMu.Unlock()
	g.log.Info("cluster: leading", "term", term.Token, "started_in", time.Since(start))
}

// startTerm builds and starts this term's engine and dialects.
func (c *cluster) startTerm(term core.LeaseState) (*termParts, error) {
	g := c.g
	prev := g.closers
	g.closers = nil
	defer func() { g.closers = prev }()
	if err := g.buildEngine(term.Fence()); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := g.eng.Start(ctx); err != nil {
		_ = g.tel.Close()
		g.engPtr.Store(nil)
		return nil, fmt.Errorf("engine: %w", err)
	}
	g.engineUp.Store(true)
	g.startMedia()
	g.resumeSMS(ctx)
	g.startInfocaller()
	inner := chi.NewRouter()
	inner.Use(middleware.Recoverer)
	g.mountDialects(inner)
	t := &termParts{lease: term, eng: g.eng, admin: g.adminAPI}
	if g.eccpShared != nil {
		srv, err := g.newECCPServer()
		if err != nil {
			return nil, err
		}
		q := newConnQueue(g.eccpShared.Addr())
		go func() { _ = srv.Serve(q) }()
		c.eccpQ.Store(q)
		g.eccpPtr.Store(srv)
		t.eccp = srv
	}
	var h http.Handler = inner
	c.local.Store(&h)
	t.closers = g.closers
	return t, nil
}

// stepDown ends term at once for what reaches this gateway (requests are
// forwarded, the leader's subscription is dropped) and stops its engine
// in the background.
func (c *cluster) stepDown(term core.LeaseState) {
	c.subMu.Lock()
	c.serving.Store(false)
	if c.sub != nil {
		_ = c.sub.Unsubscribe()
		c.sub = nil
	}
	c.subMu.Unlock()
	c.stops.Add(1)
	go func() {
		defer c.stops.Done()
		c.stopTerm(term)
	}()
}

func (c *cluster) stopTerm(term core.LeaseState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.term
	if t == nil || t.lease.Token != term.Token {
		return
	}
	c.term = nil
	c.local.Store(nil)
	g := c.g
	g.engineUp.Store(false)
	g.eccpPtr.Store(nil)
	c.eccpQ.Store(nil) // new ECCP connections are relayed from now on
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if t.eccp != nil {
		_ = t.eccp.Shutdown(ctx)
	}
	t.admin.CloseStreams()
	for _, cl := range t.closers {
		_ = cl.Close()
	}
	if err := t.eng.Stop(ctx); err != nil {
		g.log.Warn("cluster: engine stop", "err", err)
	}
	g.engPtr.Store(nil)
	g.log.Info("cluster: standing by", "term_ended", term.Token)
}

// shutdown resigns the lease (a standby takes over at once) and stops the
// term this gateway leads.
func (c *cluster) shutdown(ctx context.Context) {
	if c.cancel != nil {
		c.cancel()
		select {
		case <-c.done:
		case <-ctx.Done():
		}
	}
	c.stops.Wait()
	if c.g.eccpShared != nil {
		_ = c.g.eccpShared.Close()
	}
	c.nc.Close()
}

func (c *cluster) closeStreams() {
	if c.events != nil {
		c.events.CloseStreams()
	}
	c.mu.Lock()
	t := c.term
	c.mu.Unlock()
	if t != nil {
		t.admin.CloseStreams()
	}
}

// standbyReadiness: a standby is ready when it can forward to a leader.
func (c *cluster) standbyReadiness() string {
	if !c.nc.IsConnected() {
		return "nats not connected"
	}
	if _, s := c.el.State(); s.Holder == "" || !time.Now().Before(s.Expires) {
		return "no leader"
	}
	return "ready"
}

// nodeView is a gateway in the cluster view.
type nodeView struct {
	Node     string    `json:"node"`
	Leader   bool      `json:"leader"`
	Term     uint64    `json:"term"`
	Addr     string    `json:"addr"`
	ECCPAddr string    `json:"eccp_addr,omitempty"`
	SeenAt   time.Time `json:"seen_at"`
}

// clusterView is GET /api/v1/cluster.
type clusterView struct {
	Node         string     `json:"node"`
	Role         string     `json:"role"` // member or front (never leads)
	Leader       bool       `json:"leader"`
	LeaderID     string     `json:"leader_id"`
	Term         uint64     `json:"term"`
	Lease        string     `json:"lease"`
	Backend      string     `json:"backend"`
	LeaseExpires *time.Time `json:"lease_expires"`
	Nodes        []nodeView `json:"nodes"`
}

func (g *gateway) clusterView() clusterView {
	v := clusterView{Node: g.cfg.NodeID, Role: g.cfg.ClusterRole, Lease: g.cfg.ClusterName, Backend: g.cfg.ClusterLease, Nodes: []nodeView{}}
	if g.cl == nil {
		// One gateway: always the leader, no lease, no term.
		v.Leader, v.LeaderID = true, g.cfg.NodeID
		return v
	}
	leading, s := g.cl.el.State()
	v.Leader, v.Term = leading, s.Token
	if s.Holder != "" && time.Now().Before(s.Expires) {
		v.LeaderID = s.Holder
		exp := s.Expires.UTC()
		v.LeaseExpires = &exp
	}
	g.cl.nodesMu.Lock()
	v.Nodes = append(v.Nodes, g.cl.nodes...)
	g.cl.nodesMu.Unlock()
	return v
}

// serveCluster answers GET /api/v1/cluster with the admin token, on every
// gateway for itself (never forwarded).
func (g *gateway) serveCluster(w http.ResponseWriter, r *http.Request) {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		tok, ok = strings.CutPrefix(h, "bearer ")
	}
	got, want := sha256.Sum256([]byte(strings.TrimSpace(tok))), sha256.Sum256([]byte(g.cfg.AdminToken))
	if !ok || g.cfg.AdminToken == "" || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="callgate"`)
		writeJSONError(w, http.StatusUnauthorized, "missing or invalid bearer token")
		return
	}
	b, _ := json.Marshal(g.clusterView())
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(append(b, '\n'))
}

func writeJSONError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]string{"error": msg})
	_, _ = w.Write(append(b, '\n'))
}

// announce records this gateway in gateway_nodes every lease interval and
// reads the others seen within three TTLs (the cluster view's nodes).
func (c *cluster) announce(ctx context.Context) {
	every := c.el.TTL() / 4
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		c.announceOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (c *cluster) announceOnce(ctx context.Context) {
	g := c.g
	leading, s := c.el.State()
	now := time.Now().UTC()
	addr := g.advertisedHTTP()
	eccpAddr := ""
	if leading && c.eccpQ.Load() != nil {
		eccpAddr = g.advertisedECCP()
	}
	cols := map[string]any{"lease": g.cfg.ClusterName, "leader": leading, "token": s.Token, "addr": addr, "eccp_addr": eccpAddr, "seen_at": now}
	n, err := g.st.UpdateWhere(ctx, &core.GatewayNode{}, core.Eq("node_id", g.cfg.NodeID), cols, core.Fence{})
	if err == nil && n == 0 {
		err = g.st.Create(ctx, &core.GatewayNode{NodeID: g.cfg.NodeID, Lease: g.cfg.ClusterName, Leader: leading,
			Token: s.Token, Addr: addr, ConsoleAddr: eccpAddr, SeenAt: now, Started: c.started.UTC()})
		if errors.Is(err, core.ErrDuplicate) {
			err = nil
		}
	}
	if err != nil && ctx.Err() == nil {
		g.log.Warn("cluster: announce failed", "err", err)
	}
	var rows []core.GatewayNode
	f := core.Eq("lease", g.cfg.ClusterName).Ne("node_id", g.cfg.NodeID).Gte("seen_at", now.Add(-3*c.el.TTL())).Asc("node_id")
	if err := g.st.Find(ctx, &rows, f); err != nil {
		return
	}
	nodes := make([]nodeView, 0, len(rows))
	for _, r := range rows {
		nodes = append(nodes, nodeView{Node: r.NodeID, Leader: r.Leader, Term: r.Token, Addr: r.Addr, ECCPAddr: r.ConsoleAddr, SeenAt: r.SeenAt.UTC()})
	}
	c.nodesMu.Lock()
	c.nodes = nodes
	c.nodesMu.Unlock()
}
