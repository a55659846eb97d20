package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

type config struct {
	base  *url.URL
	sc    scenario
	conc  int
	rate  float64
	total int
	token string
}

// result is what a run measured.
type result struct {
	elapsed   time.Duration
	latencies []time.Duration // of answered requests
	ok        int
	refused   int // answered, but the dialect said no (ERROR…, non-200)
	failed    int // no answer: connection errors, timeouts
	status    map[int]int
}

// runLoad sends requests until ctx ends or cfg.total are sent: in a closed
// loop (each worker sends its next request when the last is answered) or at
// a fixed rate (a ticker hands out request slots; slots the workers cannot
// take in time are counted as failed, so an overloaded gateway shows).
func runLoad(ctx context.Context, cfg config) result {
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		MaxIdleConns: cfg.conc, MaxIdleConnsPerHost: cfg.conc, MaxConnsPerHost: cfg.conc,
	}}
	var seq atomic.Uint64
	slots := make(chan struct{}, cfg.conc)
	var dropped atomic.Int64
	if cfg.rate > 0 {
		go pace(ctx, cfg.rate, slots, &dropped)
	}
	parts := make([]result, cfg.conc)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range cfg.conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &parts[w]
			r.status = map[int]int{}
			for {
				if cfg.rate > 0 {
					select {
					case <-ctx.Done():
						return
					case <-slots:
					}
				}
				n := seq.Add(1)
				if ctx.Err() != nil || (cfg.total > 0 && n > uint64(cfg.total)) {
					return
				}
				one(ctx, client, cfg, n, r)
			}
		}()
	}
	wg.Wait()
	total := result{elapsed: time.Since(start), status: map[int]int{}, failed: int(dropped.Load())}
	for _, p := range parts {
		total.latencies = append(total.latencies, p.latencies...)
		total.ok += p.ok
		total.refused += p.refused
		total.failed += p.failed
		for k, v := range p.status {
			total.status[k] += v
		}
	}
	slices.Sort(total.latencies)
	return total
}

// pace offers rate request slots per second; a slot no worker took before
// the next tick is dropped and counted.
func pace(ctx context.Context, rate float64, slots chan<- struct{}, dropped *atomic.Int64) {
	t := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			select {
			case slots <- struct{}{}:
			default:
				dropped.Add(1)
			}
		}
	}
}

func one(ctx context.Context, client *http.Client, cfg config, n uint64, r *result) {
	req, err := cfg.sc.build(cfg.base, n, cfg.token)
	if err != nil {
		r.failed++
		return
	}
	t0 := time.Now()
	res, err := client.Do(req.WithContext(ctx))
	if err != nil {
		if ctx.Err() == nil {
			r.failed++
		}
		return
	}
	body := drain(res.Body)
	res.Body.Close()
	r.latencies = append(r.latencies, time.Since(t0))
	r.status[res.StatusCode]++
	if res.StatusCode/100 == 2 && (cfg.sc.ok == nil || cfg.sc.ok(body)) {
		r.ok++
	} else {
		r.refused++
	}
}

func (r result) percentile(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	i := int(p * float64(len(r.latencies)-1))
	return r.latencies[i]
}

// rate is the answered requests per second.
func (r result) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(len(r.latencies)) / r.elapsed.Seconds()
}

func (r result) print(w io.Writer, name string) {
	answered := len(r.latencies)
	rps := r.rate()
	fmt.Fprintf(w, "%s: %d answered in %s = %.0f req/s\n", name, answered, r.elapsed.Round(time.Millisecond), rps)
	fmt.Fprintf(w, "  latency p50 %s  p90 %s  p99 %s  max %s\n",
		r.percentile(0.50), r.percentile(0.90), r.percentile(0.99), r.percentile(1))
	fmt.Fprintf(w, "  ok %d  refused %d  failed %d  status %v\n", r.ok, r.refused, r.failed, r.status)
}
