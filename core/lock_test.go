package core_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// gate holds back the operations it is armed for until released, and says
// when the first one arrived.
type gate struct {
	once    sync.Once
	entered chan struct{}
	release chan struct{}
}

func newGate() *gate {
	return &gate{entered: make(chan struct{}), release: make(chan struct{})}
}

// hold blocks the caller until the gate is released.
func (g *gate) hold() {
	g.once.Do(func() { close(g.entered) })
	<-g.release
}

// While the PBX holds an originate (a slow ARI), other agents are served:
// log in, pause, read status, all answered while the originate is still
// stalled, because the engine does not wait for the PBX under its lock.
func TestStalledOriginateDoesNotBlockOtherAgents(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	h.login("a1")
	g := newGate()
	h.onPBX(func(_ context.Context, op, target string) {
		if op == "originate" && strings.HasPrefix(target, "agentleg") {
			g.hold()
		}
	})
	dialed := make(chan error, 1)
	go func() {
		_, err := h.e.Dial(h.ctx, core.DialRequest{Agent: "a1", Phone: "5550300"})
		dialed <- err
	}()
	<-g.entered

	// The originate is stalled inside the PBX now.
	must(t, h.e.Login(h.ctx, "a2", core.LoginOptions{}))
	must(t, h.e.Pause(h.ctx, "a2", "LUNCH"))
	s, ok := h.e.Session("a2")
	if !ok || !s.Paused || s.PauseCode != "LUNCH" {
		t.Fatalf("a2 session %+v %v", s, ok)
	}
	if s1, _ := h.e.Session("a1"); s1.State != core.AgentOnCall {
		t.Fatalf("a1 is %s while its dial is under way", s1.State)
	}
	select {
	case err := <-dialed:
		t.Fatalf("Dial answered (%v) before the PBX placed the agent leg", err)
	default:
	}

	close(g.release)
	if err := <-dialed; err != nil {
		t.Fatalf("dial: %v", err)
	}
}

// While the store holds a write back (a slow database), PBX events are
// still applied: the caller's hangup ends the call, a new caller is queued
// and connected, all visible through the engine; the writes follow once
// the store is back, in order.
func TestBlockedStoreWriteDoesNotStopPBXEvents(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{agents: 1})
	h.login("a1")
	first := h.inbound("5550301")
	c1 := h.callOf("a1")
	must(t, h.e.Sync(h.ctx))

	g := newGate()
	var armed sync.Once
	hold := func(string, any) {
		armed.Do(g.hold) // only the first write waits; the lane keeps the rest behind it
	}
	h.st.shared.onWrite.Store(&hold)

	must(t, h.pbx.InjectDTMF(first, "5"))
	must(t, h.pbx.FarHangup(first, core.CauseNormal))
	<-g.entered
	// Every PBX event is handled and every PBX command done, while the
	// store still holds the first write back.
	h.settleNoStore()
	if _, onCall := h.e.AgentCall("a1"); onCall || len(h.e.ActiveCalls()) != 0 {
		t.Fatalf("first call still live in memory: %+v", h.e.ActiveCalls())
	}
	if st := h.state("a1"); st != core.AgentAvailable {
		t.Fatalf("a1 is %s after the caller hung up", st)
	}

	h.inbound("5550302")
	h.settleNoStore()
	c2, ok := h.e.AgentCall("a1")
	if !ok || c2.State != core.CallConnected || c2.ID == c1.ID || c2.ID == 0 {
		t.Fatalf("second call %+v (first %d)", c2, c1.ID)
	}
	select {
	case <-g.release:
		t.Fatal("gate opened early")
	default:
	}

	close(g.release)
	must(t, h.e.Sync(h.ctx))
	var got core.Call
	must(t, h.st.First(h.ctx, &got, core.ByID(c1.ID)))
	if got.State != core.CallDone {
		t.Fatalf("first call stored as %s", got.State)
	}
	completes := h.queueLog(core.QLCompleteCaller)
	connects := h.queueLog(core.QLConnect)
	if len(completes) != 1 || len(connects) != 2 || completes[0].ID > connects[1].ID {
		t.Fatalf("queue log out of decision order: complete %+v connect %+v", completes, connects)
	}
}

// The PBX commands of one call run in the order they were decided, even
// when one of them is slow: a stalled answer holds back the call's next
// commands instead of letting them overtake it.
func TestEffectsOfOneCallRunInDecisionOrder(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{agents: 1})
	g := newGate()
	var mu sync.Mutex
	var ops []string
	h.onPBX(func(_ context.Context, op, target string) {
		if op == "answer" {
			g.hold()
		}
		mu.Lock()
		ops = append(ops, op+" "+target)
		mu.Unlock()
	})
	ch := h.inbound("5550303")
	<-g.entered
	// The answer runs after the decision that queued the caller.
	if n := len(h.e.Waiting("sales")); n != 1 {
		t.Fatalf("%d callers waiting while the answer is stalled", n)
	}
	// The login offers the caller to a1: that originate names the caller's
	// channel, so it waits behind the stalled answer, and so does Login,
	// which answers once what it decided is done.
	loggedIn := make(chan error, 1)
	go func() { loggedIn <- h.e.Login(h.ctx, "a1", core.LoginOptions{}) }()
	close(g.release)
	must(t, <-loggedIn)
	c := h.callOf("a1")
	must(t, h.pbx.FarHangup(ch, core.CauseNormal))
	h.waitState("a1", core.AgentAvailable)

	mu.Lock()
	defer mu.Unlock()
	var mine []string
	for _, op := range ops {
		if strings.Contains(op, ch) {
			mine = append(mine, op)
		}
	}
	want := []string{
		"answer " + ch,
		"add_to_bridge queue-sales/" + ch,
		"remove_from_bridge queue-sales/" + ch,
		"add_to_bridge " + c.BridgeID + "/" + ch,
	}
	if len(mine) < len(want) || !slices.Equal(mine[:len(want)], want) {
		t.Fatalf("PBX commands for the caller:\n got %q\nwant %q...", mine, want)
	}
}

// Dial answers with the PBX's error when the agent's phone cannot be
// originated, after the call is recorded as failed and the agent freed.
func TestDialReportsOriginateFailure(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	h.login("a1")
	h.pbx.SetReady(false)
	c, err := h.e.Dial(h.ctx, core.DialRequest{Agent: "a1", Phone: "5550304"})
	if !errors.Is(err, core.ErrNotConnected) {
		t.Fatalf("dial error = %v, want ErrNotConnected", err)
	}
	if c.ID == 0 || c.State != core.CallDone {
		t.Fatalf("failed call = %+v", c)
	}
	if st := h.state("a1"); st != core.AgentAvailable {
		t.Fatalf("a1 left %s", st)
	}
	if rows := h.queueLog(core.QLDialResult); len(rows) != 1 || rows[0].Data1 != "DC" {
		t.Fatalf("dial result rows %+v", rows)
	}
}

// BenchmarkPauseWhileOriginateStalls measures another agent's pause and
// unpause while an originate is stalled in the PBX for the whole run: with
// the PBX called outside the engine lock it costs what a pause costs (its
// store writes), not the stalled originate.
func BenchmarkPauseWhileOriginateStalls(b *testing.B) {
	h := newHarness(b, storetest.Open(b, "sqlite"), harnessOpt{})
	h.login("a1", "a2")
	g := newGate()
	h.onPBX(func(_ context.Context, op, target string) {
		if op == "originate" && strings.HasPrefix(target, "agentleg") {
			g.hold()
		}
	})
	dialed := make(chan error, 1)
	go func() {
		_, err := h.e.Dial(h.ctx, core.DialRequest{Agent: "a1", Phone: "5550399"})
		dialed <- err
	}()
	<-g.entered
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		must(b, h.e.Pause(h.ctx, "a2", "LUNCH"))
		must(b, h.e.Unpause(h.ctx, "a2"))
	}
	b.StopTimer()
	close(g.release)
	must(b, <-dialed)
}
