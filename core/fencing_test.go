package core_test

import (
	"context"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/core/clocktest"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// Split brain: a leader paused past its term wakes up and runs its dialer,
// callbacks and scheduled origination jobs with its old token while another
// gateway leads. Its claims change nothing: no lead is dialed, no callback
// placed, no job started, and the rows stay as the new leader will find
// them. The same engine in the current term does all three.
func TestDeposedLeaderWakingWithAnOldTokenClaimsNothing(t *testing.T) {
	for _, tc := range []struct {
		name     string
		takeover bool
	}{
		{"current term does the work", false},
		{"old term after a takeover does nothing", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, st core.Store) {
				ctx := context.Background()
				// The lease has its own clock: the takeover happens while
				// the old leader's time stands still (paused process).
				leaseClk := clocktest.New(epoch)
				lease := &core.SQLLease{Store: st, Name: "engine", Now: leaseClk.Now}
				term, err := lease.Acquire(ctx, "gw-a", 4*time.Second)
				must(t, err)
				h := newHarness(t, st, harnessOpt{fence: term.Fence()})
				camp := core.Campaign{Name: "PROG", Type: core.CampaignOutbound, DialMethod: core.DialProgressive, Active: true, MaxRetries: 2}
				must(t, st.Create(ctx, &camp))
				must(t, h.e.Reload(ctx))
				lead := core.Lead{Campaign: "PROG", PhoneNumber: "5551000"}
				must(t, h.e.AddLead(ctx, &lead, core.AddLeadOptions{}))
				cbLead := core.Lead{Campaign: "OUT1", PhoneNumber: "5552000"}
				must(t, h.e.AddLead(ctx, &cbLead, core.AddLeadOptions{}))
				cb := core.Callback{LeadID: cbLead.ID, Campaign: "OUT1", Agent: "a2", AgentOnly: true, Phone: "5552000",
					When: h.clk.Now().Add(time.Second), Status: "ACTIVE", CreatedAt: h.clk.Now()}
				must(t, st.Create(ctx, &cb))
				job, err := h.e.Originate(ctx, core.OriginationRequest{Source: "701", Destination: "927126666", NotBefore: h.clk.Now().Add(2 * time.Second)})
				must(t, err)
				if tc.takeover {
					leaseClk.Advance(5 * time.Second)
					next, err := lease.Acquire(ctx, "gw-b", 4*time.Second)
					must(t, err)
					if next.Token != term.Token+1 {
						t.Fatalf("takeover term %+v", next)
					}
				}
				must(t, h.e.Login(ctx, "a1", core.LoginOptions{Campaign: "PROG"}))
				h.login("a2")
				h.advance(3 * time.Second)

				var l, cl core.Lead
				must(t, st.First(ctx, &l, core.ByID(lead.ID)))
				must(t, st.First(ctx, &cl, core.ByID(cbLead.ID)))
				var gotCB core.Callback
				must(t, st.First(ctx, &gotCB, core.ByID(cb.ID)))
				var gotJob core.OriginationJob
				must(t, st.First(ctx, &gotJob, core.Eq("job_id", job.JobID)))
				var calls []core.Call
				must(t, st.Find(ctx, &calls, core.All))
				if tc.takeover {
					if len(calls) != 0 || len(h.e.ActiveCalls()) != 0 {
						t.Fatalf("deposed engine placed %d calls (%d live)", len(calls), len(h.e.ActiveCalls()))
					}
					if l.CalledCount != 0 || l.Status != core.StatusNew {
						t.Fatalf("deposed engine claimed the lead: %+v", l)
					}
					if gotCB.Status != "ACTIVE" || gotCB.CallID != 0 {
						t.Fatalf("deposed engine claimed the callback: %+v", gotCB)
					}
					if gotJob.Status != core.OriginScheduled || gotJob.Attempts != 0 {
						t.Fatalf("deposed engine started the job: %+v", gotJob)
					}
					return
				}
				if l.CalledCount != 1 || gotCB.Status != "LIVE" || gotCB.CallID == 0 || gotJob.Attempts != 1 || gotJob.Status == core.OriginScheduled {
					t.Fatalf("current term: lead %+v, callback %+v, job %+v", l, gotCB, gotJob)
				}
				if len(calls) != 3 {
					t.Fatalf("current term placed %d calls, want 3 (lead, callback, job)", len(calls))
				}
			})
		})
	}
}
