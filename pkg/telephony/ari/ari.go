// Package ari implements core.Telephony on Asterisk's REST Interface (ARI)
// with one Stasis application per gateway, using github.com/CyCoreSystems/ari/v5
// for REST operations and a websocket reader of its own for events.
//
// The events path is built so that Asterisk is never kept waiting: one
// goroutine reads frames and appends them to an unbounded in-process queue,
// and one dispatcher goroutine decodes them and calls the sink in order.
// ari/v5's own reader is not used because its bus silently drops events once
// a subscription buffer of 100 fills, and it panics on event types it does
// not know, which Asterisk 22 sends.
package ari

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/CyCoreSystems/ari/v5/client/native"
	"golang.org/x/net/websocket"

	"github.com/callgate/callgate/core"
)

// Telephony is the ARI implementation of core.Telephony for one Asterisk node.
type Telephony struct {
	cfg  Config
	log  *slog.Logger
	cli  *native.Client
	http *http.Client
	auth string // precomputed Basic authorization header value

	q *core.FIFO[item]

	up       atomic.Bool
	gen      atomic.Uint64 // connection generation
	started  atomic.Bool
	replaced atomic.Bool // ApplicationReplaced seen on the current connection
	mu       sync.Mutex
	ws       *websocket.Conn
	owned    map[string]ownKind // channels we originated or snooped, and adopted ;2 halves
	vars     VarBook            // variables set through the port, per channel (chanvars.go)
	sink     func(core.TelEvent)
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	closed   bool
	stopOnce sync.Once

	// stats for tests and metrics
	framesRead   atomic.Uint64
	decodeErrors atomic.Uint64

	// tap, if set before Start, sees every raw frame on the dispatcher
	// (tests capture real Asterisk traffic with it).
	tap func(raw []byte)
}

var _ core.Telephony = (*Telephony)(nil)

// New validates cfg and prepares a Telephony; Start connects.
func New(cfg Config) (*Telephony, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	cli := native.New(&native.Options{
		Application:  cfg.App,
		URL:          cfg.URL,
		WebsocketURL: cfg.WSURL,
		Username:     cfg.User,
		Password:     cfg.Password,
	})
	t := &Telephony{
		cfg: cfg,
		// The node is not added here: the gateway's logger already carries
		// node=, and slog would print it twice.
		log:   cfg.Logger.With("component", "ari"),
		cli:   cli,
		http:  &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8, IdleConnTimeout: 90 * time.Second}},
		auth:  "Basic " + base64.StdEncoding.EncodeToString([]byte(cfg.User+":"+cfg.Password)),
		q:     core.NewFIFO[item](),
		owned: map[string]ownKind{},
	}
	return t, nil
}

func (t *Telephony) NodeID() string { return t.cfg.NodeID }

// Ready reports whether the events websocket is up and the application is
// registered on Asterisk.
func (t *Telephony) Ready() bool { return t.up.Load() }

// Start begins delivering events to sink. It makes one connection attempt
// before returning; failures are retried in the background with backoff and
// reported with TelConnected once Asterisk is reachable. ctx bounds only that
// first attempt: the connection lives until Close.
func (t *Telephony) Start(ctx context.Context, sink func(core.TelEvent)) error {
	if sink == nil {
		return errors.New("ari: nil sink")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if !t.started.CompareAndSwap(false, true) {
		return errors.New("ari: already started")
	}
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return errors.New("ari: closed")
	}
	t.sink = sink
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	t.cancel = cancel
	t.mu.Unlock()

	t.wg.Add(1)
	go t.dispatch(runCtx)

	first := make(chan error, 1)
	t.wg.Add(1)
	go t.run(runCtx, first)
	select {
	case err := <-first:
		if err != nil {
			t.log.Warn("ari: first connection attempt failed, retrying in background", "err", err)
		}
	case <-ctx.Done():
	}
	return nil
}

// Close stops reconnecting, closes the websocket and waits for the reader
// and dispatcher to finish.
func (t *Telephony) Close() error {
	t.stopOnce.Do(func() {
		t.mu.Lock()
		t.closed = true
		cancel, ws := t.cancel, t.ws
		t.mu.Unlock()
		if cancel != nil {
			cancel()
		}
		if ws != nil {
			_ = ws.Close()
		}
		t.wg.Wait()
		t.up.Store(false)
		t.http.CloseIdleConnections()
	})
	return nil
}

// run is the connection manager: connect, wait for the reader to fail,
// report the loss, back off, reconnect.
func (t *Telephony) run(ctx context.Context, first chan<- error) {
	defer t.wg.Done()
	backoff := t.cfg.ReconnectMin
	for attempt := 0; ; attempt++ {
		c, err := t.connect(ctx)
		if attempt == 0 {
			first <- err
		}
		if err == nil {
			backoff = t.cfg.ReconnectMin
			t.serve(ctx, c)
		} else if ctx.Err() == nil && attempt > 0 {
			t.log.Warn("ari: connect failed", "err", err, "retry_in", backoff)
		}
		if ctx.Err() != nil {
			return
		}
		// jitter keeps a fleet of gateways from reconnecting in lockstep
		wait := backoff/2 + rand.N(backoff/2+1)
		if t.replaced.Swap(false) {
			wait = t.cfg.ReplacedPause
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		backoff = min(backoff*2, t.cfg.ReconnectMax)
	}
}

type conn struct {
	ws   *websocket.Conn
	done chan struct{} // closed when the reader has returned
}

// connect dials the websocket, starts the reader at once (so Asterisk is
// never kept waiting), confirms the application is registered, installs the
// event filter and reports TelConnected.
func (t *Telephony) connect(ctx context.Context) (*conn, error) {
	v := url.Values{}
	v.Set("app", t.cfg.App)
	v.Set("subscribeAll", "false")
	wcfg, err := websocket.NewConfig(t.cfg.WSURL+"?"+v.Encode(), "http://localhost/")
	if err != nil {
		return nil, fmt.Errorf("ari: websocket config: %w", err)
	}
	wcfg.Header.Set("Authorization", t.auth)
	// TCP keepalive is what notices a vanished host; a restarted Asterisk
	// closes the socket and is noticed at once.
	wcfg.Dialer = &net.Dialer{
		Timeout:         t.cfg.RequestTimeout,
		KeepAliveConfig: net.KeepAliveConfig{Enable: true, Idle: 10 * time.Second, Interval: 5 * time.Second, Count: 3},
	}
	dctx, cancel := context.WithTimeout(ctx, t.cfg.RequestTimeout)
	ws, err := wcfg.DialContext(dctx)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("ari: websocket dial %s: %w", redactURL(t.cfg.WSURL), unwrapDial(err))
	}
	gen := t.gen.Add(1)
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		_ = ws.Close()
		return nil, errors.New("ari: closed")
	}
	t.ws = ws
	t.mu.Unlock()

	readDone := make(chan struct{})
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		defer close(readDone)
		t.read(ws, gen)
	}()

	if err := t.awaitApp(ctx, readDone); err != nil {
		_ = ws.Close()
		<-readDone
		t.mu.Lock()
		if t.ws == ws {
			t.ws = nil
		}
		t.mu.Unlock()
		return nil, err
	}
	if err := t.setEventFilter(ctx); err != nil {
		// Older Asterisks lack eventFilter; the reader skips unknown
		// types anyway, so this only costs bandwidth.
		t.log.Warn("ari: could not set event filter", "err", err)
	}
	for _, src := range t.cfg.MessageSources {
		q := url.Values{"eventSource": {src}}
		if err := t.rest(ctx, "subscribe "+src, http.MethodPost, "/applications/"+url.PathEscape(t.cfg.App)+"/subscription", q, nil, nil); err != nil {
			t.log.Warn("ari: not subscribed to message source; incoming text messages from it will not arrive", "source", src, "err", err)
		}
	}
	t.pruneOwned(ctx)
	t.up.Store(true)
	t.q.Push(item{synth: true, gen: gen, ev: core.TelEvent{Type: core.TelConnected, Node: t.cfg.NodeID, Time: time.Now()}})
	t.log.Info("ari: connected", "app", t.cfg.App)
	return &conn{ws: ws, done: readDone}, nil
}

// serve waits until the connection is lost (or Close), then reports it.
func (t *Telephony) serve(ctx context.Context, c *conn) {
	select {
	case <-c.done:
	case <-ctx.Done():
		_ = c.ws.Close()
		<-c.done
	}
	_ = c.ws.Close()
	t.up.Store(false)
	t.mu.Lock()
	if t.ws == c.ws {
		t.ws = nil
	}
	t.mu.Unlock()
	if ctx.Err() == nil {
		t.log.Warn("ari: connection lost, reconnecting")
		t.q.Push(item{synth: true, ev: core.TelEvent{Type: core.TelDisconnected, Node: t.cfg.NodeID, Time: time.Now()}})
	}
}

// read is the websocket reader. It does nothing but receive and enqueue:
// decoding happens on the dispatcher so a burst never slows the socket.
func (t *Telephony) read(ws *websocket.Conn, gen uint64) {
	defer func() {
		if r := recover(); r != nil {
			t.log.Error("ari: websocket reader panic", "panic", r, "stack", string(debug.Stack()))
		}
	}()
	for {
		var data []byte
		err := websocket.Message.Receive(ws, &data)
		if err != nil {
			if errors.Is(err, websocket.ErrFrameTooLarge) {
				t.log.Warn("ari: skipped oversized websocket frame")
				continue
			}
			return
		}
		t.framesRead.Add(1)
		t.q.Push(item{raw: data, gen: gen})
	}
}

// dispatch drains the queue in order and calls the sink.
func (t *Telephony) dispatch(ctx context.Context) {
	defer t.wg.Done()
	tr := &translator{
		app:    t.cfg.App,
		node:   t.cfg.NodeID,
		owned:  t.isOwned,
		adopt:  func(id string) { t.own(id, ownAdopted) },
		forget: t.disown,
		entered: func(id string) {
			if t.kind(id) != ownOriginated {
				t.subscribeAsync(id)
			}
		},
		state: map[string]*chanState{},
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
					tr.reset()
				case core.TelHangup:
					if !tr.hangup(it.ev.ChannelID) {
						continue // ChannelDestroyed already reported it
					}
				}
				t.deliver(it.ev)
				continue
			}
			if t.tap != nil {
				t.tap(it.raw)
			}
			out = t.safeTranslate(tr, it.raw, it.gen, out[:0])
			for _, ev := range out {
				t.deliver(ev)
			}
		}
		t.q.Recycle(batch)
	}
}

func (t *Telephony) safeTranslate(tr *translator, raw []byte, gen uint64, out []core.TelEvent) (res []core.TelEvent) {
	defer func() {
		if r := recover(); r != nil {
			t.decodeErrors.Add(1)
			t.log.Error("ari: event translation panic", "panic", r)
			res = out[:0]
		}
	}()
	res, err := tr.translate(raw, out)
	if errors.Is(err, errAppReplaced) {
		t.log.Error("ari: another websocket took over application "+t.cfg.App+" (a second gateway with the same App, or a newer instance); yielding", "retry_in", t.cfg.ReplacedPause)
		if gen == t.gen.Load() {
			t.replaced.Store(true)
			t.mu.Lock()
			ws := t.ws
			t.mu.Unlock()
			if ws != nil {
				_ = ws.Close() // the connection manager reports it and reconnects with backoff
			}
		}
		return res
	}
	if err != nil {
		t.decodeErrors.Add(1)
		t.log.Warn("ari: undecodable event skipped", "err", err)
	}
	return res
}

func (t *Telephony) deliver(ev core.TelEvent) {
	defer func() {
		if r := recover(); r != nil {
			t.log.Error("ari: sink panic", "panic", r, "event", string(ev.Type))
		}
	}()
	t.sink(ev)
}

// ownKind tells how a channel came to be ours, which decides whether the
// application is already subscribed to it beyond its stay in Stasis.
type ownKind uint8

const (
	ownNone       ownKind = iota
	ownOriginated         // ARI subscribes the originating app until the channel dies
	ownSnoop
	ownAdopted // a ;2 half that entered the application by itself
)

func (t *Telephony) isOwned(id string) bool { return t.kind(id) != ownNone }

func (t *Telephony) kind(id string) ownKind {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.owned[id]
}

func (t *Telephony) own(id string, k ownKind) {
	t.mu.Lock()
	t.owned[id] = k
	t.mu.Unlock()
}

// subscribeAsync subscribes the application to a channel that entered it
// from the dialplan (or a snoop): Asterisk unsubscribes such channels at
// StasisEnd, before ChannelDestroyed, so without this the hangup cause of
// every inbound call would be lost. It runs off the event path; if the
// channel is already gone, its hangup is reported here instead.
func (t *Telephony) subscribeAsync(id string) {
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), t.cfg.RequestTimeout)
		defer cancel()
		q := url.Values{"eventSource": {"channel:" + id}}
		err := t.rest(ctx, "subscribe channel", http.MethodPost, "/applications/"+url.PathEscape(t.cfg.App)+"/subscription", q, nil, nil)
		var ae *Error
		if errors.As(err, &ae) && (ae.Code == http.StatusNotFound || ae.Code == http.StatusUnprocessableEntity || ae.Code == http.StatusBadRequest) {
			t.q.Push(item{synth: true, ev: core.TelEvent{
				Type: core.TelHangup, Node: t.cfg.NodeID, Time: time.Now(), ChannelID: id, UniqueID: id,
				Cause: core.CauseNormal, CauseText: "channel ended before it could be followed",
			}})
		} else if err != nil {
			t.log.Warn("ari: could not subscribe to channel; its hangup may go unreported", "channel", id, "err", err)
		}
	}()
}

func (t *Telephony) disown(id string) {
	t.mu.Lock()
	delete(t.owned, id)
	t.mu.Unlock()
	t.vars.Forget(id)
}

// pruneOwned forgets channels that died while we were disconnected (their
// ChannelDestroyed was never delivered) and adopts the `;2` halves of Local
// channels that sit in our application: a gateway (re)started while such an
// inbound call was up has not seen its StasisStart, and would otherwise
// drop its events as those of an implicitly subscribed half.
func (t *Telephony) pruneOwned(ctx context.Context) {
	chans, err := t.listChannels(ctx)
	if err != nil {
		return
	}
	live := make(map[string]bool, len(chans))
	var adopt []string
	for _, c := range chans {
		live[c.ID] = true
		if isLocalHalf2(c.ID) && c.Dialplan.AppName == "Stasis" &&
			(c.Dialplan.AppData == t.cfg.App || strings.HasPrefix(c.Dialplan.AppData, t.cfg.App+",")) {
			adopt = append(adopt, c.ID)
		}
	}
	t.mu.Lock()
	for id := range t.owned {
		if !live[id] {
			delete(t.owned, id)
		}
	}
	var fresh []string
	for _, id := range adopt {
		if t.owned[id] == ownNone {
			t.owned[id] = ownAdopted
			fresh = append(fresh, id)
		}
	}
	t.mu.Unlock()
	for _, id := range fresh {
		t.subscribeAsync(id)
	}
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "<invalid url>"
	}
	u.User = nil
	u.RawQuery = ""
	return u.String()
}

// unwrapDial drops websocket.DialError's config (whose String would print the
// whole URL) while keeping the cause inspectable.
func unwrapDial(err error) error {
	var de *websocket.DialError
	if errors.As(err, &de) && de.Err != nil {
		return de.Err
	}
	return err
}

// Stats are counters of the event path, for metrics.
type Stats struct {
	FramesRead   uint64 // websocket frames taken off the socket
	DecodeErrors uint64 // frames of a known type that could not be decoded
	Queued       int    // frames read but not yet delivered to the sink
}

func (t *Telephony) Stats() Stats {
	return Stats{FramesRead: t.framesRead.Load(), DecodeErrors: t.decodeErrors.Load(), Queued: t.q.Len()}
}
