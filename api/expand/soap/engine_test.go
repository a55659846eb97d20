package soap_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

// A wrong key answers -1 in each operation's own type (xsd:string "-1",
// xsd:int -1, xsd:boolean false) and does nothing.
func TestEngineOpsAnswerAWrongKeyWithMinusOneInTheOperationsType(t *testing.T) {
	e := newEngEnv(t, storetest.Open(t, storetest.SQLite))
	cases := []struct {
		op   string
		args []string
	}{
		{"originateCall", []string{"wrong", "701", "Juan Perez", "927126666", "Netgate", "20", "info=01-43-1"}},
		{"originateCallStatus", []string{"wrong", "e68af1aa"}},
		{"originateCallCancel", []string{"wrong", "e68af1aa"}},
		{"extensionPbx", []string{"wrong"}},
		{"loginAgent", []string{"wrong", "admin", "803"}},
		{"logoutAgent", []string{"wrong", "admin"}},
		{"pauseAgent", []string{"wrong", "admin", "", "Almuerzo"}},
		{"unpauseAgent", []string{"wrong", "admin", ""}},
		{"getAgentLoggedInfo", []string{"wrong", "admin"}},
		{"getUserByAgent", []string{"wrong", "118"}},
		{"getUserInfo", []string{"wrong", "ngarcia"}},
		{"cdrData", []string{"wrong", "", "2012-04-01 00:00:00", "2012-04-02 00:00:00"}},
		{"recordingPbx", []string{"wrong", "1333249364.937"}},
		// An empty key is as wrong as any other.
		{"getUserInfo", []string{"", "ngarcia"}},
	}
	for i, tc := range cases {
		a := e.rpc(tc.op, tc.args...)
		if a.Status != http.StatusOK {
			t.Fatalf("%s: HTTP %d %s", tc.op, a.Status, a.Body)
		}
		name := "engine_" + tc.op + "_wrong_key"
		if i == len(cases)-1 {
			name = "engine_" + tc.op + "_empty_key"
		}
		checkGolden(t, name, a.golden())
	}
	if ops := e.pbx.Ops(); len(ops) != 0 {
		t.Fatalf("a refused call reached the PBX: %+v", ops)
	}
	if _, ok := e.eng.Session("admin"); ok {
		t.Fatal("a refused loginAgent logged the agent in")
	}
}

var jobID = regexp.MustCompile(`^[0-9a-f]{8}$`)

// The document's example: 701 is rung, then 927126666; once both answer
// the job is ANSWER (2), the callinfo is on the call, the end is HUNGUP
// (3), and an ended job cannot be canceled (0).
func TestOriginateCallRingsTheSourceThenTheDestination(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		e := newEngEnv(t, st)
		id := e.ret(e.rpc("originateCall", demoKey, "701", "Juan Perez", "927126666", "Netgate", "20", "info=01-43-1,cliente=77"))
		if !jobID.MatchString(id) {
			t.Fatalf("originatedID %q is not 8 hex digits", id)
		}
		if got := e.ret(e.rpc("originateCallStatus", demoKey, id)); got != "2" {
			t.Fatalf("status %s, want 2 ANSWER", got)
		}
		job, err := e.eng.Origination(e.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		c, err := e.eng.Call(e.ctx, job.CallID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(c.Attributes, `"info":"01-43-1"`) || !strings.Contains(c.Attributes, `"cliente":"77"`) {
			t.Fatalf("callinfo not on the call: %s", c.Attributes)
		}
		var rang []string
		for _, op := range e.pbx.Ops() {
			if op.Name == "originate" {
				ch, _ := e.pbx.Channel(op.Target)
				rang = append(rang, ch.Endpoint)
			}
		}
		if len(rang) != 2 || !strings.Contains(rang[0], "701") || !strings.Contains(rang[1], "927126666") {
			t.Fatalf("rang %q, want 701 then 927126666", rang)
		}
		e.advance(30 * time.Second)
		if err := e.pbx.FarHangup(c.ChannelID, core.CauseNormal); err != nil {
			t.Fatal(err)
		}
		e.settle()
		if got := e.ret(e.rpc("originateCallStatus", demoKey, id)); got != "3" {
			t.Fatalf("status after hang-up %s, want 3 HUNGUP", got)
		}
		if got := e.ret(e.rpc("originateCallCancel", demoKey, id)); got != "0" {
			t.Fatalf("cancel of an ended job answered %s, want 0", got)
		}
		// The job's outcome is kept 60 s after the end, then unknown (0).
		e.advance(61 * time.Second)
		if got := e.ret(e.rpc("originateCallStatus", demoKey, id)); got != "0" {
			t.Fatalf("status after the keep time %s, want 0", got)
		}
	})
}

// A job still ringing is RINGING (1) and can be canceled (1); its legs are
// hung up and it reads HUNGUP (3). Unknown ids are 0 for both.
func TestOriginateCallCancelStopsARingingJob(t *testing.T) {
	e := newEngEnv(t, storetest.Open(t, storetest.SQLite))
	e.pbx.SetBehavior("Local/9271*", sim.Behavior{Outcome: sim.NoAnswer})
	id := e.ret(e.rpc("originateCall", demoKey, "701", "", "927126666", "", "30", ""))
	if got := e.ret(e.rpc("originateCallStatus", demoKey, id)); got != "1" {
		t.Fatalf("status %s, want 1 RINGING", got)
	}
	if got := e.ret(e.rpc("originateCallCancel", demoKey, id)); got != "1" {
		t.Fatalf("cancel answered %s, want 1", got)
	}
	if job, _ := e.eng.Origination(e.ctx, id); job.Status != core.OriginCanceled {
		t.Fatalf("job %s after cancel", job.Status)
	}
	if chans, _ := e.pbx.Channels(e.ctx); len(chans) != 0 {
		t.Fatalf("legs still up after cancel: %+v", chans)
	}
	if got := e.ret(e.rpc("originateCallStatus", demoKey, id)); got != "3" {
		t.Fatalf("status after cancel %s, want 3", got)
	}
	if got := e.ret(e.rpc("originateCallStatus", demoKey, "00000000")); got != "0" {
		t.Fatalf("unknown id status %s, want 0", got)
	}
	if got := e.ret(e.rpc("originateCallCancel", demoKey, "00000000")); got != "0" {
		t.Fatalf("unknown id cancel %s, want 0", got)
	}
}

// A destination that is busy and a congested one give 4 and 6.
func TestOriginateCallStatusCodesOfFailedJobs(t *testing.T) {
	cases := []struct {
		name string
		rule sim.Behavior
		want string
	}{
		{"busy", sim.Behavior{Outcome: sim.Busy}, "4"},
		{"no answer", sim.Behavior{Outcome: sim.NoAnswer}, "5"},
		{"congestion", sim.Behavior{Outcome: sim.Congestion}, "6"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEngEnv(t, storetest.Open(t, storetest.SQLite))
			e.pbx.SetBehavior("Local/9271*", tc.rule)
			id := e.ret(e.rpc("originateCall", demoKey, "701", "", "927126666", "", "10", ""))
			e.advance(15 * time.Second)
			if got := e.ret(e.rpc("originateCallStatus", demoKey, id)); got != tc.want {
				t.Fatalf("status %s, want %s", got, tc.want)
			}
		})
	}
}

// A missing destination is the caller's mistake: a Client fault, no job.
func TestOriginateCallWithoutDestinationIsAClientFault(t *testing.T) {
	e := newEngEnv(t, storetest.Open(t, storetest.SQLite))
	a := e.rpc("originateCall", demoKey, "701", "", "", "", "10", "")
	checkGolden(t, "engine_originateCall_no_destination", a.golden())
	if ops := e.pbx.Ops(); len(ops) != 0 {
		t.Fatalf("dialed: %+v", ops)
	}
}
