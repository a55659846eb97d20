package soap_test

import (
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// queueData reads the queue log: a login, a queue call rung, connected and
// completed by the caller after 116 s, a pause with its reason and the
// unpause, as the document's example.
func TestQueueDataListsTheQueueActivity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		e := newEngEnv(t, st)
		if err := st.Create(e.ctx, &core.Route{DID: "5557000", Queue: "q_tec"}); err != nil {
			t.Fatal(err)
		}
		if err := e.eng.Reload(e.ctx); err != nil {
			t.Fatal(err)
		}
		if e.ret(e.rpc("loginAgent", demoKey, "ngarcia", "101")) != "true" {
			t.Fatal("login refused")
		}
		e.pbx.InjectInbound("099123456", "5557000")
		e.advance(5 * time.Second)
		call, ok := e.eng.AgentCall("ngarcia")
		if !ok {
			t.Fatal("the queue call did not reach the agent")
		}
		e.advance(111 * time.Second)
		if err := e.pbx.FarHangup(call.ChannelID, core.CauseNormal); err != nil {
			t.Fatal(err)
		}
		e.advance(30 * time.Second)
		if e.ret(e.rpc("pauseAgent", demoKey, "ngarcia", "", "Almuerzo")) != "true" {
			t.Fatal("pause refused")
		}
		e.advance(60 * time.Second)
		if e.ret(e.rpc("unpauseAgent", demoKey, "ngarcia", "")) != "true" {
			t.Fatal("unpause refused")
		}
		got := e.ret(e.rpc("queueData", "q_tec", "", "2012-04-01 00:00:00", "2012-04-01 23:59:59"))
		for _, want := range []string{
			`action="LOGIN" callerid="" agent="118"`,
			`uniqueid="` + call.UniqueID + `" action="ENTERQUEUE" callerid="099123456"`,
			`action="RINGING" callerid="" agent="118"`,
			`action="CONNECT" callerid="" agent="118" waitsec="`,
			`action="COMPLETECALLER" callerid="" agent="118" waitsec="" talksec="116"`,
			`uniqueid="NONE" action="PAUSE" callerid="" agent="118" waitsec="" talksec="" dest="" cause="Almuerzo"`,
			`action="UNPAUSE"`,
		} {
			if !strings.Contains(got, want) {
				t.Fatalf("queueData lacks %s:\n%s", want, got)
			}
		}
		if st.Dialect() == storetest.SQLite {
			checkGolden(t, "engine_queueData", e.rpc("queueData", "q_tec", "", "2012-04-01 00:00:00", "2012-04-01 23:59:59").golden())
		}
		if one := e.ret(e.rpc("queueData", "q_tec", "118", "2012-04-01 00:00:00", "2012-04-01 23:59:59")); strings.Contains(one, "ENTERQUEUE") || !strings.Contains(one, "COMPLETECALLER") {
			t.Fatalf("agent 118's activity:\n%s", one)
		}
		if none := e.ret(e.rpc("queueData", "q_ven", "", "2012-04-01 00:00:00", "2012-04-01 23:59:59")); strings.Contains(none, "<activity") {
			t.Fatalf("q_ven has no activity:\n%s", none)
		}
		ad := e.ret(e.rpc("agentData", "q_tec", "2012-04-01 00:00:00", "2012-04-01 23:59:59"))
		for _, want := range []string{`agente="(118) Natalia Garcia"`, `pausado="00h 01' 00''" pausadoSeg="60"`,
			`promedio="00h 01' 56''" promedioSeg="116"`, `hablado="00h 01' 56''" habladoSeg="116"`,
			`atendidas="1" perdidas="0" presentadas="1"`} {
			if !strings.Contains(ad, want) {
				t.Fatalf("agentData lacks %s:\n%s", want, ad)
			}
		}
		if st.Dialect() == storetest.SQLite {
			checkGolden(t, "engine_agentData", []byte(ad))
		}
		if a := e.rpc("queueData", "q_tec", "", "ayer", "hoy"); a.Status != 500 || !strings.Contains(string(a.Body), "SOAP-ENV:Client") {
			t.Fatalf("bad dates: %d %s", a.Status, a.Body)
		}
	})
}

// getAgentTimes sums the sessions and pauses of the queue log: 200 s
// logged in, 60 s of them paused; the document's error codes otherwise.
func TestGetAgentTimesSumsSessionsAndPauses(t *testing.T) {
	e := newEngEnv(t, storetest.Open(t, storetest.SQLite))
	if e.ret(e.rpc("loginAgent", demoKey, "ngarcia", "101")) != "true" {
		t.Fatal("login refused")
	}
	e.advance(100 * time.Second)
	if e.ret(e.rpc("pauseAgent", demoKey, "ngarcia", "", "Almuerzo")) != "true" {
		t.Fatal("pause refused")
	}
	e.advance(60 * time.Second)
	if e.ret(e.rpc("unpauseAgent", demoKey, "ngarcia", "")) != "true" {
		t.Fatal("unpause refused")
	}
	e.advance(40 * time.Second)
	if e.ret(e.rpc("logoutAgent", demoKey, "ngarcia")) != "true" {
		t.Fatal("logout refused")
	}
	day := []string{"2012-04-01 00:00:00", "2012-04-01 23:59:59"}
	checkGolden(t, "engine_getAgentTimes", e.rpc("getAgentTimes", demoKey, day[0], day[1], "", "").golden())
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"ayer", day[1], "", ""}, "-4"},
		{[]string{day[0], "hoy", "", ""}, "-5"},
		{[]string{day[0], day[1], "", "q_nada"}, "-6"},
		{[]string{day[0], day[1], "nadie", ""}, "-7"},
		{[]string{day[1], day[0], "", ""}, "-8"},
		{[]string{"2013-01-01 00:00:00", "2013-01-02 00:00:00", "", ""}, "-9"},
		{[]string{day[0], day[1], "admin", ""}, "-10"},
		{[]string{day[0], day[1], "", "q_ven"}, "-10"},
	}
	for _, tc := range cases {
		if got := e.ret(e.rpc("getAgentTimes", append([]string{demoKey}, tc.args...)...)); got != tc.want {
			t.Errorf("getAgentTimes%q = %q, want %q", tc.args, got, tc.want)
		}
	}
	if got := e.ret(e.rpc("getAgentTimes", demoKey, day[0], day[1], "ngarcia", "tecnologia")); !strings.Contains(got, `user="ngarcia" name="Natalia Garcia" loged="200" paused="60"`) {
		t.Fatalf("filtered: %s", got)
	}
}

// agentSessionDetail rebuilds the session and its pause from the queue
// log, per queue of the agent.
func TestAgentSessionDetailShowsSessionsWithTheirPauses(t *testing.T) {
	e := newEngEnv(t, storetest.Open(t, storetest.SQLite))
	if e.ret(e.rpc("loginAgent", demoKey, "ngarcia", "101")) != "true" {
		t.Fatal("login refused")
	}
	e.advance(100 * time.Second)
	if e.ret(e.rpc("pauseAgent", demoKey, "ngarcia", "", "Almuerzo")) != "true" {
		t.Fatal("pause refused")
	}
	e.advance(60 * time.Second)
	if e.ret(e.rpc("unpauseAgent", demoKey, "ngarcia", "")) != "true" {
		t.Fatal("unpause refused")
	}
	e.advance(40 * time.Second)
	if e.ret(e.rpc("logoutAgent", demoKey, "ngarcia")) != "true" {
		t.Fatal("logout refused")
	}
	day := []string{"2012-04-01 00:00:00", "2012-04-01 23:59:59"}
	checkGolden(t, "engine_agentSessionDetail", e.rpc("agentSessionDetail", demoKey, day[0], day[1], "ngarcia", "q_tec").golden())
	got := e.ret(e.rpc("agentSessionDetail", demoKey, day[0], day[1], "", ""))
	for _, want := range []string{
		`<agent userID="ngarcia" agentID="118">`,
		`<queue queuename="tecnologia" logged="200" paused="60">`,
		`<pause type="Almuerzo" duration="60"/>`,
		`<session start="2012-04-01 00:02:44" end="2012-04-01 00:06:04" duration="200">`,
		`<pause type="Almuerzo" start="2012-04-01 00:04:24" end="2012-04-01 00:05:24" duration="60"/>`,
	} {
		if !strings.Contains(got, want) {
			t.Fatalf("agentSessionDetail lacks %s:\n%s", want, got)
		}
	}
	cases := map[[4]string]string{
		{"ayer", day[1], "", ""}:       "-3",
		{day[0], "hoy", "", ""}:        "-4",
		{day[0], day[1], "", "q_nada"}: "-5",
		{day[0], day[1], "nadie", ""}:  "-6",
	}
	for args, want := range cases {
		if got := e.ret(e.rpc("agentSessionDetail", demoKey, args[0], args[1], args[2], args[3])); got != want {
			t.Errorf("agentSessionDetail%q = %q, want %q", args, got, want)
		}
	}
}
