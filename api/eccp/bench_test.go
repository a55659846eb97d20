package eccp

import (
	"bytes"
	"net"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// BenchmarkEventFanout1000Sessions measures how long an event published on
// the core bus takes to reach 1,000 logged-in ECCP sessions over loopback
// TCP. It reports the per-session delivery latency percentiles and the
// time until the last session has the event.
//
//	go test ./api/eccp -run '^$' -bench EventFanout -benchtime 200x
func BenchmarkEventFanout1000Sessions(b *testing.B) {
	const sessions = 1000
	// The sessions connect faster than they log in: let them all wait.
	e := newEnv(b, storetest.SQLite, func(o *Options) { o.MaxConnsPerSource = sessions })
	conns := make([]net.Conn, sessions)
	login := []byte(xmlDecl + "<request id=\"1\"><login><username>agentconsole</username><password>agentconsole</password></login></request>\n")
	for i := range conns {
		c, err := net.Dial("tcp", e.addr)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { c.Close() })
		if _, err := c.Write(login); err != nil {
			b.Fatal(err)
		}
		conns[i] = c
	}
	var (
		mu      sync.Mutex
		lat     []time.Duration
		pending atomic.Int64
		done    = make(chan struct{}, 1)
	)
	start := make(chan struct{})
	var ready sync.WaitGroup
	for _, c := range conns {
		ready.Add(1)
		go func(c net.Conn) {
			// Packets are framed by structure, as the PHP client does: past
			// 8 KiB unread they come without a trailing newline.
			fr := newFramer(0)
			buf := make([]byte, 64<<10)
			var docs [][]byte
			next := func() ([]byte, error) {
				for len(docs) == 0 {
					n, err := c.Read(buf)
					fr.feed(buf[:n])
					for {
						d, ferr := fr.next()
						if ferr != nil {
							return nil, ferr
						}
						if d == nil {
							break
						}
						docs = append(docs, d)
					}
					if len(docs) == 0 && err != nil {
						return nil, err
					}
				}
				d := docs[0]
				docs = docs[1:]
				return d, nil
			}
			local := make([]time.Duration, 0, 1024)
			first := true
			for {
				line, err := next()
				if err != nil {
					mu.Lock()
					lat = append(lat, local...)
					mu.Unlock()
					return
				}
				line = bytes.TrimPrefix(line, []byte(xmlDecl))
				if bytes.HasPrefix(line, []byte("<response")) && first {
					first = false
					ready.Done()
					<-start
					continue
				}
				i := bytes.Index(line, []byte("<agent>SIP/"))
				if i < 0 {
					continue
				}
				rest := line[i+len("<agent>SIP/"):]
				j := bytes.IndexByte(rest, '<')
				ns, _ := strconv.ParseInt(string(rest[:j]), 10, 64)
				local = append(local, time.Since(time.Unix(0, ns)))
				if len(local) == cap(local) {
					mu.Lock()
					lat = append(lat, local...)
					mu.Unlock()
					local = local[:0]
				}
				if pending.Add(-1) == 0 {
					done <- struct{}{}
				}
			}
		}(c)
	}
	ready.Wait()
	close(start)
	bus := e.eng.Bus()
	var total []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		pending.Store(sessions)
		t0 := time.Now()
		bus.Publish(core.AgentLoggedIn{Agent: "bench", Interface: "SIP/" + strconv.FormatInt(t0.UnixNano(), 10)}, "bench")
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			b.Fatalf("event %d reached only %d of %d sessions", i, sessions-pending.Load(), sessions)
		}
		total = append(total, time.Since(t0))
	}
	b.StopTimer()
	for _, c := range conns {
		c.Close()
	}
	time.Sleep(100 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	pct := func(xs []time.Duration, p float64) float64 {
		if len(xs) == 0 {
			return 0
		}
		sort.Slice(xs, func(i, j int) bool { return xs[i] < xs[j] })
		return float64(xs[int(p*float64(len(xs)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(lat, 0.50), "p50-ms")
	b.ReportMetric(pct(lat, 0.99), "p99-ms")
	b.ReportMetric(pct(total, 0.50), "all-p50-ms")
	b.ReportMetric(pct(total, 0.99), "all-p99-ms")
}
