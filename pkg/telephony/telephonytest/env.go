// Package telephonytest is the contract suite every core.Telephony must pass.
// The same cases run against the simulated PBX (pkg/telephony/sim) and against
// a real Asterisk over ARI (pkg/telephony/ari, Local channels only), so the
// engine can rely on one behaviour whichever PBX is behind the port.
package telephonytest

import (
	"context"
	"time"

	"github.com/callgate/callgate/core"
)

// Env is what an implementation provides to the suite.
//
// Tel must NOT be started: Run calls Tel.Start with its own sink (it has to
// see every event from the first one) and Tel.Close at the end of the run.
// newEnv should register any other cleanup with t.Cleanup.
//
// Contract details the suite checks, beyond core/telephony.go:
//   - An originated channel keeps the caller-chosen ChannelID in its events;
//     on answer it emits TelAnswered and TelStasisStart with Args equal to
//     OriginateRequest.AppArgs; on failure one TelHangup with the Q.850 cause
//     (17 busy, 19 no answer after OriginateRequest.Timeout, 34 congestion).
//   - A snoop channel enters the application with TelStasisStart,
//     ChannelID = snoopID and Args = ["snoop", <spied channel id>].
//   - Operations on unknown channel, bridge, playback or recording ids return
//     an error for which errors.Is(err, core.ErrNotFound) holds.
type Env struct {
	Tel core.Telephony

	// Endpoints to originate to. Each decides the outcome on the far side:
	// answers at once, answers busy (17), never answers, or is congested (34).
	// With Asterisk these are Local channels into a test dialplan.
	AnswerEndpoint, BusyEndpoint, NoAnswerEndpoint, CongestionEndpoint string

	// NoAnswerTimeout is the originate timeout used against NoAnswerEndpoint.
	// Zero means one second (ARI timeouts are whole seconds).
	NoAnswerTimeout time.Duration

	// Inbound makes a call enter the application as if from outside, not yet
	// answered, and returns its channel id. The channel must arrive with
	// TelStasisStart and Args = ["inbound", dialed].
	Inbound func(ctx context.Context, callerID, dialed string) (string, error)

	// FarDTMF makes the far end of channelID send digits toward the
	// application, so TelDTMF events can be checked. Nil skips that case
	// (the suite then only checks that SendDTMF is accepted).
	FarDTMF func(ctx context.Context, channelID, digits string) error

	// SentDTMF reports the digits the far end of channelID has received from
	// SendDTMF so far. Nil skips that check.
	SentDTMF func(channelID string) string

	// Media is a media URI playable on an answered channel and on a bridge;
	// empty means "sound:beep". Playbacks are stopped by the suite, so a
	// short sound that finishes by itself is fine too.
	Media string

	// RecordFormat is the format given to Record; empty means "wav".
	RecordFormat string
}

func (e Env) media() string {
	if e.Media == "" {
		return "sound:beep"
	}
	return e.Media
}

func (e Env) recordFormat() string {
	if e.RecordFormat == "" {
		return "wav"
	}
	return e.RecordFormat
}

func (e Env) noAnswerTimeout() time.Duration {
	if e.NoAnswerTimeout <= 0 {
		return time.Second
	}
	return e.NoAnswerTimeout
}
