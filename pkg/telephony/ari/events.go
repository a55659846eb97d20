package ari

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
)

// Events are decoded with our own minimal structs rather than ari/v5's
// DecodeEvent: v5.3.1 returns a nil event for types it does not know (its own
// reader then panics), its TextMessageData declares variables as a list while
// Asterisk sends an object (so every TextMessageReceived with variables fails
// to decode), and one pass over the few fields we use is cheaper on the path
// that must keep up with Asterisk.

type wireCallerID struct {
	Name   string `json:"name"`
	Number string `json:"number"`
}

type wireDialplan struct {
	Context  string `json:"context"`
	Exten    string `json:"exten"`
	Priority int    `json:"priority"`
	AppName  string `json:"app_name"`
	AppData  string `json:"app_data"`
}

type wireChannel struct {
	ID           string            `json:"id"`
	Name         string            `json:"name"`
	State        string            `json:"state"`
	Caller       wireCallerID      `json:"caller"`
	Connected    wireCallerID      `json:"connected"`
	Dialplan     wireDialplan      `json:"dialplan"`
	CreationTime string            `json:"creationtime"`
	ChannelVars  map[string]string `json:"channelvars"`
}

type wireBridge struct {
	ID         string   `json:"id"`
	Technology string   `json:"technology"`
	BridgeType string   `json:"bridge_type"`
	Channels   []string `json:"channels"`
}

type wirePlayback struct {
	ID        string `json:"id"`
	MediaURI  string `json:"media_uri"`
	State     string `json:"state"`
	TargetURI string `json:"target_uri"`
}

type wireRecording struct {
	Name      string `json:"name"`
	Format    string `json:"format"`
	State     string `json:"state"`
	TargetURI string `json:"target_uri"`
	Cause     string `json:"cause"`
	Duration  int    `json:"duration"`
}

type wireTextMessage struct {
	From string `json:"from"`
	To   string `json:"to"`
	Body string `json:"body"`
}

// wireEvent is the union of the fields of the event types we translate.
type wireEvent struct {
	Type        string           `json:"type"`
	Application string           `json:"application"`
	Timestamp   string           `json:"timestamp"`
	Channel     *wireChannel     `json:"channel"`
	Args        []string         `json:"args"`
	Cause       int              `json:"cause"`
	CauseTxt    string           `json:"cause_txt"`
	Digit       string           `json:"digit"`
	DurationMs  int              `json:"duration_ms"`
	Playback    *wirePlayback    `json:"playback"`
	Recording   *wireRecording   `json:"recording"`
	Message     *wireTextMessage `json:"message"`
}

// handledTypes are the ARI event types translated into core.TelEvent; every
// other type is skipped before its body is trusted.
var handledTypes = map[string]bool{
	"StasisStart": true, "StasisEnd": true, "ChannelCreated": true,
	"ChannelStateChange": true, "ChannelDtmfReceived": true, "ChannelDestroyed": true,
	"PlaybackStarted": true, "PlaybackFinished": true,
	"RecordingStarted": true, "RecordingFinished": true, "RecordingFailed": true,
	"TextMessageReceived": true,
}

// errAppReplaced: another websocket registered our application name, so
// Asterisk now sends our events elsewhere (two gateways configured with the
// same App is a deployment error).
var errAppReplaced = errors.New("ari: application taken over by another websocket")

// ariTimeLayout is the timestamp format of ARI JSON bodies.
const ariTimeLayout = "2006-01-02T15:04:05.000-0700"

func parseARITime(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(ariTimeLayout, s)
	if err != nil {
		if t, err = time.Parse(time.RFC3339Nano, s); err != nil {
			return time.Time{}, false
		}
	}
	return t, true
}

// linkedIDVar is exposed in channel snapshots by ari.conf's
// channelvars = CHANNEL(linkedid) (see deploy/asterisk/ari.conf).
const linkedIDVar = "CHANNEL(linkedid)"

// chanState is what the dispatcher remembers per channel to turn ARI's state
// changes into one TelRinging / TelAnswered each.
type chanState struct {
	ringing, answered bool
}

// translator turns decoded ARI events into core events. It is used only by
// the dispatcher goroutine, so its maps need no lock; ownership of `;2`
// halves is asked of the Telephony (shared with Originate).
type translator struct {
	app     string
	node    string
	owned   func(id string) bool
	adopt   func(id string)
	forget  func(id string)
	entered func(id string) // a channel entered the application
	state   map[string]*chanState
	// recent remembers the last hung-up channels so a hangup reported twice
	// (ChannelDestroyed and a synthesized one) reaches the sink once.
	recent    map[string]struct{}
	recentLog []string
	recentPos int
}

const recentHangups = 4096

func (tr *translator) reset() { clear(tr.state) }

// hangup records a channel's end; false if it was already reported.
func (tr *translator) hangup(id string) bool {
	delete(tr.state, id)
	tr.forget(id)
	if tr.recent == nil {
		tr.recent = make(map[string]struct{}, recentHangups)
		tr.recentLog = make([]string, recentHangups)
	}
	if _, dup := tr.recent[id]; dup {
		return false
	}
	if old := tr.recentLog[tr.recentPos]; old != "" {
		delete(tr.recent, old)
	}
	tr.recentLog[tr.recentPos] = id
	tr.recentPos = (tr.recentPos + 1) % recentHangups
	tr.recent[id] = struct{}{}
	return true
}

// translate appends the core events for one raw frame to out. Unknown types,
// other applications' events and garbage frames produce nothing.
func (tr *translator) translate(raw []byte, out []core.TelEvent) ([]core.TelEvent, error) {
	var w wireEvent
	if err := json.Unmarshal(raw, &w); err != nil {
		if w.Type == "" || !handledTypes[w.Type] {
			return out, nil // not ours to understand: skip quietly
		}
		return out, err
	}
	if !handledTypes[w.Type] {
		if w.Type == "ApplicationReplaced" && (w.Application == "" || w.Application == tr.app) {
			return out, errAppReplaced
		}
		return out, nil
	}
	if w.Application != "" && w.Application != tr.app {
		return out, nil
	}
	ts, ok := parseARITime(w.Timestamp)
	if !ok {
		ts = time.Now()
	}
	ev := core.TelEvent{Node: tr.node, Time: ts}
	if c := w.Channel; c != nil {
		if isLocalHalf2(c.ID) && !tr.owned(c.ID) {
			// The ;2 half of a Local channel we originated is subscribed
			// implicitly; it is noise unless it entered our application
			// itself (an inbound call through a Local channel).
			if w.Type != "StasisStart" {
				return out, nil
			}
			tr.adopt(c.ID)
		}
		fillChannel(&ev, c)
	}
	switch w.Type {
	case "StasisStart":
		ev.Type = core.TelStasisStart
		ev.Args = w.Args
		if ev.Args == nil {
			ev.Args = []string{}
		}
		if len(w.Args) >= 2 && w.Args[0] == "inbound" {
			ev.Dialed = w.Args[1]
		}
		if w.Channel != nil && w.Channel.State == "Up" {
			// An originated channel enters the application once answered;
			// its Up state change may have been published before the
			// subscription existed, so StasisStart stands in for it.
			out = tr.stateEvent(out, ev, "Up")
		}
		out = append(out, ev)
		if tr.entered != nil {
			tr.entered(ev.ChannelID)
		}
	case "StasisEnd":
		ev.Type = core.TelStasisEnd
		out = append(out, ev)
	case "ChannelCreated":
		ev.Type = core.TelChannelCreated
		out = append(out, ev)
	case "ChannelStateChange":
		if w.Channel != nil {
			out = tr.stateEvent(out, ev, w.Channel.State)
		}
	case "ChannelDtmfReceived":
		ev.Type = core.TelDTMF
		ev.Digit = w.Digit
		ev.Duration = time.Duration(w.DurationMs) * time.Millisecond
		out = append(out, ev)
	case "ChannelDestroyed":
		ev.Type = core.TelHangup
		ev.Cause = core.HangupCause(w.Cause)
		ev.CauseText = w.CauseTxt
		if tr.hangup(ev.ChannelID) {
			out = append(out, ev)
		}
	case "PlaybackStarted", "PlaybackFinished":
		if w.Playback == nil {
			return out, nil
		}
		ev.Type = core.TelPlaybackStarted
		if w.Type == "PlaybackFinished" {
			ev.Type = core.TelPlaybackFinished
		}
		ev.PlaybackID = w.Playback.ID
		if id, ok := strings.CutPrefix(w.Playback.TargetURI, "channel:"); ok {
			ev.ChannelID = id
		}
		out = append(out, ev)
	case "RecordingStarted", "RecordingFinished", "RecordingFailed":
		if w.Recording == nil {
			return out, nil
		}
		switch w.Type {
		case "RecordingStarted":
			ev.Type = core.TelRecordingStarted
		case "RecordingFinished":
			ev.Type = core.TelRecordingFinished
			ev.Duration = time.Duration(w.Recording.Duration) * time.Second
		default:
			ev.Type = core.TelRecordingFailed
			ev.CauseText = w.Recording.Cause
		}
		ev.RecordingName = w.Recording.Name
		if id, ok := strings.CutPrefix(w.Recording.TargetURI, "channel:"); ok {
			ev.ChannelID = id
		}
		out = append(out, ev)
	case "TextMessageReceived":
		if w.Message == nil {
			return out, nil
		}
		ev.Type = core.TelTextReceived
		ev.From, ev.To, ev.Text = w.Message.From, w.Message.To, w.Message.Body
		out = append(out, ev)
	}
	return out, nil
}

func (tr *translator) stateEvent(out []core.TelEvent, ev core.TelEvent, state string) []core.TelEvent {
	st := tr.state[ev.ChannelID]
	if st == nil {
		st = &chanState{}
		tr.state[ev.ChannelID] = st
	}
	switch state {
	case "Ringing":
		if st.ringing || st.answered {
			return out
		}
		st.ringing = true
		ev.Type = core.TelRinging
	case "Up":
		if st.answered {
			return out
		}
		st.answered = true
		ev.Type = core.TelAnswered
	default:
		return out
	}
	return append(out, ev)
}

func fillChannel(ev *core.TelEvent, c *wireChannel) {
	ev.ChannelID = c.ID
	ev.UniqueID = c.ID
	ev.LinkedID = c.ChannelVars[linkedIDVar]
	if ev.LinkedID == "" {
		ev.LinkedID = c.ID
	}
	ev.Name = c.Name
	ev.CallerID = c.Caller.Number
	ev.Dialed = c.Dialplan.Exten
}

func isLocalHalf2(id string) bool { return strings.HasSuffix(id, ";2") }
