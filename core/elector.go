package core

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// DefaultLeaseTTL is how long a term lasts without renewal. A standby
// tries every TTL/4, so it takes over within TTL*5/4 = 5 s of the leader's
// death.
const DefaultLeaseTTL = 4 * time.Second

// ElectorOptions configures an Elector.
type ElectorOptions struct {
	Lease  Lease
	Holder string // this gateway's node id
	// TTL is a term's life without renewal (DefaultLeaseTTL if zero);
	// Interval how often the lease is renewed or tried (TTL/4 if zero).
	TTL      time.Duration
	Interval time.Duration
	// Fences, when set, records every term this gateway begins in the
	// store's leases row (RaiseFence): a lease kept outside the store
	// (NATS) still fences the store's claims. Nil with SQLLease, whose
	// row is the fence.
	Fences Store
	Clock  Clock
	Logger *slog.Logger
	// Follower never tries the lease: it reads it every Interval to know
	// the leader (a front gateway, which forwards and relays to whoever
	// leads and so outlives every leader).
	Follower bool
	// OnElected runs when this gateway begins a term and OnDeposed when
	// the term ends (lost, expired unrenewed, released). They run on the
	// elector's path and must not block: start or stop work elsewhere.
	OnElected func(LeaseState)
	OnDeposed func(LeaseState)
}

// Elector keeps one gateway's side of the election: it tries the lease
// while standing by and renews it while leading. A leader whose renewal is
// refused, or whose term expires before a renewal returns, is deposed at
// that moment: its engine stops acting, and its fenced writes could not
// change anything anyway.
type Elector struct {
	opt ElectorOptions

	mu      sync.Mutex
	leading bool
	term    LeaseState // the current term when leading
	seen    LeaseState // the lease as last read
	expiry  Timer      // deposes when the term runs out unrenewed
}

// NewElector builds an elector; Run (or Step, in tests) drives it.
func NewElector(opt ElectorOptions) *Elector {
	if opt.TTL <= 0 {
		opt.TTL = DefaultLeaseTTL
	}
	if opt.Interval <= 0 {
		opt.Interval = opt.TTL / 4
	}
	if opt.Clock == nil {
		opt.Clock = RealClock()
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	return &Elector{opt: opt}
}

// TTL is the term's life without renewal.
func (el *Elector) TTL() time.Duration { return el.opt.TTL }

// Holder is this gateway's node id.
func (el *Elector) Holder() string { return el.opt.Holder }

// State tells whether this gateway leads, and the lease as last seen
// (the current term when leading).
func (el *Elector) State() (leading bool, lease LeaseState) {
	el.mu.Lock()
	defer el.mu.Unlock()
	if el.leading {
		return true, el.term
	}
	return false, el.seen
}

// Run steps every Interval until ctx ends, then releases a term it holds
// so a standby takes over at once.
func (el *Elector) Run(ctx context.Context) {
	for {
		el.Step(ctx)
		wake := make(chan struct{})
		t := el.opt.Clock.AfterFunc(el.opt.Interval, func() { close(wake) })
		select {
		case <-ctx.Done():
			t.Stop()
			el.Resign()
			return
		case <-wake:
		}
	}
}

// Resign releases a held term (shutdown, or a term this gateway could not
// start) and deposes this gateway; a standby takes over at its next try.
func (el *Elector) Resign() {
	el.mu.Lock()
	term, leading := el.term, el.leading
	el.mu.Unlock()
	if !leading {
		return
	}
	el.depose(term, "released")
	ctx, cancel := context.WithTimeout(context.Background(), el.opt.TTL)
	defer cancel()
	if err := el.opt.Lease.Release(ctx, term); err != nil {
		el.opt.Logger.Warn("lease: release failed; standbys wait for its expiry", "err", err)
	}
}

// Step renews the term this gateway leads, or tries to begin one.
func (el *Elector) Step(ctx context.Context) {
	el.mu.Lock()
	leading, term := el.leading, el.term
	el.mu.Unlock()
	switch {
	case leading:
		el.renew(ctx, term)
	case el.opt.Follower:
		el.follow(ctx)
	default:
		el.try(ctx)
	}
}

// follow reads the lease without trying it.
func (el *Elector) follow(ctx context.Context) {
	st, err := el.opt.Lease.Read(ctx)
	if err != nil {
		el.opt.Logger.Warn("lease: read failed", "err", err)
		return
	}
	el.mu.Lock()
	el.seen = st
	el.mu.Unlock()
}

func (el *Elector) renew(ctx context.Context, term LeaseState) {
	st, err := el.opt.Lease.Renew(ctx, term, el.opt.TTL)
	switch {
	case errors.Is(err, ErrLeaseLost):
		el.depose(term, "lease taken over")
	case err != nil:
		// Still leading until the term expires: the expiry timer deposes
		// this gateway then if no renewal got through.
		el.opt.Logger.Warn("lease: renewal failed", "err", err, "expires", term.Expires)
	default:
		if el.opt.Fences != nil {
			if err := renewFence(ctx, el.opt.Fences, st); err != nil {
				el.opt.Logger.Warn("lease: fence renewal failed", "err", err)
			}
		}
		el.mu.Lock()
		if el.leading && el.term.Token == st.Token {
			el.term, el.seen = st, st
			el.armExpiryLocked(st)
		}
		el.mu.Unlock()
	}
}

func (el *Elector) try(ctx context.Context) {
	st, err := el.opt.Lease.Acquire(ctx, el.opt.Holder, el.opt.TTL)
	if err != nil {
		el.opt.Logger.Warn("lease: acquire failed", "err", err)
		return
	}
	el.mu.Lock()
	el.seen = st
	el.mu.Unlock()
	if !st.Held(el.opt.Holder, el.opt.Clock.Now()) {
		return
	}
	if el.opt.Fences != nil {
		if err := RaiseFence(ctx, el.opt.Fences, st, el.opt.Clock.Now()); err != nil {
			el.opt.Logger.Warn("lease: term not recorded in the store; not leading", "term", st.Token, "err", err)
			_ = el.opt.Lease.Release(ctx, st)
			return
		}
	}
	el.mu.Lock()
	el.leading, el.term = true, st
	el.armExpiryLocked(st)
	el.mu.Unlock()
	el.opt.Logger.Info("lease: leading", "term", st.Token, "expires", st.Expires)
	if el.opt.OnElected != nil {
		el.opt.OnElected(st)
	}
}

// armExpiryLocked deposes this gateway when term runs out unrenewed, even
// while a renewal is stuck in a dead database or NATS connection.
func (el *Elector) armExpiryLocked(term LeaseState) {
	if el.expiry != nil {
		el.expiry.Stop()
	}
	d := term.Expires.Sub(el.opt.Clock.Now())
	el.expiry = el.opt.Clock.AfterFunc(max(d, 0), func() { el.depose(term, "term expired unrenewed") })
}

// depose ends term if it is still the current one.
func (el *Elector) depose(term LeaseState, why string) {
	el.mu.Lock()
	if !el.leading || el.term.Token != term.Token {
		el.mu.Unlock()
		return
	}
	el.leading = false
	if el.expiry != nil {
		el.expiry.Stop()
		el.expiry = nil
	}
	el.mu.Unlock()
	el.opt.Logger.Warn("lease: deposed", "term", term.Token, "why", why)
	if el.opt.OnDeposed != nil {
		el.opt.OnDeposed(term)
	}
}
