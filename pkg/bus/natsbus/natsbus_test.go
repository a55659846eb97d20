package natsbus_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/bus/bustest"
	"github.com/callgate/callgate/pkg/bus/natsbus"
)

// EnvNATS names the variable holding the test server's URL, e.g.
// nats://127.0.0.1:4222 (started with -js).
const EnvNATS = "CALLGATE_TEST_NATS_URL"

// testStream returns options for a stream of this test's own, deleted at
// cleanup, and a connection to the test server.
func testStream(t testing.TB, replay int) (*nats.Conn, natsbus.Options) {
	t.Helper()
	url := os.Getenv(EnvNATS)
	if url == "" {
		t.Skip(EnvNATS + " not set")
	}
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	var rnd [6]byte
	rand.Read(rnd[:])
	id := hex.EncodeToString(rnd[:])
	opts := natsbus.Options{Stream: "T_" + id, Subject: "t." + id, Replay: int64(replay), Memory: true}
	t.Cleanup(func() {
		if js, err := jetstream.New(nc); err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			js.DeleteStream(ctx, opts.Stream)
			cancel()
		}
		nc.Close()
	})
	return nc, opts
}

func newBus(t testing.TB, replay int) *natsbus.Bus {
	t.Helper()
	nc, opts := testStream(t, replay)
	b, err := natsbus.New(context.Background(), nc, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func TestNATSBusKeepsTheBusContract(t *testing.T) {
	bustest.Run(t, func(t *testing.T, replay int) core.Bus { return newBus(t, replay) })
}

// Two gateways on one stream share one order: each sees the other's events
// with the sequence the publisher was given.
func TestGatewaysSharingAStreamSeeOneOrder(t *testing.T) {
	nc, opts := testStream(t, 1000)
	ctx := context.Background()
	a, err := natsbus.New(ctx, nc, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	nc2, err := nats.Connect(os.Getenv(EnvNATS))
	if err != nil {
		t.Fatal(err)
	}
	defer nc2.Close()
	b, err := natsbus.New(ctx, nc2, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	subA, err := a.Subscribe(0, 64)
	if err != nil {
		t.Fatal(err)
	}
	defer subA.Close()
	subB, err := b.Subscribe(0, 64)
	if err != nil {
		t.Fatal(err)
	}
	defer subB.Close()

	var want []uint64
	for i := 0; i < 10; i++ {
		bus := a
		if i%2 == 1 {
			bus = b
		}
		want = append(want, bus.Publish(core.AgentStateChanged{Agent: fmt.Sprint("agent", i)}, "").Seq)
	}
	for name, sub := range map[string]core.Subscription{"a": subA, "b": subB} {
		for i, seq := range want {
			select {
			case ev := <-sub.C():
				if ev.Seq != seq || ev.Data.(core.AgentStateChanged).Agent != fmt.Sprint("agent", i) {
					t.Fatalf("gateway %s event %d: seq %d %+v, want seq %d", name, i, ev.Seq, ev.Data, seq)
				}
			case <-time.After(bustest.Wait):
				t.Fatalf("gateway %s: event %d missing", name, i)
			}
		}
	}
	if a.LastSeq() != want[9] || b.LastSeq() != want[9] {
		t.Fatalf("LastSeq a=%d b=%d, want %d", a.LastSeq(), b.LastSeq(), want[9])
	}
}

// A restarted gateway resumes from the stream: the events outlive the
// process that published them.
func TestRestartedGatewayResumesFromTheStream(t *testing.T) {
	nc, opts := testStream(t, 1000)
	ctx := context.Background()
	first, err := natsbus.New(ctx, nc, opts)
	if err != nil {
		t.Fatal(err)
	}
	var seqs []uint64
	for i := 0; i < 3; i++ {
		seqs = append(seqs, first.Publish(core.PBXConnection{Node: fmt.Sprint(i), Connected: true}, "").Seq)
	}
	first.Close()

	again, err := natsbus.New(ctx, nc, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if again.LastSeq() != seqs[2] {
		t.Fatalf("LastSeq after restart %d, want %d", again.LastSeq(), seqs[2])
	}
	sub, err := again.Subscribe(seqs[1], 8)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	for _, want := range seqs[1:] {
		select {
		case ev := <-sub.C():
			if ev.Seq != want {
				t.Fatalf("resumed at seq %d, want %d", ev.Seq, want)
			}
		case <-time.After(bustest.Wait):
			t.Fatal("replay missing")
		}
	}
}

func TestPublishOnClosedBusReturnsUnsequencedEvent(t *testing.T) {
	b := newBus(t, 100)
	b.Close()
	if ev := b.Publish(core.DTMFReceived{Digit: "1"}, ""); ev.Seq != 0 || ev.Type != "call.dtmf" {
		t.Fatalf("publish after close = %+v", ev)
	}
}

// BenchmarkPublish measures one acknowledged publish (the engine's cost per
// event with a NATS bus).
func BenchmarkPublish(b *testing.B) {
	bus := newBus(b, 100000)
	p := core.AgentStateChanged{Agent: "bob", From: core.AgentAvailable, To: core.AgentOnCall}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if bus.Publish(p, "bob").Seq == 0 {
			b.Fatal("publish failed")
		}
	}
}

// BenchmarkFanout100 publishes to 100 subscribers; ns/op is one event
// stored and delivered to all of them.
func BenchmarkFanout100(b *testing.B) {
	const subs = 100
	bus := newBus(b, 1_000_000)
	var overflowed atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < subs; i++ {
		sub, err := bus.Subscribe(0, 1<<16)
		if err != nil {
			b.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer sub.Close()
			for ev := range sub.C() {
				if _, end := ev.Data.(core.PBXConnection); end {
					return
				}
			}
			overflowed.Add(1)
		}()
	}
	p := core.AgentStateChanged{Agent: "bob", From: core.AgentAvailable, To: core.AgentOnCall}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		bus.Publish(p, "bob")
	}
	bus.Publish(core.PBXConnection{Node: "end"}, "")
	wg.Wait()
	b.ReportMetric(float64(overflowed.Load()), "overflowed")
}

func newFanout(t testing.TB, replay int) *natsbus.Fanout {
	t.Helper()
	nc, opts := testStream(t, replay)
	b, err := natsbus.New(context.Background(), nc, opts)
	if err != nil {
		t.Fatal(err)
	}
	f, err := natsbus.NewFanout(b, replay)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestFanoutKeepsTheBusContract(t *testing.T) {
	bustest.Run(t, func(t *testing.T, replay int) core.Bus { return newFanout(t, replay) })
}

// Events published by another gateway reach a Fanout's local subscribers.
func TestFanoutDeliversOtherGatewaysEvents(t *testing.T) {
	nc, opts := testStream(t, 1000)
	ctx := context.Background()
	a, err := natsbus.New(ctx, nc, opts)
	if err != nil {
		t.Fatal(err)
	}
	f, err := natsbus.NewFanout(a, 1000)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	other, err := natsbus.New(ctx, nc, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	sub, err := f.Subscribe(0, 16)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	want := other.Publish(core.PBXConnection{Node: "b"}, "").Seq
	select {
	case ev := <-sub.C():
		if ev.Seq != want {
			t.Fatalf("seq %d, want %d", ev.Seq, want)
		}
	case <-time.After(bustest.Wait):
		t.Fatal("event of the other gateway not delivered")
	}
}

// BenchmarkFanoutLocal1000 is BenchmarkFanout100's workload through one
// stream consumer and a local MemoryBus, with 1,000 subscribers.
func BenchmarkFanoutLocal1000(b *testing.B) {
	const subs = 1000
	bus := newFanout(b, 100000)
	var overflowed atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < subs; i++ {
		sub, err := bus.Subscribe(0, 1<<12)
		if err != nil {
			b.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer sub.Close()
			for ev := range sub.C() {
				if _, end := ev.Data.(core.PBXConnection); end {
					return
				}
			}
			overflowed.Add(1)
		}()
	}
	p := core.AgentStateChanged{Agent: "bob", From: core.AgentAvailable, To: core.AgentOnCall}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		bus.Publish(p, "bob")
	}
	bus.Publish(core.PBXConnection{Node: "end"}, "")
	wg.Wait()
	b.ReportMetric(float64(overflowed.Load()), "overflowed")
}

func TestFanoutServesRecentEventsLocallyAndOlderFromTheStream(t *testing.T) {
	nc, opts := testStream(t, 1000)
	b, err := natsbus.New(context.Background(), nc, opts)
	if err != nil {
		t.Fatal(err)
	}
	// Events from before the Fanout existed are only in the stream.
	old := b.Publish(core.DTMFReceived{Digit: "old"}, "").Seq
	f, err := natsbus.NewFanout(b, 10)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var seqs []uint64
	for i := 0; i < 20; i++ {
		seqs = append(seqs, f.Publish(core.DTMFReceived{Digit: fmt.Sprint(i)}, "").Seq)
	}
	for _, from := range []uint64{0, seqs[15], seqs[19] + 1} {
		sub, err := f.Subscribe(from, 64)
		if err != nil {
			t.Fatal(err)
		}
		sub.Close()
	}
	if n := f.DirectSubscriptions(); n != 0 {
		t.Fatalf("%d recent subscriptions went to the stream, want 0", n)
	}
	for _, from := range []uint64{old, seqs[2]} {
		sub, err := f.Subscribe(from, 64)
		if err != nil {
			t.Fatal(err)
		}
		select {
		case ev := <-sub.C():
			if ev.Seq != from {
				t.Fatalf("replay from %d started at %d", from, ev.Seq)
			}
		case <-time.After(bustest.Wait):
			t.Fatalf("no replay from %d", from)
		}
		sub.Close()
	}
	if n := f.DirectSubscriptions(); n != 2 {
		t.Fatalf("%d old subscriptions went to the stream, want 2", n)
	}
}

// Enqueue never waits, keeps the order of the calls, and Close flushes
// what is still queued: a gateway opened on the stream afterwards reads
// every event, in order, with increasing sequences.
func TestEnqueuedEventsReachTheStreamInOrder(t *testing.T) {
	nc, opts := testStream(t, 1000)
	b, err := natsbus.New(context.Background(), nc, opts)
	if err != nil {
		t.Fatal(err)
	}
	const n = 300
	for i := 0; i < n; i++ {
		b.Enqueue(core.DTMFReceived{CallID: 7, Digit: fmt.Sprint(i)}, "")
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if b.PublishErrors.Load() != 0 {
		t.Fatalf("%d events lost", b.PublishErrors.Load())
	}
	b2, err := natsbus.New(context.Background(), nc, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer b2.Close()
	sub, err := b2.Subscribe(1, n)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	var last uint64
	for i := 0; i < n; i++ {
		select {
		case ev := <-sub.C():
			d, ok := ev.Data.(core.DTMFReceived)
			if !ok || d.Digit != fmt.Sprint(i) || ev.Seq <= last {
				t.Fatalf("event %d = %+v (seq %d after %d)", i, ev.Data, ev.Seq, last)
			}
			last = ev.Seq
		case <-time.After(10 * time.Second):
			t.Fatalf("only %d of %d events in the stream", i, n)
		}
	}
}

// Gateways on one stream share its epoch (one sequence space); the stream
// deleted and made again numbers from 1 in a new epoch.
func TestEpochIsTheStreamsAndChangesWhenTheStreamIsMadeAgain(t *testing.T) {
	nc, opts := testStream(t, 100)
	ctx := context.Background()
	open := func() *natsbus.Bus {
		b, err := natsbus.New(ctx, nc, opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		return b
	}
	a, b := open(), open()
	if a.Epoch() == "" || a.Epoch() != b.Epoch() {
		t.Fatalf("epochs %q and %q on one stream", a.Epoch(), b.Epoch())
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if err := js.DeleteStream(ctx, opts.Stream); err != nil {
		t.Fatal(err)
	}
	if c := open(); c.Epoch() == a.Epoch() {
		t.Fatalf("the stream made again kept epoch %q", a.Epoch())
	}
}
