package soap_test

import (
	"context"
	"strings"
	"testing"
	"time"

	gowsdlsoap "github.com/hooklift/gowsdl/soap"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
	"github.com/callgate/callgate/soap/wsdl"
)

// loginAgent, pauseAgent, unpauseAgent and logoutAgent act on the engine
// (the session, its pause code); what the engine refuses is FALSE.
func TestAgentOperationsLogInPauseAndLogOutOnTheEngine(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		e := newEngEnv(t, st)
		steps := []struct {
			op   string
			args []string
			want string
		}{
			{"getAgentLoggedInfo", []string{demoKey, "admin"}, "0"},
			{"loginAgent", []string{demoKey, "admin", "999"}, "false"}, // no such extension
			{"loginAgent", []string{demoKey, "nobody", "803"}, "false"},
			{"loginAgent", []string{demoKey, "admin", "803"}, "true"},
			{"loginAgent", []string{demoKey, "admin", "803"}, "false"}, // already logged in
			{"pauseAgent", []string{demoKey, "admin", "q_ven,ope", "Almuerzo"}, "false"},
			{"pauseAgent", []string{demoKey, "admin", "", "NoSuchPause"}, "false"},
			{"pauseAgent", []string{demoKey, "admin", "q_ven,q_tec", "Almuerzo"}, "true"},
		}
		for _, s := range steps {
			if got := e.ret(e.rpc(s.op, s.args...)); got != s.want {
				t.Fatalf("%s%q answered %q, want %q", s.op, s.args[1:], got, s.want)
			}
		}
		sess, ok := e.eng.Session("admin")
		if !ok || sess.Extension != "SIP/803" || !sess.Paused || sess.PauseCode != "ALMUER" {
			t.Fatalf("session after login+pause: %+v (logged %v)", sess, ok)
		}
		a := e.rpc("getAgentLoggedInfo", demoKey, "admin")
		checkGolden(t, "engine_getAgentLoggedInfo", a.golden())

		// pauseDTMF may also be the pause's code; switching breaks is a pause.
		if got := e.ret(e.rpc("pauseAgent", demoKey, "admin", "", "DESCAN")); got != "true" {
			t.Fatalf("pause by code: %s", got)
		}
		if sess, _ = e.eng.Session("admin"); sess.PauseCode != "DESCAN" {
			t.Fatalf("pause code %q, want DESCAN", sess.PauseCode)
		}
		if got := e.ret(e.rpc("unpauseAgent", demoKey, "admin", "")); got != "true" {
			t.Fatalf("unpause: %s", got)
		}
		if sess, _ = e.eng.Session("admin"); sess.Paused {
			t.Fatal("still paused after unpauseAgent")
		}
		if got := e.ret(e.rpc("unpauseAgent", demoKey, "admin", "")); got != "false" {
			t.Fatalf("unpause of an agent not paused: %s", got)
		}
		if got := e.ret(e.rpc("logoutAgent", demoKey, "admin")); got != "true" {
			t.Fatalf("logout: %s", got)
		}
		if _, ok := e.eng.Session("admin"); ok {
			t.Fatal("still logged in after logoutAgent")
		}
		if got := e.ret(e.rpc("logoutAgent", demoKey, "admin")); got != "false" {
			t.Fatalf("second logout: %s", got)
		}
		if got := e.ret(e.rpc("getAgentLoggedInfo", demoKey, "admin")); got != "0" {
			t.Fatalf("logged info after logout: %s", got)
		}
	})
}

// The user operations answer the document's XML for the demo users, ""
// for unknown ones and -2 for an empty parameter.
func TestUserOperationsAnswerTheDocumentsXML(t *testing.T) {
	e := newEngEnv(t, storetest.Open(t, storetest.SQLite))
	checkGolden(t, "engine_getUserInfo", e.rpc("getUserInfo", demoKey, "ngarcia").golden())
	checkGolden(t, "engine_extensionPbx", e.rpc("extensionPbx", demoKey).golden())
	cases := []struct {
		op   string
		args []string
		want string
	}{
		{"getUserByAgent", []string{demoKey, "118"}, "ngarcia"},
		{"getUserByAgent", []string{demoKey, "12345"}, "admin"},
		{"getUserByAgent", []string{demoKey, "4242"}, ""},
		{"getUserByAgent", []string{demoKey, ""}, "-2"},
		{"getUserInfo", []string{demoKey, "nobody"}, ""},
		{"getUserInfo", []string{demoKey, ""}, "-2"},
		{"getAgentLoggedInfo", []string{demoKey, ""}, "-2"},
	}
	for _, tc := range cases {
		if got := e.ret(e.rpc(tc.op, tc.args...)); got != tc.want {
			t.Errorf("%s%q = %q, want %q", tc.op, tc.args[1:], got, tc.want)
		}
	}
}

// cdrData lists a finished call by uniqueid and by period; recordingPbx
// tells an unknown uniqueid (-1) from a call without recording (0).
func TestCDRDataListsFinishedCalls(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		e := newEngEnv(t, st)
		id := e.ret(e.rpc("originateCall", demoKey, "701", "Juan Perez", "927126666", "Netgate", "20", ""))
		job, err := e.eng.Origination(e.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		c, err := e.eng.Call(e.ctx, job.CallID)
		if err != nil {
			t.Fatal(err)
		}
		e.advance(42 * time.Second)
		if err := e.pbx.FarHangup(c.ChannelID, core.CauseNormal); err != nil {
			t.Fatal(err)
		}
		e.settle()
		byID := e.ret(e.rpc("cdrData", demoKey, c.UniqueID, "", ""))
		byPeriod := e.ret(e.rpc("cdrData", demoKey, "", "2012-04-01", "2012-04-01"))
		if byID != byPeriod {
			t.Fatalf("by uniqueid:\n%s\nby period:\n%s", byID, byPeriod)
		}
		for _, want := range []string{`uniqueid="` + c.UniqueID + `"`, `src="701"`, `dst="927126666"`, `calldate="2012-04-01 00:02:44"`, `billsec="42"`, `disposition="ANSWERED"`} {
			if !strings.Contains(byID, want) {
				t.Fatalf("cdrData lacks %s:\n%s", want, byID)
			}
		}
		if got := e.ret(e.rpc("cdrData", demoKey, "", "2012-04-02 00:00:00", "2012-04-03 00:00:00")); got != "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<cdr>\n</cdr>\n" {
			t.Fatalf("empty period: %q", got)
		}
		custom := e.ret(e.rpc("cdrCustom", demoKey, "2012-04-01 00:00:00", "2012-04-01 23:59:59"))
		for _, want := range []string{`uniqueid="` + c.UniqueID + `" src="701" dnis="927126666"`, `calldate="2012-04-01 00:02:44" duration="42" estado="ANSWERED"`} {
			if !strings.Contains(custom, want) {
				t.Fatalf("cdrCustom lacks %s:\n%s", want, custom)
			}
		}
		checkGolden(t, "engine_cdrData_bad_period", e.rpc("cdrData", demoKey, "", "yesterday", "").golden())
		checkGolden(t, "engine_recordingPbx_unknown", e.rpc("recordingPbx", demoKey, "1333249364.937").golden())
		if got := e.ret(e.rpc("recordingPbx", demoKey, c.UniqueID)); !strings.Contains(got, `status="0"`) {
			t.Fatalf("call without recording: %s", got)
		}
	})
}

// The committed gowsdl client drives the engine through the doc/lit
// binding.
func TestGeneratedClientOriginatesThroughTheEngine(t *testing.T) {
	e := newEngEnv(t, storetest.Open(t, storetest.SQLite))
	client := wsdl.NewApiwsPortType(gowsdlsoap.NewClient(e.srv.URL + "/apiws/2/apiws.php"))
	ctx := context.Background()
	resp, err := client.OriginateCallContext(ctx, &wsdl.OriginateCall{AuthorizedKey: demoKey, Src: "701", Dst: "927126666", Timeout: 20})
	if err != nil {
		t.Fatal(err)
	}
	e.settle()
	if !jobID.MatchString(resp.Return_) {
		t.Fatalf("originatedID %q", resp.Return_)
	}
	st, err := client.OriginateCallStatusContext(ctx, &wsdl.OriginateCallStatus{AuthorizedKey: demoKey, OriginatedID: resp.Return_})
	if err != nil || st.Return_ != 2 {
		t.Fatalf("status %+v %v, want 2", st, err)
	}
	bad, err := client.LoginAgentContext(ctx, &wsdl.LoginAgent{AuthorizedKey: "nope", Agent: "admin", Extension: "803"})
	if err != nil || bad.Return_ {
		t.Fatalf("wrong key login: %+v %v", bad, err)
	}
}

// statusQueues shows the live state: a logged-in, paused agent is
// "busyout" in the agents list and paused with its pause name in each of
// its queues; the others are offline.
func TestStatusQueuesShowsTheLiveState(t *testing.T) {
	e := newEngEnv(t, storetest.Open(t, storetest.SQLite))
	if e.ret(e.rpc("loginAgent", demoKey, "admin", "803")) != "true" || e.ret(e.rpc("pauseAgent", demoKey, "admin", "", "Almuerzo")) != "true" {
		t.Fatal("login or pause refused")
	}
	panel := e.ret(e.rpc("statusQueues", demoKey))
	for _, want := range []string{
		`name="Administrador" status="busyout" warning="0">12345</agent>`,
		`name="Natalia Garcia" status="offline" warning="0">118</agent>`,
		`<queue gname="q_ven" name="Callcenter Ventas">`,
		`<qagent logged="true" paused="true" status="busyout" pausetype="Almuerzo">12345</qagent>`,
		`<qagent logged="false" paused="false" status="offline" pausetype="">118</qagent>`,
	} {
		if !strings.Contains(panel, want) {
			t.Fatalf("panel lacks %s:\n%s", want, panel)
		}
	}
	checkGolden(t, "engine_statusQueues", []byte(panel))
}

// getAgentLogin shows who is logged in at each extension, with the
// agent's queues and pause; an unknown extension is -5, none is -4.
func TestGetAgentLoginDescribesTheExtensions(t *testing.T) {
	e := newEngEnv(t, storetest.Open(t, storetest.SQLite))
	if e.ret(e.rpc("loginAgent", demoKey, "ngarcia", "101")) != "true" || e.ret(e.rpc("pauseAgent", demoKey, "ngarcia", "", "Descanso")) != "true" {
		t.Fatal("login or pause refused")
	}
	checkGolden(t, "engine_getAgentLogin", e.rpc("getAgentLogin", demoKey, "101,102").golden())
	for args, want := range map[string]string{"": "-4", " , ": "-4", "101,999": "-5"} {
		if got := e.ret(e.rpc("getAgentLogin", demoKey, args)); got != want {
			t.Errorf("getAgentLogin(%q) = %q, want %q", args, got, want)
		}
	}
}
