package core_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

// warnCounter is a slog handler counting WARN records by message.
type warnCounter struct {
	mu    sync.Mutex
	warns map[string]int
}

func (w *warnCounter) Enabled(context.Context, slog.Level) bool { return true }
func (w *warnCounter) WithAttrs([]slog.Attr) slog.Handler       { return w }
func (w *warnCounter) WithGroup(string) slog.Handler            { return w }
func (w *warnCounter) Handle(_ context.Context, r slog.Record) error {
	if r.Level >= slog.LevelWarn {
		w.mu.Lock()
		w.warns[r.Message]++
		w.mu.Unlock()
	}
	return nil
}

func (w *warnCounter) count(substr string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for m, c := range w.warns {
		if strings.Contains(m, substr) {
			n += c
		}
	}
	return n
}

// agentRows lists the queue-log rows of one event for one agent.
func (h *harness) agentRows(event, agent string) []core.QueueLogEntry {
	var out []core.QueueLogEntry
	for _, r := range h.queueLog(event) {
		if r.Agent == agent {
			out = append(out, r)
		}
	}
	return out
}

// drainUnreachable collects the AgentUnreachable events published so far.
func drainUnreachable(sub core.Subscription) []core.AgentUnreachable {
	var out []core.AgentUnreachable
	for {
		select {
		case ev := <-sub.C():
			if u, ok := ev.Data.(core.AgentUnreachable); ok {
				out = append(out, u)
			}
		default:
			return out
		}
	}
}

// A phone the PBX cannot ring is retried with doubling delays (1 s, 2 s,
// 4 s ... capped at 60 s), not every second: attempts grow with the log of
// the time. Each attempt is one queue-log row, one event and one count;
// the WARN is written once. Once the phone can be rung again the agent is
// offered the call at the next attempt and the backoff is forgotten.
func TestUnreachableAgentBacksOff(t *testing.T) {
	for _, tc := range []struct {
		name    string
		outcome sim.Outcome
		cause   string
		rings   bool // the channel exists and rings before failing
	}{
		{"originate refused", sim.Refuse, core.UnreachableRefused, false},
		{"channel fails at once", sim.Fail, core.UnreachableFailed, true},
		{"congestion", sim.Congestion, core.UnreachableFailed, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			warns := &warnCounter{warns: map[string]int{}}
			h := newHarness(t, sqlite(t), harnessOpt{agents: 1, log: slog.New(warns)})
			sub, err := h.e.Bus().Subscribe(0, 1024)
			must(t, err)
			defer sub.Close()
			h.pbx.SetBehavior("PJSIP/a1", sim.Behavior{Outcome: tc.outcome})
			h.login("a1")
			h.inbound("5550300")
			h.settle()

			// Attempts at 0, 1, 3, 7, 15, 31, 63, 123, 183, 243 s: the
			// delays double (1, 2, 4 ... 32 s) up to the 60 s cap.
			wantAt := []time.Duration{0, 1, 3, 7, 15, 31, 63, 123, 183, 243}
			elapsed := time.Duration(0)
			for i, at := range wantAt {
				h.advance(at*time.Second - elapsed)
				elapsed = at * time.Second
				if n := len(h.agentRows(core.QLRingNoAnswer, "a1")); n != i+1 {
					t.Fatalf("at %v: %d attempts, want %d", elapsed, n, i+1)
				}
				if i+1 < len(wantAt) {
					h.advance(wantAt[i+1]*time.Second - elapsed - time.Millisecond)
					elapsed = wantAt[i+1]*time.Second - time.Millisecond
					if n := len(h.agentRows(core.QLRingNoAnswer, "a1")); n != i+1 {
						t.Fatalf("at %v: %d attempts before the backoff ended, want %d", elapsed, n, i+1)
					}
				}
			}
			attempts := len(wantAt)
			rows := h.agentRows(core.QLRingNoAnswer, "a1")
			for _, r := range rows {
				if r.Data3 != tc.cause {
					t.Fatalf("RINGNOANSWER %+v, want reason %s", r, tc.cause)
				}
			}
			wantRinging := 0
			if tc.rings {
				wantRinging = attempts
			}
			if n := len(h.agentRows(core.QLRinging, "a1")); n != wantRinging {
				t.Fatalf("%d RINGING rows, want %d", n, wantRinging)
			}
			evs := drainUnreachable(sub)
			if len(evs) != attempts {
				t.Fatalf("%d AgentUnreachable events, want %d", len(evs), attempts)
			}
			for i, ev := range evs {
				if ev.Agent != "a1" || ev.Attempts != i+1 || ev.Cause != tc.cause || !ev.Until.After(epoch) {
					t.Fatalf("event %d = %+v", i, ev)
				}
			}
			if got := h.e.UnreachableTotal()[tc.cause]; got != uint64(attempts) {
				t.Fatalf("unreachable total %d, want %d", got, attempts)
			}
			if n := warns.count("unreachable"); n != 1 {
				t.Fatalf("%d unreachable WARNs, want 1 per transition", n)
			}
			if st := h.state("a1"); st != core.AgentAvailable {
				t.Fatalf("a1 %s while unreachable, want available", st)
			}
			if len(h.e.Waiting("sales")) != 1 {
				t.Fatal("the caller left the queue")
			}

			// The phone works again: the next attempt (60 s later) rings it.
			h.pbx.ClearBehavior("PJSIP/a1")
			h.advance(60*time.Second - time.Millisecond)
			if _, ok := h.e.AgentCall("a1"); ok {
				t.Fatal("offered before the backoff ended")
			}
			h.advance(time.Millisecond)
			h.callOf("a1")
			if u := h.e.UnreachableAgents(); len(u) != 0 {
				t.Fatalf("still unreachable after answering: %+v", u)
			}
		})
	}
}

// A busy or unanswered phone is a normal ring-no-answer, not an unreachable
// one: no backoff.
func TestNoAnswerIsNotUnreachable(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{agents: 1, ring: 1})
	h.pbx.SetBehavior("PJSIP/a1", sim.Behavior{Outcome: sim.NoAnswer})
	h.login("a1")
	h.inbound("5550301")
	h.advance(time.Second)
	if n := len(h.agentRows(core.QLRingNoAnswer, "a1")); n != 1 {
		t.Fatalf("%d RINGNOANSWER, want 1", n)
	}
	if u := h.e.UnreachableAgents(); len(u) != 0 {
		t.Fatalf("unanswered phone marked unreachable: %+v", u)
	}
	h.pbx.ClearBehavior("PJSIP/a1")
	h.advance(time.Second)
	h.callOf("a1")
}

// Logging in again gives an unreachable phone a fresh try at once.
func TestReloginResetsUnreachable(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{agents: 1})
	h.pbx.SetBehavior("PJSIP/a1", sim.Behavior{Outcome: sim.Refuse})
	h.login("a1")
	h.inbound("5550302")
	h.advance(10 * time.Second)
	if u := h.e.UnreachableAgents(); len(u) != 1 || u[0].Attempts != 4 {
		t.Fatalf("unreachable = %+v, want a1 after 4 attempts", u)
	}
	h.pbx.ClearBehavior("PJSIP/a1")
	_, err := h.e.Logout(h.ctx, "a1", "test")
	must(t, err)
	must(t, h.e.Login(h.ctx, "a1", core.LoginOptions{}))
	h.callOf("a1") // at once, with no time passing
}

// A changed extension applies to the next offer, without a logout; an
// extension chosen at login (a phone login) is kept.
func TestExtensionChangeAppliesToNextOffer(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{agents: 2, strategy: core.StrategyLinear})
	h.login("a1")
	must(t, h.e.Login(h.ctx, "a2", core.LoginOptions{Extension: "PJSIP/desk7"}))
	for _, u := range []string{"a1", "a2"} {
		var a core.Agent
		must(t, h.st.First(h.ctx, &a, core.Eq("username", u)))
		a.Extension = "PJSIP/new-" + u
		must(t, h.st.Save(h.ctx, &a))
	}
	must(t, h.e.Reload(h.ctx))
	h.pbx.ResetOps()
	h.inbound("5550303")
	c := h.callOf("a1")
	if !originated(h.pbx, "PJSIP/new-a1") || originated(h.pbx, "PJSIP/a1") {
		t.Fatalf("a1 offered on %v, want PJSIP/new-a1", h.pbx.Ops())
	}
	if s, _ := h.e.Session("a2"); s.Extension != "PJSIP/desk7" {
		t.Fatalf("a2's login extension replaced: %q", s.Extension)
	}
	must(t, h.e.Hangup(h.ctx, "a1"))
	must(t, h.e.Pause(h.ctx, "a1", ""))
	h.pbx.ResetOps()
	h.inbound("5550304")
	h.callOf("a2")
	if !originated(h.pbx, "PJSIP/desk7") {
		t.Fatalf("a2 offered on %v, want its login extension", h.pbx.Ops())
	}
	_ = c
}

func originated(p *sim.PBX, endpoint string) bool {
	for _, op := range p.Ops() {
		if op.Name == "originate" && len(op.Args) > 0 && op.Args[0] == endpoint {
			return true
		}
	}
	return false
}
