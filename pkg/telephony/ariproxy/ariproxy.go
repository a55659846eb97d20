// Package ariproxy implements core.Telephony over ari-proxy
// (github.com/CyCoreSystems/ari-proxy/v5, v5.3.1) and NATS, for a gateway in
// front of many Asterisk nodes. Each Asterisk runs one ari-proxy server for
// the application; the gateway reaches every node through one NATS
// connection.
//
// Requests are ari-proxy's own wire format (the proxy package's Request and
// Response, on the subjects ari.{command,create,data,get}.<app>.<node>)
// sent with our own NATS request/reply. ari-proxy's Go client is not used:
// in v5.3.1 its WithNATS option leaves the request timeout at zero (every
// request times out), its own NATS connection gives up reconnecting after
// about two minutes, its operations take no context, its multi-node replies
// are dropped when the caller is not ready, and its event bus drops events
// silently once 100 are buffered.
//
// Routing: every request carries the node that owns the channel, bridge,
// playback or recording. The owner is learnt from Originate (we pick the
// node), from events (each node publishes on its own subject) and, for an
// id never seen (after a gateway restart), by asking the live nodes.
// Originate goes to the node of OtherChannelID when set (a linked call must
// share the Asterisk), otherwise to a node chosen by Config.Pick.
//
// Bridges are logical: a bridge id may have one Asterisk bridge per node,
// created on a node when the first channel of that node is added (with the
// kind and music on hold of the logical bridge). So the engine's shared
// holding bridges (queues) work across nodes. Media does not cross nodes:
// a mixing bridge whose channels are on two nodes is two bridges, and
// Play/Record on a bridge act on its first node's bridge. With a single
// configured node, CreateBridge creates the bridge at once.
//
// Events: one NATS subscription on ari.event.<app>.* feeds an unbounded
// in-process queue (the callback never blocks NATS and the subscription has
// no pending limit, so the NATS client never drops as a slow consumer); one
// dispatcher translates them with pkg/telephony/ari's translator (one per
// node: Local ;2 filter, one ringing/answered per channel, deduplicated
// hangups) and calls the sink in arrival order, with TelEvent.Node set to
// the node the event came from.
//
// Liveness: the cluster is pinged every PingInterval; an ari-proxy answers
// only while its Asterisk websocket is up, so a node is up while it keeps
// announcing itself. TelConnected/TelDisconnected are reported per node;
// losing NATS reports every node gone. Ready() is false while NATS is down
// or no node is up.
//
// What ari-proxy v5.3.1 cannot carry, and how it degrades:
//   - eventFilter: no request exists, so Asterisk sends every event type to
//     the proxy. The proxy decodes them with ari/v5, whose websocket reader
//     panics on types it does not know (Asterisk 22 sends some, e.g.
//     ApplicationRegistered): the proxy process must be supervised and
//     restarted. Our side skips unknown types.
//   - The proxy's own subscription to its ari/v5 bus buffers 100 events and
//     drops beyond, silently: a burst is partly lost inside the proxy before
//     it reaches NATS. Measured with ari-proxy v5.3.1 and Asterisk 22.10:
//     of 10,000 user events posted by 4 clients in 1-5 s, the proxy lost
//     between 3% and 63% depending on the run (TestRealBurstThroughAriProxy);
//     everything it published reached us. Nothing downstream can recover a lost event and the
//     proxy does not reconnect on it, so no TelDisconnected/TelConnected
//     (and no reconciliation) follows. At call-center rates (tens of events
//     per second per node) the buffer does not fill; where event loss is
//     not acceptable, use pkg/telephony/ari (direct ARI, lossless) per node.
//   - Hangup with a Q.850 cause that has no ARI reason name is sent as
//     reason_code through the proxy's reason field (see Hangup).
//   - SendText: no text message request exists; it returns an error
//     wrapping errors.ErrUnsupported.
//   - Channel listings carry only ids, so Channels() and Bridges() fetch
//     each channel's and bridge's data (one request each, in parallel).
//   - Unique ids: channels entering from the dialplan get Asterisk's
//     uniqueid; set systemname in each node's asterisk.conf so they cannot
//     collide across nodes.
package ariproxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/CyCoreSystems/ari-proxy/v5/proxy"
	"github.com/nats-io/nats.go"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/telephony/ari"
)

// Telephony is the ari-proxy implementation of core.Telephony for a set of
// Asterisk nodes.
type Telephony struct {
	cfg     Config
	log     *slog.Logger
	nodeSet map[string]bool
	q       *core.FIFO[item]

	natsUp   atomic.Bool
	nodesUp  atomic.Int32
	started  atomic.Bool
	stopOnce sync.Once

	mu      sync.Mutex
	nc      *nats.Conn
	closed  bool
	sink    func(core.TelEvent)
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	nodes   map[string]*nodeState
	chans   map[string]chanEntry
	perNode map[string]int // live channels per node, for PickLeastChannels
	bridges map[string]*bridgeState
	media   map[string]string // "pb:"+playback id or "rec:"+recording name -> node
	vars    ari.VarBook       // variables set through the port, per channel
	rr      int

	wake chan struct{} // an announcement or a NATS reconnection: check nodes now

	eventsRead   atomic.Uint64
	decodeErrors atomic.Uint64
}

var _ core.Telephony = (*Telephony)(nil)

type nodeState struct {
	lastSeen time.Time
	up       bool
}

// ownKind tells how a channel came to be known, as in pkg/telephony/ari.
type ownKind uint8

const (
	ownNone       ownKind = iota // seen in events only
	ownOriginated                // ARI subscribes the originating app until the channel dies
	ownSnoop
	ownAdopted // a ;2 half that entered the application by itself
)

type chanEntry struct {
	node string
	kind ownKind
}

// New validates cfg and prepares a Telephony; Start connects.
func New(cfg Config) (*Telephony, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	t := &Telephony{
		cfg:     cfg,
		log:     cfg.Logger.With("component", "ariproxy", "app", cfg.App),
		nodeSet: map[string]bool{},
		q:       core.NewFIFO[item](),
		nodes:   map[string]*nodeState{},
		chans:   map[string]chanEntry{},
		perNode: map[string]int{},
		bridges: map[string]*bridgeState{},
		media:   map[string]string{},
		wake:    make(chan struct{}, 1),
	}
	for _, n := range cfg.Nodes {
		t.nodeSet[n] = true
		t.nodes[n] = &nodeState{}
	}
	return t, nil
}

// NodeID is Config.NodeID: the node itself with one node, otherwise a name
// for the cluster. Events carry the node they came from.
func (t *Telephony) NodeID() string { return t.cfg.NodeID }

// Ready reports whether NATS is connected and at least one node is up.
func (t *Telephony) Ready() bool { return t.natsUp.Load() && t.nodesUp.Load() > 0 }

// Start connects to NATS and begins delivering events to sink. It returns
// once every node has announced itself or RequestTimeout (or ctx) has
// passed; NATS reconnection and node discovery continue in the background.
func (t *Telephony) Start(ctx context.Context, sink func(core.TelEvent)) error {
	if sink == nil {
		return errors.New("ariproxy: nil sink")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if !t.started.CompareAndSwap(false, true) {
		return errors.New("ariproxy: already started")
	}
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return errors.New("ariproxy: closed")
	}
	t.sink = sink
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	t.cancel = cancel
	t.mu.Unlock()

	nc, err := nats.Connect(t.cfg.NATSURL,
		nats.Name("callgate-ariproxy-"+t.cfg.App),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(t.cfg.ReconnectWait),
		nats.RetryOnFailedConnect(true),
		nats.ConnectHandler(func(*nats.Conn) { t.natsConnected() }),
		nats.ReconnectHandler(func(*nats.Conn) { t.natsConnected() }),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) { t.natsLost(err) }),
		nats.ClosedHandler(func(*nats.Conn) { t.natsLost(nats.ErrConnectionClosed) }),
	)
	if err != nil {
		cancel()
		return fmt.Errorf("ariproxy: connect to NATS %s: %w", redactURL(t.cfg.NATSURL), err)
	}
	evSub, err := nc.Subscribe(t.cfg.Prefix+"event."+t.cfg.App+".*", t.onEvent)
	if err == nil {
		// The callback only appends to our queue; an unlimited pending
		// buffer means the NATS client never discards events of ours.
		err = evSub.SetPendingLimits(-1, -1)
	}
	if err == nil {
		_, err = nc.Subscribe(proxy.AnnouncementSubject(t.cfg.Prefix), t.onAnnounce)
	}
	if err != nil {
		nc.Close()
		cancel()
		return fmt.Errorf("ariproxy: subscribe: %w", err)
	}
	t.mu.Lock()
	t.nc = nc
	t.mu.Unlock()
	if nc.IsConnected() {
		t.natsUp.Store(true)
	} else {
		t.log.Warn("ariproxy: NATS not reachable yet, retrying in background", "url", redactURL(t.cfg.NATSURL))
	}

	t.wg.Add(2)
	go t.dispatch(runCtx)
	go t.monitor(runCtx)

	// Wait for the nodes' first announcements so the engine's first
	// Channels() sees them.
	deadline := time.NewTimer(t.cfg.RequestTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for int(t.nodesUp.Load()) < len(t.cfg.Nodes) {
		select {
		case <-ctx.Done():
			return nil
		case <-deadline.C:
			t.log.Warn("ariproxy: not every node announced itself; continuing", "up", t.nodesUp.Load(), "nodes", len(t.cfg.Nodes))
			return nil
		case <-tick.C:
		}
	}
	return nil
}

// Close stops the background work, closes the NATS connection and waits
// for the dispatcher and the monitor to finish.
func (t *Telephony) Close() error {
	t.stopOnce.Do(func() {
		t.mu.Lock()
		t.closed = true
		cancel, nc := t.cancel, t.nc
		t.mu.Unlock()
		if cancel != nil {
			cancel()
		}
		if nc != nil {
			nc.Close()
		}
		t.wg.Wait()
		t.natsUp.Store(false)
		t.nodesUp.Store(0)
	})
	return nil
}

func (t *Telephony) conn() *nats.Conn {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.nc
}

func (t *Telephony) isClosed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.closed
}

func (t *Telephony) natsConnected() {
	t.natsUp.Store(true)
	t.log.Info("ariproxy: NATS connected")
	t.ping()
}

// natsLost reports every node gone at once: their events cannot reach us
// and their announcements would only time out later.
func (t *Telephony) natsLost(err error) {
	if !t.natsUp.Swap(false) {
		return
	}
	if !t.isClosed() {
		t.log.Warn("ariproxy: NATS connection lost", "err", err)
	}
	t.mu.Lock()
	var gone []string
	for _, n := range t.cfg.Nodes {
		if st := t.nodes[n]; st.up {
			st.up = false
			st.lastSeen = time.Time{}
			gone = append(gone, n)
		}
	}
	t.nodesUp.Store(0)
	t.mu.Unlock()
	if t.isClosed() {
		return
	}
	for _, n := range gone {
		t.q.Push(item{node: n, synth: true, ev: core.TelEvent{Type: core.TelDisconnected, Node: n, Time: time.Now()}})
	}
}

func (t *Telephony) poke() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// onEvent runs on the NATS subscription goroutine: it only enqueues.
func (t *Telephony) onEvent(m *nats.Msg) {
	node := m.Subject[strings.LastIndexByte(m.Subject, '.')+1:]
	if !t.nodeSet[node] {
		return
	}
	t.eventsRead.Add(1)
	t.q.Push(item{node: node, raw: m.Data})
}

func (t *Telephony) onAnnounce(m *nats.Msg) {
	var a proxy.Announcement
	if json.Unmarshal(m.Data, &a) != nil || a.Application != t.cfg.App || !t.nodeSet[a.Node] {
		return
	}
	t.mu.Lock()
	st := t.nodes[a.Node]
	st.lastSeen = time.Now()
	wasUp := st.up
	t.mu.Unlock()
	if !wasUp {
		t.poke()
	}
}

// monitor pings the cluster and turns announcements (or their absence) into
// node up/down transitions.
func (t *Telephony) monitor(ctx context.Context) {
	defer t.wg.Done()
	tick := time.NewTicker(t.cfg.PingInterval)
	defer tick.Stop()
	t.ping()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			t.ping()
		case <-t.wake:
		}
		t.checkNodes(ctx)
	}
}

func (t *Telephony) ping() {
	nc := t.conn()
	if nc == nil || !t.natsUp.Load() {
		return
	}
	b, _ := json.Marshal(&proxy.Request{})
	if err := nc.Publish(proxy.PingSubject(t.cfg.Prefix), b); err != nil {
		t.log.Debug("ariproxy: ping", "err", err)
	}
}

func (t *Telephony) checkNodes(ctx context.Context) {
	now := time.Now()
	var up, down []string
	t.mu.Lock()
	for _, n := range t.cfg.Nodes {
		st := t.nodes[n]
		alive := t.natsUp.Load() && !st.lastSeen.IsZero() && now.Sub(st.lastSeen) <= t.cfg.NodeTimeout
		switch {
		case alive && !st.up:
			up = append(up, n)
		case !alive && st.up:
			st.up = false
			t.nodesUp.Add(-1)
			down = append(down, n)
		}
	}
	t.mu.Unlock()
	for _, n := range down {
		t.log.Warn("ariproxy: node gone", "asterisk_node", n)
		t.q.Push(item{node: n, synth: true, ev: core.TelEvent{Type: core.TelDisconnected, Node: n, Time: time.Now()}})
	}
	for _, n := range up {
		t.nodeUp(ctx, n)
	}
}

// nodeUp prepares a node that (re)appeared, then reports it. Preparation
// runs before TelConnected so that the engine's reconciliation finds the
// node usable.
func (t *Telephony) nodeUp(ctx context.Context, node string) {
	t.mu.Lock()
	st := t.nodes[node]
	if st.up {
		t.mu.Unlock()
		return
	}
	st.up = true
	t.nodesUp.Add(1)
	t.mu.Unlock()
	rctx, cancel := context.WithTimeout(ctx, t.cfg.RequestTimeout)
	t.pruneNode(rctx, node)
	for _, src := range t.cfg.MessageSources {
		if err := t.subscribe(rctx, node, src); err != nil {
			t.log.Warn("ariproxy: not subscribed to event source", "asterisk_node", node, "source", src, "err", err)
		}
	}
	cancel()
	t.mu.Lock()
	still := st.up
	t.mu.Unlock()
	if !still {
		return // lost again while being prepared (NATS dropped): already reported gone
	}
	t.log.Info("ariproxy: node up", "asterisk_node", node)
	t.q.Push(item{node: node, synth: true, ev: core.TelEvent{Type: core.TelConnected, Node: node, Time: time.Now()}})
}

// pruneNode forgets channels of node that died while it was unreachable
// (their ChannelDestroyed never reached us).
func (t *Telephony) pruneNode(ctx context.Context, node string) {
	t.mu.Lock()
	n := t.perNode[node]
	t.mu.Unlock()
	if n == 0 {
		return
	}
	ids, err := t.listIDs(ctx, node, "ChannelList")
	if err != nil {
		return
	}
	live := make(map[string]bool, len(ids))
	for _, id := range ids {
		live[id] = true
	}
	t.mu.Lock()
	for id, c := range t.chans {
		if c.node == node && !live[id] {
			t.forgetLocked(id)
		}
	}
	t.mu.Unlock()
}

// dispatch drains the queue in order and calls the sink.
func (t *Telephony) dispatch(ctx context.Context) {
	defer t.wg.Done()
	trs := map[string]*ari.Translator{}
	tr := func(node string) *ari.Translator {
		x := trs[node]
		if x == nil {
			x = ari.NewTranslator(t.cfg.App, node, ari.TranslatorHooks{
				Owned:  t.isOwned,
				Adopt:  func(id string) { t.own(id, node, ownAdopted) },
				Forget: t.forget,
				Entered: func(id string) {
					if t.kind(id) != ownOriginated {
						t.subscribeAsync(node, id)
					}
				},
			})
			trs[node] = x
		}
		return x
	}
	var out []core.TelEvent
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.q.Signal():
		}
		batch := t.q.Take()
		for i := range batch {
			it := &batch[i]
			if it.synth {
				switch it.ev.Type {
				case core.TelDisconnected:
					tr(it.node).Reset()
				case core.TelHangup:
					if !tr(it.node).Hangup(it.ev.ChannelID) {
						continue // ChannelDestroyed already reported it
					}
				}
				t.deliver(it.ev)
				continue
			}
			out = t.safeTranslate(tr(it.node), it.node, it.raw, out[:0])
			for _, ev := range out {
				t.note(it.node, ev)
				t.deliver(ev)
			}
		}
		t.q.Recycle(batch)
	}
}

func (t *Telephony) safeTranslate(tr *ari.Translator, node string, raw []byte, out []core.TelEvent) (res []core.TelEvent) {
	defer func() {
		if r := recover(); r != nil {
			t.decodeErrors.Add(1)
			t.log.Error("ariproxy: event translation panic", "asterisk_node", node, "panic", r, "stack", string(debug.Stack()))
			res = out[:0]
		}
	}()
	res, err := tr.Translate(raw, out)
	if errors.Is(err, ari.ErrAppReplaced) {
		// Two ari-proxy servers (or a proxy and a direct ARI gateway) run
		// the same application on one Asterisk; only the newest receives
		// events. A deployment error, reported but not acted on: the proxy
		// owns the websocket.
		t.log.Error("ariproxy: application taken over by another websocket on node "+node+" (two ari-proxy or gateways with one App)", "asterisk_node", node)
		return res
	}
	if err != nil {
		t.decodeErrors.Add(1)
		t.log.Warn("ariproxy: undecodable event skipped", "asterisk_node", node, "err", err)
	}
	return res
}

// note keeps the routing tables in step with the events: which node a
// channel, playback or recording lives on.
func (t *Telephony) note(node string, ev core.TelEvent) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch ev.Type {
	case core.TelHangup:
		return // the translator's Forget already ran
	case core.TelPlaybackStarted:
		t.media["pb:"+ev.PlaybackID] = node
	case core.TelPlaybackFinished:
		delete(t.media, "pb:"+ev.PlaybackID)
	case core.TelRecordingStarted:
		t.media["rec:"+ev.RecordingName] = node
	case core.TelRecordingFinished, core.TelRecordingFailed:
		delete(t.media, "rec:"+ev.RecordingName)
	}
	if ev.ChannelID == "" {
		return
	}
	if _, ok := t.chans[ev.ChannelID]; !ok {
		t.chans[ev.ChannelID] = chanEntry{node: node}
		t.perNode[node]++
	}
}

func (t *Telephony) deliver(ev core.TelEvent) {
	defer func() {
		if r := recover(); r != nil {
			t.log.Error("ariproxy: sink panic", "panic", r, "event", string(ev.Type))
		}
	}()
	t.sink(ev)
}

func (t *Telephony) isOwned(id string) bool { return t.kind(id) != ownNone }

func (t *Telephony) kind(id string) ownKind {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.chans[id].kind
}

func (t *Telephony) own(id, node string, k ownKind) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if c, ok := t.chans[id]; ok && c.node != node {
		t.perNode[c.node]--
		delete(t.chans, id)
	}
	if _, ok := t.chans[id]; !ok {
		t.perNode[node]++
	}
	t.chans[id] = chanEntry{node: node, kind: k}
}

func (t *Telephony) forget(id string) {
	t.mu.Lock()
	t.forgetLocked(id)
	t.mu.Unlock()
	t.vars.Forget(id)
}

func (t *Telephony) forgetLocked(id string) {
	if c, ok := t.chans[id]; ok {
		t.perNode[c.node]--
		delete(t.chans, id)
	}
}

// subscribeAsync subscribes the application to a channel that entered it
// from the dialplan or as a snoop, as pkg/telephony/ari does: Asterisk
// unsubscribes such channels at StasisEnd, so without it their hangup
// would never be reported. It runs off the event path; a channel already
// gone is reported hung up.
func (t *Telephony) subscribeAsync(node, id string) {
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), t.cfg.RequestTimeout)
		defer cancel()
		err := t.subscribe(ctx, node, "channel:"+id)
		var pe *Error
		if errors.As(err, &pe) && (pe.Code == 404 || pe.Code == 422 || pe.Code == 400) {
			t.q.Push(item{node: node, synth: true, ev: core.TelEvent{
				Type: core.TelHangup, Node: node, Time: time.Now(), ChannelID: id, UniqueID: id,
				Cause: core.CauseNormal, CauseText: "channel ended before it could be followed",
			}})
		} else if err != nil && !t.isClosed() {
			t.log.Warn("ariproxy: could not subscribe to channel; its hangup may go unreported", "asterisk_node", node, "channel", id, "err", err)
		}
	}()
}

// Stats are counters of the event path, for metrics.
type Stats struct {
	EventsRead   uint64 // events taken off NATS for our nodes
	DecodeErrors uint64 // events of a known type that could not be decoded
	Queued       int    // events read but not yet delivered to the sink
	NodesUp      int
}

func (t *Telephony) Stats() Stats {
	return Stats{
		EventsRead: t.eventsRead.Load(), DecodeErrors: t.decodeErrors.Load(),
		Queued: t.q.Len(), NodesUp: int(t.nodesUp.Load()),
	}
}
