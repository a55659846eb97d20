package core_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/core/clocktest"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// The SQL lease: one holder per term, a new term (a higher token) only
// after the holder let it expire or released it, and an old term can be
// neither renewed nor used to fence a write.
func TestSQLLeaseGivesOneHolderPerTermAndFencesOldTerms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		ctx := context.Background()
		clk := clocktest.New(epoch)
		l := &core.SQLLease{Store: st, Name: "engine", Now: clk.Now}
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
	})
}

// Two gateways racing for an expired lease: exactly one begins the term.
func TestSQLLeaseRaceHasOneWinner(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		ctx := context.Background()
		clk := clocktest.New(epoch)
		first := &core.SQLLease{Store: st, Name: "engine", Now: clk.Now}
		_, err := first.Acquire(ctx, "gw-0", time.Second)
		must(t, err)
		clk.Advance(2 * time.Second)
		const n = 6
		var wg sync.WaitGroup
		won := make(chan core.LeaseState, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				holder := string(rune('a' + i))
				l := &core.SQLLease{Store: st, Name: "engine", Now: clk.Now}
				s, err := l.Acquire(ctx, holder, 4*time.Second)
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
	})
}

// A fenced conditional update changes rows only while the leases row holds
// the writer's token; an unfenced one still needs its filter to match.
func TestUpdateWhereIsFencedByTheLeaseToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		ctx := context.Background()
		clk := clocktest.New(epoch)
		l := &core.SQLLease{Store: st, Name: "engine", Now: clk.Now}
		old, err := l.Acquire(ctx, "gw-a", time.Second)
		must(t, err)
		lead := core.Lead{Campaign: "C", PhoneNumber: "5551234", Status: "NEW"}
		must(t, st.Create(ctx, &lead))
		claim := func(f core.Fence, from, to string) int64 {
			n, err := st.UpdateWhere(ctx, &core.Lead{}, core.ByID(lead.ID).Eq("status", from), map[string]any{"status": to}, f)
			must(t, err)
			return n
		}
		if n := claim(old.Fence(), "NEW", "A"); n != 1 {
			t.Fatalf("claim in the current term changed %d rows, want 1", n)
		}
		clk.Advance(2 * time.Second)
		cur, err := l.Acquire(ctx, "gw-b", time.Second)
		must(t, err)
		if n := claim(old.Fence(), "A", "STALE"); n != 0 {
			t.Fatalf("claim with the old term changed %d rows, want 0", n)
		}
		if n := claim(cur.Fence(), "NEW", "B"); n != 0 {
			t.Fatalf("claim of a row no longer as read changed %d rows", n)
		}
		if n := claim(cur.Fence(), "A", "B"); n != 1 {
			t.Fatalf("claim in the new term changed %d rows, want 1", n)
		}
		var got core.Lead
		must(t, st.First(ctx, &got, core.ByID(lead.ID)))
		if got.Status != "B" {
			t.Fatalf("lead status %q, want B", got.Status)
		}
		if _, err := st.UpdateWhere(ctx, &core.Lead{}, core.All, map[string]any{"status": "X"}, core.Fence{}); !errors.Is(err, core.ErrInvalid) {
			t.Fatalf("update with no condition: %v, want ErrInvalid", err)
		}
	})
}

// A lease kept outside the store (NATS) records each term in the store's
// leases row; an older term cannot lower it.
func TestRaiseFenceOnlyGoesUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		ctx := context.Background()
		term := func(n uint64) core.LeaseState {
			return core.LeaseState{Name: "engine", Holder: "gw", Token: n, Expires: epoch}
		}
		must(t, core.RaiseFence(ctx, st, term(5)))
		must(t, core.RaiseFence(ctx, st, term(7)))
		if err := core.RaiseFence(ctx, st, term(6)); !errors.Is(err, core.ErrLeaseLost) {
			t.Fatalf("raising to an older term: %v, want ErrLeaseLost", err)
		}
		var r core.LeaseRecord
		must(t, st.First(ctx, &r, core.Eq("name", "engine")))
		if r.Token != 7 {
			t.Fatalf("fence token %d, want 7", r.Token)
		}
	})
}
