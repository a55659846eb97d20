package sim_test

import (
	"errors"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/core/clocktest"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

// Refuse makes the originate itself fail, as Asterisk's ARI 500
// "Allocation failed": no channel, no event.
func TestOriginateRefusedFailsAtOnce(t *testing.T) {
	p := started(t)
	p.SetBehavior("SIP/1064", sim.Behavior{Outcome: sim.Refuse})
	mark := p.Flush()
	_, err := p.Originate(ctx, core.OriginateRequest{ChannelID: "r", Endpoint: "SIP/1064"})
	if !errors.Is(err, sim.ErrAllocationFailed) {
		t.Fatalf("originate err = %v, want allocation failed", err)
	}
	if _, ok := p.Channel("r"); ok {
		t.Fatal("a refused originate left a channel")
	}
	if n := p.Flush(); n != mark {
		t.Fatalf("%d events emitted for a refused originate", n-mark)
	}
}

// With UseClock the ring timers run on the injected clock: the far end
// answers exactly when the fake clock reaches Behavior.After.
func TestRingTimersFollowTheInjectedClock(t *testing.T) {
	p := sim.New("node-1")
	clk := clocktest.New(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC))
	p.UseClock(clk)
	must(t, p.Start(ctx, func(core.TelEvent) {}))
	t.Cleanup(func() { p.Close() })
	p.SetBehavior("PJSIP/7", sim.Behavior{Outcome: sim.Answer, After: 5 * time.Second})
	_, err := p.Originate(ctx, core.OriginateRequest{ChannelID: "c", Endpoint: "PJSIP/7", Timeout: time.Minute})
	must(t, err)
	clk.Advance(5*time.Second - time.Millisecond)
	if c, _ := p.Channel("c"); c.State != sim.StateRinging {
		t.Fatalf("state %s before the answer time, want ringing", c.State)
	}
	clk.Advance(time.Millisecond)
	if c, _ := p.Channel("c"); c.State != sim.StateUp || !c.Answered.Equal(clk.Now()) {
		t.Fatalf("channel %+v after the answer time, want up at %v", c, clk.Now())
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
