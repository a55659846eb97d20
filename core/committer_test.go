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
// function "fail", counts transactions and can fail their commit.
type gatedStore struct {
	core.Store
	gate       chan struct{}
	held       atomic.Bool
	txs        *atomic.Int64
	failCommit bool
}

var errCommitLost = errors.New("commit lost")

func (s *gatedStore) Create(ctx context.Context, v any) error {
	if rows, ok := v.(*[]core.APILogEntry); ok {
		if s.gate != nil && s.held.CompareAndSwap(false, true) {
			<-s.gate
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
	err := s.Store.Tx(ctx, func(tx core.Store) error {
		if err := fn(&gatedStore{Store: tx, txs: s.txs}); err != nil {
			return err
		}
		if s.failCommit {
			return errCommitLost // rolls back what fn wrote
		}
		return nil
	})
	return err
}

// TestGroupCommitSharesOneTransactionAndFailsHonestly: writes submitted
// while a commit is under way are committed together in one transaction;
// a bad write fails only its own caller; a lost commit fails every caller
// of the batch and keeps none of their rows.
func TestGroupCommitSharesOneTransactionAndFailsHonestly(t *testing.T) {
	const n = 20
	tests := []struct {
		name       string
		failCommit bool
		bad        int // index of the row refused by the store, -1: none
		wantTxs    int64
		wantErrs   int
		wantRows   int64 // besides the gated first row
	}{
		{"concurrent writes share one commit", false, -1, 1, 0, n},
		{"a bad write fails only its caller", false, 7, 1, 1, n - 1},
		{"a lost commit fails every caller", true, -1, 1, n, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, raw core.Store) {
				st := &gatedStore{Store: raw, gate: make(chan struct{}), txs: &atomic.Int64{}, failCommit: tc.failCommit}
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
						if tc.failCommit && !errors.Is(err, errCommitLost) || !tc.failCommit && i != tc.bad {
							t.Errorf("write %d: %v", i, err)
						}
					}
				}
				rows, _ := raw.Count(ctx, &core.APILogEntry{}, core.All.Ne("function", "first"))
				if failed != tc.wantErrs || rows != tc.wantRows || st.txs.Load() != tc.wantTxs {
					t.Errorf("%d failed, %d rows, %d transactions; want %d, %d, %d",
						failed, rows, st.txs.Load(), tc.wantErrs, tc.wantRows, tc.wantTxs)
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
