package core_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/core/clocktest"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// terms records an elector's elections and depositions.
type terms struct {
	mu      sync.Mutex
	elected []uint64
	deposed []uint64
}

func (r *terms) opts(l core.Lease, holder string, clk *clocktest.Clock) core.ElectorOptions {
	return core.ElectorOptions{Lease: l, Holder: holder, TTL: 4 * time.Second, Clock: clk,
		OnElected: func(s core.LeaseState) { r.mu.Lock(); r.elected = append(r.elected, s.Token); r.mu.Unlock() },
		OnDeposed: func(s core.LeaseState) { r.mu.Lock(); r.deposed = append(r.deposed, s.Token); r.mu.Unlock() },
	}
}

func (r *terms) get() (elected, deposed []uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]uint64(nil), r.elected...), append([]uint64(nil), r.deposed...)
}

// A leader that stops renewing (killed, paused) is deposed when its term
// runs out, by its own timer; a standby trying every TTL/4 begins the next
// term within TTL*5/4; the old leader's late renewal is refused.
func TestStandbyTakesOverWhenTheLeaderStopsRenewing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		ctx := context.Background()
		clk := clocktest.New(epoch)
		var ra, rb terms
		a := core.NewElector(ra.opts(&core.SQLLease{Store: st, Name: "engine", Now: clk.Now}, "gw-a", clk))
		b := core.NewElector(rb.opts(&core.SQLLease{Store: st, Name: "engine", Now: clk.Now}, "gw-b", clk))
		a.Step(ctx)
		b.Step(ctx)
		if lead, s := a.State(); !lead || s.Token != 1 {
			t.Fatalf("a: leading %v in %+v, want term 1", lead, s)
		}
		if lead, s := b.State(); lead || s.Holder != "gw-a" {
			t.Fatalf("b: leading %v, sees %+v", lead, s)
		}
		// a renews while alive: b keeps standing by.
		for range 8 {
			clk.Advance(time.Second)
			a.Step(ctx)
			b.Step(ctx)
		}
		if lead, _ := b.State(); lead {
			t.Fatal("b took a lease that was being renewed")
		}
		// a stops renewing: b steps every second (TTL/4).
		var took time.Duration
		for took = time.Second; took <= 6*time.Second; took += time.Second {
			clk.Advance(time.Second)
			b.Step(ctx)
			if lead, _ := b.State(); lead {
				break
			}
		}
		if took > 5*time.Second {
			t.Fatalf("b took over after %v, want within 5 s", took)
		}
		if lead, s := b.State(); !lead || s.Token != 2 {
			t.Fatalf("b: leading %v in %+v, want term 2", lead, s)
		}
		if _, dep := ra.get(); len(dep) != 1 || dep[0] != 1 {
			t.Fatalf("a deposed in terms %v, want [1] (its own expiry timer)", dep)
		}
		a.Step(ctx) // a wakes: term 2 is b's
		if lead, _ := a.State(); lead {
			t.Fatal("a leads again while b's term runs")
		}
		el, _ := rb.get()
		if len(el) != 1 || el[0] != 2 {
			t.Fatalf("b elected in terms %v", el)
		}
	})
}

// A leader whose renewal is refused (its term was taken) stops at once.
func TestLeaderIsDeposedWhenItsRenewalIsRefused(t *testing.T) {
	st := storetest.Open(t, "sqlite")
	ctx := context.Background()
	clk := clocktest.New(epoch)
	var ra terms
	a := core.NewElector(ra.opts(&core.SQLLease{Store: st, Name: "engine", Now: clk.Now}, "gw-a", clk))
	a.Step(ctx)
	// Another gateway whose clock runs ahead takes the term.
	ahead := &core.SQLLease{Store: st, Name: "engine", Now: func() time.Time { return clk.Now().Add(time.Minute) }}
	if s, err := ahead.Acquire(ctx, "gw-b", 4*time.Second); err != nil || s.Token != 2 {
		t.Fatalf("takeover: %+v %v", s, err)
	}
	a.Step(ctx)
	if lead, _ := a.State(); lead {
		t.Fatal("a still leads after its renewal was refused")
	}
	if _, dep := ra.get(); len(dep) != 1 {
		t.Fatalf("deposed %v", dep)
	}
}

// With a lease kept outside the store (Fences set), each term is recorded
// in the store's leases row before the gateway leads; while the row holds
// a newer live term the gateway does not lead, and gives the lease back.
func TestElectorRecordsItsTermInTheStoreBeforeLeading(t *testing.T) {
	ctx := context.Background()
	clk := clocktest.New(epoch)
	outside := &core.SQLLease{Store: storetest.Open(t, "sqlite"), Name: "engine", Now: clk.Now} // stands for NATS
	fences := storetest.Open(t, "sqlite")
	must(t, core.RaiseFence(ctx, fences, core.LeaseState{Name: "engine", Holder: "zombie", Token: 99, Expires: epoch.Add(10 * time.Second)}, epoch))
	var r terms
	opt := r.opts(outside, "gw-a", clk)
	opt.Fences = fences
	el := core.NewElector(opt)
	el.Step(ctx)
	if lead, _ := el.State(); lead {
		t.Fatal("leads while the store holds a newer live term")
	}
	if s, _ := outside.Read(ctx); s.Held("gw-a", clk.Now()) {
		t.Fatalf("lease kept without a fence: %+v", s)
	}
	clk.Advance(11 * time.Second) // the zombie's term is over
	el.Step(ctx)
	lead, s := el.State()
	var row core.LeaseRecord
	must(t, fences.First(ctx, &row, core.Eq("name", "engine")))
	if !lead || row.Token != s.Token || row.Holder != "gw-a" {
		t.Fatalf("leading %v in %+v, fence row %+v", lead, s, row)
	}
	clk.Advance(time.Second)
	el.Step(ctx) // renewal keeps the fence row live
	must(t, fences.First(ctx, &row, core.Eq("name", "engine")))
	if !row.ExpiresAt.After(clk.Now().Add(3 * time.Second)) {
		t.Fatalf("fence row expires %v, not renewed", row.ExpiresAt)
	}
}

// A follower (a front gateway) never takes the lease, not even one nobody
// holds: it only follows who leads, term after term.
func TestFollowerFollowsTheLeaderAndNeverLeads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		ctx := context.Background()
		clk := clocktest.New(epoch)
		var ra, rf terms
		fopt := rf.opts(&core.SQLLease{Store: st, Name: "engine", Now: clk.Now}, "front", clk)
		fopt.Follower = true
		f := core.NewElector(fopt)
		f.Step(ctx)
		if lead, s := f.State(); lead || s.Token != 0 {
			t.Fatalf("follower alone: leading %v in %+v, want nobody", lead, s)
		}
		a := core.NewElector(ra.opts(&core.SQLLease{Store: st, Name: "engine", Now: clk.Now}, "gw-a", clk))
		a.Step(ctx)
		f.Step(ctx)
		if lead, s := f.State(); lead || s.Holder != "gw-a" || s.Token != 1 {
			t.Fatalf("follower: leading %v, sees %+v, want gw-a in term 1", lead, s)
		}
		// gw-a dies: its term expires and nobody else may lead.
		for range 10 {
			clk.Advance(time.Second)
			f.Step(ctx)
		}
		if lead, s := f.State(); lead || s.Holder != "gw-a" {
			t.Fatalf("follower after the leader's death: leading %v in %+v", lead, s)
		}
		if el, _ := rf.get(); len(el) != 0 {
			t.Fatalf("follower elected in terms %v", el)
		}
		var rb terms
		b := core.NewElector(rb.opts(&core.SQLLease{Store: st, Name: "engine", Now: clk.Now}, "gw-b", clk))
		b.Step(ctx)
		f.Step(ctx)
		if _, s := f.State(); s.Holder != "gw-b" || s.Token != 2 {
			t.Fatalf("follower sees %+v, want gw-b in term 2", s)
		}
	})
}
