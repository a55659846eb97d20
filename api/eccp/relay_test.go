package eccp

import (
	"bytes"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

var relayKey = []byte("test relay key, 32 bytes long..")

// relayConn is a relay's side of an ECCP connection: documents framed,
// sequence markers kept apart.
type relayConn struct {
	t    *testing.T
	c    net.Conn
	fr   *Framer
	docs chan []byte
}

func dialRelay(t *testing.T, e *env) *relayConn {
	t.Helper()
	c, err := net.Dial("tcp", e.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	r := &relayConn{t: t, c: c, fr: NewFramer(0), docs: make(chan []byte, 4096)}
	go func() {
		defer close(r.docs)
		buf := make([]byte, 64<<10)
		for {
			n, err := c.Read(buf)
			r.fr.Feed(buf[:n])
			for {
				d, ferr := r.fr.Next()
				if d == nil || ferr != nil {
					break
				}
				r.docs <- d
			}
			if err != nil {
				return
			}
		}
	}()
	return r
}

func (r *relayConn) write(b []byte) {
	if _, err := r.c.Write(b); err != nil {
		r.t.Fatal(err)
	}
}

func (r *relayConn) next() []byte {
	select {
	case d, ok := <-r.docs:
		if !ok {
			r.t.Fatal("connection closed")
		}
		return d
	case <-time.After(5 * time.Second):
		r.t.Fatal("no document within 5s")
	}
	return nil
}

const relayLogin = `<request id="7"><login><username>agentconsole</username><password>agentconsole</password></login></request>`

// A resumed relay session gets the events from its resume point, then the
// live ones, each once and in order, each after its sequence marker, while
// events keep being published during the login. (The engine's own events,
// which ECCP does not render, take sequences too: only the published
// ones are counted.)
func TestRelayResumeReplaysThenGoesLiveWithoutLossOrRepeat(t *testing.T) {
	e := newEnv(t, storetest.SQLite, func(o *Options) { o.RelayKey = relayKey })
	bus := e.eng.Bus()
	var mu sync.Mutex
	var published []uint64
	publish := func(i int) {
		ev := bus.Publish(core.AgentLoggedIn{Agent: "a", Interface: "SIP/" + strconv.Itoa(i)}, "a")
		mu.Lock()
		published = append(published, ev.Seq)
		mu.Unlock()
	}
	for i := range 5 {
		publish(i)
	}
	from := published[2] // the last three are owed
	r := dialRelay(t, e)
	r.write(ResumeRequest(relayKey, from, "", false))
	if d := r.next(); !bytes.Contains(d, []byte("<callgate_resume_response><success/>")) {
		t.Fatalf("resume: %s", d)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // live events race the login's read-back
		defer wg.Done()
		for i := 5; i < 205; i++ {
			publish(i)
		}
	}()
	r.write([]byte(relayLogin))
	wg.Wait()
	mu.Lock()
	want := published[2:]
	mu.Unlock()
	for len(want) > 0 {
		d := r.next()
		if bytes.Contains(d, []byte("<login_response>")) {
			continue
		}
		seq, ok := SeqMarker(d)
		if !ok {
			t.Fatalf("event without its marker, wanted %d: %s", want[0], d)
		}
		if seq != want[0] {
			t.Fatalf("marker %d, want %d (lost or repeated)", seq, want[0])
		}
		if ev := r.next(); !bytes.Contains(ev, []byte("<agentloggedin>")) {
			t.Fatalf("after marker %d: %s", seq, ev)
		}
		want = want[1:]
	}
}

// The filter and callprogress state the relay saw are the resumed
// session's: its read-back keeps to them.
func TestRelayResumeKeepsTheFilter(t *testing.T) {
	e := newEnv(t, storetest.SQLite, func(o *Options) { o.RelayKey = relayKey })
	bus := e.eng.Bus()
	from := bus.LastSeq() + 1
	for _, n := range []string{"SIP/1", "SIP/2", "SIP/1"} {
		bus.Publish(core.AgentLoggedIn{Agent: "a", Interface: n}, "a")
	}
	r := dialRelay(t, e)
	r.write(ResumeRequest(relayKey, from, "SIP/1", false))
	r.next()
	r.write([]byte(relayLogin))
	var got []string
	for len(got) < 2 {
		d := r.next()
		if _, ok := SeqMarker(d); ok || bytes.Contains(d, []byte("login_response")) {
			continue
		}
		got = append(got, string(d))
	}
	for _, d := range got {
		if !strings.Contains(d, "SIP/1") {
			t.Fatalf("filtered session got %s", d)
		}
	}
}

// Without the key, with a wrong token or after the login, the request is
// not the clients' to use.
func TestRelayResumeIsForGatewaysOnly(t *testing.T) {
	open := newEnv(t, storetest.SQLite)
	r := dialRelay(t, open)
	r.write(ResumeRequest(relayKey, 1, "", false))
	if d := r.next(); !bytes.Contains(d, []byte("<code>501</code>")) {
		t.Fatalf("without a relay key: %s", d)
	}
	keyed := newEnv(t, storetest.SQLite, func(o *Options) { o.RelayKey = relayKey })
	r = dialRelay(t, keyed)
	r.write(ResumeRequest([]byte("another key"), 1, "", false))
	if d := r.next(); !bytes.Contains(d, []byte("<code>401</code>")) {
		t.Fatalf("wrong token: %s", d)
	}
	r.write([]byte(relayLogin))
	r.next()
	r.write(ResumeRequest(relayKey, 1, "", false))
	if d := r.next(); !bytes.Contains(d, []byte("<code>501</code>")) {
		t.Fatalf("after the login: %s", d)
	}
}
