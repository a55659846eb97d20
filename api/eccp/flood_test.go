package eccp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/callgate/callgate/pkg/store/storetest"
)

// dialFrom connects to addr from a chosen loopback address (Linux routes
// all of 127.0.0.0/8 to lo), so that tests can play several sources.
func dialFrom(t testing.TB, addr, from string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial from %s: %v", from, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// clientFrom is e.dial from another source address.
func (e *env) clientFrom(from string) *client {
	e.t.Helper()
	return &client{t: e.t, conn: dialFrom(e.t, e.addr, from), fr: newFramer(0), buf: make([]byte, 1<<20)}
}

// waitStats polls the server's counters until cond holds; the deadline
// only bounds a hang.
func waitStats(t testing.TB, s *Server, what string, cond func(Stats) bool) Stats {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := s.Stats()
		if cond(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; stats %+v", what, st)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// closedByServer reports whether the server closed c without a byte.
func closedByServer(c net.Conn) bool {
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := c.Read(make([]byte, 1))
	return n == 0 && (errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET))
}

// A flood of idle connections, from one source or from many, neither
// stops a logged-in console from getting answers and events nor keeps a
// new console out; the caps bound what the flood holds.
func TestIdleConnectionFloodKeepsConsolesServed(t *testing.T) {
	const (
		maxConns  = 50
		perSource = 20
		flood     = 500
	)
	cases := []struct {
		name    string
		sources []string // the flood comes round-robin from these
		newFrom []string // fresh consoles that must get in afterwards
		reason  string   // the cap the flood runs into
	}{
		{
			name:    "one source",
			sources: []string{"127.0.0.1"},
			newFrom: []string{"127.0.0.2", "127.0.0.1"},
			reason:  "source_cap",
		},
		{
			name:    "many sources",
			sources: []string{"127.0.0.10", "127.0.0.11", "127.0.0.12", "127.0.0.13", "127.0.0.14", "127.0.0.15", "127.0.0.16", "127.0.0.17", "127.0.0.18", "127.0.0.19"},
			newFrom: []string{"127.0.0.2", "127.0.0.10"},
			reason:  "global_cap",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, storetest.SQLite, func(o *Options) { o.MaxConns, o.MaxConnsPerSource = maxConns, perSource })
			console := e.dial()
			if r := console.login(); !strings.Contains(r, "<success/>") {
				t.Fatalf("console login: %s", r)
			}

			conns := make([]net.Conn, flood)
			for i := range conns {
				conns[i] = dialFrom(t, e.addr, tc.sources[i%len(tc.sources)])
			}
			// Every flood connection is either waiting to log in or closed.
			st := waitStats(t, e.srv, "the server to take the whole flood", func(st Stats) bool {
				return int(st.Rejected["global_cap"]+st.Rejected["source_cap"])+st.Unauthenticated == flood
			})
			if st.Sessions > maxConns || st.Unauthenticated > len(tc.sources)*perSource {
				t.Fatalf("caps exceeded: %+v", st)
			}
			if st.Rejected[tc.reason] == 0 {
				t.Fatalf("no connection closed for %s: %+v", tc.reason, st)
			}
			// The oldest connections are the ones closed, at once and
			// without a packet.
			if !closedByServer(conns[0]) {
				t.Fatal("the oldest idle connection is still open")
			}

			// The logged-in console keeps getting answers and events.
			if r := console.req("<getrequestlist/>"); !strings.Contains(r, "<request>login</request>") {
				t.Fatalf("console request: %s", r)
			}
			loginAgent1064(t, console)
			if !strings.Contains(console.log.String(), "<event><agentloggedin>") {
				t.Fatalf("console got no event:\n%s", console.log.String())
			}

			// New consoles get in, from a quiet source and from the
			// flooding one alike.
			for _, from := range tc.newFrom {
				c := e.clientFrom(from)
				if r := c.login(); !strings.Contains(r, "<success/>") {
					t.Fatalf("new console from %s: %s", from, r)
				}
			}
			if n := e.srv.Stats().Sessions; n > maxConns {
				t.Fatalf("%d sessions open, cap %d", n, maxConns)
			}
		})
	}
}

// When every open connection is logged in, a new one is closed at once:
// logged-in consoles are never closed to make room.
func TestConnectionCapRefusesNewcomersWhenAllAreLoggedIn(t *testing.T) {
	const maxConns = 5
	e := newEnv(t, storetest.SQLite, func(o *Options) { o.MaxConns = maxConns })
	consoles := make([]*client, maxConns)
	for i := range consoles {
		consoles[i] = e.clientFrom(fmt.Sprintf("127.0.0.%d", 20+i))
		if r := consoles[i].login(); !strings.Contains(r, "<success/>") {
			t.Fatalf("console %d: %s", i, r)
		}
	}
	extra := e.clientFrom("127.0.0.30")
	if !closedByServer(extra.conn) {
		t.Fatal("connection over the cap was not closed")
	}
	if n := e.srv.Stats().Rejected["global_cap"]; n != 1 {
		t.Fatalf("global_cap count %d, want 1", n)
	}
	for i, c := range consoles {
		if r := c.req("<getrequestlist/>"); !strings.Contains(r, "getrequestlist_response") {
			t.Fatalf("console %d after refusal: %s", i, r)
		}
	}
}

// A connection that has not logged in by the deadline is closed, whatever
// it did meanwhile; a logged-in one is not.
func TestLoginDeadlineClosesUnauthenticatedConnections(t *testing.T) {
	cases := []struct {
		name string
		do   func(c *client)
	}{
		{"idle", func(c *client) {}},
		{"failed login", func(c *client) {
			if r := c.req("<login><username>agentconsole</username><password>wrong</password></login>"); !strings.Contains(r, "<code>401</code>") {
				c.t.Fatalf("bad login: %s", r)
			}
		}},
		{"requests without login", func(c *client) { c.req("<getrequestlist/>") }},
		{"half a packet", func(c *client) { c.write(xmlDecl + "<request id=\"1\"><login><user") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// A second leaves the console time to log in on a loaded
			// machine (100 ms did not, about once in a few hundred runs
			// under -race); the probe still waits for the deadline.
			e := newEnv(t, storetest.SQLite, func(o *Options) { o.LoginTimeout = time.Second })
			// The console connects first, so its deadline passes before
			// the other connection's.
			console := e.dial()
			console.login()
			c := e.dial()
			tc.do(c)
			c.expectClose()
			if r := console.req("<getrequestlist/>"); !strings.Contains(r, "getrequestlist_response") {
				t.Fatalf("logged-in console after the deadline: %s", r)
			}
			st := waitStats(t, e.srv, "the closed connection to be counted", func(st Stats) bool { return st.Sessions == 1 })
			if st.Rejected["login_timeout"] != 1 || st.Unauthenticated != 0 {
				t.Fatalf("stats %+v", st)
			}
		})
	}
}

// flakyListener fails its first Accepts with the given errors, then
// accepts for real.
type flakyListener struct {
	net.Listener
	mu   sync.Mutex
	errs []error
}

func (l *flakyListener) Accept() (net.Conn, error) {
	l.mu.Lock()
	if len(l.errs) > 0 {
		err := l.errs[0]
		l.errs = l.errs[1:]
		l.mu.Unlock()
		return nil, err
	}
	l.mu.Unlock()
	return l.Listener.Accept()
}

// Accept errors, out of descriptors included, are retried: Serve keeps
// going and serves the connections that come after; only Shutdown ends it.
func TestAcceptErrorsAreRetriedNotFatal(t *testing.T) {
	acceptErr := func(errno syscall.Errno) error {
		return &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", errno)}
	}
	cases := []struct {
		name string
		errs []error
	}{
		{"too many open files", []error{acceptErr(syscall.EMFILE), acceptErr(syscall.EMFILE), acceptErr(syscall.EMFILE)}},
		{"file table full", []error{acceptErr(syscall.ENFILE), acceptErr(syscall.ENFILE)}},
		{"aborted and unknown", []error{acceptErr(syscall.ECONNABORTED), errors.New("something odd"), acceptErr(syscall.EPERM)}},
		{"long run up to the longest backoff", func() []error {
			var errs []error
			for range 9 { // 5ms doubling reaches 1s at the 9th
				errs = append(errs, acceptErr(syscall.EMFILE))
			}
			return errs
		}()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, storetest.SQLite)
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			served := make(chan error, 1)
			go func() { served <- e.srv.Serve(&flakyListener{Listener: l, errs: tc.errs}) }()

			// The connection waits in the backlog while Accept fails.
			c := &client{t: t, conn: dialFrom(t, l.Addr().String(), "127.0.0.1"), fr: newFramer(0), buf: make([]byte, 1<<20)}
			if r := c.login(); !strings.Contains(r, "<success/>") {
				t.Fatalf("login through the flaky listener: %s", r)
			}
			select {
			case err := <-served:
				t.Fatalf("Serve returned: %v", err)
			default:
			}
			if n := e.srv.Stats().AcceptErrors; n != uint64(len(tc.errs)) {
				t.Fatalf("accept errors counted %d, want %d", n, len(tc.errs))
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := e.srv.Shutdown(ctx); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-served:
				if !errors.Is(err, ErrServerClosed) {
					t.Fatalf("Serve after Shutdown: %v", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Serve did not return after Shutdown")
			}
		})
	}
}

// The rate limiter of flood log lines lets one line through per period and
// says how many events it stands for.
func TestFloodLogLinesAreRateLimited(t *testing.T) {
	var r rateLog
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	steps := []struct {
		at     time.Duration
		want   int
		logged bool
	}{
		{0, 1, true},
		{time.Second, 0, false},
		{2 * time.Second, 0, false},
		{logEvery - 1, 0, false},
		{logEvery, 4, true},
		{logEvery + 1, 0, false},
		{3 * logEvery, 2, true},
	}
	for i, s := range steps {
		n, ok := r.note(t0.Add(s.at))
		if n != s.want || ok != s.logged {
			t.Fatalf("step %d: got (%d, %v), want (%d, %v)", i, n, ok, s.want, s.logged)
		}
	}
}
