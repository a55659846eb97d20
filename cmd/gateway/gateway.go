package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/callgate/callgate/api/admin"
	"github.com/callgate/callgate/api/eccp"
	expandrest "github.com/callgate/callgate/api/expand/rest"
	"github.com/callgate/callgate/api/infocaller"
	"github.com/callgate/callgate/api/ucontact"
	"github.com/callgate/callgate/api/vicidial"
	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/config"
	"github.com/callgate/callgate/pkg/demo"
	"github.com/callgate/callgate/pkg/media"
	"github.com/callgate/callgate/pkg/store"
	"github.com/callgate/callgate/pkg/telephony/ari"
	"github.com/callgate/callgate/pkg/telephony/ariproxy"
	"github.com/callgate/callgate/pkg/telephony/sim"
	"github.com/callgate/callgate/pkg/webhook"
	"github.com/callgate/callgate/web"
)

// gateway owns every part of the running server, in start order.
type gateway struct {
	cfg config.Config
	// relayKey lets this gateway's ECCP relay resume sessions on a new
	// leader, and the leader's ECCP server accept them (api/eccp/relay.go).
	relayKey []byte
	log      *slog.Logger
	st       core.Store
	bus      core.Bus
	tel      core.Telephony
	sim      *sim.PBX // set in sim mode
	// simari is the in-process simulated Asterisk (simari mode), started
	// once; every term's ARI driver connects to it (simariARI).
	simari    *simariPBX
	simariARI ari.Config
	eng       *core.Engine
	// engPtr is eng for other goroutines (metrics, readiness): in a
	// cluster it changes with every term, nil while standing by.
	engPtr atomic.Pointer[core.Engine]
	cl     *cluster // nil: one gateway (cluster.lease none)
	// eccpShared is a cluster gateway's ECCP listener for its whole
	// life (eccp_cluster.go).
	eccpShared net.Listener
	media      *media.Service // nil when media.dir is empty
	metrics    *metrics
	httpSrv    *http.Server
	httpLn     net.Listener
	eccpSrv    *eccp.Server
	eccpPtr    atomic.Pointer[eccp.Server] // eccpSrv for the metrics
	eccpLn     net.Listener
	// closers are flushed after the listeners drain and before the store
	// closes (the VICIdial API log writer queues rows).
	closers []io.Closer
	// adminAPI is /api/v1 (its event streams are closed on shutdown).
	adminAPI *admin.API

	draining atomic.Bool
	engineUp atomic.Bool
	// drainTimer ends the shutdown drain (time.After); tests hold the drain
	// open with a channel of their own instead of sleeping.
	drainTimer func(time.Duration) <-chan time.Time
	// readyMu guards readyWas, the last readiness /readyz answered, so that
	// only changes are logged.
	readyMu  sync.Mutex
	readyWas string
	fatal    chan error
	once     sync.Once
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(h).With("node", cfg.NodeID)
}

// newGateway opens the store and builds every component without serving
// anything yet.
func newGateway(ctx context.Context, cfg config.Config, log *slog.Logger) (*gateway, error) {
	g := &gateway{cfg: cfg, log: log, fatal: make(chan error, 4), drainTimer: time.After}
	log.Info("starting callgate", configAttrs(cfg))

	st, err := store.Open(ctx, cfg.DBDSN)
	if err != nil {
		return nil, fmt.Errorf("open database (db.dsn): %w", err)
	}
	g.st = st
	if err := st.Migrate(ctx); err != nil {
		_ = st.Close()
		return nil, fmt.Errorf("migrate database: %w", err)
	}
	key, err := useSecrets(ctx, cfg, st, log)
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	g.relayKey = relayKeyOf(key)
	if cfg.Seed {
		if err := demo.Seed(ctx, st); err != nil {
			_ = st.Close()
			return nil, err
		}
		log.Info("demo data seeded")
	}

	g.bus, err = newBus(ctx, cfg)
	if err != nil {
		_ = st.Close()
		return nil, err
	}

	g.metrics = newMetrics(g.engPtr.Load, g.engineUp.Load)
	g.metrics.watchECCP(g.eccpPtr.Load)
	g.metrics.watchCluster(g.clusterView)
	if cfg.ClusterLease != "none" {
		// The engine is built when this gateway is elected (cluster.go).
		if err := g.newCluster(ctx); err != nil {
			_ = g.bus.Close()
			_ = st.Close()
			return nil, err
		}
		return g, nil
	}
	if err := g.buildEngine(core.Fence{}); err != nil {
		_ = g.bus.Close()
		_ = st.Close()
		return nil, err
	}
	return g, nil
}

// connectSimari starts the in-process simulated Asterisk the first time and
// connects a new ARI driver to it.
func (g *gateway) connectSimari() error {
	if g.simari == nil {
		p, acfg, err := startSimari(g.cfg)
		if err != nil {
			return err
		}
		g.simari, g.simariARI = p, acfg
		g.log.Info("simulated Asterisk (simari) serving ARI", "ari", "http://"+p.addr+"/ari", "control", "http://"+p.addr+"/control")
	}
	acfg := g.simariARI
	acfg.Logger = g.log
	t, err := ari.New(acfg)
	if err != nil {
		return err
	}
	g.tel = t
	return nil
}

// buildEngine connects the telephony and builds the engine (not started):
// once at start for one gateway, at every election in a cluster, the
// engine running in the elected term (fence).
func (g *gateway) buildEngine(fence core.Fence) error {
	cfg := g.cfg
	switch cfg.Telephony {
	case "sim":
		p := sim.New(cfg.NodeID)
		p.SetDefaultBehavior(sim.Behavior{Outcome: sim.Answer, After: cfg.DemoSimAnswerWait})
		g.sim, g.tel = p, p
	case "simari":
		if err := g.connectSimari(); err != nil {
			return fmt.Errorf("telephony.mode simari: %w", err)
		}
	default:
		if cfg.ARITransport == string(ari.TransportProxy) {
			// Many Asterisk nodes, each behind its own ari-proxy on NATS.
			t, err := ariproxy.New(ariproxy.Config{
				NATSURL: cfg.NATSURL, App: cfg.ARIApp, Nodes: cfg.ARIProxyNodes,
				Pick: ariproxy.Pick(cfg.ARIProxyPick), Logger: g.log,
			})
			if err != nil {
				return fmt.Errorf("ari.transport proxy (ari.proxy_nodes, bus.nats_url): %w", err)
			}
			g.tel = t
			break
		}
		t, err := ari.New(ari.Config{
			URL: cfg.ARIURL, WSURL: cfg.ARIWSURL, User: cfg.ARIUser, Password: cfg.ARIPassword,
			App: cfg.ARIApp, NodeID: cfg.NodeID, Logger: g.log,
			Transport: ari.Transport(cfg.ARITransport), NATSURL: cfg.NATSURL,
		})
		if err != nil {
			if errors.Is(err, ari.ErrProxyNotImplemented) {
				return fmt.Errorf("ari.transport (CALLGATE_ARI_TRANSPORT): %w", err)
			}
			return fmt.Errorf("ari: %w", err)
		}
		g.tel = t
	}

	g.media = g.newMedia(core.NewRecords(g.st))
	g.eng = core.New(core.Options{Store: g.st, Tel: g.tel, Bus: g.bus, Logger: g.log.With("component", "engine"), Media: g.mediaPort(),
		SMSPerSecond: cfg.SMSPerSecond, SMSEndpoint: cfg.SMSEndpoint, Fence: fence,
		Webhooks: webhook.NewHTTPSender(), CallerNameBound: cfg.CallerNameBound})
	g.engPtr.Store(g.eng)
	return nil
}

// start starts the engine and the listeners, then prints where it listens.
func (g *gateway) start(ctx context.Context, stdout io.Writer) error {
	if g.cl == nil {
		if err := g.eng.Start(ctx); err != nil {
			return fmt.Errorf("engine: %w", err)
		}
		g.engineUp.Store(true)
		g.startMedia()
		g.resumeSMS(ctx)
		g.startInfocaller()
	}

	ln, err := net.Listen("tcp", g.cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("http.addr: %w", err)
	}
	g.httpLn = ln
	g.httpSrv = &http.Server{
		Handler:           g.router(),
		ReadHeaderTimeout: g.cfg.HTTPReadHeaderTimeout,
		// Request line and headers together: a longer GET query string
		// is answered 431 by net/http before any handler runs.
		MaxHeaderBytes: g.cfg.HTTPMaxHeaderBytes,
		ReadTimeout:    g.cfg.HTTPReadTimeout,
		WriteTimeout:   g.cfg.HTTPWriteTimeout,
		IdleTimeout:    g.cfg.HTTPIdleTimeout,
		ErrorLog:       slog.NewLogLogger(g.log.Handler(), slog.LevelWarn),
	}
	// Event streams never end by themselves: end them when shutdown starts.
	g.httpSrv.RegisterOnShutdown(g.closeStreams)
	go func() {
		if err := g.httpSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			g.fatal <- fmt.Errorf("http: %w", err)
		}
	}()

	if g.cl == nil {
		if err := g.startECCP(); err != nil {
			return err
		}
	}

	if err := g.startPprof(stdout); err != nil {
		return err
	}
	if g.cl != nil {
		if g.cfg.ECCPAddr != "" {
			eln, err := net.Listen("tcp", g.cfg.ECCPAddr)
			if err != nil {
				return fmt.Errorf("eccp.addr: %w", err)
			}
			g.eccpShared, g.eccpLn = eln, eln
		}
		g.cl.run() // stands by until elected (cluster.go)
	}
	fmt.Fprintf(stdout, "callgate: HTTP listening on %s (wallboard /, agent workspace /agent, admin API /api/v1, VICIdial %s, /healthz, /readyz, /metrics)\n",
		ln.Addr(), g.cfg.VicidialPath)
	if g.eccpLn != nil {
		fmt.Fprintf(stdout, "callgate: ECCP listening on %s\n", g.eccpLn.Addr())
	} else {
		fmt.Fprintln(stdout, "callgate: ECCP disabled")
	}
	if g.simari != nil {
		fmt.Fprintf(stdout, "callgate: simulated Asterisk: ARI http://%s/ari, control API http://%s/control (HTTP Basic ari.user / ari.password)\n",
			g.simari.addr, g.simari.addr)
	}
	if g.cfg.Demo {
		// The token is printed only when it is the published demo one.
		token := "from configuration (not shown)"
		if g.cfg.AdminToken == config.DemoAdminToken {
			token = strconv.Quote(g.cfg.AdminToken)
		}
		fmt.Fprintf(stdout, "callgate: demo mode: %s PBX, database %s, admin token %s\n", pbxName(g.cfg.Telephony), demoDSN(g.cfg.DBDSN), token)
		if g.cfg.Seed {
			fmt.Fprintf(stdout, "callgate: demo data: VICIdial API user %s/%s driving agent %s; ECCP client %s/%s, agents Agent/9000 and SIP/1064\n",
				demo.VicidialAPIUser, demo.VicidialAPIPass, demo.VicidialAgent, demo.ECCPClient, demo.ECCPClientPass)
		}
		if g.cfg.AdminToken == config.DemoAdminToken {
			fmt.Fprintf(stdout, "callgate: try: curl -H 'Authorization: Bearer %s' http://%s/api/v1/agents\n", g.cfg.AdminToken, hostPort(ln.Addr()))
		}
	}
	eccpAddr := "off"
	if g.eccpLn != nil {
		eccpAddr = g.eccpLn.Addr().String()
	}
	g.log.Info("callgate serving", "http", ln.Addr().String(), "eccp", eccpAddr, "telephony", g.cfg.Telephony, "demo", g.cfg.Demo)
	return nil
}

// startECCP serves ECCP on eccp.addr with the current engine (in a
// cluster: the leader only, for its term).
func (g *gateway) startECCP() error {
	if g.cfg.ECCPAddr == "" {
		return nil
	}
	srv, err := g.newECCPServer()
	if err != nil {
		return err
	}
	eln, err := net.Listen("tcp", g.cfg.ECCPAddr)
	if err != nil {
		return fmt.Errorf("eccp.addr: %w", err)
	}
	g.eccpSrv, g.eccpLn = srv, eln
	g.eccpPtr.Store(srv)
	go func() {
		// Serve retries accept errors (out of descriptors under a
		// flood included) and returns only once its listener is
		// closed, so nothing a client does can end the process here.
		if err := srv.Serve(eln); err != nil && !errors.Is(err, net.ErrClosed) && !errors.Is(err, eccp.ErrServerClosed) {
			g.fatal <- fmt.Errorf("eccp: %w", err)
		}
	}()
	return nil
}

// newECCPServer builds an ECCP server on the current engine.
func (g *gateway) newECCPServer() (*eccp.Server, error) {
	allow, err := prefixes(g.cfg.ECCPAllowFrom)
	if err != nil {
		return nil, err
	}
	return eccp.NewServer(g.eng, eccp.Options{
		Addr: g.cfg.ECCPAddr, Logger: g.log, AllowFrom: allow, IdleTimeout: g.cfg.ECCPIdleTimeout,
		MaxConns: g.cfg.ECCPMaxConns, MaxConnsPerSource: g.cfg.ECCPMaxConnsPerSource, LoginTimeout: g.cfg.ECCPLoginTimeout,
		RelayKey: g.relayKey,
	}), nil
}

// configAttrs renders the redacted settings as one sorted group, so that the
// start-up line reads config.http.addr=... in text and an object in JSON
// (a Go map would print as map[...] in text).
func configAttrs(cfg config.Config) slog.Attr {
	red := cfg.Redacted()
	names := make([]string, 0, len(red))
	for k := range red {
		names = append(names, k)
	}
	sort.Strings(names)
	attrs := make([]any, 0, len(names))
	for _, k := range names {
		attrs = append(attrs, slog.String(k, red[k]))
	}
	return slog.Group("config", attrs...)
}

// demoDSN shows a SQLite path as is and hides anything else (a MySQL DSN
// carries a password).
func demoDSN(dsn string) string {
	if strings.HasPrefix(dsn, "sqlite://") {
		return dsn
	}
	return "(configured, not shown)"
}

func pbxName(mode string) string {
	switch mode {
	case "sim":
		return "simulated"
	case "simari":
		return "simulated Asterisk (ARI)"
	}
	return mode
}

func hostPort(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

func prefixes(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p)
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("eccp.allow_from: invalid address %q", s)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// stop is the SIGTERM path: drain, then shut down within grace.
func (g *gateway) stop(grace time.Duration) {
	g.drain()
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	g.shutdown(ctx)
}

// drain turns /readyz to 503 and keeps every listener serving for
// shutdown_drain, so that a load balancer probing /readyz takes this node
// out before its listeners close; requests that still arrive are served.
func (g *gateway) drain() {
	g.draining.Store(true)
	d := g.cfg.ShutdownDrain
	if d <= 0 {
		return
	}
	g.log.Info("draining: /readyz answers 503, listeners stay open", "drain", d)
	<-g.drainTimer(d)
}

// shutdown stops taking work (readyz turns 503, listeners close), drains
// in-flight requests and sessions, stops the engine and closes the store.
func (g *gateway) shutdown(ctx context.Context) {
	g.once.Do(func() {
		g.draining.Store(true)
		var wg sync.WaitGroup
		if g.httpSrv != nil {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := g.httpSrv.Shutdown(ctx); err != nil {
					g.log.Warn("http shutdown", "err", err)
					_ = g.httpSrv.Close()
				}
			}()
		}
		if g.eccpSrv != nil {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := g.eccpSrv.Shutdown(ctx); err != nil {
					g.log.Warn("eccp shutdown", "err", err)
				}
			}()
		}
		wg.Wait()
		if g.cl != nil {
			g.cl.shutdown(ctx) // resigns the lease, stops the term's engine
		}
		for _, c := range g.closers {
			if err := c.Close(); err != nil {
				g.log.Warn("close", "err", err)
			}
		}
		if g.cl == nil && g.engineUp.Load() {
			if err := g.eng.Stop(ctx); err != nil {
				g.log.Warn("engine stop", "err", err)
			}
			g.engineUp.Store(false)
		} else if g.cl == nil && g.tel != nil {
			_ = g.tel.Close()
		}
		if g.simari != nil {
			_ = g.simari.Close()
		}
		if g.bus != nil {
			_ = g.bus.Close()
		}
		if g.st != nil {
			if err := g.st.Close(); err != nil {
				g.log.Warn("store close", "err", err)
			}
		}
		g.log.Info("callgate stopped")
	})
}

// router is the one HTTP server of every HTTP dialect.
func (g *gateway) router() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.RequestID)
	r.Use(g.requestLog)
	r.Use(g.metrics.middleware)
	r.Use(middleware.Recoverer)
	r.Use(g.limitBody)

	r.Get("/healthz", func(w http.ResponseWriter, r *http.Request) {
		writeStatus(w, http.StatusOK, "ok")
	})
	r.Get("/readyz", func(w http.ResponseWriter, r *http.Request) {
		status := g.readiness()
		g.noteReadiness(status)
		code := http.StatusOK
		if status != "ready" {
			code = http.StatusServiceUnavailable
		}
		writeStatus(w, code, status)
	})
	// /leaderz: 200 on the gateway running the engine (always, for one
	// gateway), 503 on a standby: what a TCP balancer for ECCP checks.
	r.Get("/leaderz", func(w http.ResponseWriter, r *http.Request) {
		if g.cl == nil || g.cl.serving.Load() {
			writeStatus(w, http.StatusOK, "leader")
			return
		}
		writeStatus(w, http.StatusServiceUnavailable, "standby")
	})
	if g.cfg.MetricsEnabled {
		r.Handle("/metrics", g.metrics.handler())
	}
	// Every gateway answers for itself, leader or not.
	r.Get(adminPrefix+"/cluster", g.serveCluster)
	if g.cl != nil {
		// The leader's engine serves; a standby forwards (cluster.go).
		r.Handle("/*", g.cl)
		return r
	}
	g.mountDialects(r)
	return r
}

// mountDialects mounts every HTTP dialect on the current engine.
func (g *gateway) mountDialects(r chi.Router) {
	pages := web.New(web.Options{Engine: g.eng, AdminToken: g.cfg.AdminToken, CRMOrigins: g.cfg.WebCRMOrigins, Logger: g.log.With("component", "web")})
	g.adminAPI = admin.New(admin.Options{
		Records: g.eng.Records(), Engine: g.eng, Token: g.cfg.AdminToken, Sim: g.sim, Logger: g.log.With("component", "admin"),
		Media: g.mediaPort(), Sessions: pages,
	})
	r.Mount(adminPrefix, g.adminAPI)
	for _, p := range web.Routes() {
		r.Handle(p, pages)
	}
	vd := vicidial.NewHandler(g.eng, vicidial.Options{
		ServerIP: g.cfg.VicidialServerIP, MaxBody: g.cfg.HTTPMaxBody, Logger: g.log.With("component", "vicidial"),
	})
	r.Handle(g.cfg.VicidialPath, vd)
	ucOpt := ucontact.Options{Token: g.cfg.UContactToken, MaxBody: g.cfg.HTTPMaxBody, Logger: g.log.With("component", "ucontact")}
	r.Mount(ucontactPrefix, ucontact.New(g.eng, ucOpt))
	r.Mount("/records", ucontact.NewRecords(g.eng, ucOpt))
	r.Mount(expandRESTPrefix, expandrest.New(g.eng, expandrest.Options{MaxBody: g.cfg.HTTPMaxBody, Logger: g.log.With("component", "expand-rest")}))
	core.NewScriptRunner(g.eng)
	ic := infocaller.New(g.eng, infocaller.Options{MaxBody: g.cfg.HTTPMaxBody, Logger: g.log.With("component", "infocaller")})
	r.Handle(infocallerPath, ic)
	r.Handle(infocallerPath+"/", ic)
	if c, ok := vd.(io.Closer); ok {
		g.closers = append(g.closers, c)
	}
	na := vicidial.NewNonAgentHandler(g.eng, vicidial.Options{
		ServerIP: g.cfg.VicidialServerIP, MaxBody: g.cfg.HTTPMaxBody, Logger: g.log.With("component", "vicidial-nonagent"),
	})
	r.Handle(g.cfg.VicidialNonAgentPath, na)
	g.closers = append(g.closers, na)
	g.mountExpand(r)
}

// closeStreams ends the admin API's event streams (shutdown).
func (g *gateway) closeStreams() {
	if g.cl != nil {
		g.cl.closeStreams()
		return
	}
	g.adminAPI.CloseStreams()
}

const adminPrefix = "/api/v1"

// ucontactPrefix is where the uContact Integra resources live.
const ucontactPrefix = "/Integra/resources"

// expandRESTPrefix is where eXpand's expandweb3 REST API lives.
const expandRESTPrefix = "/expandweb3/api"

// infocallerPath is the Infocaller emission API (apicall.infoe.es/).
const infocallerPath = "/apicall"

// limitBody bounds the body of every request the dialects do not bound
// themselves (health, metrics, unknown routes and methods) to http.max_body:
// a declared length over it is answered 413 at once, a longer chunked body
// fails its reader. The VICIdial and admin handlers apply their own limits
// so that their 413 comes in their own format.
func (g *gateway) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// chi routes on the escaped path when there is one; so does this.
		p := r.URL.RawPath
		if p == "" {
			p = r.URL.Path
		}
		if p == g.cfg.VicidialPath || p == g.cfg.VicidialNonAgentPath || p == adminPrefix || strings.HasPrefix(p, adminPrefix+"/") || strings.HasPrefix(p, ucontactPrefix+"/") || strings.HasPrefix(p, expandRESTPrefix+"/") || ownsBodyLimit(p) || p == infocallerPath || p == infocallerPath+"/" {
			next.ServeHTTP(w, r)
			return
		}
		if r.ContentLength > g.cfg.HTTPMaxBody {
			w.Header().Set("Connection", "close") // the body stays unread
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, g.cfg.HTTPMaxBody)
		next.ServeHTTP(w, r)
	})
}

// readiness is what /readyz reports: "ready" or why not.
func (g *gateway) readiness() string {
	switch {
	case g.draining.Load():
		return "shutting down"
	case g.cl != nil && !g.engineUp.Load():
		return g.cl.standbyReadiness()
	case !g.engineUp.Load() || !g.engPtr.Load().Ready():
		return "pbx not connected"
	default:
		return "ready"
	}
}

// noteReadiness logs a change of readiness once, not every probe: losing
// the PBX is a WARN, becoming ready or draining for shutdown is expected.
func (g *gateway) noteReadiness(status string) {
	g.readyMu.Lock()
	was := g.readyWas
	g.readyWas = status
	g.readyMu.Unlock()
	if was == status {
		return
	}
	level := slog.LevelInfo
	if status == "pbx not connected" {
		level = slog.LevelWarn
	}
	g.log.Log(context.Background(), level, "readiness changed", "ready", status == "ready", "status", status, "was", was)
}

func writeStatus(w http.ResponseWriter, code int, status string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	fmt.Fprintf(w, "{\"status\":%q}\n", status)
}

// requestLog writes one structured line per request with its request id.
func (g *gateway) requestLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		if id := middleware.GetReqID(r.Context()); id != "" {
			ww.Header().Set("X-Request-Id", id)
		}
		next.ServeHTTP(ww, r)
		level := slog.LevelInfo
		switch {
		case r.URL.Path == "/healthz" || r.URL.Path == "/readyz" || r.URL.Path == "/leaderz" || r.URL.Path == "/metrics":
			// Probes: a 503 of /readyz is an answer, not a failure;
			// noteReadiness logs its changes.
			level = slog.LevelDebug
		case ww.Status() >= 500:
			level = slog.LevelError
		}
		// The query string is left out: VICIdial passes credentials in it.
		g.log.Log(r.Context(), level, "http request",
			"request_id", middleware.GetReqID(r.Context()), "method", r.Method, "path", r.URL.Path,
			"route", routePattern(r), "status", ww.Status(), "bytes", ww.BytesWritten(),
			"duration_ms", float64(time.Since(start).Microseconds())/1000, "remote", r.RemoteAddr)
	})
}

// routePattern is the chi route pattern that served r, "other" when none
// matched: a label from a closed set, never the raw path.
func routePattern(r *http.Request) string {
	if rc := chi.RouteContext(r.Context()); rc != nil {
		if p := rc.RoutePattern(); p != "" {
			return p
		}
	}
	return "other"
}
