package core_test

import (
	"errors"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
)

// A manual dial for a busy agent waits in the agent's queue and is placed
// when the agent is free; the same number cannot be queued twice.
func TestPendingDialIsPlacedWhenTheAgentIsFree(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	h.login("a1")
	first := core.DialRequest{Agent: "a1", Phone: "5551001"}
	if !h.e.ReserveDial("a1", first.Phone) {
		t.Fatal("first reservation refused")
	}
	if queued, err := h.e.DialWhenFree(h.ctx, first); err != nil || queued {
		t.Fatalf("free agent: queued %v, %v", queued, err)
	}
	c := h.callOf("a1")

	second := core.DialRequest{Agent: "a1", Phone: "5551002"}
	if !h.e.ReserveDial("a1", second.Phone) {
		t.Fatal("second reservation refused")
	}
	if queued, err := h.e.DialWhenFree(h.ctx, second); err != nil || !queued {
		t.Fatalf("busy agent: queued %v, %v", queued, err)
	}
	if h.e.ReserveDial("a1", second.Phone) {
		t.Fatal("a queued number was accepted twice")
	}
	if got := h.e.PendingDials("a1"); len(got) != 1 || got[0] != second.Phone {
		t.Fatalf("pending = %v", got)
	}

	// The queued dial is placed by the engine's own event follower; wait on
	// the bus (every step of it publishes) rather than polling.
	sub, err := h.e.Bus().Subscribe(0, 1024)
	must(t, err)
	defer sub.Close()
	must(t, h.e.HangupCall(h.ctx, c.ID, core.CauseNormal))
	placed := func() bool {
		h.settle()
		c, ok := h.e.AgentCall("a1")
		return ok && c.Phone == second.Phone
	}
	for timeout := time.After(30 * time.Second); !placed(); {
		select {
		case <-sub.C():
		case <-timeout:
			t.Fatal("queued number not dialled")
		}
	}
	if got := h.e.PendingDials("a1"); len(got) != 0 {
		t.Fatalf("pending after placing = %v", got)
	}
	if !h.e.ReserveDial("a1", second.Phone) {
		t.Fatal("a placed number stays reserved")
	}
}

// A dial that fails for another reason than a busy agent leaves the queue.
func TestPendingDialReleasedOnFailure(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	req := core.DialRequest{Agent: "a1", Phone: "5551003"}
	h.e.ReserveDial("a1", req.Phone)
	if queued, err := h.e.DialWhenFree(h.ctx, req); !errors.Is(err, core.ErrNotLoggedIn) || queued {
		t.Fatalf("logged-out agent: queued %v, %v", queued, err)
	}
	if !h.e.ReserveDial("a1", req.Phone) {
		t.Fatal("a failed number stays reserved")
	}
}

// Conference rooms follow login order, survive a re-read and come back to
// an agent who logs in again while the others keep theirs.
func TestConferenceRoomsFollowLoginOrder(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	h.login("a1")
	h.login("a2")
	s1, _ := h.e.Session("a1")
	s2, _ := h.e.Session("a2")
	if r1, r2 := h.e.ConferenceRoom(s2, 8600000), h.e.ConferenceRoom(s1, 8600000); r1 != 8600002 || r2 != 8600001 {
		t.Fatalf("rooms a2=%d a1=%d, want 8600002 and 8600001", r1, r2)
	}
	_, err := h.e.Logout(h.ctx, "a1", "")
	must(t, err)
	h.waitState("a1", core.AgentOffline)
	h.login("a1")
	s1, _ = h.e.Session("a1")
	if r := h.e.ConferenceRoom(s1, 8600000); r != 8600001 {
		t.Fatalf("a1 back in room %d, want its first free room 8600001", r)
	}
	if r := h.e.ConferenceRoom(s2, 8600000); r != 8600002 {
		t.Fatalf("a2 moved to room %d", r)
	}
}

// After a call with a lead the agent owes the call a status; a status
// given ends the wait.
func TestDispositionPendingUntilTheCallHasAStatus(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	h.login("a1")
	l := core.Lead{PhoneNumber: "5552001", Campaign: "OUT1", Status: "NEW"}
	must(t, h.e.AddLead(h.ctx, &l, core.AddLeadOptions{}))
	_, err := h.e.Dial(h.ctx, core.DialRequest{Agent: "a1", Phone: l.PhoneNumber, LeadID: l.ID})
	must(t, err)
	c := h.callOf("a1")
	must(t, h.e.Hangup(h.ctx, "a1"))
	h.waitState("a1", core.AgentAvailable)
	s, _ := h.e.Session("a1")
	got, ok := h.e.DispositionPending(h.ctx, s)
	if !ok || got.ID != c.ID {
		t.Fatalf("pending = %v (%d), want call %d", ok, got.ID, c.ID)
	}
	must(t, h.e.SetDisposition(h.ctx, "a1", core.DispositionRequest{Status: "SALE", CallID: c.ID}))
	s, _ = h.e.Session("a1")
	if _, ok := h.e.DispositionPending(h.ctx, s); ok {
		t.Fatal("still pending after a status")
	}
}

// Changing a lead's fields publishes LeadChanged once, and not when the
// values are the same.
func TestUpdateLeadFieldsPublishesRealChanges(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	l := core.Lead{PhoneNumber: "5552002", FirstName: "Ana"}
	must(t, h.e.AddLead(h.ctx, &l, core.AddLeadOptions{}))
	sub, err := h.e.Bus().Subscribe(0, 64)
	must(t, err)
	defer sub.Close()
	changed, err := h.e.UpdateLeadFields(h.ctx, l.ID, map[string]any{"first_name": "Ana"}, "a1")
	if err != nil || changed {
		t.Fatalf("same value: changed %v, %v", changed, err)
	}
	changed, err = h.e.UpdateLeadFields(h.ctx, l.ID, map[string]any{"first_name": "Eva"}, "a1")
	if err != nil || !changed {
		t.Fatalf("new value: changed %v, %v", changed, err)
	}
	var seen []string
	timeout := time.After(5 * time.Second)
	for len(seen) < 1 {
		select {
		case ev := <-sub.C():
			if lc, ok := ev.Data.(core.LeadChanged); ok && lc.Lead.ID == l.ID {
				seen = append(seen, lc.Lead.FirstName)
			}
		case <-timeout:
			t.Fatal("no LeadChanged")
		}
	}
	// The unchanged update came first: had it published, "Ana" would be
	// the first event seen.
	if seen[0] != "Eva" {
		t.Fatalf("first LeadChanged carries %q, want Eva", seen[0])
	}
}

// The activity summary every dialect renders: the last session and pause
// of each active agent, the login time of ended sessions, and its calls.
func TestAgentSummariesFromTheQueueLog(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	from := h.clk.Now().Add(-time.Hour)
	h.login("a1")
	must(t, h.e.Pause(h.ctx, "a1", ""))
	must(t, h.e.Unpause(h.ctx, "a1"))
	h.talk("a1")
	_, err := h.e.Logout(h.ctx, "a1", "")
	must(t, err)
	h.waitState("a1", core.AgentOffline)
	sums, err := h.e.AgentSummaries(h.ctx, from, h.clk.Now().Add(time.Hour))
	must(t, err)
	if len(sums) != 3 {
		t.Fatalf("%d summaries, want one per active agent", len(sums))
	}
	a1 := sums[0]
	if a1.Agent.Username != "a1" || a1.LastLogin == nil || a1.LastLogout == nil || a1.LastPause == nil || a1.LastUnpause == nil {
		t.Fatalf("a1 summary = %+v", a1)
	}
	if len(a1.Calls) != 1 || len(sums[1].Calls) != 0 {
		t.Fatalf("calls: a1 %d, a2 %d; want 1 and 0", len(a1.Calls), len(sums[1].Calls))
	}
}
