package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeECCP logs every console in and, on each pause or resume the fake
// admin API receives, writes the matching event to every console before
// answering, as the engine publishes before it answers.
type fakeECCP struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func (f *fakeECCP) serve(t *testing.T) {
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		buf := make([]byte, 4096)
		var got []byte
		for !bytes.Contains(got, []byte("</request>")) {
			n, err := c.Read(buf)
			if err != nil {
				c.Close()
				return
			}
			got = append(got, buf[:n]...)
		}
		_, _ = fmt.Fprint(c, `<?xml version="1.0"?>`+"\n"+`<response id="1"><login_response><success/><app_cookie>x</app_cookie></login_response></response>`+"\n")
		f.mu.Lock()
		f.conns = append(f.conns, c)
		f.mu.Unlock()
	}
}

func (f *fakeECCP) event(tag string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.conns {
		// Split in two writes: a tag cut across reads still counts once.
		_, _ = fmt.Fprint(c, `<?xml version="1.0"?>`+"\n"+`<event><pause`)
		_, _ = fmt.Fprint(c, tag+`><agent_number>SIP/1064</agent_number></pause`+tag+`></event>`+"\n")
	}
}

// Every console gets every pause event, each matched with its command,
// with either reader.
func TestFanoutCountsEveryConsolesEvents(t *testing.T) {
	readers := []struct {
		name string
		read func([]*console) (stop func())
	}{{"the platform's reader", readConsoles}, {"a goroutine per console", readEach}}
	for _, r := range readers {
		t.Run(r.name, func(t *testing.T) { fanoutCountsEveryConsolesEvents(t, r.read) })
	}
}

func fanoutCountsEveryConsolesEvents(t *testing.T, read func([]*console) (stop func())) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeECCP{ln: ln}
	go f.serve(t)
	defer ln.Close()
	var commands []string
	var mu sync.Mutex
	admin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		action := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		mu.Lock()
		commands = append(commands, action)
		mu.Unlock()
		switch action {
		case "pause":
			f.event("start")
		case "unpause":
			f.event("end")
		}
		_, _ = w.Write([]byte("{}"))
	}))
	defer admin.Close()
	base, _ := url.Parse(admin.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond)
	defer cancel()
	var out bytes.Buffer
	cfg := fanoutConfig{base: base, eccp: ln.Addr().String(), sessions: 5, rate: 20, token: "t", user: "u", pass: "p", agent: "3", read: read}
	if err := runFanout(ctx, cfg, &out); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	// login and unpause prepare the agent before the consoles connect.
	if len(commands) < 4 || commands[0] != "login" || commands[1] != "unpause" || commands[2] != "pause" {
		t.Fatalf("commands %v", commands)
	}
	// The last command may be cut by the run's end after the fake sent its
	// event: the report counts the commands answered.
	var consoles, events, deliveries, lost int
	if _, err := fmt.Sscanf(out.String(), "eccp/fanout: %d consoles, %d events, %d deliveries, %d lost", &consoles, &events, &deliveries, &lost); err != nil {
		t.Fatalf("report %q: %v", out.String(), err)
	}
	if consoles != 5 || events < 2 || events > len(commands)-2 || deliveries != 5*events || lost != 0 {
		t.Fatalf("report %q after %d commands", out.String(), len(commands))
	}
}

func TestFanoutRefusesARemoteECCPAddress(t *testing.T) {
	base, _ := url.Parse("http://127.0.0.1:1")
	err := runFanout(context.Background(), fanoutConfig{base: base, eccp: "10.0.0.1:20005", sessions: 1, rate: 1}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("got %v", err)
	}
}

// The fan-out alone: each delivery against the first console's arrival of
// the same event; a console that missed an event adds nothing for it.
func TestAfterFirstMeasuresFromTheFirstArrivalOfEachEvent(t *testing.T) {
	t0 := time.Unix(100, 0)
	at := func(ms ...int) []time.Time {
		var out []time.Time
		for _, m := range ms {
			out = append(out, t0.Add(time.Duration(m)*time.Millisecond))
		}
		return out
	}
	consoles := []*console{{got: at(5, 20)}, {got: at(2, 21)}, {got: at(3)}}
	got := afterFirst(consoles, 2)
	want := []time.Duration{0, 0, time.Millisecond, time.Millisecond, 3 * time.Millisecond}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}
