package main

import (
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/callgate/callgate/api/eccp"
	"github.com/callgate/callgate/core"
)

// metrics has its own registry (not the global one) so several gateways
// can run in one test process.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(current func() *core.Engine, engineUp func() bool) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callgate_http_requests_total",
			Help: "HTTP requests by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "callgate_http_request_duration_seconds",
			Help:    "HTTP request latency by route pattern and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method"}),
	}
	gauge := func(name, help string, f func(eng *core.Engine) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
			// Before Start and after Stop the engine's maps are not
			// meaningful; report zero rather than stale numbers.
			eng := current()
			if !engineUp() || eng == nil {
				return 0
			}
			return f(eng)
		})
	}
	// counter reads a running total of the current engine (zero while
	// there is none); unlike gauge it still reads a stopped engine.
	counter := func(name, help string, f func(eng *core.Engine) float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 {
			if e := current(); e != nil {
				return f(e)
			}
			return 0
		})
	}
	m.reg.MustRegister(
		m.requests, m.latency,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		gauge("callgate_pbx_ready", "1 while the engine is started and the PBX connected.", func(eng *core.Engine) float64 {
			if eng.Ready() {
				return 1
			}
			return 0
		}),
		gauge("callgate_agents_logged_in", "Agents with a live session.", func(eng *core.Engine) float64 { return float64(len(eng.Sessions())) }),
		gauge("callgate_agents_paused", "Logged-in agents currently paused.", func(eng *core.Engine) float64 {
			n := 0
			for _, s := range eng.Sessions() {
				if s.Paused {
					n++
				}
			}
			return float64(n)
		}),
		gauge("callgate_agents_on_call", "Logged-in agents on a call.", func(eng *core.Engine) float64 {
			n := 0
			for _, s := range eng.Sessions() {
				if s.State == core.AgentOnCall {
					n++
				}
			}
			return float64(n)
		}),
		gauge("callgate_calls_active", "Calls held by the engine.", func(eng *core.Engine) float64 { return float64(len(eng.ActiveCalls())) }),
		gauge("callgate_calls_waiting", "Calls waiting in a queue for an agent.", func(eng *core.Engine) float64 {
			n := 0
			for _, q := range eng.Queues() {
				n += len(eng.Waiting(q.Name))
			}
			return float64(n)
		}),
		counter("callgate_events_published_total", "Domain events published on the bus.", func(e *core.Engine) float64 {
			return float64(e.Bus().LastSeq())
		}),
		counter("callgate_store_commits_total", "Store transactions of the engine's group commit (a lone write is one).", func(e *core.Engine) float64 {
			n, _ := e.CommitTotals()
			return float64(n)
		}),
		counter("callgate_store_commit_writes_total", "Engine writes (and API log appends) those commits carried; divided by the commits, how many shared one.", func(e *core.Engine) float64 {
			_, n := e.CommitTotals()
			return float64(n)
		}),
	)
	// One series per cause of the closed set core.UnreachableCauses, so the
	// label never grows with agents or error texts.
	for _, cause := range core.UnreachableCauses {
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        "callgate_agent_unreachable_total",
			Help:        "Offers whose agent phone the PBX could not ring (each starts or extends a backoff), by cause.",
			ConstLabels: prometheus.Labels{"cause": cause},
		}, func() float64 {
			if e := current(); e != nil {
				return float64(e.UnreachableTotal()[cause])
			}
			return 0
		}))
	}
	return m
}

// watchCluster exports this gateway's view of the election.
func (m *metrics) watchCluster(view func() clusterView) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "callgate_cluster_leader", Help: "1 while this gateway leads (runs the engine), 0 while it stands by."}, func() float64 {
			if view().Leader {
				return 1
			}
			return 0
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "callgate_cluster_term", Help: "Lease term (fencing token) this gateway last saw; 0 without a lease."}, func() float64 {
			return float64(view().Term)
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "callgate_cluster_nodes_seen", Help: "Other gateways that announced themselves within three lease TTLs."}, func() float64 {
			return float64(len(view().Nodes))
		}),
	)
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// middleware counts requests by chi route pattern, method and status, each
// from a closed set (never the raw path or method), so that clients cannot
// grow /metrics.
func (m *metrics) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww, ok := w.(middleware.WrapResponseWriter)
		if !ok {
			ww = middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		}
		next.ServeHTTP(ww, r)
		route, method := routePattern(r), methodLabel(r.Method)
		m.requests.WithLabelValues(route, method, strconv.Itoa(ww.Status())).Inc()
		m.latency.WithLabelValues(route, method).Observe(time.Since(start).Seconds())
	})
}

// methodLabel keeps the method label in a closed set: net/http accepts any
// token as a method, and each new one would be a new series.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "other"
}

// watchECCP exports the ECCP listener's flood counters. The reason label
// takes only the values of eccp.RejectReasons, each present from the start.
func (m *metrics) watchECCP(srv func() *eccp.Server) {
	m.reg.MustRegister(eccpCollector{srv})
}

var (
	eccpSessionsDesc = prometheus.NewDesc("callgate_eccp_sessions",
		"Open ECCP connections.", nil, nil)
	eccpUnauthDesc = prometheus.NewDesc("callgate_eccp_sessions_unauthenticated",
		"Open ECCP connections that have not logged in yet.", nil, nil)
	eccpRejectedDesc = prometheus.NewDesc("callgate_eccp_connections_rejected_total",
		"ECCP connections the gateway closed on its own, by reason: global_cap (eccp.max_conns), source_cap (eccp.max_conns_per_source), login_timeout (eccp.login_timeout), allow_list (eccp.allow_from).",
		[]string{"reason"}, nil)
	eccpAcceptErrorsDesc = prometheus.NewDesc("callgate_eccp_accept_errors_total",
		"Failed accepts on the ECCP listener (for example out of file descriptors), each retried after a backoff.", nil, nil)
)

// eccpCollector reads the current ECCP server (none: zeros; in a cluster
// only the leader serves ECCP).
type eccpCollector struct{ srv func() *eccp.Server }

func (c eccpCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- eccpSessionsDesc
	ch <- eccpUnauthDesc
	ch <- eccpRejectedDesc
	ch <- eccpAcceptErrorsDesc
}

func (c eccpCollector) Collect(ch chan<- prometheus.Metric) {
	var st eccp.Stats
	if srv := c.srv(); srv != nil {
		st = srv.Stats()
	}
	ch <- prometheus.MustNewConstMetric(eccpSessionsDesc, prometheus.GaugeValue, float64(st.Sessions))
	ch <- prometheus.MustNewConstMetric(eccpUnauthDesc, prometheus.GaugeValue, float64(st.Unauthenticated))
	for _, reason := range eccp.RejectReasons {
		ch <- prometheus.MustNewConstMetric(eccpRejectedDesc, prometheus.CounterValue, float64(st.Rejected[reason]), reason)
	}
	ch <- prometheus.MustNewConstMetric(eccpAcceptErrorsDesc, prometheus.CounterValue, float64(st.AcceptErrors))
}
