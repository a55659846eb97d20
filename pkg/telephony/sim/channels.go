package sim

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
)

// Channel states, spelled as Asterisk does.
const (
	StateDown    = "Down"
	StateRing    = "Ring" // inbound, not answered yet
	StateRinging = "Ringing"
	StateUp      = "Up"
)

type channel struct {
	id, name   string
	state      string
	callerID   string
	callerName string
	connected  string
	dialed     string
	linkedID   string
	endpoint   string
	created    time.Time
	answered   time.Time
	outbound   bool
	inApp      bool
	args       []string
	bridge     string
	held       bool
	moh        string
	ringInd    bool
	vars       map[string]string
	dtmfSent   string
	snoopOf    string
	spy        core.SnoopDirection
	whisper    core.SnoopDirection
	snoops     []string
	continued  string
	hungUp     bool
	cause      core.HangupCause
	hangupBy   string
	ringTimer  *timer
	originTime time.Duration // the originate timeout
}

// ChannelState is a copy of a channel as the PBX sees it.
type ChannelState struct {
	ID, Name      string
	State         string // Down, Ring, Ringing, Up
	CallerID      string
	CallerName    string
	Connected     string
	Dialed        string
	LinkedID      string
	Endpoint      string // originate endpoint (outbound channels)
	Outbound      bool
	InApp         bool     // in the Stasis application
	Args          []string // StasisStart args
	Created       time.Time
	Answered      time.Time
	Bridge        string // "" when in no bridge
	Held          bool
	MOH           string // class of channel music on hold, "" when none
	RingIndicated bool
	Vars          map[string]string
	DTMFSent      string // every digit sent with SendDTMF, in order
	SnoopOf       string // for snoop channels: the spied channel
	Spy           core.SnoopDirection
	Whisper       core.SnoopDirection
	// Continued is "context,exten,priority" after Continue.
	Continued string
	HungUp    bool
	Cause     core.HangupCause
	HangupBy  string // "app" (Hangup), "far" (far end or rule), "pbx" (spied channel gone)
}

func (c *channel) snapshot() ChannelState {
	return ChannelState{
		ID: c.id, Name: c.name, State: c.state, CallerID: c.callerID, CallerName: c.callerName,
		Connected: c.connected, Dialed: c.dialed, LinkedID: c.linkedID, Endpoint: c.endpoint,
		Outbound: c.outbound, InApp: c.inApp, Args: append([]string(nil), c.args...),
		Created: c.created, Answered: c.answered, Bridge: c.bridge, Held: c.held, MOH: c.moh,
		RingIndicated: c.ringInd, Vars: cloneMap(c.vars), DTMFSent: c.dtmfSent, SnoopOf: c.snoopOf,
		Spy: c.spy, Whisper: c.whisper, Continued: c.continued, HungUp: c.hungUp, Cause: c.cause,
		HangupBy: c.hangupBy,
	}
}

func (c *channel) event(t core.TelEventType) core.TelEvent {
	return core.TelEvent{
		Type: t, ChannelID: c.id, UniqueID: c.id, LinkedID: c.linkedID, Name: c.name,
		CallerID: c.callerID, Dialed: c.dialed,
	}
}

// Channel returns a copy of a live channel, or of a hung-up one still
// remembered (the last 10000). Channels lost in a Restart are forgotten.
func (p *PBX) Channel(id string) (ChannelState, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.chans[id]; ok {
		return c.snapshot(), true
	}
	if c, ok := p.dead[id]; ok {
		return c.snapshot(), true
	}
	return ChannelState{}, false
}

// timer is an AfterFunc of the PBX's clock that does nothing once the PBX
// restarted or closed since it was armed.
type timer struct{ t core.Timer }

func (t *timer) Stop() {
	if t != nil {
		t.t.Stop()
	}
}

// after runs with mu held; fn runs later with mu held.
func (p *PBX) after(d time.Duration, fn func()) *timer {
	gen := p.gen
	return &timer{t: p.clock.AfterFunc(d, func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.closed || p.gen != gen {
			return
		}
		fn()
	})}
}

// newName names a channel as Asterisk does: the device (technology and
// peer, without the dialed number) and an 8-hex-digit sequence of the PBX.
func (p *PBX) newName(endpoint string) string {
	p.nameSeq++
	return fmt.Sprintf("%s-%08x", channelDevice(endpoint), p.nameSeq)
}

// channelDevice is the part of a dial string Asterisk puts in a channel's
// name: PJSIP/5551234@trunk and SIP/trunk/5551234 are PJSIP/trunk and
// SIP/trunk; Local/5551234@from-internal keeps its context.
func channelDevice(endpoint string) string {
	tech, res, ok := strings.Cut(endpoint, "/")
	if !ok || strings.EqualFold(tech, "Local") {
		return endpoint
	}
	res, _, _ = strings.Cut(res, "/")
	if _, peer, ok := strings.Cut(res, "@"); ok && peer != "" {
		res = peer
	}
	return tech + "/" + res
}

func (p *PBX) newID(kind string) string {
	p.seq++
	return fmt.Sprintf("%s-%s-%d", p.node, kind, p.seq)
}

// live returns a channel known to the PBX, with mu held.
func (p *PBX) live(id string) (*channel, error) {
	c, ok := p.chans[id]
	if !ok {
		return nil, notFound("channel", id)
	}
	return c, nil
}

// inApp returns a channel that is in the application, with mu held.
func (p *PBX) inApp(id string) (*channel, error) {
	c, err := p.live(id)
	if err != nil {
		return nil, err
	}
	if !c.inApp {
		return nil, fmt.Errorf("sim: channel %q: %w", id, ErrNotInApplication)
	}
	return c, nil
}

// endpointResource is what an endpoint dials: "PJSIP/1064" -> "1064",
// "Local/555@ctx" -> "555", "SIP/trunk/555" -> "555".
func endpointResource(endpoint string) string {
	r := endpoint
	if i := strings.LastIndexByte(r, '/'); i >= 0 {
		r = r[i+1:]
	}
	if i := strings.IndexByte(r, '@'); i >= 0 {
		r = r[:i]
	}
	return r
}

func (p *PBX) Originate(ctx context.Context, req core.OriginateRequest) (string, error) {
	p.enter(ctx, "originate", req.ChannelID)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.check(ctx); err != nil {
		return "", err
	}
	if req.Endpoint == "" {
		return "", errors.New("sim: originate: empty endpoint")
	}
	id := req.ChannelID
	if id == "" {
		id = p.newID("ch")
	}
	if _, ok := p.chans[id]; ok {
		return "", fmt.Errorf("sim: originate: channel id %q already in use", id)
	}
	linked := id
	if req.OtherChannelID != "" {
		other, err := p.live(req.OtherChannelID)
		if err != nil {
			return "", err
		}
		linked = other.linkedID
	}
	if b := p.behaviorFor(req.Endpoint); b.Outcome == Refuse {
		// As Asterisk's ARI answering 500 "Allocation failed" for an
		// endpoint it cannot create a channel for: no channel, no event.
		p.logOp("originate-refused", id, req.Endpoint)
		return "", fmt.Errorf("sim: originate %s: %w", req.Endpoint, ErrAllocationFailed)
	}
	timeout := req.Timeout
	if timeout <= 0 {
		timeout = DefaultOriginateTimeout
	}
	c := &channel{
		id: id, state: StateDown, callerID: req.CallerIDNum, callerName: req.CallerIDName,
		dialed: endpointResource(req.Endpoint), linkedID: linked, endpoint: req.Endpoint,
		created: p.now(), outbound: true, args: append([]string(nil), req.AppArgs...),
		vars: cloneMap(req.Variables), originTime: timeout,
	}
	c.connected = c.dialed
	c.name = p.newName(req.Endpoint)
	if strings.HasPrefix(req.Endpoint, "Local/") {
		c.name += ";1"
	}
	if c.vars == nil {
		c.vars = map[string]string{}
	}
	p.chans[id] = c
	p.logOp("originate", id, req.Endpoint)
	p.emit(c.event(core.TelChannelCreated))
	c.state = StateRinging
	p.emit(c.event(core.TelRinging))

	b := p.behaviorFor(req.Endpoint)
	outcome, after := b.Outcome, b.After
	if outcome == NoAnswer || after >= timeout {
		outcome, after = NoAnswer, timeout
	}
	if after <= 0 {
		p.resolve(c, outcome)
	} else {
		c.ringTimer = p.after(after, func() {
			if p.chans[id] == c && !c.inApp {
				p.resolve(c, outcome)
			}
		})
	}
	return id, nil
}

// resolve ends the ringing of an originated channel, with mu held.
func (p *PBX) resolve(c *channel, o Outcome) {
	switch o {
	case Answer:
		p.answerOutbound(c)
	case Busy:
		p.destroy(c, core.CauseBusy, "far")
	case NoAnswer:
		p.destroy(c, core.CauseNoAnswer, "far")
	case Congestion:
		p.destroy(c, core.CauseCongestion, "far")
	default:
		p.destroy(c, core.CauseFailure, "far")
	}
}

func (p *PBX) answerOutbound(c *channel) {
	c.ringTimer.Stop()
	c.ringTimer = nil
	c.state = StateUp
	c.answered = p.now()
	enter := func() {
		c.inApp = true
		ev := c.event(core.TelStasisStart)
		ev.Args = append([]string(nil), c.args...)
		p.emit(ev)
	}
	if p.stasisLag <= 0 {
		c.inApp = true
		p.emit(c.event(core.TelAnswered))
		enter()
		return
	}
	p.emit(c.event(core.TelAnswered))
	id := c.id
	c.ringTimer = p.after(p.stasisLag, func() {
		if p.chans[id] == c && !c.inApp {
			enter()
		}
	})
}

// destroy hangs a channel up, with mu held: its media ends, it leaves its
// bridge, its snoop channels go, then StasisEnd (if in the application) and
// TelHangup.
func (p *PBX) destroy(c *channel, cause core.HangupCause, by string) {
	if cause == 0 {
		cause = core.CauseNormal
	}
	c.ringTimer.Stop()
	c.ringTimer = nil
	p.endMedia(core.TargetChannel, c.id)
	if c.bridge != "" {
		p.leaveBridge(c)
	}
	// Copied: destroying a snoop edits c.snoops in place.
	for _, sid := range append([]string(nil), c.snoops...) {
		if s, ok := p.chans[sid]; ok {
			p.destroy(s, core.CauseNormal, "pbx")
		}
	}
	if c.snoopOf != "" {
		if spied, ok := p.chans[c.snoopOf]; ok {
			spied.snoops = removeString(spied.snoops, c.id)
		}
	}
	if c.inApp {
		c.inApp = false
		p.emit(c.event(core.TelStasisEnd))
	}
	c.hungUp, c.cause, c.hangupBy = true, cause, by
	ev := c.event(core.TelHangup)
	ev.Cause = cause
	ev.CauseText = CauseText(cause)
	p.emit(ev)
	delete(p.chans, c.id)
	p.dead[c.id] = c
	p.deadOrder = append(p.deadOrder, c.id)
	if len(p.deadOrder) > p.maxLog {
		drop := len(p.deadOrder) - p.maxLog/2
		for _, id := range p.deadOrder[:drop] {
			if d, ok := p.dead[id]; ok && d.hungUp {
				delete(p.dead, id)
			}
		}
		p.deadOrder = append([]string(nil), p.deadOrder[drop:]...)
	}
}

func removeString(s []string, v string) []string {
	out := s[:0]
	for _, x := range s {
		if x != v {
			out = append(out, x)
		}
	}
	return out
}

// CauseText is Asterisk's text for a Q.850 cause.
func CauseText(c core.HangupCause) string {
	switch c {
	case core.CauseUnallocated:
		return "Unallocated (unassigned) number"
	case core.CauseNormal:
		return "Normal Clearing"
	case core.CauseBusy:
		return "User busy"
	case core.CauseNoUserResp:
		return "No user responding"
	case core.CauseNoAnswer:
		return "User alerting, no answer"
	case core.CauseRejected:
		return "Call Rejected"
	case core.CauseCongestion:
		return "Circuit/channel congestion"
	case core.CauseFailure:
		return "Network out of order"
	}
	return "Unknown cause " + strconv.Itoa(int(c))
}

func (p *PBX) Answer(ctx context.Context, channelID string) error {
	p.enter(ctx, "answer", channelID)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.check(ctx); err != nil {
		return err
	}
	c, err := p.inApp(channelID)
	if err != nil {
		return err
	}
	p.logOp("answer", channelID)
	if c.state == StateUp {
		return nil
	}
	c.state = StateUp
	c.answered = p.now()
	p.emit(c.event(core.TelAnswered))
	return nil
}

// Ring indicates ringing to an inbound channel that is not answered yet.
func (p *PBX) Ring(ctx context.Context, channelID string) error {
	p.enter(ctx, "ring", channelID)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.check(ctx); err != nil {
		return err
	}
	c, err := p.inApp(channelID)
	if err != nil {
		return err
	}
	p.logOp("ring", channelID)
	c.ringInd = true
	if c.state != StateUp && c.state != StateRinging {
		c.state = StateRinging
		p.emit(c.event(core.TelRinging))
	}
	return nil
}

// Hangup works on any live channel, in the application or still ringing
// (cancelling an originate).
func (p *PBX) Hangup(ctx context.Context, channelID string, cause core.HangupCause) error {
	p.enter(ctx, "hangup", channelID)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.check(ctx); err != nil {
		return err
	}
	c, err := p.live(channelID)
	if err != nil {
		return err
	}
	if cause == 0 {
		cause = core.CauseNormal
	}
	p.logOp("hangup", channelID, strconv.Itoa(int(cause)))
	p.destroy(c, cause, "app")
	return nil
}

// Continue sends the channel back to the dialplan: it leaves its bridge and
// the application (StasisEnd) and stays up, in the sim's idea of the
// dialplan, until the far end hangs up.
func (p *PBX) Continue(ctx context.Context, channelID, dialContext, exten string, priority int) error {
	p.enter(ctx, "continue", channelID)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.check(ctx); err != nil {
		return err
	}
	c, err := p.inApp(channelID)
	if err != nil {
		return err
	}
	if priority <= 0 {
		priority = 1
	}
	pr := strconv.Itoa(priority)
	p.logOp("continue", channelID, dialContext, exten, pr)
	p.endMedia(core.TargetChannel, c.id)
	if c.bridge != "" {
		p.leaveBridge(c)
	}
	c.continued = dialContext + "," + exten + "," + pr
	c.inApp = false
	p.emit(c.event(core.TelStasisEnd))
	return nil
}

func (p *PBX) Hold(ctx context.Context, channelID string) error {
	p.enter(ctx, "hold", channelID)
	return p.setHold(ctx, channelID, true)
}

func (p *PBX) Unhold(ctx context.Context, channelID string) error {
	p.enter(ctx, "unhold", channelID)
	return p.setHold(ctx, channelID, false)
}

func (p *PBX) setHold(ctx context.Context, channelID string, held bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.check(ctx); err != nil {
		return err
	}
	c, err := p.inApp(channelID)
	if err != nil {
		return err
	}
	if held {
		p.logOp("hold", channelID)
	} else {
		p.logOp("unhold", channelID)
	}
	c.held = held
	return nil
}

func (p *PBX) StartMOH(ctx context.Context, channelID, class string) error {
	p.enter(ctx, "moh", channelID)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.check(ctx); err != nil {
		return err
	}
	c, err := p.inApp(channelID)
	if err != nil {
		return err
	}
	if class == "" {
		class = "default"
	}
	p.logOp("start_moh", channelID, class)
	c.moh = class
	return nil
}

func (p *PBX) StopMOH(ctx context.Context, channelID string) error {
	p.enter(ctx, "stop_moh", channelID)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.check(ctx); err != nil {
		return err
	}
	c, err := p.inApp(channelID)
	if err != nil {
		return err
	}
	p.logOp("stop_moh", channelID)
	c.moh = ""
	return nil
}

// SendDTMF records the digits as heard by the far end (ChannelState.DTMFSent).
func (p *PBX) SendDTMF(ctx context.Context, channelID, digits string, between time.Duration) error {
	p.enter(ctx, "send_dtmf", channelID)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.check(ctx); err != nil {
		return err
	}
	c, err := p.inApp(channelID)
	if err != nil {
		return err
	}
	for _, r := range digits {
		if !strings.ContainsRune("0123456789*#ABCDabcdwW,", r) {
			return fmt.Errorf("sim: send dtmf: invalid digit %q", r)
		}
	}
	p.logOp("send_dtmf", channelID, digits)
	c.dtmfSent += digits
	return nil
}

func (p *PBX) Snoop(ctx context.Context, channelID, snoopID string, spy, whisper core.SnoopDirection) error {
	p.enter(ctx, "snoop", channelID)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.check(ctx); err != nil {
		return err
	}
	spied, err := p.live(channelID)
	if err != nil {
		return err
	}
	if spy == "" {
		spy = core.SnoopNone
	}
	if whisper == "" {
		whisper = core.SnoopNone
	}
	for _, d := range []core.SnoopDirection{spy, whisper} {
		switch d {
		case core.SnoopNone, core.SnoopIn, core.SnoopOut, core.SnoopBoth:
		default:
			return fmt.Errorf("sim: snoop: invalid direction %q", d)
		}
	}
	if spy == core.SnoopNone && whisper == core.SnoopNone {
		return errors.New("sim: snoop: spy or whisper is required")
	}
	if snoopID == "" {
		snoopID = p.newID("snoop")
	}
	if _, ok := p.chans[snoopID]; ok {
		return fmt.Errorf("sim: snoop: channel id %q already in use", snoopID)
	}
	p.logOp("snoop", channelID, snoopID, string(spy), string(whisper))
	now := p.now()
	s := &channel{
		id: snoopID, name: p.newName("Snoop/" + channelID), state: StateUp,
		linkedID: spied.linkedID, created: now, answered: now, inApp: true,
		args: []string{"snoop", channelID}, vars: map[string]string{},
		snoopOf: channelID, spy: spy, whisper: whisper,
	}
	p.chans[snoopID] = s
	spied.snoops = append(spied.snoops, snoopID)
	ev := s.event(core.TelStasisStart)
	ev.Args = append([]string(nil), s.args...)
	p.emit(ev)
	return nil
}

func (p *PBX) SetVar(ctx context.Context, channelID, name, value string) error {
	p.enter(ctx, "set_var", channelID)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.check(ctx); err != nil {
		return err
	}
	c, err := p.live(channelID)
	if err != nil {
		return err
	}
	if name == "" {
		return errors.New("sim: set var: empty name")
	}
	p.logOp("set_var", channelID, name, value)
	c.vars[name] = value
	return nil
}

// GetVar returns "" for a variable never set, like reading an unset
// variable in the dialplan.
func (p *PBX) GetVar(ctx context.Context, channelID, name string) (string, error) {
	p.enter(ctx, "get_var", channelID)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.check(ctx); err != nil {
		return "", err
	}
	c, err := p.live(channelID)
	if err != nil {
		return "", err
	}
	return c.vars[name], nil
}

func (p *PBX) SendText(ctx context.Context, from, to, body string, vars map[string]string) error {
	p.enter(ctx, "send_text", to)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.check(ctx); err != nil {
		return err
	}
	if to == "" {
		return errors.New("sim: send text: empty destination")
	}
	p.logOp("send_text", "", from, to)
	p.texts = append(p.texts, Text{From: from, To: to, Body: body, Vars: cloneMap(vars)})
	return nil
}

func (p *PBX) Channels(ctx context.Context) ([]core.ChannelInfo, error) {
	p.enter(ctx, "channels", "")
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.check(ctx); err != nil {
		return nil, err
	}
	out := make([]core.ChannelInfo, 0, len(p.chans))
	for _, c := range p.chans {
		info := core.ChannelInfo{
			ID: c.id, Name: c.name, State: c.state, CallerID: c.callerID, Connected: c.connected,
			Dialed: c.dialed, Created: c.created, LinkedID: c.linkedID,
		}
		if c.bridge != "" {
			info.Bridges = []string{c.bridge}
		}
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// ChannelVars lists the channel's variables (set by originate or SetVar),
// sorted by name.
func (p *PBX) ChannelVars(ctx context.Context, channelID string) ([]core.ChannelVar, error) {
	p.enter(ctx, "channel_vars", channelID)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.check(ctx); err != nil {
		return nil, err
	}
	c, err := p.live(channelID)
	if err != nil {
		return nil, err
	}
	out := make([]core.ChannelVar, 0, len(c.vars))
	for name, v := range c.vars {
		out = append(out, core.ChannelVar{Name: name, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
