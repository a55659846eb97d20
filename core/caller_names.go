package core

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Caller names: before an inbound call enters an ACD queue the engine asks
// the customer's backend for the caller's name (eXpand getCallerIDName) and
// reads the queue's caller list (caller_lists.go). Both run outside the
// engine lock while the answered call waits; a bound on the engine's clock
// queues the call without a name if the answers are late, so a slow or
// down backend never delays call setup by more than the bound.

// CallerNameLookup is the port a dialect implements to name callers. It is
// called outside the engine lock with a context the engine cancels at its
// bound; it must honour that context.
type CallerNameLookup interface {
	LookupCallerName(ctx context.Context, number string) (CallerName, error)
}

// CallerName is a lookup's answer: the name ("" when the backend knows the
// number by no name) and how long the engine may reuse it (0: not kept).
type CallerName struct {
	Name string
	TTL  time.Duration
}

const (
	// DefaultCallerNameBound is the longest a call waits for its name when
	// Options.CallerNameBound is zero; MaxCallerNameBound caps the option.
	DefaultCallerNameBound = 2 * time.Second
	MaxCallerNameBound     = 10 * time.Second
	maxCallerNameLen       = 128
	maxCallerNameCache     = 10000
)

// callerNames is the lookup port, its cache and the calls waiting for it;
// its own lock is never held across I/O and is taken under the engine lock.
type callerNames struct {
	mu      sync.Mutex
	port    CallerNameLookup
	ivr     IVRCodeReporter // ivr_codes.go
	cache   map[string]cachedName
	pending map[uint64]*prequeue
}

type cachedName struct {
	name    string
	expires time.Time
}

// prequeue is a call on its way into a queue, waiting for its caller name
// and caller list. Guarded by the engine lock.
type prequeue struct {
	c      *liveCall
	key    string
	list   string
	target string // the caller list's value, once read
	timer  Timer
	cancel context.CancelFunc
	done   bool
}

// SetCallerNameLookup installs the port that names inbound callers (nil:
// none, calls are queued at once).
func (e *Engine) SetCallerNameLookup(l CallerNameLookup) {
	e.names.mu.Lock()
	e.names.port = l
	e.names.mu.Unlock()
}

func (n *callerNames) lookup() CallerNameLookup {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.port
}

func (n *callerNames) cached(number string, now time.Time) (string, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	c, ok := n.cache[number]
	if !ok || !now.Before(c.expires) {
		return "", false
	}
	return c.name, true
}

// keep caches an answer; a full cache drops its expired entries, or all of
// them, rather than grow without bound.
func (n *callerNames) keep(number string, a CallerName, now time.Time) {
	if a.TTL <= 0 || number == "" {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cache == nil {
		n.cache = map[string]cachedName{}
	}
	if len(n.cache) >= maxCallerNameCache {
		for k, c := range n.cache {
			if !now.Before(c.expires) {
				delete(n.cache, k)
			}
		}
		if len(n.cache) >= maxCallerNameCache {
			clear(n.cache)
		}
	}
	n.cache[number] = cachedName{name: a.Name, expires: now.Add(a.TTL)}
}

// callerNameBound is how long a call waits for its name at most.
func (e *Engine) callerNameBound() time.Duration {
	b := e.opt.CallerNameBound
	if b <= 0 {
		b = DefaultCallerNameBound
	}
	return min(b, MaxCallerNameBound)
}

// enterQueueLocked is the way a new inbound call (or a call a script
// transfers) enters an ACD queue: at once when there is nothing to ask,
// else once its name and caller list are known or the bound passed.
func (e *Engine) enterQueueLocked(ctx context.Context, c *liveCall, key string) error {
	if e.names.isPending(c.ID) {
		return Errorf(ECONFLICT, "call %d is already entering a queue", c.ID)
	}
	list := ""
	if q := e.queues[key]; q != nil {
		list = q.CallerList
	}
	port := e.names.lookup()
	if c.CallerName == "" && c.CallerID != "" && port != nil {
		if name, ok := e.names.cached(c.CallerID, e.now()); ok {
			c.CallerName = name
		}
	}
	needName := port != nil && c.CallerName == "" && c.CallerID != ""
	if !needName && (list == "" || c.CallerID == "") {
		e.enqueueLocked(ctx, c, key)
		return nil
	}
	e.prequeueLocked(c, key, list, needName, port)
	return nil
}

func (n *callerNames) isPending(id uint64) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	_, ok := n.pending[id]
	return ok
}

func (n *callerNames) setPending(id uint64, p *prequeue) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if p == nil {
		delete(n.pending, id)
		return
	}
	if n.pending == nil {
		n.pending = map[uint64]*prequeue{}
	}
	n.pending[id] = p
}

// prequeueLocked starts the lookups of a call outside the lock and arms
// the bound after which the call is queued whatever they answered.
func (e *Engine) prequeueLocked(c *liveCall, key, list string, needName bool, port CallerNameLookup) {
	lctx, cancel := context.WithCancel(context.Background())
	p := &prequeue{c: c, key: key, list: list, cancel: cancel}
	e.names.setPending(c.ID, p)
	p.timer = e.clock.AfterFunc(e.callerNameBound(), func() {
		e.lock()
		defer e.unlock()
		e.finishPrequeueLocked(p, "")
	})
	number := c.CallerID
	go func() {
		defer cancel()
		if list != "" {
			if v, ok := e.LookupSimpleList(lctx, list, number); ok {
				e.lock()
				p.target = v
				e.unlock()
			}
		}
		name := ""
		if needName {
			name = e.askCallerName(lctx, port, number)
		}
		e.lock()
		defer e.unlock()
		e.finishPrequeueLocked(p, name)
	}()
}

// askCallerName runs the port; its answer is cached even when it comes
// after the bound, so the caller's next call is named at once.
func (e *Engine) askCallerName(ctx context.Context, port CallerNameLookup, number string) string {
	a, err := port.LookupCallerName(ctx, number)
	if errors.Is(err, ErrNoBackend) {
		return ""
	}
	if err != nil {
		e.log.Warn("engine: caller name lookup failed", "number", number, "err", err)
		return ""
	}
	a.Name = cleanCallerName(a.Name)
	e.names.keep(number, a, e.now())
	return a.Name
}

// finishPrequeueLocked queues the call once, with the name if it came in
// time and where its caller list sends it.
func (e *Engine) finishPrequeueLocked(p *prequeue, name string) {
	if p.done {
		return
	}
	p.done = true
	p.timer.Stop()
	p.cancel()
	e.names.setPending(p.c.ID, nil)
	c := p.c
	if e.stopped || e.calls[c.ID] != c || c.State == CallDone || c.ChannelID == "" {
		return // the caller hung up meanwhile
	}
	if name != "" {
		c.CallerName = name
	}
	e.enqueueLocked(context.Background(), c, e.callerListKeyLocked(p.key, p.target))
}

// cleanCallerName keeps a name one printable line of bounded length: it is
// shown on phones and consoles and written as "Name <number>".
func cleanCallerName(s string) string {
	s = strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) || r == '<' || r == '>' || r == '"' {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	s = strings.TrimSpace(s)
	for len(s) > maxCallerNameLen {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}
