package main

import (
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/callgate/callgate/core"
)

// metrics has its own registry (not the global one) so several gateways
// can run in one test process.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(eng *core.Engine, engineUp func() bool) *metrics {
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
	gauge := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
			// Before Start and after Stop the engine's maps are not
			// meaningful; report zero rather than stale numbers.
			if !engineUp() {
				return 0
			}
			return f()
		})
	}
	m.reg.MustRegister(
		m.requests, m.latency,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		gauge("callgate_pbx_ready", "1 while the engine is started and the PBX connected.", func() float64 {
			if eng.Ready() {
				return 1
			}
			return 0
		}),
		gauge("callgate_agents_logged_in", "Agents with a live session.", func() float64 { return float64(len(eng.Sessions())) }),
		gauge("callgate_agents_paused", "Logged-in agents currently paused.", func() float64 {
			n := 0
			for _, s := range eng.Sessions() {
				if s.Paused {
					n++
				}
			}
			return float64(n)
		}),
		gauge("callgate_agents_on_call", "Logged-in agents on a call.", func() float64 {
			n := 0
			for _, s := range eng.Sessions() {
				if s.State == core.AgentOnCall {
					n++
				}
			}
			return float64(n)
		}),
		gauge("callgate_calls_active", "Calls held by the engine.", func() float64 { return float64(len(eng.ActiveCalls())) }),
		gauge("callgate_calls_waiting", "Calls waiting in a queue for an agent.", func() float64 {
			n := 0
			for _, q := range eng.Queues() {
				n += len(eng.Waiting(q.Name))
			}
			return float64(n)
		}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "callgate_events_published_total", Help: "Domain events published on the bus.",
		}, func() float64 { return float64(eng.Bus().LastSeq()) }),
	)
	// One series per cause of the closed set core.UnreachableCauses, so the
	// label never grows with agents or error texts.
	for _, cause := range core.UnreachableCauses {
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        "callgate_agent_unreachable_total",
			Help:        "Offers whose agent phone the PBX could not ring (each starts or extends a backoff), by cause.",
			ConstLabels: prometheus.Labels{"cause": cause},
		}, func() float64 { return float64(eng.UnreachableTotal()[cause]) }))
	}
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// middleware counts requests by chi route pattern (bounded cardinality:
// never the raw path).
func (m *metrics) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww, ok := w.(middleware.WrapResponseWriter)
		if !ok {
			ww = middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		}
		next.ServeHTTP(ww, r)
		route := routePattern(r)
		m.requests.WithLabelValues(route, r.Method, strconv.Itoa(ww.Status())).Inc()
		m.latency.WithLabelValues(route, r.Method).Observe(time.Since(start).Seconds())
	})
}
