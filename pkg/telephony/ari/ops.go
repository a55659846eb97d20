package ari

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	ariv5 "github.com/CyCoreSystems/ari/v5"

	"github.com/callgate/callgate/core"
)

func chanKey(id string) *ariv5.Key   { return ariv5.NewKey(ariv5.ChannelKey, id) }
func bridgeKey(id string) *ariv5.Key { return ariv5.NewKey(ariv5.BridgeKey, id) }

func newID(prefix string) string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

func need(op, what, v string) error {
	if v == "" {
		return fmt.Errorf("ari: %s: empty %s", op, what)
	}
	return nil
}

// formatCallerID renders ARI's callerId: "Name" <number>.
func formatCallerID(name, num string) string {
	name = strings.NewReplacer(`"`, "", "<", "", ">", "").Replace(name)
	switch {
	case name == "" && num == "":
		return ""
	case name == "":
		return "<" + num + ">"
	case num == "":
		return `"` + name + `"`
	}
	return `"` + name + `" <` + num + `>`
}

// originateTimeout converts to ARI's whole seconds: a positive timeout is
// rounded up (never to 0, which would mean "Asterisk's default"), a
// negative one means no timeout.
func originateTimeout(d time.Duration) int {
	switch {
	case d < 0:
		return -1
	case d == 0:
		return 0
	}
	return int(math.Ceil(d.Seconds()))
}

func (t *Telephony) Originate(ctx context.Context, req core.OriginateRequest) (string, error) {
	if err := need("originate", "endpoint", req.Endpoint); err != nil {
		return "", err
	}
	id := req.ChannelID
	if id == "" {
		id = newID("cg-")
	}
	r := ariv5.OriginateRequest{
		Endpoint:   req.Endpoint,
		Timeout:    originateTimeout(req.Timeout),
		CallerID:   formatCallerID(req.CallerIDName, req.CallerIDNum),
		App:        t.cfg.App,
		AppArgs:    strings.Join(req.AppArgs, ","),
		ChannelID:  id,
		Originator: req.OtherChannelID,
		Variables:  req.Variables,
	}
	// Owned before the request: Asterisk may publish the first events of
	// the channel before the REST answer arrives.
	t.own(id, ownOriginated)
	t.vars.NoteMap(id, req.Variables)
	err := t.call(ctx, "originate", func() error {
		_, err := t.cli.Channel().Originate(nil, r)
		return err
	})
	if err != nil {
		t.disown(id)
		return "", err
	}
	return id, nil
}

func (t *Telephony) Answer(ctx context.Context, channelID string) error {
	return t.call(ctx, "answer", func() error { return t.cli.Channel().Answer(chanKey(channelID)) })
}

func (t *Telephony) Ring(ctx context.Context, channelID string) error {
	return t.call(ctx, "ring", func() error { return t.cli.Channel().Ring(chanKey(channelID)) })
}

// hangupReasons are the named reasons ARI accepts, keyed by the Q.850 cause
// Asterisk maps them to (res/ari/resource_channels.c).
var hangupReasons = map[core.HangupCause]string{
	16: "normal", 17: "busy", 34: "congestion", 19: "no_answer", 18: "timeout",
	21: "rejected", 1: "unallocated", 31: "normal_unspecified", 28: "number_incomplete",
	58: "codec_mismatch", 127: "interworking", 38: "failure", 26: "answered_elsewhere",
}

func (t *Telephony) Hangup(ctx context.Context, channelID string, cause core.HangupCause) error {
	if err := need("hangup", "channel id", channelID); err != nil {
		return err
	}
	if cause == 0 {
		cause = core.CauseNormal
	}
	if reason, ok := hangupReasons[cause]; ok {
		return t.call(ctx, "hangup", func() error { return t.cli.Channel().Hangup(chanKey(channelID), reason) })
	}
	if !t.up.Load() {
		return fmt.Errorf("ari: hangup: %w", core.ErrNotConnected)
	}
	// ari/v5 only sends named reasons; any other Q.850 code needs reason_code.
	q := url.Values{"reason_code": {strconv.Itoa(int(cause))}}
	return t.rest(ctx, "hangup", http.MethodDelete, "/channels/"+url.PathEscape(channelID), q, nil, nil)
}

func (t *Telephony) Continue(ctx context.Context, channelID, dialContext, exten string, priority int) error {
	if priority <= 0 {
		priority = 1
	}
	return t.call(ctx, "continue", func() error {
		return t.cli.Channel().Continue(chanKey(channelID), dialContext, exten, priority)
	})
}

func (t *Telephony) bridgeType(kind core.BridgeKind) (string, error) {
	switch kind {
	case core.BridgeMixing, "":
		return t.cfg.MixingBridgeType, nil
	case core.BridgeHolding:
		return "holding", nil
	}
	return "", fmt.Errorf("ari: create bridge: unknown kind %q", kind)
}

func (t *Telephony) CreateBridge(ctx context.Context, bridgeID string, kind core.BridgeKind) error {
	if err := need("create bridge", "bridge id", bridgeID); err != nil {
		return err
	}
	typ, err := t.bridgeType(kind)
	if err != nil {
		return err
	}
	if kind == "" {
		kind = core.BridgeMixing
	}
	err = t.call(ctx, "create bridge", func() error {
		_, err := t.cli.Bridge().Create(bridgeKey(bridgeID), typ, bridgeID)
		return err
	})
	var ae *Error
	if errors.As(err, &ae) && ae.Code == http.StatusConflict {
		// Asterisk 22 answers 409 to a create whose id exists, where the
		// port (like the simulator) is idempotent for a bridge of the same
		// kind: the engine re-creates a queue's bridge after a reconnect and
		// a call's bridge when a transferred call is connected again. A 409
		// without such a bridge (an id Asterisk still holds for a destroyed
		// one) stays an error.
		var b wireBridge
		if gerr := t.rest(ctx, "create bridge", http.MethodGet, "/bridges/"+url.PathEscape(bridgeID), nil, nil, &b); gerr == nil && wireKind(b) == kind {
			return nil
		}
	}
	return err
}

// wireKind is the core kind of an Asterisk bridge.
func wireKind(b wireBridge) core.BridgeKind {
	if strings.Contains(b.BridgeType, "holding") {
		return core.BridgeHolding
	}
	return core.BridgeMixing
}

// DestroyBridge returns once Asterisk no longer lists the bridge: ARI answers
// the DELETE before the bridge is actually torn down.
func (t *Telephony) DestroyBridge(ctx context.Context, bridgeID string) error {
	err := t.call(ctx, "destroy bridge", func() error { return t.cli.Bridge().Delete(bridgeKey(bridgeID)) })
	if err != nil {
		return err
	}
	ctx, cancel := t.withTimeout(ctx)
	defer cancel()
	for {
		err := t.rest(ctx, "destroy bridge", http.MethodGet, "/bridges/"+url.PathEscape(bridgeID), nil, nil, nil)
		if errors.Is(err, core.ErrNotFound) {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil // deleted; just not confirmed in time
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func (t *Telephony) AddToBridge(ctx context.Context, bridgeID, channelID string) error {
	return t.call(ctx, "add to bridge", func() error {
		return t.cli.Bridge().AddChannel(bridgeKey(bridgeID), channelID)
	}, http.StatusBadRequest)
}

func (t *Telephony) RemoveFromBridge(ctx context.Context, bridgeID, channelID string) error {
	return t.call(ctx, "remove from bridge", func() error {
		return t.cli.Bridge().RemoveChannel(bridgeKey(bridgeID), channelID)
	}, http.StatusBadRequest)
}

func (t *Telephony) Hold(ctx context.Context, channelID string) error {
	return t.call(ctx, "hold", func() error { return t.cli.Channel().Hold(chanKey(channelID)) })
}

func (t *Telephony) Unhold(ctx context.Context, channelID string) error {
	return t.call(ctx, "unhold", func() error { return t.cli.Channel().StopHold(chanKey(channelID)) })
}

func (t *Telephony) StartMOH(ctx context.Context, channelID, class string) error {
	return t.call(ctx, "start moh", func() error { return t.cli.Channel().MOH(chanKey(channelID), class) })
}

func (t *Telephony) StopMOH(ctx context.Context, channelID string) error {
	return t.call(ctx, "stop moh", func() error { return t.cli.Channel().StopMOH(chanKey(channelID)) })
}

func (t *Telephony) BridgeMOH(ctx context.Context, bridgeID, class string) error {
	if class == "" {
		class = "default"
	}
	return t.call(ctx, "bridge moh", func() error { return t.cli.Bridge().MOH(bridgeKey(bridgeID), class) })
}

func (t *Telephony) BridgeStopMOH(ctx context.Context, bridgeID string) error {
	return t.call(ctx, "bridge stop moh", func() error { return t.cli.Bridge().StopMOH(bridgeKey(bridgeID)) })
}

func (t *Telephony) SendDTMF(ctx context.Context, channelID, digits string, between time.Duration) error {
	if err := need("send dtmf", "digits", digits); err != nil {
		return err
	}
	if between <= 0 {
		between = 100 * time.Millisecond
	}
	// ari/v5's DTMFOptions are time.Durations; left zero it substitutes
	// 100 nanoseconds, which it then truncates to 0 ms.
	opts := &ariv5.DTMFOptions{Between: between, Duration: 100 * time.Millisecond}
	return t.call(ctx, "send dtmf", func() error { return t.cli.Channel().SendDTMF(chanKey(channelID), digits, opts) })
}

func (t *Telephony) Play(ctx context.Context, playbackID string, target core.MediaTarget, media string) error {
	if err := need("play", "media", media); err != nil {
		return err
	}
	if playbackID == "" {
		playbackID = newID("pb-")
	}
	switch target.Kind {
	case core.TargetChannel:
		return t.call(ctx, "play", func() error {
			_, err := t.cli.Channel().Play(chanKey(target.ID), playbackID, media)
			return err
		})
	case core.TargetBridge:
		return t.call(ctx, "play", func() error {
			_, err := t.cli.Bridge().Play(bridgeKey(target.ID), playbackID, media)
			return err
		})
	}
	return fmt.Errorf("ari: play: unknown target kind %q", target.Kind)
}

func (t *Telephony) ControlPlayback(ctx context.Context, playbackID string, op core.PlaybackOp) error {
	key := ariv5.NewKey(ariv5.PlaybackKey, playbackID)
	switch op {
	case core.PlaybackStop:
		return t.call(ctx, "stop playback", func() error { return t.cli.Playback().Stop(key) })
	case core.PlaybackPause, core.PlaybackResume, core.PlaybackRestart:
		return t.call(ctx, "control playback", func() error { return t.cli.Playback().Control(key, string(op)) })
	}
	return fmt.Errorf("ari: control playback: unknown operation %q", op)
}

func (t *Telephony) Record(ctx context.Context, target core.MediaTarget, name, format string) error {
	if err := need("record", "name", name); err != nil {
		return err
	}
	if format == "" {
		format = "wav"
	}
	opts := &ariv5.RecordingOptions{Format: format, Exists: t.cfg.RecordIfExists, Terminate: "none"}
	switch target.Kind {
	case core.TargetChannel:
		return t.call(ctx, "record", func() error {
			_, err := t.cli.Channel().Record(chanKey(target.ID), name, opts)
			return err
		})
	case core.TargetBridge:
		return t.call(ctx, "record", func() error {
			_, err := t.cli.Bridge().Record(bridgeKey(target.ID), name, opts)
			return err
		})
	}
	return fmt.Errorf("ari: record: unknown target kind %q", target.Kind)
}

func (t *Telephony) StopRecording(ctx context.Context, name string) error {
	key := ariv5.NewKey(ariv5.LiveRecordingKey, name)
	return t.call(ctx, "stop recording", func() error { return t.cli.LiveRecording().Stop(key) })
}

func (t *Telephony) MuteRecording(ctx context.Context, name string, mute bool) error {
	key := ariv5.NewKey(ariv5.LiveRecordingKey, name)
	if mute {
		return t.call(ctx, "mute recording", func() error { return t.cli.LiveRecording().Mute(key) })
	}
	return t.call(ctx, "unmute recording", func() error { return t.cli.LiveRecording().Unmute(key) })
}

func direction(d core.SnoopDirection) ariv5.Direction {
	if d == "" {
		return ariv5.DirectionNone
	}
	return ariv5.Direction(d)
}

// Snoop creates snoopID spying on channelID; it enters the application with
// args ["snoop", channelID] so the engine can tell it from a call.
func (t *Telephony) Snoop(ctx context.Context, channelID, snoopID string, spy, whisper core.SnoopDirection) error {
	if err := need("snoop", "snoop id", snoopID); err != nil {
		return err
	}
	opts := &ariv5.SnoopOptions{
		App:     t.cfg.App,
		AppArgs: "snoop," + channelID,
		Spy:     direction(spy),
		Whisper: direction(whisper),
	}
	t.own(snoopID, ownSnoop)
	err := t.call(ctx, "snoop", func() error {
		_, err := t.cli.Channel().Snoop(chanKey(channelID), snoopID, opts)
		return err
	})
	if err != nil {
		t.disown(snoopID)
	}
	return err
}

func (t *Telephony) SetVar(ctx context.Context, channelID, name, value string) error {
	if err := need("set var", "name", name); err != nil {
		return err
	}
	err := t.call(ctx, "set var", func() error { return t.cli.Channel().SetVariable(chanKey(channelID), name, value) })
	if err == nil {
		t.vars.Note(channelID, name)
	}
	return err
}

// ChannelVars lists the variables set through the gateway and Asterisk's
// standard ones that have a value (see chanvars.go).
func (t *Telephony) ChannelVars(ctx context.Context, channelID string) ([]core.ChannelVar, error) {
	if err := need("channel vars", "channel", channelID); err != nil {
		return nil, err
	}
	return ListVars(ctx, &t.vars, channelID, t.GetVar)
}

// GetVar returns "" for a variable never set, like reading it in the
// dialplan; ErrNotFound is kept for an unknown channel.
func (t *Telephony) GetVar(ctx context.Context, channelID, name string) (string, error) {
	if err := need("get var", "name", name); err != nil {
		return "", err
	}
	if !t.up.Load() {
		return "", fmt.Errorf("ari: get var: %w", core.ErrNotConnected)
	}
	var out struct {
		Value string `json:"value"`
	}
	err := t.rest(ctx, "get var", http.MethodGet, "/channels/"+url.PathEscape(channelID)+"/variable",
		url.Values{"variable": {name}}, nil, &out)
	var ae *Error
	if errors.As(err, &ae) && ae.Code == http.StatusNotFound && strings.Contains(strings.ToLower(ae.Message), "variable") {
		return "", nil
	}
	return out.Value, err
}

// SendText sends a message through Asterisk's message routing (to is a
// technology URI such as pjsip:1064 or sip:+5491155551234@trunk).
func (t *Telephony) SendText(ctx context.Context, from, to, body string, vars map[string]string) error {
	if err := need("send text", "destination", to); err != nil {
		return err
	}
	if !t.up.Load() {
		return fmt.Errorf("ari: send text: %w", core.ErrNotConnected)
	}
	if vars == nil {
		vars = map[string]string{}
	}
	q := url.Values{"from": {from}, "to": {to}, "body": {body}}
	return t.rest(ctx, "send text", http.MethodPut, "/endpoints/sendMessage", q, map[string]any{"variables": vars}, nil)
}

func (t *Telephony) Channels(ctx context.Context) ([]core.ChannelInfo, error) {
	if !t.up.Load() {
		return nil, fmt.Errorf("ari: list channels: %w", core.ErrNotConnected)
	}
	chans, err := t.listChannels(ctx)
	if err != nil {
		return nil, err
	}
	bridges, err := t.listBridges(ctx)
	if err != nil {
		return nil, err
	}
	in := map[string][]string{}
	for _, b := range bridges {
		for _, c := range b.Channels {
			in[c] = append(in[c], b.ID)
		}
	}
	out := make([]core.ChannelInfo, 0, len(chans))
	for _, c := range chans {
		ci := core.ChannelInfo{
			ID:        c.ID,
			Name:      c.Name,
			State:     c.State,
			CallerID:  c.Caller.Number,
			Connected: c.Connected.Number,
			Dialed:    c.Dialplan.Exten,
			LinkedID:  c.ChannelVars[linkedIDVar],
			Bridges:   in[c.ID],
		}
		if ci.LinkedID == "" {
			ci.LinkedID = c.ID
		}
		if ts, ok := parseARITime(c.CreationTime); ok {
			ci.Created = ts
		}
		out = append(out, ci)
	}
	return out, nil
}

func (t *Telephony) Bridges(ctx context.Context) ([]core.BridgeInfo, error) {
	if !t.up.Load() {
		return nil, fmt.Errorf("ari: list bridges: %w", core.ErrNotConnected)
	}
	bridges, err := t.listBridges(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]core.BridgeInfo, 0, len(bridges))
	for _, b := range bridges {
		out = append(out, core.BridgeInfo{ID: b.ID, Kind: wireKind(b), Channels: append([]string{}, b.Channels...)})
	}
	return out, nil
}
