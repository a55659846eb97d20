package bustest_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/bus/bustest"
)

func TestMemoryBusKeepsTheBusContract(t *testing.T) {
	bustest.Run(t, func(t *testing.T, replay int) core.Bus {
		b := core.NewMemoryBus(replay)
		t.Cleanup(func() { b.Close() })
		return b
	})
}

// BenchmarkMemoryBusFanout1000 publishes to 1,000 subscribers that each
// drain their channel in their own goroutine; ns/op is the cost of one
// event reaching all of them.
func BenchmarkMemoryBusFanout1000(b *testing.B) {
	for _, subs := range []int{1000} {
		b.Run(fmt.Sprintf("subscribers=%d", subs), func(b *testing.B) {
			bus := core.NewMemoryBus(1024)
			defer bus.Close()
			var (
				wg         sync.WaitGroup
				overflowed atomic.Int64
			)
			for i := 0; i < subs; i++ {
				sub, err := bus.Subscribe(0, 4096)
				if err != nil {
					b.Fatal(err)
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range sub.C() {
					}
					if sub.Err() != nil {
						overflowed.Add(1)
					}
				}()
			}
			p := core.AgentStateChanged{Agent: "bob", From: core.AgentAvailable, To: core.AgentOnCall}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				bus.Publish(p, "bob")
			}
			bus.Close()
			wg.Wait()
			b.ReportMetric(float64(b.N*subs)/b.Elapsed().Seconds(), "deliveries/s")
			// Subscribers that could not keep up (ErrOverflow): 0 means
			// every event reached every subscriber.
			b.ReportMetric(float64(overflowed.Load()), "overflowed")
		})
	}
}
