package core_test

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// BenchmarkACDCallSetup measures inbound call setups per second through the
// ACD on the simulator with 200 logged-in agents: each op is one call from
// arrival to the agent connected, and its hangup, every row (call, queue
// log, CDR, sessions) written. Calls overlap in batches of 50 so the ACD
// chooses among busy and free agents. "serial" is the engine without group
// commit, each write its own statement, for comparison.
func BenchmarkACDCallSetup(b *testing.B) {
	for _, kind := range storetest.Kinds() {
		for _, mode := range []struct {
			name   string
			serial bool
		}{{"grouped", false}, {"serial", true}} {
			b.Run(kind+"/"+mode.name, func(b *testing.B) {
				st := storetest.Open(b, kind)
				h := newHarness(b, st, harnessOpt{strategy: core.StrategyLeastRecent, agents: 200, serial: mode.serial, bench: true})
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
				must(b, h.e.Sync(h.ctx))
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
			})
		}
	}
}

// BenchmarkACDCallThroughput is BenchmarkACDCallSetup without the batch
// barriers: a window of calls is kept in flight, each hung up as soon as
// the engine says it is connected to an agent (AgentLinked, published once
// its rows are committed) and replaced by a new arrival once it has ended.
// The barriers make every phase of a batch wait for the slowest call of
// the one before (the PBX, the engine and the store take turns), which
// measures latency; this measures what the engine sustains, as a busy
// center's independent calls load it. Every row is still written.
func BenchmarkACDCallThroughput(b *testing.B) {
	for _, kind := range storetest.Kinds() {
		b.Run(kind, func(b *testing.B) {
			st := storetest.Open(b, kind)
			h := newHarness(b, st, harnessOpt{strategy: core.StrategyLeastRecent, agents: 200, bench: true})
			for i := 1; i <= 200; i++ {
				must(b, h.e.Login(h.ctx, fmt.Sprintf("a%d", i), core.LoginOptions{}))
			}
			must(b, h.e.Sync(h.ctx))
			sub, err := h.e.Bus().Subscribe(0, 4096)
			must(b, err)
			defer sub.Close()
			const window = 100
			commits0, writes0 := h.e.CommitTotals()
			b.ResetTimer()
			started, ended := 0, 0
			for ; started < min(window, b.N); started++ {
				h.inbound(fmt.Sprintf("55500%05d", started))
			}
			for ended < b.N {
				ev, ok := <-sub.C()
				if !ok {
					b.Fatalf("event stream ended: %v", sub.Err())
				}
				switch p := ev.Data.(type) {
				case core.AgentLinked:
					_ = h.pbx.FarHangup(p.Call.ChannelID, core.CauseNormal)
				case core.CallEnded:
					ended++
					if started < b.N {
						h.inbound(fmt.Sprintf("55500%05d", started))
						started++
					}
				}
			}
			must(b, h.e.Sync(h.ctx))
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
			// How the calls' writes were grouped: what bounds the rate when
			// the store's one writer is busy.
			commits, writes := h.e.CommitTotals()
			b.ReportMetric(float64(commits-commits0)/float64(b.N), "commits/call")
			b.ReportMetric(float64(writes-writes0)/float64(max(commits-commits0, 1)), "writes/commit")
		})
	}
}

// BenchmarkEngineMemory reports the memory the engine (with the simulated
// PBX's channels) holds per logged-in agent, with 10,000 agents logged in,
// and per live call, with 2,000 calls connected to them at once. One op
// is the whole scenario: run it with -benchtime=1x.
func BenchmarkEngineMemory(b *testing.B) {
	const agents, calls = 10000, 2000
	for range b.N {
		b.StopTimer()
		st := storetest.Open(b, storetest.Kinds()[0])
		h := newHarness(b, st, harnessOpt{strategy: core.StrategyLeastRecent, agents: agents, bench: true})
		b.StartTimer()
		base := liveHeap()
		for i := 1; i <= agents; i++ {
			must(b, h.e.Login(h.ctx, fmt.Sprintf("a%d", i), core.LoginOptions{}))
		}
		must(b, h.e.Sync(h.ctx))
		withAgents := liveHeap()
		for i := range calls {
			h.inbound(fmt.Sprintf("5551%06d", i))
		}
		h.require("every call connected", func() bool { return len(h.connected()) >= calls })
		must(b, h.e.Sync(h.ctx))
		withCalls := liveHeap()
		b.ReportMetric(float64(withAgents-base)/agents, "B/agent")
		b.ReportMetric(float64(withCalls-withAgents)/calls, "B/call")
	}
}

// liveHeap is the heap in use after a full collection.
func liveHeap() int64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
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

// BenchmarkQueueFiguresOfABusyDay measures the live figures of five queues
// (a wallboard's or uContact queuesummary's refresh) over a day of 60,000
// queue-log rows (12,000 calls of five rows each); the store counts them
// (QueueTallies).
func BenchmarkQueueFiguresOfABusyDay(b *testing.B) {
	day := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	events := []string{core.QLEnterQueue, core.QLConnect, core.QLCompleteCaller, "RINGNOANSWER", core.QLAbandon}
	queues := []string{"q0", "q1", "q2", "q3", "q4"}
	for _, kind := range storetest.Kinds() {
		b.Run(kind, func(b *testing.B) {
			st := storetest.Open(b, kind)
			ctx := context.Background()
			rows := make([]core.QueueLogEntry, 0, 1000)
			for i := range 60000 {
				rows = append(rows, core.QueueLogEntry{Time: day.Add(time.Duration(i) * time.Second), Queue: queues[i%len(queues)],
					Event: events[i%len(events)], Data1: strconv.Itoa(i % 40), Data2: strconv.Itoa(i % 300)})
				if len(rows) == cap(rows) {
					must(b, st.Create(ctx, &rows))
					rows = rows[:0]
				}
			}
			e := core.New(core.Options{Store: st})
			b.ResetTimer()
			for range b.N {
				if _, err := e.QueuesStats(ctx, queues, day, day.Add(24*time.Hour)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
