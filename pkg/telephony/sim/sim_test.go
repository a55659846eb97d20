package sim_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/core/clocktest"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

var ctx = context.Background()

func started(t *testing.T) *sim.PBX {
	t.Helper()
	p := sim.New("node-1")
	if err := p.Start(ctx, func(core.TelEvent) {}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	wait(t, p, sim.Is(core.TelConnected, ""))
	return p
}

func wait(t *testing.T, p *sim.PBX, match func(core.TelEvent) bool) core.TelEvent {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ev, err := p.WaitEvent(c, match)
	if err != nil {
		t.Fatalf("waiting for event: %v; events: %v", err, types(p, ""))
	}
	return ev
}

func waitAfter(t *testing.T, p *sim.PBX, mark int, match func(core.TelEvent) bool) core.TelEvent {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ev, err := p.WaitEventAfter(c, mark, match)
	if err != nil {
		t.Fatalf("waiting for event: %v; events: %v", err, types(p, ""))
	}
	return ev
}

// types lists the delivered event types, for one channel or all ("").
func types(p *sim.PBX, channelID string) []core.TelEventType {
	var out []core.TelEventType
	for _, ev := range p.Events() {
		if channelID == "" || ev.ChannelID == channelID {
			out = append(out, ev.Type)
		}
	}
	return out
}

func mustNil(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func originate(t *testing.T, p *sim.PBX, id, endpoint string, timeout time.Duration) {
	t.Helper()
	_, err := p.Originate(ctx, core.OriginateRequest{
		ChannelID: id, Endpoint: endpoint, CallerIDNum: "100", Timeout: timeout, AppArgs: []string{"out", id},
	})
	mustNil(t, "originate", err)
}

func answeredCall(t *testing.T, p *sim.PBX, id string) {
	t.Helper()
	originate(t, p, id, "PJSIP/"+id, 0)
	wait(t, p, sim.Is(core.TelStasisStart, id))
}

func TestOperationsBeforeStartAreNotConnected(t *testing.T) {
	p := sim.New("n")
	t.Cleanup(func() { p.Close() })
	if p.Ready() {
		t.Fatal("ready before Start")
	}
	_, err := p.Originate(ctx, core.OriginateRequest{Endpoint: "PJSIP/1"})
	if !errors.Is(err, core.ErrNotConnected) {
		t.Fatalf("Originate before Start: %v, want ErrNotConnected", err)
	}
	if _, err := p.Channels(ctx); !errors.Is(err, core.ErrNotConnected) {
		t.Fatalf("Channels before Start: %v", err)
	}
}

func TestStartEmitsConnectedWithNodeAndTime(t *testing.T) {
	p := started(t)
	ev := p.Events()[0]
	if ev.Type != core.TelConnected || ev.Node != "node-1" || ev.Time.IsZero() {
		t.Fatalf("first event = %+v", ev)
	}
	if p.NodeID() != "node-1" || !p.Ready() {
		t.Fatal("NodeID/Ready wrong after Start")
	}
	if err := p.Start(ctx, func(core.TelEvent) {}); err == nil {
		t.Fatal("second Start accepted")
	}
}

func TestOriginateDefaultAnswersWithEventSequence(t *testing.T) {
	p := started(t)
	_, err := p.Originate(ctx, core.OriginateRequest{
		ChannelID: "c1", Endpoint: "PJSIP/1064", CallerIDNum: "5551234", CallerIDName: "Bob",
		Variables: map[string]string{"K": "v"}, AppArgs: []string{"dialer", "7"},
	})
	mustNil(t, "originate", err)
	start := wait(t, p, sim.Is(core.TelStasisStart, "c1"))
	want := []core.TelEventType{core.TelChannelCreated, core.TelRinging, core.TelAnswered, core.TelStasisStart}
	if got := types(p, "c1"); !slices.Equal(got, want) {
		t.Fatalf("events = %v, want %v", got, want)
	}
	if !slices.Equal(start.Args, []string{"dialer", "7"}) || start.CallerID != "5551234" || start.LinkedID != "c1" ||
		start.UniqueID != "c1" || !strings.HasPrefix(start.Name, "PJSIP/1064-") {
		t.Fatalf("StasisStart = %+v", start)
	}
	c, _ := p.Channel("c1")
	if c.State != sim.StateUp || !c.InApp || c.Vars["K"] != "v" || c.Dialed != "1064" || c.CallerName != "Bob" {
		t.Fatalf("channel = %+v", c)
	}
}

func TestOriginateOutcomes(t *testing.T) {
	tests := []struct {
		name     string
		behavior sim.Behavior
		cause    core.HangupCause
	}{
		{"busy", sim.Behavior{Outcome: sim.Busy}, core.CauseBusy},
		{"busy after ringing", sim.Behavior{Outcome: sim.Busy, After: 5 * time.Millisecond}, core.CauseBusy},
		{"no answer", sim.Behavior{Outcome: sim.NoAnswer}, core.CauseNoAnswer},
		{"answer slower than timeout", sim.Behavior{Outcome: sim.Answer, After: time.Hour}, core.CauseNoAnswer},
		{"congestion", sim.Behavior{Outcome: sim.Congestion}, core.CauseCongestion},
		{"failure", sim.Behavior{Outcome: sim.Fail}, core.CauseFailure},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := started(t)
			p.SetBehavior("SIP/trunk/555", tc.behavior)
			originate(t, p, "c", "SIP/trunk/555", 20*time.Millisecond)
			hup := wait(t, p, sim.Is(core.TelHangup, "c"))
			if hup.Cause != tc.cause || hup.CauseText == "" {
				t.Fatalf("hangup = %d %q, want %d", hup.Cause, hup.CauseText, tc.cause)
			}
			want := []core.TelEventType{core.TelChannelCreated, core.TelRinging, core.TelHangup}
			if got := types(p, "c"); !slices.Equal(got, want) {
				t.Fatalf("events = %v, want %v", got, want)
			}
			c, ok := p.Channel("c")
			if !ok || !c.HungUp || c.Cause != tc.cause || c.HangupBy != "far" {
				t.Fatalf("channel after failure = %+v", c)
			}
		})
	}
}

func TestBehaviorRulesExactBeatsPrefixAndLongestPrefixWins(t *testing.T) {
	p := started(t)
	p.SetDefaultBehavior(sim.Behavior{Outcome: sim.Congestion})
	p.SetBehavior("PJSIP/*", sim.Behavior{Outcome: sim.Busy})
	p.SetBehavior("PJSIP/10*", sim.Behavior{Outcome: sim.Fail})
	p.SetBehavior("PJSIP/1064", sim.Behavior{Outcome: sim.Answer})
	tests := []struct {
		endpoint string
		answered bool
		cause    core.HangupCause
	}{
		{"PJSIP/1064", true, 0},
		{"PJSIP/1065", false, core.CauseFailure},
		{"PJSIP/2000", false, core.CauseBusy},
		{"SIP/2000", false, core.CauseCongestion},
	}
	for _, tc := range tests {
		id := "c-" + tc.endpoint
		originate(t, p, id, tc.endpoint, time.Second)
		if tc.answered {
			wait(t, p, sim.Is(core.TelStasisStart, id))
			continue
		}
		if hup := wait(t, p, sim.Is(core.TelHangup, id)); hup.Cause != tc.cause {
			t.Errorf("%s: cause %d, want %d", tc.endpoint, hup.Cause, tc.cause)
		}
	}
	p.ClearBehavior("PJSIP/1064")
	originate(t, p, "again", "PJSIP/1064", time.Second)
	if hup := wait(t, p, sim.Is(core.TelHangup, "again")); hup.Cause != core.CauseFailure {
		t.Errorf("after ClearBehavior: cause %d, want prefix rule's %d", hup.Cause, core.CauseFailure)
	}
}

func TestDelayedAnswerRingsFirst(t *testing.T) {
	p := started(t)
	// A fake clock: the answer cannot come before the test looks, however
	// loaded the machine.
	clk := clocktest.New(time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC))
	p.UseClock(clk)
	p.SetDefaultBehavior(sim.Behavior{Outcome: sim.Answer, After: 10 * time.Second})
	originate(t, p, "c", "PJSIP/1", time.Minute)
	if c, _ := p.Channel("c"); c.State != sim.StateRinging || c.InApp {
		t.Fatalf("right after Originate: %+v, want ringing outside the application", c)
	}
	clk.BlockUntil(1)
	clk.Advance(10 * time.Second)
	wait(t, p, sim.Is(core.TelStasisStart, "c"))
	if c, _ := p.Channel("c"); c.State != sim.StateUp || c.Answered.IsZero() {
		t.Fatalf("after answer: %+v", c)
	}
}

func TestFarAnswerAnswersARingingChannel(t *testing.T) {
	p := started(t)
	p.SetDefaultBehavior(sim.Behavior{Outcome: sim.NoAnswer})
	originate(t, p, "c", "PJSIP/1", time.Hour)
	mustNil(t, "FarAnswer", p.FarAnswer("c"))
	wait(t, p, sim.Is(core.TelStasisStart, "c"))
	if err := p.FarAnswer("c"); err == nil {
		t.Fatal("FarAnswer of an answered channel accepted")
	}
	if err := p.FarAnswer("nope"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("FarAnswer unknown: %v", err)
	}
}

func TestHangupWhileRingingCancelsTheOutcome(t *testing.T) {
	p := started(t)
	p.SetBehavior("PJSIP/slow", sim.Behavior{Outcome: sim.Answer, After: 10 * time.Millisecond})
	p.SetBehavior("PJSIP/slower", sim.Behavior{Outcome: sim.Answer, After: 30 * time.Millisecond})
	originate(t, p, "c", "PJSIP/slow", time.Second)
	if err := p.Answer(ctx, "c"); !errors.Is(err, sim.ErrNotInApplication) {
		t.Fatalf("Answer of a ringing outbound channel: %v, want ErrNotInApplication", err)
	}
	mustNil(t, "hangup", p.Hangup(ctx, "c", 0))
	hup := wait(t, p, sim.Is(core.TelHangup, "c"))
	if hup.Cause != core.CauseNormal {
		t.Fatalf("cause %d", hup.Cause)
	}
	// The sentinel's timer fires after c's would have: by then c must still
	// not have been answered.
	originate(t, p, "sentinel", "PJSIP/slower", time.Second)
	wait(t, p, sim.Is(core.TelStasisStart, "sentinel"))
	if slices.Contains(types(p, "c"), core.TelAnswered) {
		t.Fatal("cancelled originate was answered")
	}
}

func TestOriginateValidation(t *testing.T) {
	p := started(t)
	answeredCall(t, p, "a")
	if _, err := p.Originate(ctx, core.OriginateRequest{ChannelID: "a", Endpoint: "PJSIP/2"}); err == nil {
		t.Error("duplicate channel id accepted")
	}
	if _, err := p.Originate(ctx, core.OriginateRequest{Endpoint: ""}); err == nil {
		t.Error("empty endpoint accepted")
	}
	_, err := p.Originate(ctx, core.OriginateRequest{Endpoint: "PJSIP/2", OtherChannelID: "nope"})
	if !errors.Is(err, core.ErrNotFound) {
		t.Errorf("unknown OtherChannelID: %v", err)
	}
	id, err := p.Originate(ctx, core.OriginateRequest{Endpoint: "Local/555@from-internal", OtherChannelID: "a"})
	mustNil(t, "originate without id", err)
	ev := wait(t, p, sim.Is(core.TelStasisStart, id))
	if id == "" || ev.LinkedID != "a" || !strings.HasSuffix(ev.Name, ";1") || ev.Dialed != "555" {
		t.Errorf("generated id %q, event %+v", id, ev)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := p.Originate(cancelled, core.OriginateRequest{Endpoint: "PJSIP/3"}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}

func TestInjectInbound(t *testing.T) {
	p := started(t)
	id := p.InjectInbound("5550001", "7000")
	start := wait(t, p, sim.Is(core.TelStasisStart, id))
	if !slices.Equal(start.Args, []string{"inbound", "7000"}) || start.CallerID != "5550001" || start.Dialed != "7000" {
		t.Fatalf("StasisStart = %+v", start)
	}
	if got := types(p, id); !slices.Equal(got, []core.TelEventType{core.TelChannelCreated, core.TelStasisStart}) {
		t.Fatalf("events = %v", got)
	}
	if c, _ := p.Channel(id); c.State != sim.StateRing || !c.InApp || c.Outbound {
		t.Fatalf("channel = %+v", c)
	}
	mustNil(t, "ring", p.Ring(ctx, id))
	wait(t, p, sim.Is(core.TelRinging, id))
	mustNil(t, "answer", p.Answer(ctx, id))
	wait(t, p, sim.Is(core.TelAnswered, id))
	mustNil(t, "answer twice", p.Answer(ctx, id))
	if n := strings.Count(strings.Join(typeStrings(p, id), " "), string(core.TelAnswered)); n != 1 {
		t.Fatalf("answered %d times", n)
	}
	if c, _ := p.Channel(id); c.State != sim.StateUp || !c.RingIndicated {
		t.Fatalf("channel = %+v", c)
	}

	custom := p.InjectInbound("5550002", "8000", "ivr", "sales")
	if ev := wait(t, p, sim.Is(core.TelStasisStart, custom)); !slices.Equal(ev.Args, []string{"ivr", "sales"}) {
		t.Fatalf("custom args = %q", ev.Args)
	}
}

func typeStrings(p *sim.PBX, id string) []string {
	var out []string
	for _, t := range types(p, id) {
		out = append(out, string(t))
	}
	return out
}

func TestFarHangupLeavesBridgeAndReportsCause(t *testing.T) {
	p := started(t)
	answeredCall(t, p, "a")
	answeredCall(t, p, "b")
	mustNil(t, "bridge", p.CreateBridge(ctx, "br", core.BridgeMixing))
	mustNil(t, "add a", p.AddToBridge(ctx, "br", "a"))
	mustNil(t, "add b", p.AddToBridge(ctx, "br", "b"))
	mustNil(t, "far hangup", p.FarHangup("a", core.CauseNoUserResp))
	hup := wait(t, p, sim.Is(core.TelHangup, "a"))
	if hup.Cause != core.CauseNoUserResp {
		t.Fatalf("cause = %d", hup.Cause)
	}
	got := types(p, "a")
	if got[len(got)-2] != core.TelStasisEnd {
		t.Fatalf("no StasisEnd before hangup: %v", got)
	}
	if b, _ := p.Bridge("br"); !slices.Equal(b.Channels, []string{"b"}) {
		t.Fatalf("bridge members = %v", b.Channels)
	}
	if c, _ := p.Channel("a"); !c.HungUp || c.HangupBy != "far" || c.Bridge != "" {
		t.Fatalf("channel = %+v", c)
	}
	if err := p.Answer(ctx, "a"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("op on hung-up channel: %v", err)
	}
	if err := p.FarHangup("a", 0); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("FarHangup twice: %v", err)
	}
}

func TestInjectDTMFEmitsOneEventPerDigitInOrder(t *testing.T) {
	p := started(t)
	id := p.InjectInbound("1", "2")
	mustNil(t, "inject", p.InjectDTMF(id, "12#*"))
	wait(t, p, func(ev core.TelEvent) bool { return ev.Type == core.TelDTMF && ev.Digit == "*" })
	var digits string
	for _, ev := range p.Events() {
		if ev.Type == core.TelDTMF && ev.ChannelID == id {
			digits += ev.Digit
		}
	}
	if digits != "12#*" {
		t.Fatalf("digits = %q", digits)
	}
	if err := p.InjectDTMF(id, "x"); err == nil {
		t.Fatal("invalid digit accepted")
	}
	if err := p.InjectDTMF("nope", "1"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("unknown channel: %v", err)
	}
}

func TestSendDTMFIsLoggedOnTheChannel(t *testing.T) {
	p := started(t)
	answeredCall(t, p, "a")
	mustNil(t, "send", p.SendDTMF(ctx, "a", "12", 0))
	mustNil(t, "send", p.SendDTMF(ctx, "a", "#", 0))
	if c, _ := p.Channel("a"); c.DTMFSent != "12#" {
		t.Fatalf("DTMFSent = %q", c.DTMFSent)
	}
	if err := p.SendDTMF(ctx, "a", "x", 0); err == nil {
		t.Fatal("invalid digit accepted")
	}
}

func TestRestartDropsEverythingWithoutHangups(t *testing.T) {
	p := started(t)
	answeredCall(t, p, "a")
	p.SetBehavior("PJSIP/slow", sim.Behavior{Outcome: sim.Answer, After: 10 * time.Millisecond})
	originate(t, p, "ringing", "PJSIP/slow", time.Second)
	mustNil(t, "bridge", p.CreateBridge(ctx, "br", core.BridgeMixing))
	wait(t, p, sim.Is(core.TelRinging, "ringing")) // Mark counts delivered events only
	mark := p.Mark()
	p.Restart()
	waitAfter(t, p, mark, sim.Is(core.TelConnected, ""))
	chans, _ := p.Channels(ctx)
	bridges, _ := p.Bridges(ctx)
	if len(chans) != 0 || len(bridges) != 0 {
		t.Fatalf("after restart: %d channels, %d bridges", len(chans), len(bridges))
	}
	if _, ok := p.Channel("a"); ok {
		t.Fatal("channel still known after restart")
	}
	// The ringing channel's timer must not resurrect it.
	p.SetBehavior("PJSIP/slower", sim.Behavior{Outcome: sim.Answer, After: 30 * time.Millisecond})
	originate(t, p, "sentinel", "PJSIP/slower", time.Second)
	wait(t, p, sim.Is(core.TelStasisStart, "sentinel"))
	var after []core.TelEventType
	for _, ev := range p.Events()[mark:] {
		after = append(after, ev.Type)
		if ev.Type == core.TelHangup || ev.ChannelID == "ringing" {
			t.Fatalf("event after restart: %+v", ev)
		}
	}
	if after[0] != core.TelDisconnected || after[1] != core.TelConnected {
		t.Fatalf("restart events = %v", after)
	}
}

func TestSetReadyFalseFailsOperationsAndLosesEvents(t *testing.T) {
	p := started(t)
	answeredCall(t, p, "a")
	p.SetReady(false)
	wait(t, p, sim.Is(core.TelDisconnected, ""))
	if p.Ready() {
		t.Fatal("still ready")
	}
	if err := p.Answer(ctx, "a"); !errors.Is(err, core.ErrNotConnected) {
		t.Fatalf("op while not ready: %v", err)
	}
	mustNil(t, "far hangup", p.FarHangup("a", 0))
	mark := p.Mark()
	p.SetReady(true)
	waitAfter(t, p, mark, sim.Is(core.TelConnected, ""))
	if slices.Contains(types(p, "a"), core.TelHangup) {
		t.Fatal("hangup event delivered while disconnected")
	}
	if chans, _ := p.Channels(ctx); len(chans) != 0 {
		t.Fatalf("channels = %+v, want the hangup reflected in state", chans)
	}
}

func TestBridgeMembership(t *testing.T) {
	p := started(t)
	answeredCall(t, p, "a")
	answeredCall(t, p, "b")
	mustNil(t, "create 1", p.CreateBridge(ctx, "one", core.BridgeMixing))
	mustNil(t, "create 1 again", p.CreateBridge(ctx, "one", core.BridgeMixing))
	if err := p.CreateBridge(ctx, "one", core.BridgeHolding); err == nil {
		t.Error("same id with another kind accepted")
	}
	if err := p.CreateBridge(ctx, "x", "weird"); err == nil {
		t.Error("unknown kind accepted")
	}
	mustNil(t, "create 2", p.CreateBridge(ctx, "two", core.BridgeHolding))
	mustNil(t, "add a", p.AddToBridge(ctx, "one", "a"))
	mustNil(t, "add b", p.AddToBridge(ctx, "one", "b"))
	mustNil(t, "move a", p.AddToBridge(ctx, "two", "a"))
	one, _ := p.Bridge("one")
	two, _ := p.Bridge("two")
	if !slices.Equal(one.Channels, []string{"b"}) || !slices.Equal(two.Channels, []string{"a"}) || two.Kind != core.BridgeHolding {
		t.Fatalf("one=%+v two=%+v", one, two)
	}
	if err := p.RemoveFromBridge(ctx, "one", "a"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("remove non-member: %v", err)
	}
	infos, _ := p.Channels(ctx)
	if len(infos) != 2 || !slices.Equal(infos[0].Bridges, []string{"two"}) {
		t.Fatalf("Channels = %+v", infos)
	}
	mustNil(t, "destroy", p.DestroyBridge(ctx, "two"))
	if c, _ := p.Channel("a"); c.Bridge != "" || !c.InApp {
		t.Fatalf("member after destroy = %+v", c)
	}
	list, _ := p.Bridges(ctx)
	if len(list) != 1 || list[0].ID != "one" {
		t.Fatalf("Bridges = %+v", list)
	}
	p.SetDefaultBehavior(sim.Behavior{Outcome: sim.NoAnswer})
	originate(t, p, "ringing", "PJSIP/9", time.Hour)
	if err := p.AddToBridge(ctx, "one", "ringing"); !errors.Is(err, sim.ErrNotInApplication) {
		t.Fatalf("bridging a ringing channel: %v", err)
	}
}

func TestHoldAndMusicOnHold(t *testing.T) {
	p := started(t)
	answeredCall(t, p, "a")
	mustNil(t, "hold", p.Hold(ctx, "a"))
	mustNil(t, "moh", p.StartMOH(ctx, "a", ""))
	if c, _ := p.Channel("a"); !c.Held || c.MOH != "default" {
		t.Fatalf("held channel = %+v", c)
	}
	mustNil(t, "unhold", p.Unhold(ctx, "a"))
	mustNil(t, "stop moh", p.StopMOH(ctx, "a"))
	if c, _ := p.Channel("a"); c.Held || c.MOH != "" {
		t.Fatalf("unheld channel = %+v", c)
	}
	mustNil(t, "bridge", p.CreateBridge(ctx, "q", core.BridgeHolding))
	mustNil(t, "bridge moh", p.BridgeMOH(ctx, "q", "queue-music"))
	if b, _ := p.Bridge("q"); b.MOH != "queue-music" {
		t.Fatalf("bridge = %+v", b)
	}
	mustNil(t, "bridge stop moh", p.BridgeStopMOH(ctx, "q"))
	if b, _ := p.Bridge("q"); b.MOH != "" {
		t.Fatalf("bridge = %+v", b)
	}
}

func TestPlaybackFinishesAfterItsDuration(t *testing.T) {
	p := started(t)
	answeredCall(t, p, "a")
	p.SetMediaDuration("sound:short", 5*time.Millisecond)
	mustNil(t, "play", p.Play(ctx, "pb", core.MediaTarget{Kind: core.TargetChannel, ID: "a"}, "sound:short"))
	fin := wait(t, p, sim.IsPlayback(core.TelPlaybackFinished, "pb"))
	if fin.ChannelID != "a" {
		t.Fatalf("finished = %+v", fin)
	}
	if _, ok := p.Playback("pb"); ok {
		t.Fatal("finished playback still live")
	}
	if err := p.ControlPlayback(ctx, "pb", core.PlaybackStop); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("stop finished playback: %v", err)
	}
}

func TestPausedPlaybackDoesNotFinishUntilUnpaused(t *testing.T) {
	p := started(t)
	answeredCall(t, p, "a")
	p.SetPlaybackDuration(10 * time.Millisecond)
	target := core.MediaTarget{Kind: core.TargetChannel, ID: "a"}
	mustNil(t, "play", p.Play(ctx, "paused", target, "sound:x"))
	mustNil(t, "pause", p.ControlPlayback(ctx, "paused", core.PlaybackPause))
	mustNil(t, "sentinel", p.Play(ctx, "sentinel", target, "sound:x"))
	wait(t, p, sim.IsPlayback(core.TelPlaybackFinished, "sentinel"))
	st, ok := p.Playback("paused")
	if !ok || !st.Paused {
		t.Fatalf("paused playback = %+v, live %v", st, ok)
	}
	mustNil(t, "restart", p.ControlPlayback(ctx, "paused", core.PlaybackRestart))
	if st, _ := p.Playback("paused"); st.Restarts != 1 || !st.Paused {
		t.Fatalf("after restart = %+v", st)
	}
	if err := p.ControlPlayback(ctx, "paused", "rewind"); err == nil || errors.Is(err, core.ErrNotFound) {
		t.Fatalf("unknown op: %v", err)
	}
	mustNil(t, "unpause", p.ControlPlayback(ctx, "paused", core.PlaybackResume))
	wait(t, p, sim.IsPlayback(core.TelPlaybackFinished, "paused"))
}

func TestPlaybackEndsWithItsTarget(t *testing.T) {
	p := started(t)
	answeredCall(t, p, "a")
	mustNil(t, "bridge", p.CreateBridge(ctx, "br", core.BridgeMixing))
	mustNil(t, "play bridge", p.Play(ctx, "bpb", core.MediaTarget{Kind: core.TargetBridge, ID: "br"}, "sound:x"))
	mustNil(t, "play chan", p.Play(ctx, "cpb", core.MediaTarget{Kind: core.TargetChannel, ID: "a"}, "sound:x"))
	if err := p.Play(ctx, "cpb", core.MediaTarget{Kind: core.TargetChannel, ID: "a"}, "sound:x"); err == nil {
		t.Fatal("duplicate playback id accepted")
	}
	mustNil(t, "destroy", p.DestroyBridge(ctx, "br"))
	wait(t, p, sim.IsPlayback(core.TelPlaybackFinished, "bpb"))
	mustNil(t, "hangup", p.Hangup(ctx, "a", 0))
	wait(t, p, sim.Is(core.TelHangup, "a"))
	got := types(p, "a")
	want := []core.TelEventType{core.TelPlaybackFinished, core.TelStasisEnd, core.TelHangup}
	if !slices.Equal(got[len(got)-3:], want) {
		t.Fatalf("events = %v, want ending %v", got, want)
	}
}

func TestRecordingDurationMuteAndEnd(t *testing.T) {
	p := started(t)
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	p.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	answeredCall(t, p, "a")
	target := core.MediaTarget{Kind: core.TargetChannel, ID: "a"}
	mustNil(t, "record", p.Record(ctx, target, "r1", ""))
	wait(t, p, sim.IsRecording(core.TelRecordingStarted, "r1"))
	if err := p.Record(ctx, target, "r1", "wav"); err == nil {
		t.Fatal("second live recording with the same name accepted")
	}
	mustNil(t, "mute", p.MuteRecording(ctx, "r1", true))
	if r, _ := p.Recording("r1"); !r.Muted || !r.Live || r.Format != "wav" {
		t.Fatalf("recording = %+v", r)
	}
	advance(42 * time.Second)
	mustNil(t, "stop", p.StopRecording(ctx, "r1"))
	fin := wait(t, p, sim.IsRecording(core.TelRecordingFinished, "r1"))
	if fin.Duration != 42*time.Second {
		t.Fatalf("duration = %v", fin.Duration)
	}
	if r, _ := p.Recording("r1"); r.Live || r.Duration != 42*time.Second {
		t.Fatalf("finished recording = %+v", r)
	}
	if err := p.StopRecording(ctx, "r1"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("stop twice: %v", err)
	}
	mustNil(t, "record 2", p.Record(ctx, target, "r2", "gsm"))
	mustNil(t, "far hangup", p.FarHangup("a", 0))
	wait(t, p, sim.IsRecording(core.TelRecordingFinished, "r2"))
}

func TestSnoopChannelFollowsTheSpiedChannel(t *testing.T) {
	p := started(t)
	answeredCall(t, p, "a")
	mustNil(t, "snoop", p.Snoop(ctx, "a", "s", core.SnoopBoth, core.SnoopOut))
	ev := wait(t, p, sim.Is(core.TelStasisStart, "s"))
	if !slices.Equal(ev.Args, []string{"snoop", "a"}) || ev.LinkedID != "a" {
		t.Fatalf("snoop StasisStart = %+v", ev)
	}
	if c, _ := p.Channel("s"); c.SnoopOf != "a" || c.Spy != core.SnoopBoth || c.Whisper != core.SnoopOut || c.State != sim.StateUp {
		t.Fatalf("snoop channel = %+v", c)
	}
	if err := p.Snoop(ctx, "a", "s2", core.SnoopNone, core.SnoopNone); err == nil {
		t.Fatal("snoop with no direction accepted")
	}
	if err := p.Snoop(ctx, "a", "s", core.SnoopIn, ""); err == nil {
		t.Fatal("duplicate snoop id accepted")
	}
	mustNil(t, "second snoop", p.Snoop(ctx, "a", "s2", core.SnoopNone, core.SnoopIn))
	mustNil(t, "third snoop", p.Snoop(ctx, "a", "s3", core.SnoopOut, ""))
	mustNil(t, "hangup spied", p.FarHangup("a", 0))
	for _, id := range []string{"s", "s2", "s3"} {
		wait(t, p, sim.Is(core.TelHangup, id))
	}
	if c, _ := p.Channel("s"); c.HangupBy != "pbx" {
		t.Fatalf("snoop channel = %+v", c)
	}
}

func TestChannelVariables(t *testing.T) {
	p := started(t)
	answeredCall(t, p, "a")
	mustNil(t, "set", p.SetVar(ctx, "a", "X", "1"))
	if v, err := p.GetVar(ctx, "a", "X"); err != nil || v != "1" {
		t.Fatalf("GetVar = %q, %v", v, err)
	}
	if v, err := p.GetVar(ctx, "a", "UNSET"); err != nil || v != "" {
		t.Fatalf("GetVar unset = %q, %v", v, err)
	}
	if err := p.SetVar(ctx, "a", "", "1"); err == nil {
		t.Fatal("empty name accepted")
	}
	if c, _ := p.Channel("a"); c.Vars["X"] != "1" {
		t.Fatalf("vars = %v", c.Vars)
	}
}

func TestTextsSentAndReceived(t *testing.T) {
	p := started(t)
	mustNil(t, "send", p.SendText(ctx, "pjsip:100", "pjsip:200", "hola", map[string]string{"k": "v"}))
	if err := p.SendText(ctx, "a", "", "x", nil); err == nil {
		t.Fatal("empty destination accepted")
	}
	texts := p.Texts()
	if len(texts) != 1 || texts[0].Body != "hola" || texts[0].Vars["k"] != "v" {
		t.Fatalf("texts = %+v", texts)
	}
	p.InjectText("555", "100", "reply")
	ev := wait(t, p, sim.Is(core.TelTextReceived, ""))
	if ev.From != "555" || ev.To != "100" || ev.Text != "reply" {
		t.Fatalf("event = %+v", ev)
	}
}

func TestContinueLeavesTheApplication(t *testing.T) {
	p := started(t)
	answeredCall(t, p, "a")
	mustNil(t, "bridge", p.CreateBridge(ctx, "br", core.BridgeMixing))
	mustNil(t, "add", p.AddToBridge(ctx, "br", "a"))
	mustNil(t, "continue", p.Continue(ctx, "a", "from-internal", "200", 0))
	wait(t, p, sim.Is(core.TelStasisEnd, "a"))
	c, _ := p.Channel("a")
	if c.InApp || c.Bridge != "" || c.Continued != "from-internal,200,1" || c.HungUp {
		t.Fatalf("channel = %+v", c)
	}
	if err := p.AddToBridge(ctx, "br", "a"); !errors.Is(err, sim.ErrNotInApplication) {
		t.Fatalf("bridging a continued channel: %v", err)
	}
	mustNil(t, "far hangup", p.FarHangup("a", 0))
	wait(t, p, sim.Is(core.TelHangup, "a"))
	if n := strings.Count(strings.Join(typeStrings(p, "a"), " "), string(core.TelStasisEnd)); n != 1 {
		t.Fatalf("%d StasisEnd events", n)
	}
}

func TestOpsLog(t *testing.T) {
	p := started(t)
	answeredCall(t, p, "a")
	mustNil(t, "hangup", p.Hangup(ctx, "a", core.CauseBusy))
	var got []string
	for _, op := range p.Ops() {
		got = append(got, op.String())
	}
	want := []string{"originate a PJSIP/a", "hangup a 17"}
	if !slices.Equal(got, want) {
		t.Fatalf("ops = %q, want %q", got, want)
	}
	p.ResetOps()
	if len(p.Ops()) != 0 {
		t.Fatal("ResetOps kept entries")
	}
}

// The engine calls the PBX with its own lock held and handles events under
// that lock too: the sink must be free to call back into the PBX, and no
// method may call the sink on the caller's goroutine.
func TestSinkRunsOnlyOnTheDeliveryGoroutineAndMayCallBack(t *testing.T) {
	p := sim.New("n")
	var mu sync.Mutex
	var badStacks []string
	sink := func(ev core.TelEvent) {
		buf := make([]byte, 16<<10)
		stack := string(buf[:runtime.Stack(buf, false)])
		// The only test frame allowed is this closure itself.
		if !strings.Contains(stack, "(*PBX).deliver") || strings.Count(stack, "sim_test.Test") != 1 {
			mu.Lock()
			badStacks = append(badStacks, stack)
			mu.Unlock()
		}
		if ev.Type == core.TelStasisStart && len(ev.Args) > 0 && ev.Args[0] == "inbound" {
			if _, err := p.Channels(ctx); err != nil {
				t.Errorf("Channels from sink: %v", err)
			}
			if err := p.Answer(ctx, ev.ChannelID); err != nil {
				t.Errorf("Answer from sink: %v", err)
			}
		}
	}
	mustNil(t, "start", p.Start(ctx, sink))
	t.Cleanup(func() { p.Close() })
	id := p.InjectInbound("1", "2")
	wait(t, p, sim.Is(core.TelAnswered, id))
	answeredCall(t, p, "out")
	mustNil(t, "hangup", p.Hangup(ctx, "out", 0))
	wait(t, p, sim.Is(core.TelHangup, "out"))
	mu.Lock()
	defer mu.Unlock()
	if len(badStacks) > 0 {
		t.Fatalf("sink called outside the delivery goroutine:\n%s", badStacks[0])
	}
}

func TestSlowSinkDoesNotBlockThePBX(t *testing.T) {
	p := sim.New("n")
	release := make(chan struct{})
	mustNil(t, "start", p.Start(ctx, func(core.TelEvent) { <-release }))
	t.Cleanup(func() { p.Close() })
	for i := range 500 {
		originate(t, p, fmt.Sprintf("c%d", i), "PJSIP/1", 0)
	}
	close(release)
	wait(t, p, sim.Is(core.TelStasisStart, "c499"))
	if n := len(p.Events()); n != 1+500*4 {
		t.Fatalf("%d events delivered", n)
	}
}

func TestCloseStopsEverything(t *testing.T) {
	p := started(t)
	answeredCall(t, p, "a")
	mustNil(t, "close", p.Close())
	mustNil(t, "close twice", p.Close())
	if p.Ready() {
		t.Fatal("ready after Close")
	}
	if err := p.Hangup(ctx, "a", 0); !errors.Is(err, core.ErrNotConnected) {
		t.Fatalf("op after Close: %v", err)
	}
	// Start after Close reconnects (TestStartAfterCloseKeepsTheCallsAndLosesTheEventsBetween).
}

func TestWaitEventAfterMarkIgnoresOlderEvents(t *testing.T) {
	p := started(t)
	mark := p.Mark()
	c, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := p.WaitEventAfter(c, mark, sim.Is(core.TelConnected, "")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("found an event older than the mark: %v", err)
	}
	p.SetEventLogLimit(4)
	for _, id := range []string{"a", "b", "c"} {
		answeredCall(t, p, id)
	}
	if n := len(p.Events()); n > 4 {
		t.Fatalf("log holds %d events, limit 4", n)
	}
}

func TestRestartWhileDisconnectedReconnects(t *testing.T) {
	p := started(t)
	p.SetReady(false)
	wait(t, p, sim.Is(core.TelDisconnected, ""))
	mark := p.Mark()
	p.Restart()
	ev := waitAfter(t, p, mark, func(ev core.TelEvent) bool {
		return ev.Type == core.TelConnected || ev.Type == core.TelDisconnected
	})
	if ev.Type != core.TelConnected || !p.Ready() {
		t.Fatalf("first event after restart = %s, ready %v", ev.Type, p.Ready())
	}
}

// An application that closes and starts again (a restarted engine) finds
// the PBX's calls as they are: what happened meanwhile is kept on the PBX
// but reported to nobody, and the new connection starts with TelConnected.
func TestStartAfterCloseKeepsTheCallsAndLosesTheEventsBetween(t *testing.T) {
	p := sim.New("node-1")
	mustNil(t, "start", p.Start(ctx, func(core.TelEvent) {}))
	wait(t, p, sim.Is(core.TelConnected, ""))
	a := p.InjectInbound("5551", "100")
	b := p.InjectInbound("5552", "100")
	wait(t, p, sim.Is(core.TelStasisStart, b))
	mustNil(t, "bridge", p.CreateBridge(ctx, "br", core.BridgeMixing))
	mustNil(t, "add", p.AddToBridge(ctx, "br", a))
	mustNil(t, "close", p.Close())
	if _, err := p.Channels(ctx); !errors.Is(err, core.ErrNotConnected) {
		t.Fatalf("Channels while closed: %v, want ErrNotConnected", err)
	}
	mustNil(t, "far hangup while closed", p.FarHangup(b, core.CauseNormal))

	var mu sync.Mutex
	var got []core.TelEvent
	mark := p.Mark()
	mustNil(t, "restart", p.Start(ctx, func(ev core.TelEvent) { mu.Lock(); got = append(got, ev); mu.Unlock() }))
	waitAfter(t, p, mark, sim.Is(core.TelConnected, ""))
	chans, err := p.Channels(ctx)
	mustNil(t, "channels", err)
	if len(chans) != 1 || chans[0].ID != a || !slices.Contains(chans[0].Bridges, "br") {
		t.Fatalf("channels after restart = %+v, want only %s in br", chans, a)
	}
	mustNil(t, "far hangup", p.FarHangup(a, core.CauseNormal))
	waitAfter(t, p, mark, sim.Is(core.TelHangup, a))
	mu.Lock()
	defer mu.Unlock()
	for _, ev := range got {
		if ev.ChannelID == b {
			t.Errorf("the new application heard of %s's hangup while closed: %+v", b, ev)
		}
	}
	if err := p.Start(ctx, func(core.TelEvent) {}); err == nil {
		t.Error("a second Start while connected succeeded")
	}
	mustNil(t, "close", p.Close())
}
