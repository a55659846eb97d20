package core_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// The campaign activity report classifies a campaign's calls by outcome,
// sums the talk time of completed ones and counts the leads not yet
// called; a queue's inbound calls are reported the same way.
func TestCampaignActivityClassifiesCallsAndCountsPendingLeads(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{agents: 1})
	for _, n := range []string{"5553001", "5553002"} {
		must(t, h.e.AddLead(h.ctx, &core.Lead{PhoneNumber: n, Campaign: "OUT1", Status: "NEW"}, core.AddLeadOptions{}))
	}

	// An inbound caller gives up while nobody is logged in.
	caller := h.inbound("5550009")
	h.hangup(caller)

	h.login("a1")
	_, err := h.e.DialNextLead(h.ctx, core.DialRequest{Agent: "a1", Campaign: "OUT1"})
	must(t, err)
	c := h.callOf("a1")
	h.advance(30 * time.Second)
	must(t, h.e.HangupCall(h.ctx, c.ID, core.CauseNormal))
	h.waitState("a1", core.AgentAvailable)

	out, err := h.e.CampaignActivity(h.ctx, core.CallFilter{Campaign: "OUT1"})
	must(t, err)
	if out.ByOutcome[core.OutcomeCompleted] != 1 || len(out.Calls) != 1 || out.Pending != 1 {
		t.Fatalf("OUT1 activity: %+v", out)
	}
	if out.TalkSeconds != 30 || out.LongestTalk != 30 {
		t.Fatalf("OUT1 talk %d s, longest %d s; want 30 and 30", out.TalkSeconds, out.LongestTalk)
	}
	in := true
	q, err := h.e.CampaignActivity(h.ctx, core.CallFilter{Queue: "sales", Inbound: &in})
	must(t, err)
	if q.ByOutcome[core.OutcomeAbandoned] != 1 || q.Pending != 0 {
		t.Fatalf("sales activity: %+v", q)
	}
}

// QueuesStats reads several queues' figures at once and gives each queue
// what QueueStats gives it alone: nothing of another queue, nothing
// outside the period, zero figures for a queue with no rows.
func TestQueuesStatsGiveEachQueueItsOwnFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		ctx := context.Background()
		e, clk, _ := credEngine(t, st)
		since := clk.Now()
		row := func(queue, event, d1, d2 string, at time.Duration) {
			must(t, st.Create(ctx, &core.QueueLogEntry{Time: since.Add(at), Queue: queue, Event: event, Data1: d1, Data2: d2}))
		}
		row("sales", core.QLEnterQueue, "", "", time.Second)
		row("sales", core.QLConnect, "12", "", 2*time.Second)
		row("sales", core.QLCompleteAgent, "12", "60", 3*time.Second)
		row("support", core.QLEnterQueue, "", "", time.Second)
		row("support", core.QLAbandon, "", "", 4*time.Second)
		row("support", core.QLEnterQueue, "", "", -time.Second) // before the period
		row("other", core.QLEnterQueue, "", "", time.Second)
		until := since.Add(time.Minute)
		all, err := e.QueuesStats(ctx, []string{"sales", "support", "empty"}, since, until)
		must(t, err)
		if len(all) != 3 {
			t.Fatalf("queues %v", all)
		}
		for _, q := range []string{"sales", "support", "empty"} {
			one, err := e.QueueStats(ctx, q, since, until)
			must(t, err)
			if fmt.Sprint(one) != fmt.Sprint(all[q]) {
				t.Errorf("%s: together %+v, alone %+v", q, all[q], one)
			}
		}
		if s := all["sales"]; s.Offered != 1 || s.Answered != 1 || s.Completed != 1 || s.AvgTalk != 60 {
			t.Errorf("sales %+v", s)
		}
		if s := all["support"]; s.Offered != 1 || s.Abandoned != 1 {
			t.Errorf("support %+v", s)
		}
		if s := all["empty"]; s.Offered != 0 || s.Queue != "empty" {
			t.Errorf("empty %+v", s)
		}
	})
}

// TestQueueFiguresCountedByTheStoreMatchEveryRow: the store counts the
// queue log (QueueTallies) instead of the engine reading each row; the
// figures are those of the rows: waits in each histogram bucket and at
// the service level's edge, talk summed over completed calls and calls
// cut by a failure after the answer, calls cut waiting lost, rows of other
// events, queues and times left out.
func TestQueueFiguresCountedByTheStoreMatchEveryRow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		ctx := context.Background()
		e, clk, _ := credEngine(t, st)
		since := clk.Now()
		var rows []core.QueueLogEntry
		row := func(queue, event, d1, d2, d4 string, at time.Duration) {
			rows = append(rows, core.QueueLogEntry{Time: since.Add(at), Queue: queue, Event: event, Data1: d1, Data2: d2, Data4: d4})
		}
		for i, w := range []string{"0", "9", "20", "20", "21", "35", "59", "60", "300"} {
			row("sales", core.QLEnterQueue, "", "5551000", "", time.Duration(i)*time.Second)
			row("sales", core.QLConnect, w, "", "", time.Duration(i)*time.Second)
			row("sales", "RINGNOANSWER", "15000", "", "", time.Duration(i)*time.Second)
		}
		row("sales", core.QLCompleteCaller, "3", "100", "", time.Second)
		row("sales", core.QLCompleteAgent, "0", "41", "", time.Second)
		row("sales", core.QLCompleteAgent, "0", "41", "", 2*time.Second)
		row("sales", core.QLSystemHangup, "0", "17", "answered", time.Second)
		row("sales", core.QLSystemHangup, "0", "999", "waiting", time.Second)
		row("sales", core.QLSystemHangup, "0", "999", "waiting", 3*time.Second)
		row("sales", core.QLAbandon, "1", "1", "", time.Second)
		row("sales", core.QLExitTimeout, "1", "1", "", time.Second)
		row("sales", core.QLCompleteCaller, "0", "5000", "", -time.Second) // before the period
		row("sales", core.QLConnect, "1", "", "", time.Hour)               // after it
		row("support", core.QLCompleteCaller, "0", "5000", "", time.Second)
		must(t, st.Create(ctx, &rows))

		got, err := e.QueueStats(ctx, "sales", since, since.Add(time.Minute))
		must(t, err)
		want := core.QueueStats{Queue: "sales", Offered: 9, Answered: 9, Abandoned: 1, TimedOut: 1, Lost: 2,
			WithinSL: 4, ServiceLevelPct: 4 * 100.0 / 9, AvgWait: 524.0 / 9, AvgTalk: 199.0 / 4, Completed: 4,
			WaitHistogram: []int{2, 0, 3, 1, 0, 1, 2}}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("figures\n got  %+v\n want %+v", got, want)
		}
	})
}
