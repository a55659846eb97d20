package eccp

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/demo"
	"github.com/callgate/callgate/pkg/store/storetest"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestMain(m *testing.M) {
	// Golden files hold local times; pin the zone so they do not depend on
	// the machine.
	time.Local = time.UTC
	os.Exit(m.Run())
}

// testNow is the frozen wall clock of the engine in tests.
var testNow = time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)

type env struct {
	t    testing.TB
	st   core.Store
	pbx  *sim.PBX
	eng  *core.Engine
	srv  *Server
	addr string
	// skew moves the engine clock past testNow (advance).
	skew *atomic.Int64
}

// advance moves the engine clock forward.
func (e *env) advance(d time.Duration) { e.skew.Add(int64(d)) }

type envOpt func(*Options)

// newEnv starts an engine on the simulated PBX with the demo data set and
// an ECCP server on a loopback port.
func newEnv(t testing.TB, kind string, opts ...envOpt) *env {
	t.Helper()
	return newEnvSeeded(t, kind, seedFixture, opts...)
}

func newEnvSeeded(t testing.TB, kind string, seed func(testing.TB, core.Store), opts ...envOpt) *env {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t, kind)
	seed(t, st)
	pbx := sim.New("sim1")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() && os.Getenv("ECCP_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	skew := new(atomic.Int64)
	clock := func() time.Time { return testNow.Add(time.Duration(skew.Load())) }
	eng := core.New(core.Options{Store: st, Tel: pbx, Bus: core.NewMemoryBus(0), Logger: log, Now: clock})
	if err := eng.Start(ctx); err != nil {
		t.Fatalf("engine start: %v", err)
	}
	o := Options{Logger: log}
	for _, f := range opts {
		f(&o)
	}
	srv := NewServer(eng, o)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		eng.Stop(ctx)
	})
	return &env{t: t, st: st, pbx: pbx, eng: eng, srv: srv, addr: l.Addr().String(), skew: skew}
}

// client is a raw ECCP client that records every packet it reads.
type client struct {
	t      testing.TB
	conn   net.Conn
	fr     *framer
	id     int
	cookie string
	log    bytes.Buffer // the transcript
	buf    []byte
}

func (e *env) dial() *client {
	e.t.Helper()
	return e.dialFrom("")
}

// dialFrom connects from a local address (any of 127.0.0.0/8 on loopback);
// "" lets the system choose.
func (e *env) dialFrom(ip string) *client {
	e.t.Helper()
	d := net.Dialer{}
	if ip != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(ip)}
	}
	c, err := d.Dial("tcp", e.addr)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { c.Close() })
	return &client{t: e.t, conn: c, fr: newFramer(0), buf: make([]byte, 1<<20)}
}

// readPacket returns the next packet (with its exact bytes) or "" at EOF.
func (c *client) readPacket(timeout time.Duration) (string, error) {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		doc, err := c.fr.next()
		if err != nil {
			return "", err
		}
		if doc != nil {
			// The framer ends a document at its root's '>'; the real server
			// always follows it with '\n', which the next document's framing
			// skips. Peek at the raw buffer to check it is there.
			return string(doc), nil
		}
		c.conn.SetReadDeadline(deadline)
		n, err := c.conn.Read(c.buf)
		if n > 0 {
			c.fr.feed(c.buf[:n])
			c.checkFraming(c.buf[:n])
		}
		if err != nil {
			if err == io.EOF {
				return "", io.EOF
			}
			return "", err
		}
	}
}

// checkFraming asserts what the PHP client needs: a read holds whole
// packets, each the bare declaration and one root, followed by "\n" (or
// not, past the client's read size: see session.trimNewline).
func (c *client) checkFraming(chunk []byte) {
	if !bytes.HasPrefix(chunk, []byte(xmlDecl)) {
		c.t.Errorf("packet without declaration: %q", chunk)
		return
	}
	for _, p := range bytes.Split(chunk[len(xmlDecl):], []byte(xmlDecl)) {
		if _, err := parseDoc(append([]byte(xmlDecl), bytes.TrimSuffix(p, []byte("\n"))...)); err != nil ||
			!bytes.HasSuffix(bytes.TrimSuffix(p, []byte("\n")), []byte(">")) {
			c.t.Errorf("not one whole packet (%v): %q", err, p)
		}
	}
}

var randomIDRE = regexp.MustCompile(`\b([a-z]+)-[0-9a-f]{16}\b`)

var cookieRE = regexp.MustCompile(`<app_cookie>([0-9a-f]{32})</app_cookie>`)

func (c *client) record(dir, s string) {
	s = strings.TrimPrefix(s, xmlDecl)
	s = cookieRE.ReplaceAllString(s, "<app_cookie>COOKIE</app_cookie>")
	// Records stamped by the database carry the real date.
	s = strings.ReplaceAll(s, time.Now().UTC().Format("2006-01-02"), "REAL-DATE")
	s = strings.TrimRight(s, "\n")
	s = randomIDRE.ReplaceAllString(s, "$1-RANDOM")
	fmt.Fprintf(&c.log, "%s %s\n", dir, s)
}

func (c *client) note(s string) { fmt.Fprintf(&c.log, "# %s\n", s) }

// send writes raw bytes and records them.
func (c *client) send(raw string) {
	c.t.Helper()
	c.record(">", raw)
	c.write(raw)
}

func (c *client) write(raw string) {
	c.t.Helper()
	if _, err := c.conn.Write([]byte(raw)); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// hashFor computes the agent hash with the connection's cookie.
func (c *client) hashFor(agent, pass string) string {
	return md5hex(c.cookie + agent + pass)
}

var hashRE = regexp.MustCompile(`\{hash ([^ }]+)(?: ([^}]*))?\}`)

// req sends one request (body of <request>) with the next id and returns
// the response, recording events that arrive first.
func (c *client) req(body string) string {
	c.t.Helper()
	c.id++
	c.record(">", fmt.Sprintf("<request id=\"%d\">%s</request>", c.id, body))
	body = hashRE.ReplaceAllStringFunc(body, func(m string) string {
		sub := hashRE.FindStringSubmatch(m)
		pass := demo.ECCPAgentPass
		if sub[2] != "" {
			pass = sub[2]
		}
		return c.hashFor(sub[1], pass)
	})
	c.write(fmt.Sprintf("%s<request id=\"%d\">%s</request>\n", xmlDecl, c.id, body))
	return c.until("<response")
}

// reqAsync sends a request whose effects include an event published
// asynchronously, so that the reply and the event may come in either order;
// it records the reply first, then the event.
func (c *client) reqAsync(body, eventPrefix string) {
	c.t.Helper()
	c.id++
	c.record(">", fmt.Sprintf("<request id=\"%d\">%s</request>", c.id, body))
	body = hashRE.ReplaceAllStringFunc(body, func(m string) string {
		sub := hashRE.FindStringSubmatch(m)
		return c.hashFor(sub[1], demo.ECCPAgentPass)
	})
	c.write(fmt.Sprintf("%s<request id=\"%d\">%s</request>\n", xmlDecl, c.id, body))
	var resp, ev string
	var others []string
	for resp == "" || ev == "" {
		p, err := c.readPacket(5 * time.Second)
		if err != nil {
			c.t.Fatalf("waiting for reply and %s: %v\n%s", eventPrefix, err, c.log.String())
		}
		b := strings.TrimPrefix(p, xmlDecl)
		switch {
		case strings.HasPrefix(b, "<response"):
			resp = p
		case strings.HasPrefix(b, eventPrefix) && ev == "":
			ev = p
		default:
			others = append(others, p)
		}
	}
	c.record("<", resp)
	c.record("<", ev)
	for _, o := range others {
		c.record("<", o)
	}
}

// until reads packets until one starts with prefix (after the declaration).
func (c *client) until(prefix string) string {
	c.t.Helper()
	for {
		p, err := c.readPacket(5 * time.Second)
		if err != nil {
			c.t.Fatalf("waiting for %s: %v\ntranscript so far:\n%s", prefix, err, c.log.String())
		}
		c.record("<", p)
		body := strings.TrimPrefix(p, xmlDecl)
		if m := cookieRE.FindStringSubmatch(body); m != nil {
			c.cookie = m[1]
		}
		if strings.HasPrefix(body, prefix) {
			return body
		}
	}
}

// events reads n packets.
func (c *client) events(n int) []string {
	c.t.Helper()
	var out []string
	for i := 0; i < n; i++ {
		p, err := c.readPacket(5 * time.Second)
		if err != nil {
			c.t.Fatalf("waiting for event %d: %v\n%s", i+1, err, c.log.String())
		}
		c.record("<", p)
		out = append(out, strings.TrimPrefix(p, xmlDecl))
	}
	return out
}

// settle records whatever arrives until the line is quiet.
func (c *client) settle() {
	c.t.Helper()
	for {
		p, err := c.readPacket(300 * time.Millisecond)
		if err != nil {
			return
		}
		c.record("<", p)
	}
}

// quiet asserts nothing arrives for a short while.
func (c *client) quiet(d time.Duration) {
	c.t.Helper()
	p, err := c.readPacket(d)
	if err == nil {
		c.t.Errorf("unexpected packet: %s", p)
		c.record("<", p)
	}
}

// expectClose asserts the server closes the connection.
func (c *client) expectClose() {
	c.t.Helper()
	for {
		p, err := c.readPacket(5 * time.Second)
		if err == io.EOF {
			c.note("connection closed by server")
			return
		}
		if err != nil {
			c.t.Fatalf("expected close, got %v", err)
		}
		c.record("<", p)
	}
}

func (c *client) login() string {
	return c.req("<login><username>agentconsole</username><password>" + md5hex("agentconsole") + "</password></login>")
}

// golden compares got with testdata/golden/name.golden.
func golden(t testing.TB, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if string(want) != got {
		t.Errorf("transcript differs from %s\n--- got:\n%s\n--- want:\n%s", path, got, want)
	}
}
