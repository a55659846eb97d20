package natsbus_test

import (
	"context"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/bus/bustest"
	"github.com/callgate/callgate/pkg/bus/natsbus"
)

// cutter is a loopback TCP relay to the NATS server whose connections can
// be cut, to see the bus through a network failure.
type cutter struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
}

func newCutter(t *testing.T, target string) *cutter {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &cutter{ln: ln, target: target}
	go c.serve()
	t.Cleanup(func() { ln.Close(); c.cut() })
	return c
}

func (c *cutter) serve() {
	for {
		in, err := c.ln.Accept()
		if err != nil {
			return
		}
		out, err := net.Dial("tcp", c.target)
		if err != nil {
			in.Close()
			continue
		}
		c.mu.Lock()
		c.conns = append(c.conns, in, out)
		c.mu.Unlock()
		go func() { io.Copy(out, in); out.Close() }()
		go func() { io.Copy(in, out); in.Close() }()
	}
}

func (c *cutter) cut() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, conn := range c.conns {
		conn.Close()
	}
	c.conns = nil
}

func TestSubscriptionSurvivesAConnectionCut(t *testing.T) {
	_, opts := testStream(t, 1000)
	url := os.Getenv(EnvNATS)
	relay := newCutter(t, strings.TrimPrefix(url, "nats://"))
	nc, err := nats.Connect("nats://"+relay.ln.Addr().String(), nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	b, err := natsbus.New(context.Background(), nc, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	sub, err := b.Subscribe(0, 64)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()

	var want []uint64
	publish := func(n int) {
		for i := 0; i < n; i++ {
			ev := b.Publish(core.DTMFReceived{Digit: "1"}, "")
			if ev.Seq == 0 {
				t.Fatalf("publish failed while connected")
			}
			want = append(want, ev.Seq)
		}
	}
	publish(3)
	relay.cut()
	if ev := b.Publish(core.DTMFReceived{Digit: "lost"}, ""); ev.Seq != 0 {
		// The cut may not be noticed before this publish; then it went
		// through and is part of the stream like any other.
		want = append(want, ev.Seq)
	}
	deadline := time.Now().Add(bustest.Wait)
	for !nc.IsConnected() {
		if time.Now().After(deadline) {
			t.Fatal("client did not reconnect")
		}
		time.Sleep(20 * time.Millisecond)
	}
	publish(3)

	var got []uint64
	for len(got) < len(want) {
		select {
		case ev, ok := <-sub.C():
			if !ok {
				t.Fatalf("subscription ended across the cut: %v", sub.Err())
			}
			got = append(got, ev.Seq)
		case <-time.After(bustest.Wait):
			t.Fatalf("received %v, want %v", got, want)
		}
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("received %v, want %v", got, want)
		}
	}
}

func TestPublishWhileDisconnectedFailsAtOnceAndIsCounted(t *testing.T) {
	nc, opts := testStream(t, 100)
	b, err := natsbus.New(context.Background(), nc, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	nc.Close()
	if ev := b.Publish(core.DTMFReceived{Digit: "1"}, "bob"); ev.Seq != 0 || ev.Agent != "bob" {
		t.Fatalf("publish without a connection = %+v, want Seq 0", ev)
	}
	if n := b.PublishErrors.Load(); n != 1 {
		t.Fatalf("PublishErrors = %d, want 1", n)
	}
}
