package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// Options configures an Engine.
type Options struct {
	Store  Store
	Tel    Telephony
	Bus    Bus
	Logger *slog.Logger
	// Clock gives the time and runs every engine timer (RealClock if nil);
	// tests inject core/clocktest and advance it.
	Clock Clock
	// Now, if set, overrides Clock.Now for timestamps only (tests that
	// freeze the wall clock while timers keep running on Clock).
	Now func() time.Time
	// DialerInterval is how often campaigns are paced and callbacks checked.
	DialerInterval time.Duration
	// DefaultRingTimeout applies to queues with RingTimeout 0.
	DefaultRingTimeout time.Duration
	// DefaultDialTimeout applies to campaigns and manual dials with none.
	DefaultDialTimeout time.Duration
	RecordingFormat    string
	MOHClass           string
	// ShortCall is the talk time under which an ended call counts as short.
	ShortCall time.Duration
	// OriginationKeep is how long an origination job's outcome can be read
	// after it ended (default 60 s).
	OriginationKeep time.Duration
	// DialEndpoint turns a number into a PBX endpoint; trunk is the
	// campaign's Trunk template ("PJSIP/{number}@carrier"), may be empty.
	DialEndpoint func(number, trunk string) string
	// Seed makes the random strategy reproducible in tests (0 = random).
	Seed uint64
	// Heartbeat is how often the engine records that it is alive (default
	// 10 s): calls that end while the gateway is down are closed as of
	// then, so the downtime never counts as talk time.
	Heartbeat time.Duration
	// LockCheck makes HoldsLock work (it records which goroutine holds the
	// engine lock, at some cost per lock): tests use it to prove that no
	// PBX or store call happens under the lock.
	LockCheck bool
	// SerialWrites turns group commit off: every store write of the
	// engine is then its own statement outside any transaction, one after
	// the other (benchmarks compare both).
	SerialWrites bool
	// Secrets verifies hashed and opens sealed secrets; by default the
	// store's (SecretsProvider), else clear text only.
	Secrets Secrets
	// Throttle shapes login delays; DefaultThrottle when zero.
	Throttle ThrottlePolicy
	// Media serves finished recordings' audio (RecordingAudio); nil: none.
	Media RecordingMedia
	// SMSPerSecond caps text messages sent per clock second (0: no cap);
	// SMSEndpoint is the message URI template for numbers ("{number}" or
	// %s; default "pjsip:{number}"), see messaging.go.
	SMSPerSecond int
	SMSEndpoint  string
	// CallerNameBound is the longest an inbound call waits for its caller
	// name before it is queued without one (caller_names.go; default 2 s).
	CallerNameBound time.Duration
	// Fence is the lease term this engine runs in (several gateways, one
	// leader): its claims of leads, callbacks and origination jobs change
	// nothing once another term began. Zero: one gateway, no lease.
	Fence Fence
	// Webhooks sends the outbox's messages (outbox.go); nil: webhooks are
	// refused with EUNAVAILABLE.
	Webhooks WebhookSender
}

// Engine is the call-center engine: it owns all live state, takes every
// decision, drives the PBX through the Telephony port, persists through the
// Store and publishes domain events on the Bus. All state is guarded by one
// mutex, held only to decide (see effects.go): a single lock keeps the state
// machine obviously consistent, and no I/O under it keeps it short.
type Engine struct {
	opt Options
	sms smsLimiter // messages sent this second (messaging.go)
	// outbox delivers stored webhooks (outbox.go).
	outbox *outbox
	// Contact imports running in the background (contact_import.go).
	importsMu sync.Mutex
	imports   map[uint64]chan struct{}
	store     Store
	auth      *authCache
	commit    *committer // nil: Options.SerialWrites
	tel       Telephony
	bus       Bus
	log       *slog.Logger
	clock     Clock
	now       func() time.Time
	rnd       *rand.Rand
	creds     *Credentials

	mu sync.Mutex
	// fx are the effects decided under the lock, submitted by unlock.
	fx     []*effect
	lanes  *lanes
	holder atomic.Int64
	// Ids of new records are allocated in memory (seeded from the store at
	// Start) so a decision never waits for the database to number a row.
	lastCallID    uint64
	lastSessionID uint
	lastRecID     uint64
	routes        map[string]Route  // inbound routes by DID
	agents        map[string]*Agent // by username
	queues        map[string]*Queue
	members       map[string][]QueueMember // by queue name, ordered by id
	campaigns     map[string]*Campaign
	pauses        map[string]*PauseCode // by code
	pauseByID     map[uint]*PauseCode
	sessions      map[string]*AgentSession  // logged-in agents by username
	agentLeg      map[string]*agentLegMedia // persistent agents' own-line recording and playback (agent_leg_media.go)
	calls         map[uint64]*liveCall
	callWrites    callWrites
	// singleWriter: the store has one write connection (SingleWriter).
	singleWriter bool
	chans        map[string]*chanRef
	waiting      map[string][]uint64 // queue name -> waiting call ids, FIFO
	qbridges     map[string]bool     // holding bridges created per queue
	rrNext       map[string]int
	leadsBusy    map[uint64]bool // leads being dialed
	// unreachable: agents whose phone the PBX refused, with their backoff.
	unreachable      map[string]*unreachableAgent
	unreachableCount map[string]uint64 // refused offers by cause
	tickTimer        Timer
	reconciling      bool // PBX reconnect in progress: lost offers blame no phone
	ready            bool
	started          bool
	stopped          bool
	// busStart: the bus sequence of this engine's first event.
	busStart atomic.Uint64

	// hb is the last heartbeat written (restart.go), guarded by hbMu.
	hbMu sync.Mutex
	hb   EngineHeartbeat
	// unverified: the restore could not see the PBX; the first connection
	// judges the restored calls (restart.go).
	unverified *restoreData
	// pre is what the event loop read for the event being handled.
	pre prefetched

	evq    *FIFO[TelEvent]
	evc    eventCount
	stopCh chan struct{}
	wg     sync.WaitGroup

	// Side state with locks of their own, never taken while holding mu.
	dials pendingDials
	rooms conferenceRooms
	// values: per-agent console state kept for the dialects (agentvalues.go).
	values *AgentValues
	// jobs: origination jobs not over, by job id (origination.go); scripts
	// runs the call scripts they name.
	jobs    map[string]*originJob
	scripts ScriptStarter
	names   callerNames // caller name lookup and cache (caller_names.go)
	// scriptPorts: what script nodes reach outside (script_query.go).
	scriptPorts scriptPorts
}

// liveCall is a call in progress with the PBX resources it owns.
type liveCall struct {
	Call
	offers     map[string]string // agent username -> ringing agent channel id
	offerTimer map[string]Timer
	tried      map[string]bool
	waitTimer  Timer
	// timedOut: the caller left the queue at its maximum wait; its
	// EXITWITHTIMEOUT row closes it, its hangup is no abandon.
	timedOut    bool
	consultCh   string // attended transfer / 3-way leg
	consultKind string
	transferTo  string
	// consultAgent is the agent being consulted or conferenced in (a
	// transfer to an agent or through a queue); the call passes to it on
	// CompleteTransfer.
	consultAgent string
	held         bool
	parked       bool
	recording    *Recording
	playback     string
	// endAt: the call ended at this time, not now (closed after a restart).
	endAt time.Time
	// agentGone: the agent left (transfer); the call goes on without one.
	agentGone bool
	// reservedAgent: manual/preview dial for this agent.
	reservedAgent string
	connectAgent  string // agent to connect on customer answer
	position      int
	dialTimeout   time.Duration
	dialCID       string
	vars          map[string]string
	job           *originJob // the origination job that placed the call
}

type chanRole string

const (
	roleCustomer   chanRole = "customer"
	roleAgentLeg   chanRole = "agent"      // on-hook agent leg of a call
	roleOffer      chanRole = "offer"      // ringing an agent for a queued call
	roleConsult    chanRole = "consult"    // transfer/3-way target
	rolePersistent chanRole = "persistent" // persistent agent's own channel
	roleSnoop      chanRole = "snoop"
	roleSupervisor chanRole = "supervisor"
)

type chanRef struct {
	id       string
	role     chanRole
	callID   uint64
	agent    string
	answered bool
	// name is the PBX's name of the channel, once an event told it.
	name string
	// peer is a related channel (snoop <-> supervisor).
	peer string
	// pending: the channel's originate has not returned yet; its PBX
	// events wait in deferred until the outcome is decided.
	pending  bool
	deferred []TelEvent
}

// New builds an engine; call Start to run it.
func New(opt Options) *Engine {
	if opt.Bus == nil {
		opt.Bus = NewMemoryBus(0)
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Clock == nil {
		opt.Clock = RealClock()
	}
	if opt.Now != nil {
		opt.Clock = nowClock{Clock: opt.Clock, now: opt.Now}
	}
	if opt.DialerInterval <= 0 {
		opt.DialerInterval = time.Second
	}
	if opt.DefaultRingTimeout <= 0 {
		opt.DefaultRingTimeout = 15 * time.Second
	}
	if opt.DefaultDialTimeout <= 0 {
		opt.DefaultDialTimeout = 30 * time.Second
	}
	if opt.RecordingFormat == "" {
		opt.RecordingFormat = "wav"
	}
	if opt.MOHClass == "" {
		opt.MOHClass = "default"
	}
	if opt.OriginationKeep <= 0 {
		opt.OriginationKeep = defaultOriginKeep
	}
	if opt.ShortCall <= 0 {
		opt.ShortCall = 10 * time.Second
	}
	if opt.SMSEndpoint == "" {
		opt.SMSEndpoint = "pjsip:{number}"
	}
	if opt.DialEndpoint == nil {
		opt.DialEndpoint = DefaultDialEndpoint
	}
	seed := opt.Seed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	if opt.Secrets == nil {
		if p, ok := opt.Store.(SecretsProvider); ok {
			opt.Secrets = p.Secrets()
		}
	}
	if opt.Throttle == (ThrottlePolicy{}) {
		opt.Throttle = DefaultThrottle
	}
	e := &Engine{
		opt: opt, store: opt.Store, tel: opt.Tel, bus: opt.Bus, log: opt.Logger, clock: opt.Clock, now: opt.Clock.Now,
		rnd:              rand.New(rand.NewPCG(seed, seed>>1|1)),
		agents:           map[string]*Agent{},
		queues:           map[string]*Queue{},
		members:          map[string][]QueueMember{},
		campaigns:        map[string]*Campaign{},
		pauses:           map[string]*PauseCode{},
		pauseByID:        map[uint]*PauseCode{},
		sessions:         map[string]*AgentSession{},
		calls:            map[uint64]*liveCall{},
		chans:            map[string]*chanRef{},
		waiting:          map[string][]uint64{},
		qbridges:         map[string]bool{},
		rrNext:           map[string]int{},
		leadsBusy:        map[uint64]bool{},
		unreachable:      map[string]*unreachableAgent{},
		unreachableCount: map[string]uint64{},
		routes:           map[string]Route{},
		jobs:             map[string]*originJob{},
		lanes:            newLanes(),
		evq:              NewFIFO[TelEvent](),
		stopCh:           make(chan struct{}),
	}
	e.creds = newCredentials(e, opt.Secrets, opt.Throttle)
	e.auth = newAuthCache(func() time.Time { return e.now() }, opt.Store)
	if !opt.SerialWrites {
		e.commit = newCommitter(opt.Store, opt.Logger)
	}
	if sw, ok := opt.Store.(SingleWriter); ok {
		e.singleWriter = sw.SingleWriter()
	}
	e.values = NewAgentValues(opt.Store, func() time.Time { return e.now() })
	e.outbox = newOutbox(e)
	return e
}

// DefaultDialEndpoint fills a trunk template ({number} or %s) or dials the
// number through a Local channel into the outbound dialplan context.
func DefaultDialEndpoint(number, trunk string) string {
	switch {
	case trunk == "":
		return "Local/" + number + "@callgate-outbound"
	case strings.Contains(trunk, "{number}"):
		return strings.ReplaceAll(trunk, "{number}", number)
	case strings.Contains(trunk, "%s"):
		return fmt.Sprintf(trunk, number)
	default:
		return trunk + "/" + number
	}
}

func (e *Engine) Bus() Bus             { return e.bus }
func (e *Engine) Telephony() Telephony { return e.tel }
func (e *Engine) Logger() *slog.Logger { return e.log }
func (e *Engine) Now() time.Time       { return e.now() }

// Ready is true once started and while the PBX is connected.
func (e *Engine) Ready() bool {
	e.lock()
	ok := e.started && !e.stopped
	e.unlock()
	return ok && e.tel.Ready()
}

// Start loads configuration and live state, reconciles it with the PBX and
// starts the event loop and the dialer.
func (e *Engine) Start(ctx context.Context) error {
	// Before this engine publishes anything: where its own events begin
	// (WebhookSourceStart).
	e.busStart.Store(e.bus.LastSeq() + 1)
	if err := e.Reload(ctx); err != nil {
		return err
	}
	if err := e.seedIDs(ctx); err != nil {
		return err
	}
	e.wg.Add(1)
	go e.eventLoop()
	if err := e.tel.Start(ctx, e.pushEvent); err != nil {
		return fmt.Errorf("telephony start: %w", err)
	}
	rs, err := e.loadRestore(ctx)
	if err != nil {
		return err
	}
	var jobs []OriginationJob
	open := []OriginationStatus{OriginScheduled, OriginRingingSource, OriginRingingDest, OriginAnswered}
	if err := e.store.Find(ctx, &jobs, All.In("status", open).Asc("id")); err != nil {
		return fmt.Errorf("load origination jobs: %w", err)
	}
	e.lock()
	e.restoreLocked(ctx, rs)
	e.resumeOriginationsLocked(jobs)
	e.started = true
	e.scheduleTickLocked()
	b := e.unlock()
	if err := b.wait(ctx); err != nil {
		return err
	}
	if err := e.resumePendingDials(ctx); err != nil {
		return err
	}
	e.closeInterruptedImports(ctx)
	if err := e.outbox.start(ctx); err != nil {
		return err
	}
	e.beat(ctx, true)
	return nil
}

// seedIDs starts the in-memory id counters after the highest ids stored.
func (e *Engine) seedIDs(ctx context.Context) error {
	var c Call
	if err := e.store.First(ctx, &c, All.Desc("id")); err != nil && !errors.Is(err, ErrNoRecord) {
		return fmt.Errorf("seed call ids: %w", err)
	}
	var s AgentSession
	if err := e.store.First(ctx, &s, All.Desc("id")); err != nil && !errors.Is(err, ErrNoRecord) {
		return fmt.Errorf("seed session ids: %w", err)
	}
	var r Recording
	if err := e.store.First(ctx, &r, All.Desc("id")); err != nil && !errors.Is(err, ErrNoRecord) {
		return fmt.Errorf("seed recording ids: %w", err)
	}
	e.lock()
	e.lastCallID, e.lastSessionID, e.lastRecID = c.ID, s.ID, r.ID
	e.unlock()
	return nil
}

// Stop stops taking work, hangs nothing up (calls survive a gateway restart
// on the PBX side and are reconciled at the next Start) and waits for the
// loops and the effects already decided to finish.
func (e *Engine) Stop(ctx context.Context) error {
	e.lock()
	if e.stopped {
		e.unlock()
		return nil
	}
	e.stopped = true
	if e.tickTimer != nil {
		e.tickTimer.Stop()
	}
	for _, c := range e.calls {
		e.stopCallTimers(c)
	}
	e.unlock()
	close(e.stopCh)
	e.stopSettle()
	e.outbox.stop()
	done := make(chan struct{})
	go func() { e.wg.Wait(); e.lanes.wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return ctx.Err()
	}
	// Calls that end before the next start were alive until now.
	e.beat(ctx, true)
	return e.tel.Close()
}

// Reload re-reads the provisioned records (agents, queues, members,
// campaigns, pause codes, routes). The admin API calls it after every change.
func (e *Engine) Reload(ctx context.Context) (err error) {
	var (
		agents    []Agent
		queues    []Queue
		members   []QueueMember
		campaigns []Campaign
		pauses    []PauseCode
		routes    []Route
	)
	for _, x := range []struct {
		dst any
		q   Filter
	}{
		{&agents, All}, {&queues, All}, {&members, All.Asc("id")}, {&campaigns, All}, {&pauses, All}, {&routes, All.Asc("id")},
	} {
		if err := e.store.Find(ctx, x.dst, x.q); err != nil {
			return fmt.Errorf("reload: %w", err)
		}
	}
	e.lock()
	defer e.settle(ctx, &err)
	prev := e.agents
	e.agents = map[string]*Agent{}
	for i := range agents {
		e.agents[agents[i].Username] = &agents[i]
	}
	e.followProfilesLocked(ctx, prev)
	e.queues = map[string]*Queue{}
	for i := range queues {
		e.queues[queues[i].Name] = &queues[i]
	}
	e.members = map[string][]QueueMember{}
	for _, m := range members {
		e.members[m.Queue] = append(e.members[m.Queue], m)
	}
	e.campaigns = map[string]*Campaign{}
	for i := range campaigns {
		e.campaigns[campaigns[i].Name] = &campaigns[i]
	}
	e.pauses = map[string]*PauseCode{}
	e.pauseByID = map[uint]*PauseCode{}
	for i := range pauses {
		e.pauses[pauses[i].Code] = &pauses[i]
		e.pauseByID[pauses[i].ID] = &pauses[i]
	}
	e.routes = map[string]Route{}
	for _, r := range routes {
		if _, dup := e.routes[r.DID]; !dup {
			e.routes[r.DID] = r
		}
	}
	return nil
}

func (c *liveCall) init() {
	if c.offers == nil {
		c.offers = map[string]string{}
		c.offerTimer = map[string]Timer{}
		c.tried = map[string]bool{}
	}
}

// prefetched is what the event loop reads before it takes the lock for an
// event, so the decision needs no I/O.
type prefetched struct {
	channels    []ChannelInfo // TelConnected: the PBX's live channels
	channelsErr error
	known       map[string]bool // TelConnected: channels placed before the list
	lead        *Lead           // inbound: the caller's lead
	line        *lineRoute      // inbound: the line the call reaches (line_inbound.go)
}

// eventLoop applies PBX events one at a time, in order. It takes the lock
// only to decide: reads an event needs are made before, effects run after.
func (e *Engine) eventLoop() {
	defer e.wg.Done()
	for {
		select {
		case <-e.stopCh:
			return
		case <-e.evq.Signal():
		}
		batch := e.evq.Take()
		for _, ev := range batch {
			pre := e.prefetch(ev)
			e.lock()
			if !e.stopped {
				e.pre = pre
				e.safeHandle(ev)
				e.pre = prefetched{}
			}
			e.unlock()
		}
		e.settled(len(batch))
		e.evq.Recycle(batch)
	}
}

func (e *Engine) prefetch(ev TelEvent) prefetched {
	var p prefetched
	ctx := context.Background()
	switch ev.Type {
	case TelConnected:
		// Channels whose originate returned before the list is asked for:
		// only those can be found lost by it.
		e.lock()
		p.known = make(map[string]bool, len(e.chans))
		for id, r := range e.chans {
			if !r.pending {
				p.known[id] = true
			}
		}
		e.unlock()
		p.channels, p.channelsErr = e.tel.Channels(ctx)
	case TelStasisStart:
		if len(ev.Args) > 0 && ev.Args[0] == "inbound" {
			if l, ok := e.leadByPhone(ctx, ev.CallerID); ok {
				p.lead = &l
			}
			p.line = e.lineRouteFor(ctx, inboundDialed(ev), ev.CallerID)
		}
	}
	return p
}

func (e *Engine) safeHandle(ev TelEvent) {
	defer func() {
		if r := recover(); r != nil {
			e.log.Error("engine: panic handling pbx event", "type", ev.Type, "channel", ev.ChannelID, "panic", r)
		}
	}()
	e.handleTel(context.Background(), ev)
}

// scheduleTickLocked arms the next dialer tick. A re-armed one-shot timer
// rather than a ticker: ticks never pile up behind a slow one, and with a
// fake clock each tick has run when Advance returns.
func (e *Engine) scheduleTickLocked() {
	e.tickTimer = e.clock.AfterFunc(e.opt.DialerInterval, func() {
		e.beat(context.Background(), false) // store I/O: not under the lock
		e.tick(context.Background())
		e.lock()
		if !e.stopped {
			e.scheduleTickLocked()
		}
		e.unlock()
	})
}

// tick logs idle agents out, places due callbacks and paces the dialer: the
// plan is made under the lock, the leads and callbacks are read outside it,
// and the calls are placed under the lock again after checking the plan
// still holds.
func (e *Engine) tick(ctx context.Context) {
	defer func() {
		if r := recover(); r != nil {
			e.log.Error("engine: panic in tick", "panic", r)
		}
	}()
	e.lock()
	if e.stopped {
		e.unlock()
		return
	}
	now := e.now()
	for user, s := range e.sessions {
		if s.IdleTimeout > 0 && s.CallID == 0 && s.LastPing != nil &&
			now.Sub(*s.LastPing) > time.Duration(s.IdleTimeout)*time.Second {
			e.logoutLocked(ctx, user, "timeout")
		}
	}
	plan := e.dialPlanLocked(now)
	e.unlock()
	due := e.claimCallbacks(ctx, e.dueCallbacks(ctx, now), now)
	e.prefetchDialer(ctx, plan, now)
	e.lock()
	if e.stopped {
		e.unlock()
		e.giveBack(ctx, due, plan) // stopping: the claims go back
		return
	}
	e.runCallbacksLocked(ctx, due, now)
	e.runDialerLocked(ctx, plan, now)
	e.unlock()
}

// publish sends an event on the bus once the effects decided before it
// (its store writes above all) are done; lock held, it never blocks.
func (e *Engine) publish(p Payload, agent string) {
	e.write("publish "+p.EventType(), func(context.Context, Store) error {
		e.emit(p, agent)
		return nil
	}).post = true
}

// emit hands an event to the bus without waiting for it (store lane only).
func (e *Engine) emit(p Payload, agent string) {
	if q, ok := e.bus.(QueuedBus); ok {
		q.Enqueue(p, agent)
		return
	}
	e.bus.Publish(p, agent)
}

// announce publishes an event from outside the lock, in the one order.
func (e *Engine) announce(ctx context.Context, p Payload, agent string) {
	e.lock()
	e.publish(p, agent)
	_ = e.unlockWait(ctx)
}

// queueLog appends one queue-log row (outside a call transaction).
func (e *Engine) queueLog(_ context.Context, q QueueLogEntry) {
	if q.Time.IsZero() {
		q.Time = e.now()
	}
	e.write("queue log "+q.Event, func(ctx context.Context, st Store) error { return st.Create(ctx, &q) }).queueRow = &q
}

// persistCall saves a call and its queue-log rows in one transaction, so a
// store error never leaves a call half-recorded. A new call gets its id here
// (in memory); the row is written with it.
func (e *Engine) persistCall(_ context.Context, c *Call, rows ...QueueLogEntry) {
	now := e.now()
	create := c.ID == 0
	if create {
		e.lastCallID++
		c.ID = e.lastCallID
	}
	e.syncLiveLocked(c, now)
	e.nameLegsLocked(c)
	cp := *c
	rows = append([]QueueLogEntry(nil), rows...)
	for i := range rows {
		if rows[i].Time.IsZero() {
			rows[i].Time = now
		}
		if rows[i].CallID == 0 {
			rows[i].CallID = cp.ID
		}
	}
	f := e.write("call "+strconv.FormatUint(cp.ID, 10), func(ctx context.Context, st Store) error {
		return st.Tx(ctx, func(tx Store) error {
			if create {
				if err := tx.Create(ctx, &cp); err != nil {
					return err
				}
			} else if err := tx.Save(ctx, &cp); err != nil {
				return err
			}
			for i := range rows {
				if err := tx.Create(ctx, &rows[i]); err != nil {
					return err
				}
			}
			return nil
		})
	})
	f.call = &callWrite{call: cp, rows: rows}
	e.trackCallWrite(f, &cp, false)
}

func (e *Engine) saveSession(_ context.Context, s *AgentSession) {
	s.UpdatedAt = e.now()
	create := s.ID == 0
	if create {
		e.lastSessionID++
		s.ID = e.lastSessionID
	}
	cp := *s
	f := e.write("session "+s.Username, func(ctx context.Context, st Store) error {
		if create {
			return st.Create(ctx, &cp)
		}
		return st.Save(ctx, &cp)
	})
	f.session = &cp
	if !create {
		// Every column is written: a later save of the session in the
		// same commit group supersedes this one.
		f.key = "session:" + strconv.FormatUint(uint64(cp.ID), 10)
	}
}

func (e *Engine) deleteSession(_ context.Context, s AgentSession) {
	if s.ID == 0 {
		return
	}
	id := s.ID
	e.write("session delete "+s.Username, func(ctx context.Context, st Store) error {
		return st.Delete(ctx, &AgentSession{}, ByID(id))
	}).sessionEnd = s.AgentID
}

func newGUID() string { return uuid.NewString() }

// uniqueID mimics Asterisk's "epoch.sequence" uniqueid for channels whose
// id we choose, so dialects that expect that shape get it.
func (e *Engine) uniqueID() string {
	now := e.now()
	return fmt.Sprintf("%d.%d", now.Unix(), now.Nanosecond()/1000)
}

func (e *Engine) newChanID(prefix string) string {
	return prefix + "-" + strings.ReplaceAll(uuid.NewString(), "-", "")[:16]
}

// sortedKeys returns map keys sorted, for deterministic iteration.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
