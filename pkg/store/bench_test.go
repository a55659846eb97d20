package store_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// BenchmarkRecordCall measures the engine's commonest write, a Call and its
// QueueLogEntry in one transaction, serially and from parallel writers.
// writes/s counts transactions.
func BenchmarkRecordCall(b *testing.B) {
	for _, kind := range storetest.Kinds() {
		b.Run(kind, func(b *testing.B) {
			st := storetest.Open(b, kind)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := recordCall(st, fmt.Sprintf("bench-%d", i)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
		})
		b.Run(kind+"/parallel", func(b *testing.B) {
			st := storetest.Open(b, kind)
			var n atomic.Int64
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := recordCall(st, fmt.Sprintf("bench-%d", n.Add(1))); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
		})
	}
}

// BenchmarkUpsertCalls measures the committer's biggest statement: a
// group's calls (100, every column) written by one Upsert, as rows per
// second. It chose sqliteParams, how many parameters one SQLite statement
// carries (see there).
func BenchmarkUpsertCalls(b *testing.B) {
	for _, kind := range storetest.Kinds() {
		b.Run(kind, func(b *testing.B) {
			st := storetest.Open(b, kind)
			now := time.Now()
			calls := make([]core.Call, 100)
			for i := range calls {
				calls[i] = core.Call{GUID: fmt.Sprintf("bench-%d", i), State: core.CallQueued, Queue: "sales",
					Campaign: "TESTCAMP", Phone: "5551234", QueuedAt: &now, CreatedAt: now}
			}
			if err := st.Upsert(ctx, &calls); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for j := range calls {
					calls[j].State = []core.CallState{core.CallQueued, core.CallConnected}[i%2]
				}
				if err := st.Tx(ctx, func(tx core.Store) error { return tx.Upsert(ctx, &calls) }); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*len(calls))/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
