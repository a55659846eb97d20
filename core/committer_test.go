package core_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// gatedStore holds its first API log write until the gate opens (so
// the writes submitted meanwhile queue up behind it), refuses rows of
// function "fail" (or every write: lost), counts API log INSERTs and
// transactions.
type gatedStore struct {
	core.Store
	gate    chan struct{}
	held    atomic.Bool
	txs     *atomic.Int64
	inserts atomic.Int64
	lost    bool
}

var errLost = errors.New("database gone")

func (s *gatedStore) Create(ctx context.Context, v any) error {
	if rows, ok := v.(*[]core.APILogEntry); ok {
		if s.gate != nil && s.held.CompareAndSwap(false, true) {
			<-s.gate
			return s.Store.Create(ctx, v)
		}
		s.inserts.Add(1)
		if s.lost {
			return errLost
		}
		for _, r := range *rows {
			if r.Function == "fail" {
				return errInjected
			}
		}
	}
	return s.Store.Create(ctx, v)
}

func (s *gatedStore) Tx(ctx context.Context, fn func(core.Store) error) error {
	s.txs.Add(1)
	return s.Store.Tx(ctx, fn)
}

// TestGroupCommitSharesOneWriteAndFailsHonestly: API log rows submitted
// while a commit is under way are written together by one INSERT; when
// the group's write fails, each row is written alone, so a bad row fails
// only its own caller, and a lost database fails every caller.
func TestGroupCommitSharesOneWriteAndFailsHonestly(t *testing.T) {
	const n = 20
	tests := []struct {
		name        string
		lost        bool
		bad         int // index of the row refused by the store, -1: none
		wantInserts int64
		wantErrs    int
		wantRows    int64 // besides the gated first row
	}{
		{"concurrent writes share one INSERT", false, -1, 1, 0, n},
		{"a bad row fails only its caller", false, 7, 1 + n, 1, n - 1},
		{"a lost database fails every caller", true, -1, 1 + n, n, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, raw core.Store) {
				st := &gatedStore{Store: raw, gate: make(chan struct{}), txs: &atomic.Int64{}, lost: tc.lost}
				e := core.New(core.Options{Store: st})
				ctx := context.Background()
				first := make(chan error, 1)
				go func() { first <- e.RecordAPICalls(ctx, []core.APILogEntry{{Dialect: "t", Function: "first"}}) }()
				waitFor(t, "the first write to be held", st.held.Load)
				errs := make([]error, n)
				var wg sync.WaitGroup
				for i := range n {
					wg.Add(1)
					go func() {
						defer wg.Done()
						fn := fmt.Sprintf("f%d", i)
						if i == tc.bad {
							fn = "fail"
						}
						errs[i] = e.RecordAPICalls(ctx, []core.APILogEntry{{Dialect: "t", Function: fn}})
					}()
				}
				waitFor(t, "every write queued", func() bool { return e.CommitQueued() == n })
				close(st.gate)
				wg.Wait()
				if err := <-first; err != nil {
					t.Fatalf("gated write: %v", err)
				}
				failed := 0
				for i, err := range errs {
					if err != nil {
						failed++
						if tc.lost && !errors.Is(err, errLost) || !tc.lost && i != tc.bad {
							t.Errorf("write %d: %v", i, err)
						}
					}
				}
				rows, _ := raw.Count(ctx, &core.APILogEntry{}, core.All.Ne("function", "first"))
				if failed != tc.wantErrs || rows != tc.wantRows || st.inserts.Load() != tc.wantInserts {
					t.Errorf("%d failed, %d rows, %d INSERTs; want %d, %d, %d",
						failed, rows, st.inserts.Load(), tc.wantErrs, tc.wantRows, tc.wantInserts)
				}
			})
		})
	}
}

// waitFor yields until cond holds (another goroutine's progress), failing
// after a generous bound rather than hanging.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		runtime.Gosched()
	}
}
