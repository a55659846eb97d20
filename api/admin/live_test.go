package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

// liveServer provisions through the API itself, then runs a real engine on
// the simulated PBX behind it.
func liveServer(t testing.TB, st core.Store) (*client, *sim.PBX, *core.Engine) {
	t.Helper()
	pbx := sim.New("t1")
	eng := core.New(core.Options{Store: st, Tel: pbx, Logger: slog.New(slog.DiscardHandler)})
	ctx := context.Background()
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = eng.Stop(ctx)
	})
	c := newServer(t, Options{Records: core.NewRecords(st), Engine: eng, Sim: pbx})
	c.must(http.StatusCreated, "POST", "/campaigns", map[string]any{"name": "TESTCAMP"}, nil)
	c.must(http.StatusCreated, "POST", "/queues", map[string]any{"name": "8000", "did": "5558000"}, nil)
	c.must(http.StatusCreated, "POST", "/agents", map[string]any{"username": "1064", "type": "SIP", "extension": "SIP/1064"}, nil)
	c.must(http.StatusCreated, "POST", "/queues/1/members", map[string]any{"agent": "1064"}, nil)
	c.must(http.StatusCreated, "POST", "/pausecodes", map[string]any{"id": 2, "code": "BANO", "name": "Baño"}, nil)
	c.must(http.StatusCreated, "POST", "/pausecodes", map[string]any{"code": "LUNCH"}, nil)
	return c, pbx, eng
}

func TestLiveAgentOperationsThroughTheEngine(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		c, _, _ := liveServer(t, st)
		var s core.AgentSession
		steps := []struct {
			name, path string
			body       any
			want       int
			check      func()
		}{
			{"pause before login", "/agents/1/pause", map[string]any{"code": "LUNCH"}, http.StatusConflict, nil},
			{"login with unknown campaign", "/agents/1/login", map[string]any{"campaign": "NOPE"}, http.StatusBadRequest, nil},
			{"login", "/agents/1/login", map[string]any{"campaign": "TESTCAMP"}, http.StatusOK, func() {
				if s.State != core.AgentAvailable || s.Campaign != "TESTCAMP" {
					t.Fatalf("session %+v", s)
				}
			}},
			{"login twice", "/agents/1/login", nil, http.StatusConflict, nil},
			{"pause by code", "/agents/1/pause", map[string]any{"code": "LUNCH"}, http.StatusOK, func() {
				if !s.Paused || s.PauseCode != "LUNCH" {
					t.Fatalf("session %+v", s)
				}
			}},
			{"unpause", "/agents/1/unpause", nil, http.StatusOK, func() {
				if s.Paused {
					t.Fatalf("still paused %+v", s)
				}
			}},
			{"pause by break id", "/agents/1/pause", map[string]any{"pause_id": 2}, http.StatusOK, func() {
				if !s.Paused || s.PauseID != 2 {
					t.Fatalf("session %+v", s)
				}
			}},
			{"unpause after the break", "/agents/1/unpause", nil, http.StatusOK, nil},
			{"pause with an unknown code", "/agents/1/pause", map[string]any{"code": "NOPE"}, http.StatusBadRequest, nil},
			{"unknown agent", "/agents/99/login", nil, http.StatusNotFound, nil},
		}
		for _, step := range steps {
			code, b := c.do("POST", step.path, step.body)
			if code != step.want {
				t.Fatalf("%s: status %d want %d: %s", step.name, code, step.want, b)
			}
			if step.check != nil {
				s = core.AgentSession{}
				if err := json.Unmarshal(b, &s); err != nil {
					t.Fatalf("%s: %s", step.name, b)
				}
				step.check()
			}
		}
		var sessions []core.AgentSession
		c.must(http.StatusOK, "GET", "/sessions", nil, &sessions)
		if len(sessions) != 1 {
			t.Fatalf("sessions %+v", sessions)
		}
		if code, _ := c.do("DELETE", "/agents/1", nil); code != http.StatusConflict {
			t.Fatalf("deleting a logged-in agent: %d", code)
		}
		var out logoutResult
		c.must(http.StatusOK, "POST", "/agents/1/logout", map[string]any{"reason": "end of shift"}, &out)
		if !out.OK || out.Deferred {
			t.Fatalf("logout %+v", out)
		}
		if code, _ := c.do("GET", "/agents/1/session", nil); code != http.StatusNotFound {
			t.Fatalf("session after logout: %d", code)
		}
	})
}

func TestSimulatorDrivesACallToAnAgent(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	c, pbx, eng := liveServer(t, st)
	c.must(http.StatusOK, "POST", "/agents/1/login", nil, nil)

	var ch simChannel
	c.must(http.StatusCreated, "POST", "/sim/inbound", map[string]any{"caller_id": "5551234", "did": "5558000"}, &ch)
	if ch.ID == "" || ch.Dialed != "5558000" {
		t.Fatalf("channel %+v", ch)
	}
	waitUntil(t, func() bool { c, ok := eng.AgentCall("1064"); return ok && c.State == core.CallConnected })
	call, _ := eng.AgentCall("1064")

	var active []core.Call
	c.must(http.StatusOK, "GET", "/calls/active", nil, &active)
	if len(active) != 1 || active[0].ID != call.ID {
		t.Fatalf("active calls %+v", active)
	}
	c.must(http.StatusOK, "POST", "/sim/channels/"+ch.ID+"/dtmf", map[string]any{"digits": "12#"}, nil)
	if code, b := c.do("POST", "/sim/channels/"+ch.ID+"/dtmf", map[string]any{"digits": "x"}); code != http.StatusConflict {
		t.Fatalf("bad digit: %d %s", code, b)
	}
	var got simChannel
	c.must(http.StatusOK, "GET", "/sim/channels/"+ch.ID, nil, &got)
	if got.State != sim.StateUp || got.Bridge == "" {
		t.Fatalf("customer channel %+v", got)
	}
	if code, _ := c.do("POST", "/sim/channels/nope/hangup", nil); code != http.StatusNotFound {
		t.Fatalf("unknown channel hangup: %d", code)
	}
	c.must(http.StatusOK, "POST", fmt.Sprintf("/calls/%d/hangup", call.ID), nil, nil)
	waitUntil(t, func() bool { _, ok := eng.AgentCall("1064"); return !ok })
	var stored core.Call
	c.must(http.StatusOK, "GET", fmt.Sprintf("/calls/%d", call.ID), nil, &stored)
	if stored.State != core.CallDone || stored.Agent != "1064" {
		t.Fatalf("stored call %+v", stored)
	}
	var ql []core.QueueLogEntry
	c.must(http.StatusOK, "GET", fmt.Sprintf("/queuelog?call_id=%d", call.ID), nil, &ql)
	events := map[string]bool{}
	for _, e := range ql {
		events[e.Event] = true
	}
	for _, want := range []string{core.QLEnterQueue, core.QLConnect} {
		if !events[want] {
			t.Errorf("queue log lacks %s: %+v", want, ql)
		}
	}
	if code, _ := c.do("POST", fmt.Sprintf("/calls/%d/hangup", call.ID), nil); code != http.StatusNotFound {
		t.Fatalf("hangup of an ended call: %d", code)
	}

	// Manual dial: the agent's phone, then the customer (the simulator
	// answers both at once by default).
	var dialed core.Call
	c.must(http.StatusCreated, "POST", "/calls", map[string]any{"agent": "1064", "phone": "7275551212", "campaign": "TESTCAMP"}, &dialed)
	if dialed.Phone == "" || dialed.Agent != "1064" {
		t.Fatalf("dialed call %+v", dialed)
	}
	waitUntil(t, func() bool { c, ok := eng.AgentCall("1064"); return ok && c.State == core.CallConnected })
	if code, b := c.do("POST", "/calls", map[string]any{"agent": "1064", "phone": "7275551213"}); code != http.StatusConflict {
		t.Fatalf("dial while busy: %d %s", code, b)
	}
	if code, _ := c.do("POST", "/calls", map[string]any{"agent": "1064"}); code != http.StatusBadRequest {
		t.Fatalf("dial without phone: %d", code)
	}
	c.must(http.StatusOK, "POST", fmt.Sprintf("/calls/%d/hangup", dialed.ID), nil, nil)

	c.must(http.StatusOK, "PUT", "/sim/behavior", map[string]any{"endpoint": "SIP/*", "outcome": "busy"}, nil)
	if code, _ := c.do("PUT", "/sim/behavior", map[string]any{"endpoint": "SIP/*", "outcome": "maybe"}); code != http.StatusBadRequest {
		t.Fatalf("bad outcome: %d", code)
	}
	_ = pbx
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
