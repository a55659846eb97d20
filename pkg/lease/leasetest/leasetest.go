// Package leasetest is the conformance suite every core.Lease passes (the
// SQL lease and the NATS KV lease): one holder per term, a new and higher
// term only after expiry or release, old terms refused.
package leasetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/core/clocktest"
)

// Factory returns a lease named name, judging expiry with now. Several
// calls with one name are several gateways' views of the same lease.
type Factory func(t *testing.T, name string, now func() time.Time) core.Lease

var epoch = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// Run runs the suite.
func Run(t *testing.T, newLease Factory) {
	t.Run("terms", func(t *testing.T) { terms(t, newLease) })
	t.Run("race", func(t *testing.T) { race(t, newLease) })
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func terms(t *testing.T, newLease Factory) {
	ctx := context.Background()
	clk := clocktest.New(epoch)
	name := fmt.Sprintf("terms-%d", time.Now().UnixNano())
	l := newLease(t, name, clk.Now)
	if s, err := l.Read(ctx); err != nil || s.Token != 0 {
		t.Fatalf("never held: %+v %v", s, err)
	}
	a, err := l.Acquire(ctx, "gw-a", 4*time.Second)
	must(t, err)
	if !a.Held("gw-a", clk.Now()) || a.Token != 1 {
		t.Fatalf("first acquire = %+v, want gw-a in term 1", a)
	}
	b, err := l.Acquire(ctx, "gw-b", 4*time.Second)
	must(t, err)
	if b.Held("gw-b", clk.Now()) || b.Holder != "gw-a" || b.Token != 1 {
		t.Fatalf("acquire while held = %+v, want gw-a's term 1 unchanged", b)
	}
	clk.Advance(3 * time.Second)
	a, err = l.Renew(ctx, a, 4*time.Second)
	must(t, err)
	clk.Advance(3 * time.Second) // renewed: not expired yet
	if b, _ = l.Acquire(ctx, "gw-b", 4*time.Second); b.Holder != "gw-a" {
		t.Fatalf("renewed lease taken: %+v", b)
	}
	clk.Advance(2 * time.Second) // expired
	b, err = l.Acquire(ctx, "gw-b", 4*time.Second)
	must(t, err)
	if !b.Held("gw-b", clk.Now()) || b.Token != 2 {
		t.Fatalf("acquire after expiry = %+v, want gw-b in term 2", b)
	}
	if _, err := l.Renew(ctx, a, 4*time.Second); !errors.Is(err, core.ErrLeaseLost) {
		t.Fatalf("renew of the old term: %v, want ErrLeaseLost", err)
	}
	must(t, l.Release(ctx, a)) // releasing a lost term changes nothing
	if cur, _ := l.Read(ctx); cur.Holder != "gw-b" || !cur.Held("gw-b", clk.Now()) {
		t.Fatalf("old term's release ended the new one: %+v", cur)
	}
	must(t, l.Release(ctx, b))
	a, err = l.Acquire(ctx, "gw-a", 4*time.Second)
	must(t, err)
	if !a.Held("gw-a", clk.Now()) || a.Token != 3 {
		t.Fatalf("acquire after release = %+v, want gw-a in term 3 at once", a)
	}
}

// race: gateways racing for an expired lease; exactly one begins the term.
func race(t *testing.T, newLease Factory) {
	ctx := context.Background()
	clk := clocktest.New(epoch)
	name := fmt.Sprintf("race-%d", time.Now().UnixNano())
	_, err := newLease(t, name, clk.Now).Acquire(ctx, "gw-0", time.Second)
	must(t, err)
	clk.Advance(2 * time.Second)
	const n = 6
	views := make([]core.Lease, n)
	for i := range views {
		views[i] = newLease(t, name, clk.Now)
	}
	var wg sync.WaitGroup
	won := make(chan core.LeaseState, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			holder := fmt.Sprintf("gw-%d", i+1)
			s, err := views[i].Acquire(ctx, holder, 4*time.Second)
			if err != nil {
				t.Error(err)
				return
			}
			if s.Held(holder, clk.Now()) {
				won <- s
			}
		}()
	}
	wg.Wait()
	close(won)
	var winners []core.LeaseState
	for s := range won {
		winners = append(winners, s)
	}
	if len(winners) != 1 || winners[0].Token != 2 {
		t.Fatalf("winners %+v, want exactly one in term 2", winners)
	}
}
