// Package natskv keeps a core.Lease in a NATS JetStream key-value bucket:
// one key per lease, its value the holder, term and expiry, every change a
// compare-and-set on the key's revision (Create when absent, Update with
// the revision read), so of two gateways that read the same expired value
// exactly one writes the next term.
package natskv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/callgate/callgate/core"
)

// DefaultBucket is the bucket leases live in.
const DefaultBucket = "callgate_leases"

// Lease is one named lease in a bucket.
type Lease struct {
	kv   jetstream.KeyValue
	name string
	now  func() time.Time
}

// value is what the key holds.
type value struct {
	Holder  string    `json:"holder"`
	Token   uint64    `json:"token"`
	Expires time.Time `json:"expires"`
}

// Open creates the bucket if needed (one value per key, no history kept)
// and returns the lease name in it; now judges expiry (time.Now if nil).
func Open(ctx context.Context, js jetstream.JetStream, bucket, name string, now func() time.Time) (*Lease, error) {
	if bucket == "" {
		bucket = DefaultBucket
	}
	if now == nil {
		now = time.Now
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: bucket, History: 1, Description: "callgate leases"})
	if err != nil {
		return nil, fmt.Errorf("lease bucket %s: %w", bucket, err)
	}
	return &Lease{kv: kv, name: name, now: now}, nil
}

func (l *Lease) state(v value) core.LeaseState {
	return core.LeaseState{Name: l.name, Holder: v.Holder, Token: v.Token, Expires: v.Expires}
}

// get reads the value and its revision (0: never written).
func (l *Lease) get(ctx context.Context) (value, uint64, error) {
	e, err := l.kv.Get(ctx, l.name)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return value{}, 0, nil
	}
	if err != nil {
		return value{}, 0, fmt.Errorf("lease %s: %w", l.name, err)
	}
	var v value
	if err := json.Unmarshal(e.Value(), &v); err != nil {
		return value{}, 0, fmt.Errorf("lease %s: bad value: %w", l.name, err)
	}
	return v, e.Revision(), nil
}

// put writes v if the key is still at rev; false when another writer got
// there first.
func (l *Lease) put(ctx context.Context, v value, rev uint64) (bool, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return false, err
	}
	if rev == 0 {
		_, err = l.kv.Create(ctx, l.name, b)
	} else {
		_, err = l.kv.Update(ctx, l.name, b, rev)
	}
	if err == nil {
		return true, nil
	}
	// A failed compare-and-set: the revision moved on.
	if _, now, gerr := l.get(ctx); gerr == nil && now != rev {
		return false, nil
	}
	return false, fmt.Errorf("lease %s: %w", l.name, err)
}

func (l *Lease) Read(ctx context.Context) (core.LeaseState, error) {
	v, _, err := l.get(ctx)
	return l.state(v), err
}

func (l *Lease) Acquire(ctx context.Context, holder string, ttl time.Duration) (core.LeaseState, error) {
	v, rev, err := l.get(ctx)
	if err != nil {
		return core.LeaseState{}, err
	}
	now := l.now()
	if v.Token != 0 && now.Before(v.Expires) {
		return l.state(v), nil
	}
	next := value{Holder: holder, Token: v.Token + 1, Expires: now.Add(ttl)}
	ok, err := l.put(ctx, next, rev)
	if err != nil {
		return l.state(v), err
	}
	if !ok {
		return l.Read(ctx)
	}
	return l.state(next), nil
}

func (l *Lease) Renew(ctx context.Context, cur core.LeaseState, ttl time.Duration) (core.LeaseState, error) {
	return l.set(ctx, cur, l.now().Add(ttl))
}

// Release ends the term at once; a term already lost is left alone.
func (l *Lease) Release(ctx context.Context, cur core.LeaseState) error {
	_, err := l.set(ctx, cur, time.Time{})
	if errors.Is(err, core.ErrLeaseLost) {
		return nil
	}
	return err
}

// set moves term cur's expiry; ErrLeaseLost when another term began.
func (l *Lease) set(ctx context.Context, cur core.LeaseState, exp time.Time) (core.LeaseState, error) {
	v, rev, err := l.get(ctx)
	if err != nil {
		return cur, err
	}
	if v.Token != cur.Token || v.Holder != cur.Holder {
		return cur, core.ErrLeaseLost
	}
	v.Expires = exp
	ok, err := l.put(ctx, v, rev)
	if err != nil {
		return cur, err
	}
	if !ok {
		return cur, core.ErrLeaseLost
	}
	return l.state(v), nil
}
