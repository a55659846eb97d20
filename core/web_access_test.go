package core_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// webEngine is an engine with the store's secret facility (logins verify
// hashes) over: agent a1 (password pw-a1, campaign OUT1), a user group G1
// allowed OUT1, a queue of OUT1 and one of another campaign, and web
// supervisors with and without a group.
func webEngine(t *testing.T, st core.Store) *core.Engine {
	t.Helper()
	ctx := context.Background()
	must(t, st.Create(ctx, &core.Campaign{Name: "OUT1", Type: core.CampaignOutbound, DialMethod: core.DialManual, Active: true}))
	must(t, st.Create(ctx, &core.Agent{Username: "a1", Number: "a1", Type: "SIP", Extension: "PJSIP/a1", Campaign: "OUT1", Password: "pw-a1", Active: true}))
	must(t, st.Create(ctx, &core.Agent{Username: "b1", Number: "b1", Type: "SIP", Extension: "PJSIP/b1", Campaign: "OTHER", Password: "pw-b1", Active: true}))
	must(t, st.Create(ctx, &core.UserGroup{Name: "G1", AllowedCampaigns: " OUT1 - "}))
	must(t, st.Create(ctx, &core.Queue{Name: "outq", Campaign: "OUT1", Active: true}))
	must(t, st.Create(ctx, &core.Queue{Name: "otherq", Campaign: "OTHER", Active: true}))
	for _, u := range []core.APIUser{
		{Dialect: core.WebDialect, Username: "sup1", Secret: "pw-sup", Scopes: "group:G1", Active: true},
		{Dialect: core.WebDialect, Username: "sup2", Secret: "pw-sup", Active: true},
		{Dialect: "vicidial", Username: "sup3", Secret: "pw-sup", Scopes: "group:G1", Active: true},
	} {
		must(t, st.Create(ctx, &u))
	}
	e := core.New(core.Options{Store: st, Logger: slog.New(slog.DiscardHandler), Secrets: storetest.Secrets()})
	must(t, e.Reload(ctx))
	return e
}

func TestWebLoginChecksTheirOwnCredentialsAndScopesSupervisorsToTheirGroup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		e := webEngine(t, st)
		ctx := context.Background()
		cases := []struct {
			name       string
			kind       core.PrincipalKind
			user, pass string
			outcome    core.LoginOutcome
			errCode    string
		}{
			{"agent with its password", core.PrincipalAgent, "a1", "pw-a1", core.LoginAccepted, ""},
			{"agent with a wrong password", core.PrincipalAgent, "a1", "nope", core.LoginRejected, ""},
			{"unknown agent", core.PrincipalAgent, "zz", "pw-a1", core.LoginRejected, ""},
			{"supervisor of a group", core.PrincipalSupervisor, "sup1", "pw-sup", core.LoginAccepted, ""},
			{"supervisor without a group", core.PrincipalSupervisor, "sup2", "pw-sup", core.LoginRejected, core.EUNAUTHORIZED},
			{"another dialect's user", core.PrincipalSupervisor, "sup3", "pw-sup", core.LoginRejected, ""},
			{"unknown role", "root", "sup1", "pw-sup", core.LoginAccepted, core.EINVALID},
		}
		for _, c := range cases {
			p, v, err := e.WebLogin(ctx, core.WebLoginRequest{Kind: c.kind, User: c.user, Secret: c.pass, Source: "10.0.0.1:5000"})
			if c.errCode != "" {
				if core.ErrorCode(err) != c.errCode {
					t.Errorf("%s: err %v, want code %s", c.name, err, c.errCode)
				}
				continue
			}
			if err != nil || v.Outcome != c.outcome {
				t.Errorf("%s: outcome %v, err %v; want %v", c.name, v.Outcome, err, c.outcome)
				continue
			}
			if c.outcome == core.LoginAccepted && (p.Kind != c.kind || p.Name != c.user) {
				t.Errorf("%s: principal %+v", c.name, p)
			}
		}

		p, _, err := e.WebLogin(ctx, core.WebLoginRequest{Kind: core.PrincipalSupervisor, User: "sup1", Secret: "pw-sup"})
		must(t, err)
		for name, want := range map[string]bool{"OUT1": true, "OTHER": false, "": false} {
			if p.Scope.Campaign(name) != want {
				t.Errorf("supervisor scope campaign %q = %v, want %v", name, !want, want)
			}
		}
		for name, want := range map[string]bool{"outq": true, "otherq": false, "": false} {
			if p.Scope.Queue(name) != want {
				t.Errorf("supervisor scope queue %q = %v, want %v", name, !want, want)
			}
		}
		// a1's campaign is OUT1, in sup1's scope; b1's is not.
		if !e.AgentInScope(ctx, p.Scope, "a1") || e.AgentInScope(ctx, p.Scope, "b1") || e.AgentInScope(ctx, core.Scope{}, "a1") {
			t.Error("AgentInScope does not follow the agent's campaign")
		}
	})
}

func TestWallboardCountsTodaysCallsPerIntervalWithinTheScope(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	h.login("a1")
	h.inbound("5551000")
	c := h.callOf("a1")
	h.advance(20 * time.Minute)

	wb, err := h.e.Wallboard(h.ctx, core.Scope{All: true}, 15*time.Minute)
	must(t, err)
	var sales *core.QueueBoard
	for i := range wb.Queues {
		if wb.Queues[i].Name == "sales" {
			sales = &wb.Queues[i]
		}
	}
	if sales == nil || sales.Offered != 1 || sales.Answered != 1 || sales.Waiting != 0 || sales.AgentsByState["on_call"] != 1 {
		t.Fatalf("sales board = %+v", sales)
	}
	// The call came at 09:00, the 37th quarter of the day; now is 09:20.
	if len(wb.Intervals) != 38 || wb.Intervals[36].Offered != 1 || wb.Intervals[36].Answered != 1 || wb.Intervals[37].Offered != 0 {
		t.Fatalf("intervals: %d, [36] %+v, [37] %+v", len(wb.Intervals), wb.Intervals[36], wb.Intervals[37])
	}
	if len(wb.Agents) != 1 || wb.Agents[0].CallID != c.ID || wb.Agents[0].InState != 20*60 {
		t.Fatalf("agents = %+v, want a1 on call %d for 1200 s", wb.Agents, c.ID)
	}

	empty, err := h.e.Wallboard(h.ctx, core.Scope{}, 0)
	must(t, err)
	if len(empty.Queues) != 0 || len(empty.Agents) != 0 || len(empty.Campaigns) != 0 || empty.Intervals[36].Offered != 0 {
		t.Fatalf("an empty scope shows %+v", empty)
	}
}

func TestPendingItemsAreChangedOnlyByTheirAgentWhileWaiting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		h := newHarness(t, st, harnessOpt{})
		cb := core.Callback{Campaign: "OUT1", Agent: "a1", AgentOnly: true, Phone: "5552000", When: epoch.Add(time.Hour)}
		must(t, h.e.ScheduleCallback(h.ctx, &cb))
		shared := core.Callback{Campaign: "OUT1", Phone: "5552001", When: epoch.Add(time.Hour)}
		must(t, h.e.ScheduleCallback(h.ctx, &shared))

		items, err := h.e.PendingItems(h.ctx, "a2")
		must(t, err)
		if len(items) != 1 || items[0].ID != shared.ID {
			t.Fatalf("a2's pending items = %+v, want only the campaign's unassigned one", items)
		}
		steps := []struct {
			name string
			req  core.PendingActionRequest
			code string
		}{
			{"another agent", core.PendingActionRequest{Agent: "a2", Callback: cb.ID, Action: core.PendingDiscard}, core.EUNAUTHORIZED},
			{"postpone into the past", core.PendingActionRequest{Agent: "a1", Callback: cb.ID, Action: core.PendingPostpone, When: epoch.Add(-time.Hour)}, core.EINVALID},
			{"postpone", core.PendingActionRequest{Agent: "a1", Callback: cb.ID, Action: core.PendingPostpone, When: epoch.Add(3 * time.Hour)}, ""},
			{"reassign to an unknown agent", core.PendingActionRequest{Agent: "a1", Callback: cb.ID, Action: core.PendingReassign, To: "zz"}, core.EINVALID},
			{"reassign", core.PendingActionRequest{Agent: "a1", Callback: cb.ID, Action: core.PendingReassign, To: "a2"}, ""},
			{"the former agent", core.PendingActionRequest{Agent: "a1", Callback: cb.ID, Action: core.PendingComplete}, core.EUNAUTHORIZED},
			{"complete", core.PendingActionRequest{Agent: "a2", Callback: cb.ID, Action: core.PendingComplete}, ""},
			{"once closed", core.PendingActionRequest{Agent: "a2", Callback: cb.ID, Action: core.PendingDiscard}, core.ECONFLICT},
			{"unknown action", core.PendingActionRequest{Agent: "a3", Callback: shared.ID, Action: "snooze"}, core.EINVALID},
			{"discard the campaign's", core.PendingActionRequest{Agent: "a3", Callback: shared.ID, Action: core.PendingDiscard}, ""},
		}
		for _, s := range steps {
			_, err := h.e.ActOnPending(h.ctx, s.req)
			if core.ErrorCode(err) != s.code && !(s.code == "" && err == nil) {
				t.Fatalf("%s: err %v, want code %q", s.name, err, s.code)
			}
		}
		var got core.Callback
		must(t, st.First(h.ctx, &got, core.Eq("id", cb.ID)))
		if got.Status != "DONE" || got.Agent != "a2" || !got.When.Equal(epoch.Add(3*time.Hour)) {
			t.Fatalf("callback after the steps = %+v", got)
		}
		var discarded core.Callback
		must(t, st.First(h.ctx, &discarded, core.Eq("id", shared.ID)))
		if discarded.Status != "INACTIVE" {
			t.Fatalf("discarded callback status %q", discarded.Status)
		}

		// An eXpand pending outgoing call of queue sales, for no agent in
		// particular, is on the list of every member of sales.
		pc, err := h.e.AddPendingCall(h.ctx, core.PendingCallRequest{Queue: "sales", Contact: "Ana", Phones: []string{"5552002"}, When: epoch.Add(time.Hour)})
		must(t, err)
		items, err = h.e.PendingItems(h.ctx, "a3")
		must(t, err)
		if len(items) != 1 || items[0].ID != pc.Callback.ID {
			t.Fatalf("a3's pending items = %+v, want the queue's pending call %d", items, pc.Callback.ID)
		}
	})
}

func TestWebSessionsLiveInTheStoreUntilIdleOrTooOld(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		ctx := context.Background()
		must(t, st.Create(ctx, &core.UserGroup{Name: "G1", AllowedCampaigns: " OUT1 - "}))
		a1 := core.Agent{Username: "a1", Number: "a1", Type: "SIP", Active: true}
		must(t, st.Create(ctx, &a1))
		sup1 := core.APIUser{Dialect: core.WebDialect, Username: "sup1", Secret: "x", Active: true}
		must(t, st.Create(ctx, &sup1))
		now := epoch
		e := core.New(core.Options{Store: st, Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }})
		sup, err := e.OpenWebSession(ctx, core.Principal{Kind: core.PrincipalSupervisor, Name: "sup1", Group: "G1"})
		must(t, err)
		agent, err := e.OpenWebSession(ctx, core.Principal{Kind: core.PrincipalAgent, Name: "a1", AgentID: a1.ID})
		must(t, err)

		var rows []core.WebSession
		must(t, st.Find(ctx, &rows, core.All))
		for _, r := range rows {
			if r.TokenHash == sup || r.TokenHash == agent {
				t.Fatal("a session token is stored in clear")
			}
		}
		p, err := e.WebSessionPrincipal(ctx, sup)
		if err != nil || p.Kind != core.PrincipalSupervisor || !p.Scope.Campaign("OUT1") || p.Scope.Campaign("X") {
			t.Fatalf("supervisor session: %+v, %v", p, err)
		}
		// A fresh engine (another gateway, or after a restart) knows it.
		other := core.New(core.Options{Store: st, Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }})
		if p, err := other.WebSessionPrincipal(ctx, agent); err != nil || p.Name != "a1" || p.AgentID != a1.ID {
			t.Fatalf("agent session on another engine: %+v, %v", p, err)
		}

		// Used every 7 hours, a session lives to its 24 hours, not beyond.
		for i := 0; i < 3; i++ {
			now = now.Add(7 * time.Hour)
			if _, err := e.WebSessionPrincipal(ctx, agent); err != nil {
				t.Fatalf("agent session after %v: %v", now.Sub(epoch), err)
			}
		}
		now = now.Add(4 * time.Hour)
		if _, err := e.WebSessionPrincipal(ctx, agent); core.ErrorCode(err) != core.EUNAUTHORIZED {
			t.Fatalf("agent session 25 h after login: %v, want unauthorized", err)
		}
		// Unused for 8 hours, the supervisor's has expired.
		if _, err := e.WebSessionPrincipal(ctx, sup); core.ErrorCode(err) != core.EUNAUTHORIZED {
			t.Fatalf("idle supervisor session: %v, want unauthorized", err)
		}

		// Deactivating a supervisor ends its sessions at once.
		sup, err = e.OpenWebSession(ctx, core.Principal{Kind: core.PrincipalSupervisor, Name: "sup1", Group: "G1"})
		must(t, err)
		if _, err := e.WebSessionPrincipal(ctx, sup); err != nil {
			t.Fatalf("new supervisor session: %v", err)
		}
		must(t, st.Updates(ctx, &sup1, map[string]any{"active": false}))
		if _, err := e.WebSessionPrincipal(ctx, sup); core.ErrorCode(err) != core.EUNAUTHORIZED {
			t.Fatalf("session of a deactivated supervisor: %v, want unauthorized", err)
		}

		fresh, err := e.OpenWebSession(ctx, core.Principal{Kind: core.PrincipalAdmin, Name: "admin"})
		must(t, err)
		must(t, e.CloseWebSession(ctx, fresh))
		if _, err := e.WebSessionPrincipal(ctx, fresh); core.ErrorCode(err) != core.EUNAUTHORIZED {
			t.Fatalf("closed session: %v", err)
		}
	})
}
