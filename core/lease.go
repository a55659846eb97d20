package core

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// One active engine per deployment (or shard): gateways compete for a named
// lease; the holder runs the engine, the others stand by. Every new holder
// gets a higher term, the fencing token: claims (dialer leads, callbacks,
// origination jobs) are conditional updates that also require the leases
// row of the store to still hold the engine's token, so an engine whose
// lease was taken over (a paused process waking up, a partition) changes
// nothing even before it learns it was deposed.

// LeaseState is who holds a lease, in which term, until when.
type LeaseState struct {
	Name   string
	Holder string
	// Token is the term: it grows by one with every new holder and never
	// goes back, so it fences the writes of older holders.
	Token   uint64
	Expires time.Time
}

// Held reports whether holder holds the lease at now.
func (s LeaseState) Held(holder string, now time.Time) bool {
	return s.Token != 0 && s.Holder == holder && now.Before(s.Expires)
}

// Fence returns the fence of writes made in this term.
func (s LeaseState) Fence() Fence { return Fence{Name: s.Name, Token: s.Token} }

// Lease is the port of one named lease kept in a distributed system (the
// SQL store: SQLLease; NATS JetStream KV: pkg/lease/natskv). Expiry is
// judged with the caller's clock: gateways keep their clocks in sync (NTP),
// the TTL is seconds and the skew milliseconds.
type Lease interface {
	// Acquire takes the lease for holder in a new term when nobody holds
	// it or its holder let it expire; otherwise it returns the current
	// state unchanged (Held tells the two apart).
	Acquire(ctx context.Context, holder string, ttl time.Duration) (LeaseState, error)
	// Renew extends the term cur; ErrLeaseLost when another term began.
	Renew(ctx context.Context, cur LeaseState, ttl time.Duration) (LeaseState, error)
	// Release ends the term cur at once so a standby need not wait for
	// its expiry; releasing a lost term is no error.
	Release(ctx context.Context, cur LeaseState) error
	// Read returns the current state (zero Token: never held).
	Read(ctx context.Context) (LeaseState, error)
}

// ErrLeaseLost: the term being renewed is over, another holder has it.
var ErrLeaseLost = errors.New("lease lost")

// Fence names the leases row and the token a fenced write requires.
// The zero Fence fences nothing (a single gateway, no lease configured).
type Fence struct {
	Name  string
	Token uint64
}

// IsZero: no lease, writes are not fenced.
func (f Fence) IsZero() bool { return f.Token == 0 }

// LeaseRecord is a lease (or, with a lease kept outside the store, the
// fence of its current term) in the store's leases table.
type LeaseRecord struct {
	ID        uint   `gorm:"primaryKey"`
	Name      string `gorm:"size:64;uniqueIndex"`
	Holder    string `gorm:"size:128"`
	Token     uint64
	ExpiresAt time.Time
	UpdatedAt time.Time
}

// TableName is leases: the rows are leases, not records of them.
func (LeaseRecord) TableName() string { return "leases" }

func (r LeaseRecord) state() LeaseState {
	return LeaseState{Name: r.Name, Holder: r.Holder, Token: r.Token, Expires: r.ExpiresAt}
}

// SQLLease keeps a lease in the store's leases table with conditional
// updates (UPDATE ... WHERE name = ? AND token = ?): of two gateways that
// read the same expired row, one update changes it and the other none.
type SQLLease struct {
	Store Store
	Name  string
	// Now is the clock expiry is judged with (time.Now if nil).
	Now func() time.Time
}

func (l *SQLLease) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

func (l *SQLLease) Read(ctx context.Context) (LeaseState, error) {
	var r LeaseRecord
	err := l.Store.First(ctx, &r, Eq("name", l.Name))
	if errors.Is(err, ErrNoRecord) {
		return LeaseState{Name: l.Name}, nil
	}
	if err != nil {
		return LeaseState{}, fmt.Errorf("lease %s: %w", l.Name, err)
	}
	return r.state(), nil
}

func (l *SQLLease) Acquire(ctx context.Context, holder string, ttl time.Duration) (LeaseState, error) {
	cur, err := l.Read(ctx)
	if err != nil {
		return cur, err
	}
	now := l.now()
	if cur.Token != 0 && now.Before(cur.Expires) {
		return cur, nil
	}
	next := LeaseRecord{Name: l.Name, Holder: holder, Token: cur.Token + 1, ExpiresAt: now.Add(ttl), UpdatedAt: now}
	if cur.Token == 0 {
		err := l.Store.Create(ctx, &next)
		if errors.Is(err, ErrDuplicate) {
			return l.Read(ctx) // another gateway created it first
		}
		if err != nil {
			return cur, fmt.Errorf("lease %s: %w", l.Name, err)
		}
		return next.state(), nil
	}
	n, err := l.Store.UpdateWhere(ctx, &LeaseRecord{}, Eq("name", l.Name).Eq("token", cur.Token),
		map[string]any{"holder": holder, "token": next.Token, "expires_at": next.ExpiresAt}, Fence{})
	if err != nil {
		return cur, fmt.Errorf("lease %s: %w", l.Name, err)
	}
	if n == 0 {
		return l.Read(ctx) // another gateway took this term first
	}
	return next.state(), nil
}

func (l *SQLLease) Renew(ctx context.Context, cur LeaseState, ttl time.Duration) (LeaseState, error) {
	exp := l.now().Add(ttl)
	n, err := l.Store.UpdateWhere(ctx, &LeaseRecord{}, Eq("name", l.Name).Eq("token", cur.Token).Eq("holder", cur.Holder),
		map[string]any{"expires_at": exp}, Fence{})
	if err != nil {
		return cur, fmt.Errorf("lease %s: %w", l.Name, err)
	}
	if n == 0 {
		return cur, ErrLeaseLost
	}
	cur.Expires = exp
	return cur, nil
}

func (l *SQLLease) Release(ctx context.Context, cur LeaseState) error {
	_, err := l.Store.UpdateWhere(ctx, &LeaseRecord{}, Eq("name", l.Name).Eq("token", cur.Token).Eq("holder", cur.Holder),
		map[string]any{"expires_at": leaseReleased}, Fence{})
	if err != nil {
		return fmt.Errorf("lease %s: %w", l.Name, err)
	}
	return nil
}

// leaseReleased is the expiry of a released lease: long past.
var leaseReleased = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// RaiseFence records in the store that term st of a lease kept elsewhere
// (NATS) began, so fenced writes of other terms change nothing. The row
// only moves to a newer term, or replaces a term that is over (expired at
// now: a lease that moved from SQL to NATS starts its terms at 1 again;
// fences compare tokens for equality, so an older live term is what must
// never come back). It fails with ErrLeaseLost when a newer term is live.
func RaiseFence(ctx context.Context, s Store, st LeaseState, now time.Time) error {
	cols := map[string]any{"holder": st.Holder, "token": st.Token, "expires_at": st.Expires}
	raise := func() (bool, error) {
		for _, f := range []Filter{Eq("name", st.Name).Lte("token", st.Token), Eq("name", st.Name).Lt("expires_at", now)} {
			n, err := s.UpdateWhere(ctx, &LeaseRecord{}, f, cols, Fence{})
			if err != nil {
				return false, fmt.Errorf("fence %s: %w", st.Name, err)
			}
			if n > 0 {
				return true, nil
			}
		}
		return false, nil
	}
	if ok, err := raise(); ok || err != nil {
		return err
	}
	err := s.Create(ctx, &LeaseRecord{Name: st.Name, Holder: st.Holder, Token: st.Token, ExpiresAt: st.Expires})
	if errors.Is(err, ErrDuplicate) {
		// Created meanwhile, by an older term or a newer one.
		if ok, err := raise(); ok || err != nil {
			return err
		}
		return ErrLeaseLost
	}
	if err != nil {
		return fmt.Errorf("fence %s: %w", st.Name, err)
	}
	return nil
}

// renewFence keeps the store's row of term st as live as the lease.
func renewFence(ctx context.Context, s Store, st LeaseState) error {
	_, err := s.UpdateWhere(ctx, &LeaseRecord{}, Eq("name", st.Name).Eq("token", st.Token).Eq("holder", st.Holder),
		map[string]any{"expires_at": st.Expires}, Fence{})
	return err
}

// GatewayNode is a gateway as it last announced itself (cluster view).
type GatewayNode struct {
	ID     uint   `gorm:"primaryKey"`
	NodeID string `gorm:"size:128;uniqueIndex"`
	Lease  string `gorm:"size:64"`
	Leader bool
	Token  uint64
	Addr   string `gorm:"size:255"`
	// ConsoleAddr is where the leader serves the agent-console protocol
	// (host:port other gateways reach), so standbys relay console (ECCP)
	// connections to it.
	ConsoleAddr string `gorm:"column:eccp_addr;size:255"`
	SeenAt      time.Time
	Started     time.Time
}
