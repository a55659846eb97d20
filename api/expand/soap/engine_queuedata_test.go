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
		if a := e.rpc("queueData", "q_tec", "", "ayer", "hoy"); a.Status != 500 || !strings.Contains(string(a.Body), "SOAP-ENV:Client") {
			t.Fatalf("bad dates: %d %s", a.Status, a.Body)
		}
	})
}
