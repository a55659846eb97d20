package core_test

import (
	"testing"
	"time"

	"github.com/callgate/callgate/core"
)

// A manual dial queued while the agent was busy is still queued after a
// restart, in its place, and is placed once the agent is free.
func TestRestartKeepsDialsQueuedForABusyAgent(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	h.login("a1")
	for _, n := range []string{"5551001", "5551002", "5551003"} {
		if !h.e.ReserveDial("a1", n) {
			t.Fatalf("%s refused", n)
		}
		if _, err := h.e.DialWhenFree(h.ctx, core.DialRequest{Agent: "a1", Phone: n}); err != nil {
			t.Fatalf("dial %s: %v", n, err)
		}
	}
	c := h.callOf("a1")

	h.restart(nil)

	if got := h.e.PendingDials("a1"); len(got) != 2 || got[0] != "5551002" || got[1] != "5551003" {
		t.Fatalf("pending after restart = %v, want [5551002 5551003]", got)
	}
	if h.e.ReserveDial("a1", "5551002") {
		t.Fatal("a number queued before the restart was accepted again")
	}
	sub, err := h.e.Bus().Subscribe(0, 1024)
	must(t, err)
	defer sub.Close()
	must(t, h.e.HangupCall(h.ctx, c.ID, core.CauseNormal))
	placed := func() bool {
		h.settle()
		c, ok := h.e.AgentCall("a1")
		return ok && c.Phone == "5551002"
	}
	for timeout := time.After(30 * time.Second); !placed(); {
		select {
		case <-sub.C():
		case <-timeout:
			t.Fatal("queued number not dialled after the restart")
		}
	}
	var rows []core.PendingDial
	must(t, h.st.Find(h.ctx, &rows, core.All.Asc("id")))
	if len(rows) != 1 || rows[0].Phone != "5551003" {
		t.Fatalf("stored pending dials = %+v, want only 5551003", rows)
	}
}

// Conference rooms given before a restart stay with their sessions, even
// where allocating them again in login order would move them.
func TestRestartKeepsConferenceRooms(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	h.login("a1", "a2", "a3")
	want := map[string]int{}
	for _, u := range []string{"a1", "a2", "a3"} {
		s, _ := h.e.Session(u)
		want[u] = h.e.ConferenceRoom(s, 8600000)
	}
	_, err := h.e.Logout(h.ctx, "a1", "")
	must(t, err)
	h.waitState("a1", core.AgentOffline)

	h.restart(nil)

	for _, u := range []string{"a3", "a2"} {
		s, _ := h.e.Session(u)
		if got := h.e.ConferenceRoom(s, 8600000); got != want[u] {
			t.Errorf("%s in room %d after the restart, was %d", u, got, want[u])
		}
	}
	h.login("a1")
	s, _ := h.e.Session("a1")
	if got := h.e.ConferenceRoom(s, 8600000); got != want["a1"] {
		t.Errorf("a1 logged in again gets room %d, want the free %d", got, want["a1"])
	}
}

// An agent value belongs to one login: it survives a restart and reads as
// unset once the agent logs in again.
func TestAgentValuesSurviveARestartButNotANewLogin(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	h.login("a1")
	s, _ := h.e.Session("a1")
	vals := h.e.AgentValues()
	must(t, vals.Set(h.ctx, "a1", s.ID, "console.recording", "42"))
	prev, had, err := vals.Swap(h.ctx, "a1", s.ID, "console.fields", "x")
	if err != nil || had || prev != "" {
		t.Fatalf("first swap = %q %v %v", prev, had, err)
	}

	h.restart(nil)

	s2, _ := h.e.Session("a1")
	if s2.ID != s.ID {
		t.Fatalf("session %d after restart, was %d", s2.ID, s.ID)
	}
	vals = h.e.AgentValues()
	if v, ok, err := vals.Get(h.ctx, "a1", s.ID, "console.recording"); err != nil || !ok || v != "42" {
		t.Fatalf("after restart = %q %v %v", v, ok, err)
	}
	if prev, had, err := vals.Swap(h.ctx, "a1", s.ID, "console.fields", "x"); err != nil || !had || prev != "x" {
		t.Fatalf("swap after restart = %q %v %v", prev, had, err)
	}
	_, err = h.e.Logout(h.ctx, "a1", "")
	must(t, err)
	h.waitState("a1", core.AgentOffline)
	h.login("a1")
	s3, _ := h.e.Session("a1")
	if _, ok, _ := vals.Get(h.ctx, "a1", s3.ID, "console.recording"); ok {
		t.Fatal("a value of the last login is read by the new one")
	}
}
