package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// fanoutScenario is the eccp/fanout run: -c ECCP consoles log in on the
// gateway's ECCP port, then an agent is paused and resumed through the
// admin API -rate times a second; every pause event must reach every
// console. It reports, per console and event, the time from the command
// sent to the event read, and how many events never arrived.
const fanoutScenario = "eccp/fanout"

type fanoutConfig struct {
	base       *url.URL
	eccp       string
	sessions   int
	rate       float64
	token      string
	user, pass string
	agent      string // admin API agent id
	// read starts reading the consoles (readConsoles if nil).
	read func([]*console) (stop func())
}

// console is one ECCP session: the arrival times of its pause events.
type console struct {
	conn net.Conn
	mu   sync.Mutex
	got  []time.Time
	tail []byte // the end of the last read, where a tag may have begun
}

func runFanout(ctx context.Context, cfg fanoutConfig, out io.Writer) error {
	if err := loopbackAddr(cfg.eccp); err != nil {
		return err
	}
	if err := prepareAgent(ctx, cfg); err != nil {
		return err
	}
	consoles, err := openConsoles(ctx, cfg)
	for _, c := range consoles {
		defer c.conn.Close()
	}
	if err != nil {
		return err
	}
	read := cfg.read
	if read == nil {
		read = readConsoles
	}
	stop := read(consoles)
	sent, rtt, err := triggerPauses(ctx, cfg)
	// Late events get two seconds, then the reading stops.
	if err == nil {
		time.Sleep(2 * time.Second)
	}
	stop()
	if err != nil {
		return err
	}
	printFanout(out, consoles, sent, rtt)
	return nil
}

// readEach reads every console on a goroutine of its own (Go's poller):
// two read calls per event (the data, then EAGAIN) and a goroutine wake
// each; the epoll reader (Linux) is cheaper. stop closes the consoles.
func readEach(consoles []*console) (stop func()) {
	var wg sync.WaitGroup
	for _, c := range consoles {
		wg.Add(1)
		go func() { defer wg.Done(); c.read() }()
	}
	return func() {
		for _, c := range consoles {
			c.conn.Close()
		}
		wg.Wait()
	}
}

// loopbackAddr refuses an ECCP address off this machine.
func loopbackAddr(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
		return fmt.Errorf("-eccp %q: only a loopback host:port is allowed", addr)
	}
	return nil
}

// openConsoles connects and logs in the consoles, 32 at a time (the
// gateway caps connections not yet logged in per address).
func openConsoles(ctx context.Context, cfg fanoutConfig) ([]*console, error) {
	out := make([]*console, cfg.sessions)
	sem := make(chan struct{}, 32)
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	login := fmt.Sprintf("<?xml version=\"1.0\"?>\n<request id=\"1\"><login><username>%s</username><password>%s</password></login></request>\n", cfg.user, cfg.pass)
	for i := range out {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			c, err := loginConsole(ctx, cfg.eccp, login)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && first == nil {
				first = fmt.Errorf("ECCP console %d: %w", i, err)
			}
			out[i] = c
		}()
	}
	wg.Wait()
	var opened []*console
	for _, c := range out {
		if c != nil {
			opened = append(opened, c)
		}
	}
	return opened, first
}

func loginConsole(ctx context.Context, addr, login string) (*console, error) {
	d := net.Dialer{Timeout: 5 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, login); err != nil {
		conn.Close()
		return nil, err
	}
	var got []byte
	buf := make([]byte, 4096)
	for !bytes.Contains(got, []byte("</response>")) {
		n, err := conn.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			conn.Close()
			return nil, err
		}
	}
	if !bytes.Contains(got, []byte("<success/>")) {
		conn.Close()
		return nil, fmt.Errorf("login refused: %s", got)
	}
	_ = conn.SetDeadline(time.Time{})
	return &console{conn: conn}, nil
}

var pauseTags = [][]byte{[]byte("<pausestart>"), []byte("<pauseend>")}

// read records the arrival of each pause event until the connection ends.
func (c *console) read() {
	buf := make([]byte, 64<<10)
	for {
		n, err := c.conn.Read(buf)
		if n > 0 {
			c.take(buf[:n], time.Now())
		}
		if err != nil {
			return
		}
	}
}

// take counts the pause events completed by data, read at now.
func (c *console) take(data []byte, now time.Time) {
	chunk := append(c.tail, data...)
	c.mu.Lock()
	for _, tag := range pauseTags {
		for range bytes.Count(chunk, tag) {
			c.got = append(c.got, now)
		}
	}
	c.mu.Unlock()
	// Keep a tag's worth of bytes: a tag split across reads is counted
	// once, with the read that completes it.
	keep := min(len(chunk), len("<pausestart>")-1)
	c.tail = append(c.tail[:0], chunk[len(chunk)-keep:]...)
}

// adminPost posts an action on the agent through the admin API.
func adminPost(ctx context.Context, client *http.Client, cfg fanoutConfig) func(action string) (int, error) {
	return func(action string) (int, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.base.JoinPath("/api/v1/agents", cfg.agent, action).String(), strings.NewReader("{}"))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Authorization", "Bearer "+cfg.token)
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		drain(res.Body)
		res.Body.Close()
		return res.StatusCode, nil
	}
}

// prepareAgent logs the agent in and out of any pause (either may already
// be so), before the consoles connect, so they see only the run's events.
func prepareAgent(ctx context.Context, cfg fanoutConfig) error {
	post := adminPost(ctx, &http.Client{Timeout: 10 * time.Second}, cfg)
	if code, err := post("login"); err != nil || (code != http.StatusOK && code != http.StatusConflict) {
		return fmt.Errorf("logging agent %s in: %d %v", cfg.agent, code, err)
	}
	if code, err := post("unpause"); err != nil || (code != http.StatusOK && code != http.StatusConflict) {
		return fmt.Errorf("unpausing agent %s: %d %v", cfg.agent, code, err)
	}
	return nil
}

// triggerPauses alternates pause and resume at cfg.rate until ctx ends; it
// returns when each command was sent and how long each took to be answered.
func triggerPauses(ctx context.Context, cfg fanoutConfig) (sent []time.Time, rtt []time.Duration, err error) {
	post := adminPost(ctx, &http.Client{Timeout: 10 * time.Second}, cfg)
	tick := time.NewTicker(time.Duration(float64(time.Second) / cfg.rate))
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return sent, rtt, nil
		case <-tick.C:
		}
		t0 := time.Now()
		code, err := post([]string{"pause", "unpause"}[i%2])
		if ctx.Err() != nil {
			return sent, rtt, nil
		}
		if err != nil || code != http.StatusOK {
			return sent, rtt, fmt.Errorf("pause command %d: %d %v", i, code, err)
		}
		sent, rtt = append(sent, t0), append(rtt, time.Since(t0))
	}
}

// printFanout matches each console's i-th event with the i-th command.
// The command's own answer time is printed too: the engine publishes the
// event before it answers, so what lies past it is the fan-out's share.
func printFanout(out io.Writer, consoles []*console, sent []time.Time, rtt []time.Duration) {
	var lat []time.Duration
	lost := 0
	for _, c := range consoles {
		c.mu.Lock()
		for i, t0 := range sent {
			if i < len(c.got) {
				lat = append(lat, c.got[i].Sub(t0))
			} else {
				lost++
			}
		}
		c.mu.Unlock()
	}
	slices.Sort(lat)
	r := result{latencies: lat}
	fmt.Fprintf(out, "%s: %d consoles, %d events, %d deliveries, %d lost\n", fanoutScenario, len(consoles), len(sent), len(lat), lost)
	fmt.Fprintf(out, "  command to event p50 %s  p90 %s  p99 %s  max %s\n",
		r.percentile(0.50), r.percentile(0.90), r.percentile(0.99), r.percentile(1))
	f := result{latencies: afterFirst(consoles, len(sent))}
	fmt.Fprintf(out, "  after the first console p50 %s  p90 %s  p99 %s  max %s\n",
		f.percentile(0.50), f.percentile(0.90), f.percentile(0.99), f.percentile(1))
	slices.Sort(rtt)
	c := result{latencies: rtt}
	fmt.Fprintf(out, "  command answered p50 %s  p90 %s  p99 %s  max %s\n",
		c.percentile(0.50), c.percentile(0.90), c.percentile(0.99), c.percentile(1))
}

// afterFirst is each delivery's delay after the first console got the same
// event: the fan-out alone, without the command's own path to the bus.
func afterFirst(consoles []*console, events int) []time.Duration {
	first := make([]time.Time, events)
	for _, c := range consoles {
		c.mu.Lock()
		for i := 0; i < events && i < len(c.got); i++ {
			if first[i].IsZero() || c.got[i].Before(first[i]) {
				first[i] = c.got[i]
			}
		}
		c.mu.Unlock()
	}
	var out []time.Duration
	for _, c := range consoles {
		c.mu.Lock()
		for i := 0; i < events && i < len(c.got); i++ {
			out = append(out, c.got[i].Sub(first[i]))
		}
		c.mu.Unlock()
	}
	slices.Sort(out)
	return out
}
