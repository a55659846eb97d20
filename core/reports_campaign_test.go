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
