package store_test

import (
	"fmt"
	"sync/atomic"
	"testing"

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
