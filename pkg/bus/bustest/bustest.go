// Package bustest is the behaviour every core.Bus must have, as a test suite
// run against each implementation (the in-process MemoryBus, NATS
// JetStream), so consumers can rely on the same semantics whichever bus a
// gateway is configured with.
package bustest

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
)

// Factory returns a new, empty bus keeping at least replay events for
// resuming subscribers (and not many more: ErrGap is tested past it). The
// factory registers its own cleanup.
type Factory func(t *testing.T, replay int) core.Bus

// Wait bounds how long the suite waits for something that should happen:
// only a broken bus ever reaches it.
const Wait = 10 * time.Second

// Run runs the contract against buses made by newBus.
func Run(t *testing.T, newBus Factory) {
	tests := []struct {
		name string
		fn   func(*testing.T, Factory)
	}{
		{"PublishAssignsIncreasingSequences", publishAssignsIncreasingSequences},
		{"SubscribeFromZeroGetsOnlyNewEventsInOrder", subscribeFromZeroGetsOnlyNewEvents},
		{"PayloadsArriveTyped", payloadsArriveTyped},
		{"SubscribeFromSeqReplaysThenFollowsLive", subscribeFromSeqReplaysThenFollows},
		{"ReplayLargerThanBufferIsNotAnOverflow", replayLargerThanBuffer},
		{"SubscribeOlderThanReplayLogIsErrGap", subscribeOlderThanLogIsErrGap},
		{"SlowSubscriberOverflowsWithoutBlockingOthers", slowSubscriberOverflows},
		{"OverflowedSubscriberResumesWithoutLoss", overflowedSubscriberResumes},
		{"ClosedSubscriptionEndsWithNilErr", closedSubscriptionEnds},
		{"ClosedBusEndsSubscriptionsAndRefusesNew", closedBusEndsSubscriptions},
		{"ConcurrentPublishersLoseNothing", concurrentPublishersLoseNothing},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newBus) })
	}
}

func publishAssignsIncreasingSequences(t *testing.T, newBus Factory) {
	b := newBus(t, 100)
	var last uint64
	for i := 0; i < 5; i++ {
		ev := b.Publish(core.DTMFReceived{CallID: 1, Digit: fmt.Sprint(i)}, "bob")
		if ev.Seq <= last {
			t.Fatalf("event %d got seq %d after %d", i, ev.Seq, last)
		}
		if ev.Type != "call.dtmf" || ev.Agent != "bob" || ev.Time.IsZero() {
			t.Fatalf("published event %+v lacks type, agent or time", ev)
		}
		last = ev.Seq
	}
	if got := b.LastSeq(); got != last {
		t.Fatalf("LastSeq = %d, want %d", got, last)
	}
}

func subscribeFromZeroGetsOnlyNewEvents(t *testing.T, newBus Factory) {
	b := newBus(t, 100)
	b.Publish(core.PBXConnection{Node: "old"}, "")
	sub := subscribe(t, b, 0, 16)
	var want []uint64
	for i := 0; i < 5; i++ {
		want = append(want, b.Publish(core.PBXConnection{Node: fmt.Sprint(i)}, "").Seq)
	}
	got := seqs(recvN(t, sub, 5))
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("received %v, want %v", got, want)
	}
}

func payloadsArriveTyped(t *testing.T, newBus Factory) {
	b := newBus(t, 100)
	sub := subscribe(t, b, 0, 16)
	at := time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)
	payloads := []core.Payload{
		core.AgentLoggedIn{Agent: "bob", Number: "9000", Interface: "Agent/9000", Extension: "PJSIP/1064", Campaign: "TESTCAMP"},
		core.AgentPauseStarted{Agent: "bob", PauseID: 3, PauseCode: "LUNCH", PauseName: "Almoço", Start: at},
		core.AgentLinked{Call: core.CallSnapshot{ID: 7, GUID: "g7", Phone: "5551000", Campaign: "TESTCAMP", Attributes: `{"a":"Baño"}`}, Agent: "bob"},
		core.QueueMembershipChanged{Agent: "bob", Queues: []string{"sales", "support"}},
	}
	for _, p := range payloads {
		b.Publish(p, "bob")
	}
	for i, ev := range recvN(t, sub, len(payloads)) {
		if ev.Type != payloads[i].EventType() || ev.Agent != "bob" {
			t.Fatalf("event %d: type %q agent %q", i, ev.Type, ev.Agent)
		}
		if !reflect.DeepEqual(normalize(ev.Data), normalize(payloads[i])) {
			t.Fatalf("event %d payload\n got %#v\nwant %#v", i, ev.Data, payloads[i])
		}
	}
}

// normalize drops what a JSON round trip may legitimately change: the
// location of times (same instant) and nil-versus-empty pointers.
func normalize(p core.Payload) core.Payload {
	if s, ok := p.(core.AgentPauseStarted); ok {
		s.Start = s.Start.UTC()
		return s
	}
	return p
}

func subscribeFromSeqReplaysThenFollows(t *testing.T, newBus Factory) {
	b := newBus(t, 100)
	var published []uint64
	for i := 0; i < 5; i++ {
		published = append(published, b.Publish(core.DTMFReceived{Digit: fmt.Sprint(i)}, "").Seq)
	}
	sub := subscribe(t, b, published[2], 16)
	for i := 5; i < 7; i++ {
		published = append(published, b.Publish(core.DTMFReceived{Digit: fmt.Sprint(i)}, "").Seq)
	}
	evs := recvN(t, sub, 5)
	if got := seqs(evs); !reflect.DeepEqual(got, published[2:]) {
		t.Fatalf("received %v, want %v", got, published[2:])
	}
	for i, ev := range evs {
		if d := ev.Data.(core.DTMFReceived).Digit; d != fmt.Sprint(i+2) {
			t.Fatalf("event %d carries digit %s", i, d)
		}
	}
}

func replayLargerThanBuffer(t *testing.T, newBus Factory) {
	b := newBus(t, 100)
	first := b.Publish(core.DTMFReceived{Digit: "0"}, "").Seq
	for i := 1; i < 50; i++ {
		b.Publish(core.DTMFReceived{Digit: fmt.Sprint(i)}, "")
	}
	sub := subscribe(t, b, first, 4)
	if got := recvN(t, sub, 50); got[49].Seq != first+49 {
		t.Fatalf("last replayed seq %d, want %d", got[49].Seq, first+49)
	}
	// And it still follows live events after the replay.
	want := b.Publish(core.DTMFReceived{Digit: "live"}, "").Seq
	if ev := recv(t, sub); ev.Seq != want {
		t.Fatalf("live event seq %d, want %d", ev.Seq, want)
	}
}

func subscribeOlderThanLogIsErrGap(t *testing.T, newBus Factory) {
	b := newBus(t, 10)
	first := b.Publish(core.DTMFReceived{Digit: "0"}, "").Seq
	for i := 1; i < 30; i++ {
		b.Publish(core.DTMFReceived{Digit: fmt.Sprint(i)}, "")
	}
	sub, err := b.Subscribe(first, 16)
	if !errors.Is(err, core.ErrGap) {
		if sub != nil {
			sub.Close()
		}
		t.Fatalf("Subscribe(%d) after 30 events with a 10-event log: %v, want core.ErrGap", first, err)
	}
	// The newest events are still there.
	sub = subscribe(t, b, b.LastSeq()-4, 16)
	recvN(t, sub, 5)
}

func slowSubscriberOverflows(t *testing.T, newBus Factory) {
	b := newBus(t, 1000)
	slow := subscribe(t, b, 0, 2)
	fast := subscribe(t, b, 0, 512)
	const n = 200
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < n; i++ {
			b.Publish(core.DTMFReceived{Digit: fmt.Sprint(i)}, "")
		}
	}()
	select {
	case <-done:
	case <-time.After(Wait):
		t.Fatal("Publish blocked on a subscriber that does not read")
	}
	waitErr(t, slow, core.ErrOverflow)
	// The slow subscriber's channel is closed after what it had buffered.
	drained := 0
	for range slow.C() {
		drained++
	}
	if drained > 2 {
		t.Fatalf("overflowed subscriber drained %d events from a buffer of 2", drained)
	}
	if got := len(recvN(t, fast, n)); got != n {
		t.Fatalf("fast subscriber got %d events", got)
	}
	if fast.Err() != nil {
		t.Fatalf("fast subscriber err %v", fast.Err())
	}
}

func overflowedSubscriberResumes(t *testing.T, newBus Factory) {
	b := newBus(t, 1000)
	sub := subscribe(t, b, 0, 1)
	var all []uint64
	for i := 0; i < 20; i++ {
		all = append(all, b.Publish(core.DTMFReceived{Digit: fmt.Sprint(i)}, "").Seq)
	}
	waitErr(t, sub, core.ErrOverflow)
	var got []uint64
	for ev := range sub.C() {
		got = append(got, ev.Seq)
	}
	next := all[0]
	if len(got) > 0 {
		next = got[len(got)-1] + 1
	}
	resumed := subscribe(t, b, next, 64)
	for _, ev := range recvN(t, resumed, int(all[len(all)-1]-next+1)) {
		got = append(got, ev.Seq)
	}
	if !reflect.DeepEqual(got, all) {
		t.Fatalf("received %v across the overflow, want %v", got, all)
	}
}

func closedSubscriptionEnds(t *testing.T, newBus Factory) {
	b := newBus(t, 100)
	sub := subscribe(t, b, 0, 16)
	sub.Close()
	waitClosed(t, sub)
	if err := sub.Err(); err != nil {
		t.Fatalf("Err after Close = %v, want nil", err)
	}
	sub.Close() // twice is harmless
	b.Publish(core.DTMFReceived{Digit: "1"}, "")
}

func closedBusEndsSubscriptions(t *testing.T, newBus Factory) {
	b := newBus(t, 100)
	sub := subscribe(t, b, 0, 16)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	waitClosed(t, sub)
	if err := sub.Err(); err != nil {
		t.Fatalf("Err after bus Close = %v, want nil", err)
	}
	if s, err := b.Subscribe(0, 16); !errors.Is(err, core.ErrBusClosed) {
		if s != nil {
			s.Close()
		}
		t.Fatalf("Subscribe on a closed bus: %v, want core.ErrBusClosed", err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func concurrentPublishersLoseNothing(t *testing.T, newBus Factory) {
	b := newBus(t, 10000)
	const publishers, each = 4, 50
	sub := subscribe(t, b, 0, publishers*each+16)
	var wg sync.WaitGroup
	seen := make(chan uint64, publishers*each)
	for p := 0; p < publishers; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				seen <- b.Publish(core.DTMFReceived{CallID: uint64(p), Digit: fmt.Sprint(i)}, "").Seq
			}
		}()
	}
	wg.Wait()
	close(seen)
	published := map[uint64]bool{}
	for s := range seen {
		if published[s] {
			t.Fatalf("seq %d assigned twice", s)
		}
		published[s] = true
	}
	evs := recvN(t, sub, publishers*each)
	perPublisher := map[uint64]int{}
	for i, ev := range evs {
		if i > 0 && ev.Seq <= evs[i-1].Seq {
			t.Fatalf("seq %d delivered after %d", ev.Seq, evs[i-1].Seq)
		}
		if !published[ev.Seq] {
			t.Fatalf("delivered seq %d was never returned by Publish", ev.Seq)
		}
		d := ev.Data.(core.DTMFReceived)
		if want := fmt.Sprint(perPublisher[d.CallID]); d.Digit != want {
			t.Fatalf("publisher %d: event %s delivered when %s was next", d.CallID, d.Digit, want)
		}
		perPublisher[d.CallID]++
	}
}

func subscribe(t *testing.T, b core.Bus, from uint64, buffer int) core.Subscription {
	t.Helper()
	sub, err := b.Subscribe(from, buffer)
	if err != nil {
		t.Fatalf("Subscribe(%d, %d): %v", from, buffer, err)
	}
	t.Cleanup(sub.Close)
	return sub
}

func recv(t *testing.T, sub core.Subscription) core.Event {
	t.Helper()
	select {
	case ev, ok := <-sub.C():
		if !ok {
			t.Fatalf("subscription closed early: %v", sub.Err())
		}
		return ev
	case <-time.After(Wait):
		t.Fatal("no event")
	}
	panic("unreachable")
}

func recvN(t *testing.T, sub core.Subscription, n int) []core.Event {
	t.Helper()
	evs := make([]core.Event, 0, n)
	for len(evs) < n {
		evs = append(evs, recv(t, sub))
	}
	return evs
}

func seqs(evs []core.Event) []uint64 {
	out := make([]uint64, len(evs))
	for i, ev := range evs {
		out[i] = ev.Seq
	}
	return out
}

// waitErr waits, without reading C, until the subscription has ended with
// want.
func waitErr(t *testing.T, sub core.Subscription, want error) {
	t.Helper()
	deadline := time.Now().Add(Wait)
	for sub.Err() == nil {
		if time.Now().After(deadline) {
			t.Fatalf("subscription did not end with %v", want)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if !errors.Is(sub.Err(), want) {
		t.Fatalf("subscription ended with %v, want %v", sub.Err(), want)
	}
}

func waitClosed(t *testing.T, sub core.Subscription) {
	t.Helper()
	timeout := time.After(Wait)
	for {
		select {
		case _, ok := <-sub.C():
			if !ok {
				return
			}
		case <-timeout:
			t.Fatal("subscription channel not closed")
		}
	}
}
