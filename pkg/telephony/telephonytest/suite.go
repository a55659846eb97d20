package telephonytest

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
)

// Run runs every contract case as a subtest, each with a fresh Env from
// newEnv (so one broken case cannot poison the next).
func Run(t *testing.T, newEnv func(t *testing.T) Env) {
	prefix := fmt.Sprintf("tt%x", time.Now().UnixNano())
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := setup(t, newEnv, prefix+"-"+c.short)
			c.run(h)
		})
	}
}

type contractCase struct {
	name  string
	short string // id prefix, so ids tell which case made them
	run   func(h *harness)
}

var cases = []contractCase{
	{"originate answered enters the application", "ans", originateAnswered},
	{"originate failures hang up with their cause", "fail", originateFailures},
	{"originate linked to another channel shares its linked id", "link", originateLinked},
	{"inbound call enters the application and is answered", "in", inboundAnswered},
	{"mixing bridge holds two channels", "mix", mixingBridge},
	{"holding bridge plays music on hold", "hold", holdingBridge},
	{"hold and channel music on hold", "moh", holdAndMOH},
	{"dtmf is sent and received", "dtmf", dtmfBothWays},
	{"playback starts and stops on a channel and a bridge", "play", playback},
	{"recording starts and stops on a channel and a bridge", "rec", recording},
	{"snoop channel enters the application", "snoop", snoop},
	{"channel variables are set and read", "var", channelVars},
	{"channels and bridges are listed", "list", listing},
	{"hangup reports the cause given", "cause", hangupCause},
	{"unknown ids are not found", "nf", notFoundErrors},
}

func setup(t *testing.T, newEnv func(t *testing.T) Env, prefix string) *harness {
	t.Helper()
	env := newEnv(t)
	if env.Tel == nil || env.Inbound == nil {
		t.Fatal("telephonytest: Env.Tel and Env.Inbound are required")
	}
	for name, ep := range map[string]string{
		"AnswerEndpoint": env.AnswerEndpoint, "BusyEndpoint": env.BusyEndpoint,
		"NoAnswerEndpoint": env.NoAnswerEndpoint, "CongestionEndpoint": env.CongestionEndpoint,
	} {
		if ep == "" {
			t.Fatalf("telephonytest: Env.%s is required", name)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	h := &harness{t: t, env: env, tel: env.Tel, rec: newRecorder(), ctx: ctx, ids: &idGen{prefix: prefix}}
	if err := env.Tel.Start(ctx, h.rec.sink); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := env.Tel.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	t.Cleanup(func() { checkEventStamps(t, env.Tel.NodeID(), h.rec.all()) })
	h.waitFor("TelConnected", func(ev core.TelEvent) bool { return ev.Type == core.TelConnected })
	if !env.Tel.Ready() {
		t.Fatal("Ready() is false after TelConnected")
	}
	return h
}

// checkEventStamps: the engine relies on Node to route events of several
// Asterisks and on Time for call timings.
func checkEventStamps(t *testing.T, node string, events []core.TelEvent) {
	t.Helper()
	if node == "" {
		t.Error("NodeID() is empty")
	}
	for _, ev := range events {
		if ev.Node != node {
			t.Errorf("event %s on %q has Node %q, want %q", ev.Type, ev.ChannelID, ev.Node, node)
		}
		if ev.Time.IsZero() {
			t.Errorf("event %s on %q has no Time", ev.Type, ev.ChannelID)
		}
	}
}

var asteriskName = regexp.MustCompile(`^[A-Za-z0-9]+/[^/]+-[0-9a-f]{8}(;[12])?$`)

func originateAnswered(h *harness) {
	id := h.ids.next("out")
	args := []string{"dialer", "42"}
	got, err := h.tel.Originate(h.ctx, core.OriginateRequest{
		ChannelID: id, Endpoint: h.env.AnswerEndpoint, CallerIDNum: "5550100", CallerIDName: "Callgate",
		Timeout: 5 * time.Second, Variables: map[string]string{"CG_CAMPAIGN": "spring"}, AppArgs: args,
	})
	h.must("Originate", err)
	if got != id {
		h.t.Fatalf("Originate returned id %q, want the chosen %q", got, id)
	}
	start := h.waitFor("StasisStart", isType(core.TelStasisStart, id))
	if !slices.Equal(start.Args, args) {
		h.t.Errorf("StasisStart args = %q, want %q", start.Args, args)
	}
	h.waitFor("Answered", isType(core.TelAnswered, id))
	if info, ok := h.channelInfo(id); !ok || info.State != "Up" {
		h.t.Errorf("Channels() entry for %s = %+v (listed %v), want state Up", id, info, ok)
	}
	v, err := h.tel.GetVar(h.ctx, id, "CG_CAMPAIGN")
	h.must("GetVar of an originate variable", err)
	if v != "spring" {
		h.t.Errorf("originate variable CG_CAMPAIGN = %q, want spring", v)
	}
	vars, err := h.tel.ChannelVars(h.ctx, id)
	h.must("ChannelVars", err)
	if !slices.Contains(vars, core.ChannelVar{Name: "CG_CAMPAIGN", Value: "spring"}) {
		h.t.Errorf("ChannelVars = %+v, want CG_CAMPAIGN=spring among them", vars)
	}
	// Consoles show the PBX's channel name, with its sequence suffix.
	if !asteriskName.MatchString(start.Name) {
		h.t.Errorf("StasisStart channel name = %q, want an Asterisk name like PJSIP/1064-0000000a", start.Name)
	}
	h.must("Hangup", h.tel.Hangup(h.ctx, id, core.CauseNormal))
	hup := h.waitFor("Hangup", isType(core.TelHangup, id))
	if hup.Cause != core.CauseNormal {
		h.t.Errorf("hangup cause = %d, want %d", hup.Cause, core.CauseNormal)
	}
	if _, ok := h.channelInfo(id); ok {
		h.t.Errorf("hung-up channel %s still listed by Channels()", id)
	}
}

func originateFailures(h *harness) {
	tests := []struct {
		name     string
		endpoint string
		timeout  time.Duration
		cause    core.HangupCause
	}{
		{"busy", h.env.BusyEndpoint, 5 * time.Second, core.CauseBusy},
		{"no answer", h.env.NoAnswerEndpoint, h.env.noAnswerTimeout(), core.CauseNoAnswer},
		{"congestion", h.env.CongestionEndpoint, 5 * time.Second, core.CauseCongestion},
	}
	ids := make([]string, len(tests))
	// Started together so the no-answer timeout is waited once.
	for i, tc := range tests {
		ids[i] = h.ids.next(tc.name[:2])
		_, err := h.tel.Originate(h.ctx, core.OriginateRequest{
			ChannelID: ids[i], Endpoint: tc.endpoint, CallerIDNum: "5550100", Timeout: tc.timeout, AppArgs: []string{"tt"},
		})
		h.must("Originate "+tc.name, err)
	}
	for i, tc := range tests {
		hup := h.waitFor(tc.name+" hangup", isType(core.TelHangup, ids[i]))
		if hup.Cause != tc.cause {
			h.t.Errorf("%s: hangup cause = %d (%s), want %d", tc.name, hup.Cause, hup.CauseText, tc.cause)
		}
		if h.rec.has(isType(core.TelStasisStart, ids[i])) || h.rec.has(isType(core.TelAnswered, ids[i])) {
			h.t.Errorf("%s: channel was answered / entered the application", tc.name)
		}
	}
}

func originateLinked(h *harness) {
	a := h.answered()
	aStart := h.waitFor("StasisStart a", isType(core.TelStasisStart, a))
	b := h.ids.next("linked")
	_, err := h.tel.Originate(h.ctx, core.OriginateRequest{
		ChannelID: b, Endpoint: h.env.AnswerEndpoint, CallerIDNum: "5550100", Timeout: 5 * time.Second,
		AppArgs: []string{"tt"}, OtherChannelID: a,
	})
	h.must("Originate linked", err)
	bStart := h.waitFor("StasisStart b", isType(core.TelStasisStart, b))
	if aStart.LinkedID == "" || bStart.LinkedID != aStart.LinkedID {
		h.t.Errorf("linked ids: a %q, b %q; want equal and set", aStart.LinkedID, bStart.LinkedID)
	}
	h.hangup(b)
	h.hangup(a)
}

func inboundAnswered(h *harness) {
	id, err := h.env.Inbound(h.ctx, "5550199", "7000")
	h.must("Inbound", err)
	start := h.waitFor("StasisStart", isType(core.TelStasisStart, id))
	if want := []string{"inbound", "7000"}; !slices.Equal(start.Args, want) {
		h.t.Errorf("StasisStart args = %q, want %q", start.Args, want)
	}
	if start.CallerID != "5550199" {
		h.t.Errorf("StasisStart caller id = %q, want 5550199", start.CallerID)
	}
	if info, ok := h.channelInfo(id); !ok || info.State == "Up" {
		h.t.Errorf("inbound channel before Answer: %+v (listed %v), want listed and not Up", info, ok)
	}
	h.must("Ring", h.tel.Ring(h.ctx, id))
	h.must("Answer", h.tel.Answer(h.ctx, id))
	h.waitFor("Answered", isType(core.TelAnswered, id))
	if info, ok := h.channelInfo(id); !ok || info.State != "Up" {
		h.t.Errorf("inbound channel after Answer: %+v (listed %v), want Up", info, ok)
	}
	h.hangup(id)
}

// answeredInbound is an inbound call already answered.
func answeredInbound(h *harness) string {
	h.t.Helper()
	id := h.inbound("5550199", "7000")
	h.must("Answer", h.tel.Answer(h.ctx, id))
	h.waitFor("Answered", isType(core.TelAnswered, id))
	return id
}

func members(h *harness, bridgeID string) []string {
	h.t.Helper()
	b, ok := h.bridgeInfo(bridgeID)
	if !ok {
		h.t.Fatalf("bridge %s not listed by Bridges()", bridgeID)
	}
	m := append([]string(nil), b.Channels...)
	slices.Sort(m)
	return m
}

func sorted(s ...string) []string {
	s = append([]string(nil), s...)
	slices.Sort(s)
	return s
}

func mixingBridge(h *harness) {
	a := answeredInbound(h)
	b := h.answered()
	br := h.ids.next("br")
	h.must("CreateBridge", h.tel.CreateBridge(h.ctx, br, core.BridgeMixing))
	h.must("AddToBridge a", h.tel.AddToBridge(h.ctx, br, a))
	h.must("AddToBridge b", h.tel.AddToBridge(h.ctx, br, b))
	// Bridge membership has no event in the port: poll the listing.
	h.eventually("both channels in the bridge", func() bool {
		return slices.Equal(members(h, br), sorted(a, b))
	})
	if info, _ := h.bridgeInfo(br); info.Kind != core.BridgeMixing {
		h.t.Errorf("bridge kind = %q, want mixing", info.Kind)
	}
	if info, ok := h.channelInfo(a); !ok || !slices.Contains(info.Bridges, br) {
		h.t.Errorf("Channels() entry for %s = %+v, want bridge %s", a, info, br)
	}
	h.must("RemoveFromBridge b", h.tel.RemoveFromBridge(h.ctx, br, b))
	h.eventually("only a left in the bridge", func() bool { return slices.Equal(members(h, br), []string{a}) })
	h.must("DestroyBridge", h.tel.DestroyBridge(h.ctx, br))
	if _, ok := h.bridgeInfo(br); ok {
		h.t.Errorf("destroyed bridge %s still listed", br)
	}
	// Destroying a bridge must not hang up its channels.
	if _, ok := h.channelInfo(a); !ok {
		h.t.Errorf("channel %s gone after its bridge was destroyed", a)
	}
	h.hangup(a)
	h.hangup(b)
}

func holdingBridge(h *harness) {
	a := h.answered()
	br := h.ids.next("hb")
	h.must("CreateBridge holding", h.tel.CreateBridge(h.ctx, br, core.BridgeHolding))
	h.must("AddToBridge", h.tel.AddToBridge(h.ctx, br, a))
	h.must("BridgeMOH", h.tel.BridgeMOH(h.ctx, br, "default"))
	h.eventually("channel in the holding bridge", func() bool { return slices.Equal(members(h, br), []string{a}) })
	if info, _ := h.bridgeInfo(br); info.Kind != core.BridgeHolding {
		h.t.Errorf("bridge kind = %q, want holding", info.Kind)
	}
	h.must("BridgeStopMOH", h.tel.BridgeStopMOH(h.ctx, br))
	h.must("DestroyBridge", h.tel.DestroyBridge(h.ctx, br))
	h.hangup(a)
}

func holdAndMOH(h *harness) {
	a := answeredInbound(h)
	h.must("Hold", h.tel.Hold(h.ctx, a))
	h.must("Unhold", h.tel.Unhold(h.ctx, a))
	h.must("StartMOH", h.tel.StartMOH(h.ctx, a, "default"))
	h.must("StopMOH", h.tel.StopMOH(h.ctx, a))
	h.hangup(a)
}

func dtmfBothWays(h *harness) {
	a := answeredInbound(h)
	h.must("SendDTMF", h.tel.SendDTMF(h.ctx, a, "123", 50*time.Millisecond))
	if h.env.SentDTMF != nil {
		h.eventually("far end received 123", func() bool { return h.env.SentDTMF(a) == "123" })
	}
	if h.env.FarDTMF != nil {
		from := h.rec.mark()
		h.must("FarDTMF", h.env.FarDTMF(h.ctx, a, "4#"))
		var digits string
		for len(digits) < 2 {
			ctx, cancel := context.WithTimeout(h.ctx, waitTimeout)
			ev, i, err := h.rec.waitFrom(ctx, from, isType(core.TelDTMF, a))
			cancel()
			if err != nil {
				h.t.Fatalf("waiting for DTMF after %q: %v; events:%s", digits, err, h.rec.dump())
			}
			digits += ev.Digit
			from = i + 1
		}
		if digits != "4#" {
			h.t.Errorf("received digits %q, want 4#", digits)
		}
	}
	h.hangup(a)
}

// stopPlayback stops a playback that may already have finished by itself
// (a short sound on a real Asterisk).
func stopPlayback(h *harness, id string) {
	h.t.Helper()
	err := h.tel.ControlPlayback(h.ctx, id, core.PlaybackStop)
	if err != nil && !(errors.Is(err, core.ErrNotFound) && h.rec.has(isPlayback(core.TelPlaybackFinished, id))) {
		h.t.Fatalf("stop playback %s: %v", id, err)
	}
	h.waitFor("PlaybackFinished "+id, isPlayback(core.TelPlaybackFinished, id))
}

func playback(h *harness) {
	a := h.answered()
	pb := h.ids.next("pb")
	h.must("Play on channel", h.tel.Play(h.ctx, pb, core.MediaTarget{Kind: core.TargetChannel, ID: a}, h.env.media()))
	ev := h.waitFor("PlaybackStarted", isPlayback(core.TelPlaybackStarted, pb))
	if ev.ChannelID != a {
		h.t.Errorf("channel PlaybackStarted ChannelID = %q, want %q", ev.ChannelID, a)
	}
	for _, op := range []core.PlaybackOp{core.PlaybackPause, core.PlaybackResume, core.PlaybackRestart} {
		err := h.tel.ControlPlayback(h.ctx, pb, op)
		if err != nil && !(errors.Is(err, core.ErrNotFound) && h.rec.has(isPlayback(core.TelPlaybackFinished, pb))) {
			h.t.Errorf("playback %s: %v", op, err)
		}
	}
	stopPlayback(h, pb)

	br := h.ids.next("br")
	h.must("CreateBridge", h.tel.CreateBridge(h.ctx, br, core.BridgeMixing))
	h.must("AddToBridge", h.tel.AddToBridge(h.ctx, br, a))
	bpb := h.ids.next("bpb")
	h.must("Play on bridge", h.tel.Play(h.ctx, bpb, core.MediaTarget{Kind: core.TargetBridge, ID: br}, h.env.media()))
	h.waitFor("bridge PlaybackStarted", isPlayback(core.TelPlaybackStarted, bpb))
	stopPlayback(h, bpb)
	h.must("DestroyBridge", h.tel.DestroyBridge(h.ctx, br))
	h.hangup(a)
}

func recording(h *harness) {
	a := h.answered()
	for _, target := range []string{"channel", "bridge"} {
		mt := core.MediaTarget{Kind: core.TargetChannel, ID: a}
		var br string
		if target == "bridge" {
			br = h.ids.next("br")
			h.must("CreateBridge", h.tel.CreateBridge(h.ctx, br, core.BridgeMixing))
			h.must("AddToBridge", h.tel.AddToBridge(h.ctx, br, a))
			mt = core.MediaTarget{Kind: core.TargetBridge, ID: br}
		}
		name := h.ids.next("rec")
		h.must(target+" Record", h.tel.Record(h.ctx, mt, name, h.env.recordFormat()))
		h.waitFor(target+" RecordingStarted", isRecording(core.TelRecordingStarted, name))
		h.must(target+" mute", h.tel.MuteRecording(h.ctx, name, true))
		h.must(target+" unmute", h.tel.MuteRecording(h.ctx, name, false))
		h.must(target+" StopRecording", h.tel.StopRecording(h.ctx, name))
		fin := h.waitFor(target+" RecordingFinished", isRecording(core.TelRecordingFinished, name))
		if fin.Duration < 0 {
			h.t.Errorf("%s recording duration = %v", target, fin.Duration)
		}
		if h.rec.has(isRecording(core.TelRecordingFailed, name)) {
			h.t.Errorf("%s recording reported failed", target)
		}
		if br != "" {
			h.must("DestroyBridge", h.tel.DestroyBridge(h.ctx, br))
		}
	}
	h.hangup(a)
}

func snoop(h *harness) {
	a := h.answered()
	s := h.ids.next("snoop")
	h.must("Snoop", h.tel.Snoop(h.ctx, a, s, core.SnoopBoth, core.SnoopNone))
	start := h.waitFor("snoop StasisStart", isType(core.TelStasisStart, s))
	if len(start.Args) < 2 || start.Args[0] != "snoop" || start.Args[1] != a {
		h.t.Errorf("snoop StasisStart args = %q, want [snoop %s]", start.Args, a)
	}
	h.hangup(s)
	if _, ok := h.channelInfo(a); !ok {
		h.t.Errorf("spied channel %s gone after its snoop hung up", a)
	}
	h.hangup(a)
}

func channelVars(h *harness) {
	a := h.answered()
	h.must("SetVar", h.tel.SetVar(h.ctx, a, "CG_NOTE", "hello world"))
	v, err := h.tel.GetVar(h.ctx, a, "CG_NOTE")
	h.must("GetVar", err)
	if v != "hello world" {
		h.t.Errorf("GetVar = %q, want %q", v, "hello world")
	}
	h.must("SetVar overwrite", h.tel.SetVar(h.ctx, a, "CG_NOTE", "bye"))
	if v, _ := h.tel.GetVar(h.ctx, a, "CG_NOTE"); v != "bye" {
		h.t.Errorf("GetVar after overwrite = %q, want bye", v)
	}
	vars, err := h.tel.ChannelVars(h.ctx, a)
	h.must("ChannelVars", err)
	if !slices.Contains(vars, core.ChannelVar{Name: "CG_NOTE", Value: "bye"}) {
		h.t.Errorf("ChannelVars = %+v, want CG_NOTE=bye among them", vars)
	}
	if !slices.IsSortedFunc(vars, func(x, y core.ChannelVar) int { return strings.Compare(x.Name, y.Name) }) {
		h.t.Errorf("ChannelVars = %+v, want them sorted by name", vars)
	}
	h.hangup(a)
}

func listing(h *harness) {
	a := h.answered()
	b := answeredInbound(h)
	br := h.ids.next("br")
	h.must("CreateBridge", h.tel.CreateBridge(h.ctx, br, core.BridgeMixing))
	for _, id := range []string{a, b} {
		info, ok := h.channelInfo(id)
		if !ok {
			h.t.Fatalf("channel %s not listed", id)
		}
		if info.State != "Up" || info.Created.IsZero() || info.Name == "" {
			h.t.Errorf("Channels() entry %+v: want state Up, a name and a creation time", info)
		}
	}
	if _, ok := h.bridgeInfo(br); !ok {
		h.t.Errorf("bridge %s not listed", br)
	}
	h.must("DestroyBridge", h.tel.DestroyBridge(h.ctx, br))
	h.hangup(a)
	h.hangup(b)
	if _, ok := h.channelInfo(a); ok {
		h.t.Errorf("hung-up channel %s still listed", a)
	}
}

func hangupCause(h *harness) {
	for _, cause := range []core.HangupCause{core.CauseNormal, core.CauseBusy} {
		a := h.answered()
		h.must("Hangup", h.tel.Hangup(h.ctx, a, cause))
		ev := h.waitFor("Hangup", isType(core.TelHangup, a))
		if ev.Cause != cause {
			h.t.Errorf("hangup with cause %d reported cause %d (%s)", cause, ev.Cause, ev.CauseText)
		}
	}
}

func notFoundErrors(h *harness) {
	live := h.answered()
	br := h.ids.next("br")
	h.must("CreateBridge", h.tel.CreateBridge(h.ctx, br, core.BridgeMixing))
	gone := h.ids.next("gone")
	ctx := h.ctx
	tel := h.tel
	ops := []struct {
		name string
		do   func() error
	}{
		{"Answer", func() error { return tel.Answer(ctx, gone) }},
		{"Ring", func() error { return tel.Ring(ctx, gone) }},
		{"Hangup", func() error { return tel.Hangup(ctx, gone, core.CauseNormal) }},
		{"Continue", func() error { return tel.Continue(ctx, gone, "default", "s", 1) }},
		{"DestroyBridge", func() error { return tel.DestroyBridge(ctx, gone) }},
		{"AddToBridge unknown bridge", func() error { return tel.AddToBridge(ctx, gone, live) }},
		{"AddToBridge unknown channel", func() error { return tel.AddToBridge(ctx, br, gone) }},
		{"RemoveFromBridge unknown bridge", func() error { return tel.RemoveFromBridge(ctx, gone, live) }},
		{"Hold", func() error { return tel.Hold(ctx, gone) }},
		{"Unhold", func() error { return tel.Unhold(ctx, gone) }},
		{"StartMOH", func() error { return tel.StartMOH(ctx, gone, "default") }},
		{"StopMOH", func() error { return tel.StopMOH(ctx, gone) }},
		{"BridgeMOH", func() error { return tel.BridgeMOH(ctx, gone, "default") }},
		{"BridgeStopMOH", func() error { return tel.BridgeStopMOH(ctx, gone) }},
		{"SendDTMF", func() error { return tel.SendDTMF(ctx, gone, "1", 0) }},
		{"Play on unknown channel", func() error {
			return tel.Play(ctx, h.ids.next("pb"), core.MediaTarget{Kind: core.TargetChannel, ID: gone}, h.env.media())
		}},
		{"Play on unknown bridge", func() error {
			return tel.Play(ctx, h.ids.next("pb"), core.MediaTarget{Kind: core.TargetBridge, ID: gone}, h.env.media())
		}},
		{"ControlPlayback", func() error { return tel.ControlPlayback(ctx, gone, core.PlaybackStop) }},
		{"Record on unknown channel", func() error {
			return tel.Record(ctx, core.MediaTarget{Kind: core.TargetChannel, ID: gone}, h.ids.next("rec"), h.env.recordFormat())
		}},
		{"StopRecording", func() error { return tel.StopRecording(ctx, gone) }},
		{"MuteRecording", func() error { return tel.MuteRecording(ctx, gone, true) }},
		{"Snoop", func() error { return tel.Snoop(ctx, gone, h.ids.next("snoop"), core.SnoopBoth, core.SnoopNone) }},
		{"SetVar", func() error { return tel.SetVar(ctx, gone, "X", "1") }},
		{"GetVar", func() error { _, err := tel.GetVar(ctx, gone, "X"); return err }},
		{"ChannelVars", func() error { _, err := tel.ChannelVars(ctx, gone); return err }},
	}
	for _, op := range ops {
		if err := op.do(); !errors.Is(err, core.ErrNotFound) {
			h.t.Errorf("%s on an unknown id: error %v, want core.ErrNotFound", op.name, err)
		}
	}
	h.must("DestroyBridge", h.tel.DestroyBridge(h.ctx, br))
	h.hangup(live)
	// A channel that hung up is as unknown as one that never existed.
	if err := h.tel.Answer(h.ctx, live); !errors.Is(err, core.ErrNotFound) {
		h.t.Errorf("Answer on a hung-up channel: error %v, want core.ErrNotFound", err)
	}
}
