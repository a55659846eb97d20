package ari

import (
	"time"

	"github.com/callgate/callgate/core"
)

// This file exports the pieces of the ARI event path and request building
// that other transports carrying the same ARI JSON reuse (ari-proxy over
// NATS, pkg/telephony/ariproxy), so both transports translate events and
// shape requests identically. Nothing here changes this package's behaviour.

// ErrAppReplaced is returned by Translator.Translate for an
// ApplicationReplaced event of our application.
var ErrAppReplaced = errAppReplaced

// TranslatorHooks tell a Translator which channels are ours. They are called
// on the goroutine calling Translate.
type TranslatorHooks struct {
	// Owned reports whether a channel was originated or snooped by us, or is
	// an adopted Local ;2 half (nil: nothing is owned).
	Owned func(id string) bool
	// Adopt is called for a Local ;2 half that entered the application.
	Adopt func(id string)
	// Forget is called when a channel's hangup is reported.
	Forget func(id string)
	// Entered is called after a channel entered the application.
	Entered func(id string)
}

// Translator turns raw ARI event JSON of one node into core events with the
// rules of this package: the Local ;2 filter, one TelRinging/TelAnswered per
// channel, StasisStart standing in for a missed Up, one TelHangup per
// channel. It is not safe for concurrent use.
type Translator struct{ tr translator }

// NewTranslator returns a Translator for application app whose events are
// stamped with node.
func NewTranslator(app, node string, h TranslatorHooks) *Translator {
	nop := func(string) {}
	t := &Translator{tr: translator{
		app: app, node: node,
		owned: h.Owned, adopt: h.Adopt, forget: h.Forget, entered: h.Entered,
		state: map[string]*chanState{},
	}}
	if t.tr.owned == nil {
		t.tr.owned = func(string) bool { return false }
	}
	if t.tr.adopt == nil {
		t.tr.adopt = nop
	}
	if t.tr.forget == nil {
		t.tr.forget = nop
	}
	return t
}

// Translate appends the core events for one raw event to out. Unknown types,
// other applications' events and garbage produce nothing; err is non-nil for
// an undecodable event of a handled type and is ErrAppReplaced for
// ApplicationReplaced.
func (t *Translator) Translate(raw []byte, out []core.TelEvent) ([]core.TelEvent, error) {
	return t.tr.translate(raw, out)
}

// Hangup records a channel's end reported by other means (a synthesized
// hangup); false means it was already reported and must not be delivered.
func (t *Translator) Hangup(id string) bool { return t.tr.hangup(id) }

// Reset forgets per-channel ringing/answered state after a disconnection.
func (t *Translator) Reset() { t.tr.reset() }

// LinkedIDVar is the channel variable carrying the linked id in channel
// snapshots (ari.conf channelvars = CHANNEL(linkedid)).
const LinkedIDVar = linkedIDVar

// ParseTime parses an ARI timestamp.
func ParseTime(s string) (time.Time, bool) { return parseARITime(s) }

// FormatCallerID renders ARI's callerId: "Name" <number>.
func FormatCallerID(name, num string) string { return formatCallerID(name, num) }

// OriginateTimeout converts a timeout to ARI's whole seconds (rounded up, -1
// for none, 0 for Asterisk's default).
func OriginateTimeout(d time.Duration) int { return originateTimeout(d) }

// HangupReason returns ARI's named hangup reason for a Q.850 cause, if it
// has one.
func HangupReason(cause core.HangupCause) (string, bool) {
	r, ok := hangupReasons[cause]
	return r, ok
}

// DefaultMixingBridgeType is the ARI bridge type used for core.BridgeMixing
// (see Config.MixingBridgeType).
const DefaultMixingBridgeType = "mixing,dtmf_events"

// NewID returns a random id with prefix, for channels and playbacks the
// caller did not name.
func NewID(prefix string) string { return newID(prefix) }
