package core_test

import (
	"testing"
	"time"

	"github.com/callgate/callgate/core"
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
