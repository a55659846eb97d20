package core

import (
	"context"
	"errors"
	"io"
	"time"
)

// Telephony is the port through which the engine drives a PBX. Asterisk only
// switches media: every decision (routing, ACD, dialing) is taken by the core,
// so the port is deliberately low level — channels, bridges and media.
//
// Implementations: pkg/telephony/ari (Asterisk ARI, one Stasis application),
// pkg/telephony/ariproxy (many Asterisk nodes through ari-proxy over NATS)
// and pkg/telephony/sim (an in-process simulated PBX). Both pass the contract
// suite in pkg/telephony/telephonytest.
//
// Implementations must never call back into the core synchronously from a
// method: events are delivered only through the sink given to Start, and the
// sink must never block the PBX side (the engine queues them itself).
type Telephony interface {
	// NodeID is the explicit identity of the PBX node, from configuration
	// (never derived from a MAC address: several Asterisks may share a host).
	NodeID() string
	// Start connects and begins delivering events to sink. It returns once the
	// first connection attempt has been made; reconnection is the
	// implementation's job and is reported with TelConnected/TelDisconnected.
	Start(ctx context.Context, sink func(TelEvent)) error
	// Close stops the implementation and releases its connections.
	Close() error
	// Ready reports whether the PBX is currently reachable.
	Ready() bool

	Originate(ctx context.Context, req OriginateRequest) (channelID string, err error)
	Answer(ctx context.Context, channelID string) error
	Ring(ctx context.Context, channelID string) error
	Hangup(ctx context.Context, channelID string, cause HangupCause) error
	// Continue sends a channel back to the dialplan (blind transfer to a
	// dialplan extension, or leaving the application).
	Continue(ctx context.Context, channelID, dialContext, exten string, priority int) error

	CreateBridge(ctx context.Context, bridgeID string, kind BridgeKind) error
	DestroyBridge(ctx context.Context, bridgeID string) error
	AddToBridge(ctx context.Context, bridgeID, channelID string) error
	RemoveFromBridge(ctx context.Context, bridgeID, channelID string) error

	// Hold sends the hold indication; StartMOH/StopMOH play music on hold to
	// a channel. A holding bridge plays MOH to everybody with BridgeMOH.
	Hold(ctx context.Context, channelID string) error
	Unhold(ctx context.Context, channelID string) error
	StartMOH(ctx context.Context, channelID, class string) error
	StopMOH(ctx context.Context, channelID string) error
	BridgeMOH(ctx context.Context, bridgeID, class string) error
	BridgeStopMOH(ctx context.Context, bridgeID string) error

	SendDTMF(ctx context.Context, channelID, digits string, between time.Duration) error

	// Play starts a playback with the caller-chosen id on a channel or a
	// bridge (target.Kind). media is an Asterisk media URI: sound:, tone:,
	// recording:.
	Play(ctx context.Context, playbackID string, target MediaTarget, media string) error
	ControlPlayback(ctx context.Context, playbackID string, op PlaybackOp) error

	// Record starts a live recording named name on a channel or bridge.
	Record(ctx context.Context, target MediaTarget, name, format string) error
	StopRecording(ctx context.Context, name string) error
	MuteRecording(ctx context.Context, name string, mute bool) error
	// RecordingFile reads a finished (stored) recording's file, as the PBX
	// wrote it. ErrNotFound when the PBX has no such recording.
	RecordingFile(ctx context.Context, name string) (io.ReadCloser, error)

	// Snoop creates a snoop channel on channelID (listen: hear both sides;
	// whisper: speak to the channel) that enters the application with snoopID.
	Snoop(ctx context.Context, channelID, snoopID string, spy, whisper SnoopDirection) error

	SetVar(ctx context.Context, channelID, name, value string) error
	GetVar(ctx context.Context, channelID, name string) (string, error)
	// ChannelVars lists a channel's variables with their values, as
	// Asterisk's "core show channel" does under Variables, sorted by name;
	// ErrNotFound for an unknown channel. Over ARI, which cannot list them,
	// it is the variables set through the port plus Asterisk's standard ones
	// that have a value.
	ChannelVars(ctx context.Context, channelID string) ([]ChannelVar, error)

	// SendText sends a text message (SMS through Asterisk's message routing).
	SendText(ctx context.Context, from, to, body string, vars map[string]string) error

	// Channels and Bridges list what the PBX has live, so the engine can
	// reconcile its state after a reconnect (Asterisk does not replay events).
	Channels(ctx context.Context) ([]ChannelInfo, error)
	Bridges(ctx context.Context) ([]BridgeInfo, error)
}

// ErrNotFound is returned by telephony operations on a channel, bridge,
// playback or recording that the PBX does not know (anymore).
var ErrNotFound = errors.New("not found")

// ErrNotConnected is returned while the PBX is unreachable.
var ErrNotConnected = errors.New("pbx not connected")

type BridgeKind string

const (
	BridgeMixing  BridgeKind = "mixing"
	BridgeHolding BridgeKind = "holding"
)

type MediaTargetKind string

const (
	TargetChannel MediaTargetKind = "channel"
	TargetBridge  MediaTargetKind = "bridge"
)

type MediaTarget struct {
	Kind MediaTargetKind
	ID   string
}

type PlaybackOp string

const (
	PlaybackStop    PlaybackOp = "stop"
	PlaybackPause   PlaybackOp = "pause"
	PlaybackResume  PlaybackOp = "unpause"
	PlaybackRestart PlaybackOp = "restart"
)

type SnoopDirection string

const (
	SnoopNone SnoopDirection = "none"
	SnoopIn   SnoopDirection = "in"
	SnoopOut  SnoopDirection = "out"
	SnoopBoth SnoopDirection = "both"
)

// HangupCause is a Q.850 cause code.
type HangupCause int

const (
	CauseNormal      HangupCause = 16
	CauseBusy        HangupCause = 17
	CauseNoAnswer    HangupCause = 19
	CauseNoUserResp  HangupCause = 18
	CauseRejected    HangupCause = 21
	CauseUnallocated HangupCause = 1
	CauseCongestion  HangupCause = 34
	CauseFailure     HangupCause = 38
)

// OriginateRequest asks the PBX to create an outgoing channel. The channel
// enters the application (StasisStart with AppArgs) when it is answered.
type OriginateRequest struct {
	ChannelID    string // chosen by the caller so events can be matched at once
	Endpoint     string // e.g. PJSIP/1064, Local/5551234@from-internal, SIP/trunk/5551234
	CallerIDNum  string
	CallerIDName string
	Timeout      time.Duration
	Variables    map[string]string
	AppArgs      []string
	// OtherChannelID links the new channel to an existing one (linkedid).
	OtherChannelID string
}

type ChannelInfo struct {
	ID        string
	Name      string
	State     string // Down, Ring, Ringing, Up
	CallerID  string
	Connected string
	Dialed    string
	Created   time.Time
	LinkedID  string
	Bridges   []string
}

// ChannelVar is one channel variable.
type ChannelVar struct {
	Name  string
	Value string
}

type BridgeInfo struct {
	ID       string
	Kind     BridgeKind
	Channels []string
}

// TelEventType enumerates what the PBX tells the engine.
type TelEventType string

const (
	TelConnected         TelEventType = "connected"
	TelDisconnected      TelEventType = "disconnected"
	TelStasisStart       TelEventType = "stasis_start" // channel entered the application
	TelStasisEnd         TelEventType = "stasis_end"
	TelChannelCreated    TelEventType = "channel_created"
	TelRinging           TelEventType = "ringing"
	TelAnswered          TelEventType = "answered"
	TelDTMF              TelEventType = "dtmf"
	TelHangup            TelEventType = "hangup" // channel destroyed, Cause set
	TelPlaybackStarted   TelEventType = "playback_started"
	TelPlaybackFinished  TelEventType = "playback_finished"
	TelRecordingStarted  TelEventType = "recording_started"
	TelRecordingFinished TelEventType = "recording_finished"
	TelRecordingFailed   TelEventType = "recording_failed"
	TelTextReceived      TelEventType = "text_received"
)

// TelEvent is one PBX event. Only the fields meaningful for Type are set.
type TelEvent struct {
	Type      TelEventType
	Node      string
	Time      time.Time
	ChannelID string
	// UniqueID and LinkedID are Asterisk's ids of the channel (equal to
	// ChannelID when the channel id was chosen by us).
	UniqueID  string
	LinkedID  string
	Name      string // channel name, e.g. PJSIP/1064-00000001
	CallerID  string
	Dialed    string // the extension dialed (inbound)
	Args      []string
	Cause     HangupCause
	CauseText string
	Digit     string
	Duration  time.Duration
	// PlaybackID or RecordingName for media events.
	PlaybackID    string
	RecordingName string
	Text          string
	From, To      string
}
