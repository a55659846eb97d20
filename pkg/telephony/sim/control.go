package sim

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/callgate/callgate/core"
)

// Far-end controls: what callers, agents' phones and the network do. They
// work whether or not the PBX is ready or the application connected (events
// produced meanwhile are lost, as with Asterisk); InjectInbound does nothing
// after Close.

// InjectInbound makes a call arrive from outside and enter the application,
// not answered yet (state Ring): TelChannelCreated, then TelStasisStart with
// Args ["inbound", dialed], or args when given. It returns the channel id.
func (p *PBX) InjectInbound(callerID, dialed string, args ...string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	id := p.newID("in")
	if len(args) == 0 {
		args = []string{"inbound", dialed}
	}
	// Calls arrive from the provider's trunk, agents' phones dial in from
	// their own device, named as Asterisk names them.
	device := "PJSIP/trunk"
	if len(args) > 1 && args[0] == "agent" {
		device = "PJSIP/" + args[1]
	}
	c := &channel{
		id: id, name: p.newName(device), state: StateRing, callerID: callerID,
		dialed: dialed, connected: dialed, linkedID: id, created: p.now(), inApp: true,
		args: append([]string(nil), args...), vars: map[string]string{},
	}
	if p.closed {
		return id
	}
	p.chans[id] = c
	p.logOp("far_inbound", id, callerID, dialed)
	p.emit(c.event(core.TelChannelCreated))
	ev := c.event(core.TelStasisStart)
	ev.Args = append([]string(nil), c.args...)
	p.emit(ev)
	return id
}

// FarAnswer answers an originated channel that is still ringing (for
// instance one whose rule is NoAnswer or answers after a long delay).
func (p *PBX) FarAnswer(channelID string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, err := p.live(channelID)
	if err != nil {
		return err
	}
	if !c.outbound || c.inApp || c.state == StateUp {
		return fmt.Errorf("sim: far answer: channel %q is not an outbound channel ringing", channelID)
	}
	p.logOp("far_answer", channelID)
	p.answerOutbound(c)
	return nil
}

// FarHangup hangs up from the far end (caller, agent phone, network).
func (p *PBX) FarHangup(channelID string, cause core.HangupCause) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, err := p.live(channelID)
	if err != nil {
		return err
	}
	if cause == 0 {
		cause = core.CauseNormal
	}
	p.logOp("far_hangup", channelID, strconv.Itoa(int(cause)))
	p.destroy(c, cause, "far")
	return nil
}

// InjectDTMF makes the far end press digits: one TelDTMF per digit.
func (p *PBX) InjectDTMF(channelID, digits string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, err := p.live(channelID)
	if err != nil {
		return err
	}
	for _, r := range digits {
		if !strings.ContainsRune("0123456789*#ABCD", r) {
			return fmt.Errorf("sim: inject dtmf: invalid digit %q", r)
		}
	}
	p.logOp("far_dtmf", channelID, digits)
	for _, r := range digits {
		ev := c.event(core.TelDTMF)
		ev.Digit = string(r)
		p.emit(ev)
	}
	return nil
}

// InjectText delivers an incoming text message (TelTextReceived).
func (p *PBX) InjectText(from, to, body string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.logOp("far_text", "", from, to)
	p.emit(core.TelEvent{Type: core.TelTextReceived, From: from, To: to, Text: body})
}
