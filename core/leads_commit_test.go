package core_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// groupRefusingStore, once armed, refuses the fifth lead written inside a
// transaction (a group commit's, after four were numbered; a write run
// alone goes through) and passes SingleWriter on.
type groupRefusingStore struct {
	core.Store
	armed *atomic.Bool
}

func (s groupRefusingStore) Tx(ctx context.Context, fn func(core.Store) error) error {
	return s.Store.Tx(ctx, func(tx core.Store) error { return fn(&refusingTx{Store: tx, armed: s.armed}) })
}

type refusingTx struct {
	core.Store
	armed *atomic.Bool
	leads int
}

func (s *refusingTx) Create(ctx context.Context, v any) error {
	if _, lead := v.(*core.Lead); lead && s.armed.Load() {
		if s.leads++; s.leads == 5 {
			s.armed.Store(false)
			return errors.New("deadlock found when trying to get lock")
		}
	}
	return s.Store.Create(ctx, v)
}

func (s groupRefusingStore) SingleWriter() bool {
	sw, ok := s.Store.(core.SingleWriter)
	return ok && sw.SingleWriter()
}

// TestLeadsAddedTogetherShareACommitOnOneWriter: on a store with one write
// connection (SQLite) leads added while the committer is busy wait for it
// and are committed together, each numbered and stored; when the group is
// refused each is written again alone, numbered anew. On a store that takes
// writes on many connections (MariaDB) a lead is stored without waiting
// for the committer.
func TestLeadsAddedTogetherShareACommitOnOneWriter(t *testing.T) {
	for _, refused := range []bool{false, true} {
		t.Run(fmt.Sprintf("group refused=%v", refused), func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, raw core.Store) {
				armed := new(atomic.Bool)
				h := newHarness(t, groupRefusingStore{raw, armed}, harnessOpt{})
				single := raw.(core.SingleWriter).SingleWriter()
				release, first := holdCommitter(h)
				const n = 8
				errs := make(chan error, n)
				ids := make(chan uint64, n)
				for i := range n {
					go func() {
						l := core.Lead{Campaign: "OUT1", PhoneNumber: fmt.Sprintf("55560%02d", i)}
						err := h.e.AddLead(h.ctx, &l, core.AddLeadOptions{})
						ids <- l.ID
						errs <- err
					}()
				}
				if single {
					waitFor(t, "every lead queued", func() bool { return h.e.CommitQueued() == n })
					armed.Store(refused)
					txs := h.st.shared.txs.Load()
					close(release)
					must(t, <-first)
					collect(t, errs, ids, n)
					if got := h.st.shared.txs.Load() - txs; !refused && got != 1 {
						t.Errorf("%d transactions for %d leads added together, want 1", got, n)
					}
					if armed.Load() {
						t.Error("the group was not refused")
					}
				} else {
					// Stored while the committer is still held (the lead's
					// event is then published behind it).
					waitFor(t, "every lead stored", func() bool {
						c, _ := raw.Count(h.ctx, &core.Lead{}, core.Eq("campaign", "OUT1"))
						return c == n
					})
					close(release)
					must(t, <-first)
					collect(t, errs, ids, n)
				}
				if c, _ := raw.Count(h.ctx, &core.Lead{}, core.Eq("campaign", "OUT1")); c != n {
					t.Errorf("%d leads stored, want %d", c, n)
				}
			})
		})
	}
}

// collect requires n successful adds with n distinct ids.
func collect(t *testing.T, errs <-chan error, ids <-chan uint64, n int) {
	t.Helper()
	seen := map[uint64]bool{}
	for range n {
		must(t, <-errs)
		id := <-ids
		if id == 0 || seen[id] {
			t.Fatalf("lead id %d (seen %v)", id, seen)
		}
		seen[id] = true
	}
}
