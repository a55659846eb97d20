// Package sim is an in-process simulated PBX implementing core.Telephony.
//
// It lets every engine test, the benchmarks and the demo gateway run call
// flows without Asterisk: the far end of each call is driven by deterministic
// rules (Behavior per endpoint) and by explicit controls (InjectInbound,
// FarAnswer, FarHangup, InjectDTMF, Restart, SetReady).
//
// Like Asterisk, the PBX keeps its own state whatever the application does,
// and tells the application about changes only through events. Events are
// delivered in order on one goroutine fed by an unbounded queue, never while
// the PBX's lock is held and never from inside a method, as from a real
// PBX, whose events arrive on their own connection. A Hook (SetHook) sees
// every call the application makes, to stall it or record its order.
// Events produced while the PBX
// is not ready (before Start, after SetReady(false), after Close) are lost,
// as Asterisk does not replay what a disconnected application missed.
package sim

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/callgate/callgate/core"
)

// Outcome is what the far end of an originated call does.
type Outcome int

const (
	Answer Outcome = iota
	Busy
	NoAnswer
	Congestion
	Fail
	// Refuse makes Originate itself fail at once, creating no channel
	// (Asterisk 22's ARI 500 "Allocation failed" for an endpoint that
	// cannot be dialled, e.g. a chan_sip name without chan_sip).
	Refuse
)

// ErrAllocationFailed is what Originate returns for the Refuse outcome.
var ErrAllocationFailed = errors.New("allocation failed")

func (o Outcome) String() string {
	switch o {
	case Answer:
		return "answer"
	case Busy:
		return "busy"
	case NoAnswer:
		return "noanswer"
	case Congestion:
		return "congestion"
	case Fail:
		return "fail"
	case Refuse:
		return "refuse"
	}
	return fmt.Sprintf("outcome(%d)", int(o))
}

// Behavior decides an originated call: the far end rings for After, then
// does Outcome. NoAnswer ignores After and rings until the originate timeout.
type Behavior struct {
	Outcome Outcome
	After   time.Duration
}

// ErrNotInApplication is returned for media and bridge operations on a
// channel that is not (or no longer) in the application: still ringing, or
// sent back to the dialplan with Continue. Asterisk refuses these too.
var ErrNotInApplication = errors.New("channel not in application")

// DefaultOriginateTimeout is used when OriginateRequest.Timeout is zero,
// Asterisk's own default for ARI originate.
const DefaultOriginateTimeout = 30 * time.Second

// PBX is the simulated PBX. The zero value is not usable: call New.
type PBX struct {
	node string

	mu        sync.Mutex
	started   bool
	closed    bool
	ready     bool
	gen       uint64 // bumped by Restart and Close: stale timers do nothing
	seq       uint64 // id counter
	nameSeq   uint64 // channel name suffix counter, as Asterisk's
	chans     map[string]*channel
	dead      map[string]*channel // hung-up channels kept for inspection
	deadOrder []string
	bridges   map[string]*bridge
	playbacks map[string]*playback
	recs      map[string]*recording
	finished  []RecordingState
	texts     []Text
	ops       []Op
	rules     map[string]Behavior // exact endpoints
	prefixes  map[string]Behavior // "PJSIP/*" style, stored without the '*'
	defBeh    Behavior
	pbDefault time.Duration
	stasisLag time.Duration
	pbMedia   map[string]time.Duration
	now       func() time.Time
	clock     core.Clock

	// Delivery queue. qmu is only taken after mu (or alone), never the
	// other way round.
	qmu   sync.Mutex
	queue []core.TelEvent
	// emitted counts events queued for delivery, for Flush.
	emitted int
	wake    chan struct{}
	stop    chan struct{}
	done    chan struct{}
	sink    func(core.TelEvent)
	hist    history
	maxLog  int

	hookMu sync.Mutex
	hook   Hook
}

// Hook observes the application's calls into the PBX: it runs at the start
// of every core.Telephony method, before the PBX takes its own lock, with
// the operation's name (as in Op.Name: "originate", "hangup",
// "add_to_bridge"...) and its target (channel, bridge, playback or
// recording id; "bridge/channel" for bridge membership). A hook may block
// to stall the operation (a test's gate: the PBX stays usable meanwhile),
// record the order of operations, or fail a test that calls the PBX at the
// wrong moment. Test controls (InjectInbound, FarAnswer...) do not run it.
type Hook func(ctx context.Context, op, target string)

// SetHook installs h (nil removes it).
func (p *PBX) SetHook(h Hook) {
	p.hookMu.Lock()
	p.hook = h
	p.hookMu.Unlock()
}

func (p *PBX) enter(ctx context.Context, op, target string) {
	p.hookMu.Lock()
	h := p.hook
	p.hookMu.Unlock()
	if h != nil {
		h(ctx, op, target)
	}
}

// New creates a PBX that reports itself as nodeID. It is not ready until
// Start.
func New(nodeID string) *PBX {
	return &PBX{
		node:      nodeID,
		chans:     map[string]*channel{},
		dead:      map[string]*channel{},
		bridges:   map[string]*bridge{},
		playbacks: map[string]*playback{},
		recs:      map[string]*recording{},
		rules:     map[string]Behavior{},
		prefixes:  map[string]Behavior{},
		pbMedia:   map[string]time.Duration{},
		now:       time.Now,
		clock:     core.RealClock(),
		wake:      make(chan struct{}, 1),
		stop:      make(chan struct{}),
		done:      make(chan struct{}),
		hist:      history{changed: make(chan struct{}), limit: 100000},
		maxLog:    10000,
	}
}

var _ core.Telephony = (*PBX)(nil)

func (p *PBX) NodeID() string { return p.node }

// Start begins delivering events to sink and makes the PBX ready; the first
// event is TelConnected. After Close, Start connects a new application (an
// engine restarted on the same PBX): like Asterisk, the PBX kept its
// channels, bridges and recordings, and what happened meanwhile was not
// reported to anybody; originated channels still ringing then ring until
// hung up.
func (p *PBX) Start(ctx context.Context, sink func(core.TelEvent)) error {
	if sink == nil {
		return errors.New("sim: nil sink")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.started && !p.closed {
		return errors.New("sim: already started")
	}
	if p.closed {
		// Close waited for the old delivery goroutine: its channels can go.
		p.closed = false
		p.stop = make(chan struct{})
		p.done = make(chan struct{})
		// Events queued when it closed were dropped: Flush must not wait
		// for them.
		p.hist.mu.Lock()
		delivered := p.hist.base + p.hist.n
		p.hist.mu.Unlock()
		p.qmu.Lock()
		p.queue = nil
		p.emitted = delivered
		p.qmu.Unlock()
		p.logOp("reconnect", "")
	}
	p.started = true
	p.ready = true
	p.sink = sink
	go p.deliver(p.stop, p.done)
	p.emit(core.TelEvent{Type: core.TelConnected})
	return nil
}

// Close stops event delivery (events still queued are dropped) and makes
// every operation fail with core.ErrNotConnected until Start is called
// again; the PBX's calls go on. It waits for an event being delivered to
// return, so it must not be called from the sink.
func (p *PBX) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.ready = false
	p.gen++
	for _, pb := range p.playbacks {
		pb.stopTimer()
	}
	started, stop, done := p.started, p.stop, p.done
	p.mu.Unlock()
	close(stop)
	if started {
		<-done
	}
	return nil
}

func (p *PBX) Ready() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ready
}

// SetReady simulates losing (false) or regaining (true) the connection to
// Asterisk without Asterisk restarting: calls go on, but events produced
// meanwhile are lost and operations fail with core.ErrNotConnected.
func (p *PBX) SetReady(ready bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.started || p.closed || p.ready == ready {
		return
	}
	p.logOp("set_ready", "", fmt.Sprint(ready))
	if ready {
		p.ready = true
		p.emit(core.TelEvent{Type: core.TelConnected})
		return
	}
	p.emit(core.TelEvent{Type: core.TelDisconnected})
	p.ready = false
}

// Restart simulates an Asterisk restart: TelDisconnected, every channel,
// bridge, playback and live recording vanishes without hangup events, then
// TelConnected.
func (p *PBX) Restart() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.started || p.closed {
		return
	}
	p.logOp("restart", "")
	// Already disconnected (SetReady(false)): the application saw that.
	p.emit(core.TelEvent{Type: core.TelDisconnected})
	p.ready = true
	p.gen++
	for _, pb := range p.playbacks {
		pb.stopTimer()
	}
	for _, ch := range p.chans {
		if ch.ringTimer != nil {
			ch.ringTimer.Stop()
		}
	}
	p.chans = map[string]*channel{}
	p.bridges = map[string]*bridge{}
	p.playbacks = map[string]*playback{}
	p.recs = map[string]*recording{}
	p.emit(core.TelEvent{Type: core.TelConnected})
}

// SetBehavior sets the far-end rule for originates to endpointPattern: an
// exact endpoint ("PJSIP/1064") or a prefix ending in '*' ("SIP/trunk/*").
// Exact rules win over prefixes; the longest prefix wins among prefixes.
func (p *PBX) SetBehavior(endpointPattern string, b Behavior) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if prefix, ok := strings.CutSuffix(endpointPattern, "*"); ok {
		p.prefixes[prefix] = b
		return
	}
	p.rules[endpointPattern] = b
}

// ClearBehavior removes a rule set with SetBehavior.
func (p *PBX) ClearBehavior(endpointPattern string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if prefix, ok := strings.CutSuffix(endpointPattern, "*"); ok {
		delete(p.prefixes, prefix)
		return
	}
	delete(p.rules, endpointPattern)
}

// SetDefaultBehavior sets the rule for endpoints no rule matches (initially
// answer at once).
func (p *PBX) SetDefaultBehavior(b Behavior) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.defBeh = b
}

// behaviorFor runs with mu held.
func (p *PBX) behaviorFor(endpoint string) Behavior {
	if b, ok := p.rules[endpoint]; ok {
		return b
	}
	best, found := "", false
	for prefix := range p.prefixes {
		if strings.HasPrefix(endpoint, prefix) && (!found || len(prefix) > len(best)) {
			best, found = prefix, true
		}
	}
	if found {
		return p.prefixes[best]
	}
	return p.defBeh
}

// SetStasisLag makes answered originated channels enter the application
// d after they are reported answered, as on Asterisk, where an originated
// channel's Up state change may reach the application before its
// StasisStart and bridging it in between is refused. Until then bridge and
// media operations on the channel fail with ErrNotInApplication. 0 (the
// default) answers and enters at once.
func (p *PBX) SetStasisLag(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stasisLag = d
}

// SetPlaybackDuration sets how long playbacks last before finishing by
// themselves; 0 (the default) means they play until stopped.
func (p *PBX) SetPlaybackDuration(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pbDefault = d
}

// SetMediaDuration overrides the playback duration for one media URI.
func (p *PBX) SetMediaDuration(media string, d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pbMedia[media] = d
}

// SetClock replaces the time source used for event times and durations.
func (p *PBX) SetClock(now func() time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.now = now
}

// Flush waits until every event emitted before the call has been delivered
// (the sink returned) and returns how many events were emitted since Start.
// It returns early once the PBX is closed.
func (p *PBX) Flush() int {
	p.mu.Lock()
	done := p.done // replaced when Start reconnects after Close
	p.mu.Unlock()
	p.qmu.Lock()
	target := p.emitted
	p.qmu.Unlock()
	for {
		p.hist.mu.Lock()
		delivered := p.hist.base + p.hist.n
		changed := p.hist.changed
		p.hist.waiting = true
		p.hist.mu.Unlock()
		if delivered >= target {
			return target
		}
		select {
		case <-changed:
		case <-done:
			return target
		}
	}
}

// UseClock runs the PBX's timers (ringing, stasis lag, playbacks) and its
// timestamps on clock, so a test that advances a fake clock (core/clocktest)
// drives the PBX and the engine through the same time.
func (p *PBX) UseClock(clock core.Clock) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clock = clock
	p.now = clock.Now
}

// SetEventLogLimit bounds how many delivered events WaitEvent and Events keep
// (default 100000; older ones are dropped first).
func (p *PBX) SetEventLogLimit(n int) {
	p.hist.mu.Lock()
	defer p.hist.mu.Unlock()
	if n > 0 {
		p.hist.limit = n
		// Start a chunk sized for the new limit, so the older (possibly
		// larger) chunks can be dropped whole.
		p.hist.chunks = append(p.hist.chunks, make([]core.TelEvent, 0, min(maxChunk, max(1, n/2))))
	}
}

// check runs with mu held: the common precondition of every operation.
func (p *PBX) check(ctx context.Context) error {
	if ctx != nil {
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if !p.ready {
		return core.ErrNotConnected
	}
	return nil
}

// emit runs with mu held so the queue order is the order of state changes.
func (p *PBX) emit(ev core.TelEvent) {
	if !p.ready {
		return
	}
	ev.Node = p.node
	ev.Time = p.now()
	p.qmu.Lock()
	p.queue = append(p.queue, ev)
	p.emitted++
	p.qmu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

func (p *PBX) deliver(stop, done chan struct{}) {
	defer close(done)
	var batch []core.TelEvent
	for {
		select {
		case <-stop:
			return
		case <-p.wake:
		}
		for {
			p.qmu.Lock()
			batch, p.queue = p.queue, batch[:0]
			p.qmu.Unlock()
			if len(batch) == 0 {
				break
			}
			for i := range batch {
				select {
				case <-stop:
					return
				default:
				}
				p.sink(batch[i])
				p.hist.add(batch[i])
				batch[i] = core.TelEvent{}
			}
		}
	}
}

// opLogLimit bounds the operation log so long benchmarks and demo runs do
// not grow without end; the oldest half goes when it is reached.
const opLogLimit = 100000

func (p *PBX) logOp(name, target string, args ...string) {
	if len(p.ops) >= opLogLimit {
		p.ops = append([]Op(nil), p.ops[opLogLimit/2:]...)
	}
	p.ops = append(p.ops, Op{Time: p.now(), Name: name, Target: target, Args: args})
}

func notFound(kind, id string) error {
	return fmt.Errorf("sim: %s %q: %w", kind, id, core.ErrNotFound)
}

// Op is one operation the application (or a test control) performed.
type Op struct {
	Time   time.Time
	Name   string // originate, answer, hangup, add_to_bridge, play, ...
	Target string // channel, bridge, playback or recording id
	Args   []string
}

func (o Op) String() string {
	s := o.Name
	if o.Target != "" {
		s += " " + o.Target
	}
	if len(o.Args) > 0 {
		s += " " + strings.Join(o.Args, " ")
	}
	return s
}

// Ops returns a copy of the operation log (the last 50000 to 100000).
func (p *PBX) Ops() []Op {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Op, len(p.ops))
	for i, o := range p.ops {
		o.Args = append([]string(nil), o.Args...)
		out[i] = o
	}
	return out
}

// ResetOps clears the operation log (benchmarks call it to bound memory).
func (p *PBX) ResetOps() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ops = nil
}

// Text is a message sent with SendText.
type Text struct {
	From, To, Body string
	Vars           map[string]string
}

// Texts returns the messages sent with SendText, oldest first.
func (p *PBX) Texts() []Text {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Text, len(p.texts))
	for i, t := range p.texts {
		t.Vars = cloneMap(t.Vars)
		out[i] = t
	}
	return out
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
