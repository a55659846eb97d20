package core_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/core/clocktest"
	"github.com/callgate/callgate/pkg/store/storetest"
	"github.com/callgate/callgate/pkg/telephony/sim"
	"github.com/callgate/callgate/pkg/webhook"
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

// claimWatch reports each conditional update on outbox messages and its
// outcome, so a test knows the outbox tried its claim.
type claimWatch struct {
	core.Store
	claims chan int64
}

func (s *claimWatch) UpdateWhere(ctx context.Context, model any, f core.Filter, cols map[string]any, fence core.Fence) (int64, error) {
	n, err := s.Store.UpdateWhere(ctx, model, f, cols, fence)
	if _, ok := model.(*core.OutboxMessage); ok {
		s.claims <- n
	}
	return n, err
}

// The webhook outbox of an engine whose term is over sends nothing: its
// claim of the message changes no row, the message stays pending for the
// new leader. In the current term the same message is delivered.
func TestDeposedLeaderSendsNoWebhook(t *testing.T) {
	for _, tc := range []struct {
		name      string
		takeover  bool
		wantClaim int64
	}{
		{"current term delivers", false, 1},
		{"old term after a takeover sends nothing", true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, st core.Store) {
				ctx := context.Background()
				lease := &core.SQLLease{Store: st, Name: "engine", Now: clocktest.New(epoch).Now}
				term, err := lease.Acquire(ctx, "gw-a", 4*time.Second)
				must(t, err)
				if tc.takeover {
					must(t, lease.Release(ctx, term))
					_, err := lease.Acquire(ctx, "gw-b", 4*time.Second)
					must(t, err)
				}
				rcv := newReceiver(t)
				w := &claimWatch{Store: st, claims: make(chan int64, 10)}
				bus := core.NewMemoryBus(0)
				sub, err := bus.Subscribe(0, 100)
				must(t, err)
				e := core.New(core.Options{Store: w, Tel: sim.New("sim-1"), Bus: bus, Clock: clocktest.New(epoch), DialerInterval: time.Hour,
					Logger: slog.New(slog.DiscardHandler), Webhooks: webhook.NewHTTPSender(), Fence: term.Fence()})
				must(t, e.Start(ctx))
				id, err := e.EnqueueWebhook(ctx, core.WebhookRequest{Topic: "test", URL: rcv.srv.URL, Body: []byte("b")})
				must(t, err)
				if n := <-w.claims; n != tc.wantClaim {
					t.Fatalf("claim changed %d rows, want %d", n, tc.wantClaim)
				}
				if !tc.takeover {
					if got := rcv.next(t); got != ":b" {
						t.Fatalf("delivered %q", got)
					}
					env := &outboxEnv{t: t, sub: sub}
					env.ended(id) // recorded before the engine stops
				}
				sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				defer cancel()
				must(t, e.Stop(sctx))
				var m core.OutboxMessage
				must(t, st.First(ctx, &m, core.Eq("msg_id", id)))
				if tc.takeover && (m.Status != core.OutboxPending || m.Attempts != 0 || len(rcv.got) != 0) {
					t.Fatalf("deposed engine sent: %+v, %d received", m, len(rcv.got))
				}
				if !tc.takeover && (m.Status != core.OutboxDelivered || m.Attempts != 1) {
					t.Fatalf("current term: %+v", m)
				}
			})
		})
	}
}

// Failover: the leader of term 1 is replaced by an engine of term 2 on the
// same store and PBX (the old engine stopped as a deposed leader stops,
// hanging nothing up; the PBX kept the calls; a SIGKILLed process is
// covered in cmd/gateway with separate PBXs). The held
// call stays held with its agent, the waiting caller is offered to the
// agent the new leader finds free, every queue-log row is written once,
// and the new term's dialer claims leads while the old term's could not.
func TestFailoverToANewTermKeepsCallsAndClaimsWithTheNewToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		ctx := context.Background()
		leaseClk := clocktest.New(epoch)
		lease := &core.SQLLease{Store: st, Name: "engine", Now: leaseClk.Now}
		t1, err := lease.Acquire(ctx, "gw-a", 4*time.Second)
		must(t, err)
		h := newHarness(t, st, harnessOpt{agents: 2, fence: t1.Fence()})
		h.login("a1", "a2")
		held := h.inbound("5550001")
		c1 := h.callOf("a1")
		must(t, h.e.HoldCall(ctx, "a1"))
		talking := h.inbound("5550002")
		c2 := h.callOf("a2")
		waiting := h.inbound("5550003")
		h.require("one caller waiting", func() bool { return len(h.e.Waiting("sales")) == 1 })

		leaseClk.Advance(5 * time.Second) // gw-a died: its term expired
		t2, err := lease.Acquire(ctx, "gw-b", 4*time.Second)
		must(t, err)
		h.fence = t2.Fence()
		h.restart(func() { h.hangup(talking) })

		if on, _ := h.e.CallHeld("a1"); !on {
			t.Fatal("the held call is not held after the failover")
		}
		if got, ok := h.e.AgentCall("a1"); !ok || got.ID != c1.ID || got.ChannelID != held {
			t.Fatalf("a1 has %+v after the failover, want call %d", got, c1.ID)
		}
		h.settle()
		if got := h.callOf("a2"); got.ChannelID != waiting || got.ID == c2.ID {
			t.Fatalf("a2 got %+v, want the waiting caller %s", got, waiting)
		}
		enter := map[uint64]int{}
		for _, r := range h.queueLog(core.QLEnterQueue) {
			enter[r.CallID]++
		}
		for id, n := range enter {
			if n != 1 {
				t.Errorf("call %d entered the queue %d times in the queue log", id, n)
			}
		}
		lead := core.Lead{Campaign: "OUT1", PhoneNumber: "5559000"}
		must(t, st.Create(ctx, &lead))
		claim := func(f core.Fence) int64 {
			n, err := st.UpdateWhere(ctx, &core.Lead{}, core.ByID(lead.ID).Eq("status", lead.Status), map[string]any{"status": core.StatusInCall}, f)
			must(t, err)
			return n
		}
		if claim(t1.Fence()) != 0 || claim(t2.Fence()) != 1 {
			t.Fatal("the old term claimed, or the new one could not")
		}
		h.hangup(held)
		h.hangup(waiting)
		h.waitState("a1", core.AgentAvailable)
		h.waitState("a2", core.AgentAvailable)
		h.assertQueueLogBalanced()
		h.assertSessionsStored()
	})
}
