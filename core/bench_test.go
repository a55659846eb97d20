package core_test

import (
	"fmt"
	"testing"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// BenchmarkACDCallSetup measures inbound call setups per second through the
// ACD on the simulator with 200 logged-in agents: each op is one call from
// arrival to the agent connected, and its hangup. Calls overlap in batches of
// 50 so the ACD chooses among busy and free agents.
func BenchmarkACDCallSetup(b *testing.B) {
	for _, kind := range storetest.Kinds() {
		b.Run(kind, func(b *testing.B) {
			st := storetest.Open(b, kind)
			h := newHarness(b, st, harnessOpt{strategy: core.StrategyLeastRecent, agents: 200})
			for i := 1; i <= 200; i++ {
				must(b, h.e.Login(h.ctx, fmt.Sprintf("a%d", i), core.LoginOptions{}))
			}
			b.ResetTimer()
			const batch = 50
			for done := 0; done < b.N; {
				n := min(batch, b.N-done)
				chans := make([]string, n)
				for i := range chans {
					chans[i] = h.inbound(fmt.Sprintf("55500%05d", done+i))
				}
				h.require("batch connected", func() bool {
					return len(h.connected()) >= n
				})
				for _, ch := range chans {
					_ = h.pbx.FarHangup(ch, core.CauseNormal)
				}
				h.require("batch ended", func() bool { return len(h.e.ActiveCalls()) == 0 })
				done += n
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
		})
	}
}

func (h *harness) connected() []core.Call {
	var out []core.Call
	for _, c := range h.e.ActiveCalls() {
		if c.State == core.CallConnected {
			out = append(out, c)
		}
	}
	return out
}
