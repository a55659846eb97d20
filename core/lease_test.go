package core_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/core/clocktest"
	"github.com/callgate/callgate/pkg/lease/leasetest"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// The SQL lease passes the lease conformance suite on both stores.
func TestSQLLeaseConformance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		leasetest.Run(t, func(t *testing.T, name string, now func() time.Time) core.Lease {
			return &core.SQLLease{Store: st, Name: name, Now: now}
		})
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
// leases row: a newer term replaces it, an older one cannot while the row's
// term is live, and any term replaces one that is over (a lease moved from
// SQL to NATS starts counting again).
func TestRaiseFenceOnlyReplacesOlderOrEndedTerms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		ctx := context.Background()
		term := func(n uint64, exp time.Time) core.LeaseState {
			return core.LeaseState{Name: "engine", Holder: "gw", Token: n, Expires: exp}
		}
		live := epoch.Add(time.Minute)
		must(t, core.RaiseFence(ctx, st, term(5, live), epoch))
		must(t, core.RaiseFence(ctx, st, term(7, live), epoch))
		if err := core.RaiseFence(ctx, st, term(6, live), epoch); !errors.Is(err, core.ErrLeaseLost) {
			t.Fatalf("raising to an older term while the newer is live: %v, want ErrLeaseLost", err)
		}
		must(t, core.RaiseFence(ctx, st, term(2, live.Add(time.Minute)), live.Add(time.Second)))
		var r core.LeaseRecord
		must(t, st.First(ctx, &r, core.Eq("name", "engine")))
		if r.Token != 2 {
			t.Fatalf("fence token %d, want 2 (term 7 was over)", r.Token)
		}
	})
}
