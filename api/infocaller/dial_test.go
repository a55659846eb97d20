package infocaller

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/demo"
	"github.com/callgate/callgate/pkg/store/storetest"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

const dialNodes = `[
 {"id":"llamar","type":"call","var":"DESTINO","timeout_sec":20,"next":"sigue","else":"fallo"},
 {"id":"sigue","type":"message","sound":"thanks","next":"fin"},
 {"id":"fallo","type":"message","sound":"sorry","next":"fin"},
 {"id":"fin","type":"end"}]`

// A call node rings the number held in a variable: answered, it reports
// DESVIO_CORRECTO, talks until the called party hangs up and the script
// goes on; busy, it reports DESVIO_FALLIDO and takes the error branch.
func TestCallNodeTransfersToTheNumberInAVariableAndGoesOn(t *testing.T) {
	for _, tc := range []struct {
		name, number, hook, result, next string
		busy                             bool
		events                           string
	}{
		{name: "answered", number: "600222333", hook: "/ok", result: "answered", next: "sigue",
			events: "14:LLAMADA: 2:600222333:0 21:sigue: 1:thanks: 7:fin:"},
		{name: "busy", number: "600222444", hook: "/desvio", result: "failed", next: "fallo", busy: true,
			events: "14:LLAMADA: 2:600222444:1 1:sorry: 7:fin:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, storetest.Open(t, storetest.SQLite))
			core.NewScriptRunner(e.eng)
			rcv := newReceiver(t, func(string) (int, string) { return 200, "OK" })
			setLineURLs(t, e, rcv.srv.URL, func(l *core.Line) { l.TransferOKURL = rcv.srv.URL + "/ok?to=[_NumDesvio]" })
			must(t, e.st.Create(e.ctx, &core.Script{Name: "LLAMADA", Nodes: dialNodes}))
			must(t, e.st.Create(e.ctx, &core.RuleGroup{LineNumber: demo.InfocallerLine, Name: "LLAMADA", Kind: core.RuleGroupEmission, Script: "LLAMADA"}))
			if tc.busy {
				e.pbx.SetBehavior("Local/"+tc.number+"@callgate-outbound", sim.Behavior{Outcome: sim.Busy})
			}
			sub, err := e.eng.Bus().Subscribe(0, 256)
			must(t, err)
			defer sub.Close()
			_, _, body := e.post("apiCALLjson", callJSON(demo.InfocallerLine, firma(demo.InfocallerLine, demo.InfocallerPassword), "600111888", "LLAMADA",
				`"CustVars":{"CustVar":[{"VarName":"DESTINO","VarValue":"`+tc.number+`"}]}`))
			if idcall.FindStringSubmatch(body) == nil {
				t.Fatalf("answer %q", body)
			}
			if !tc.busy {
				leg := awaitLeg(t, sub, "answered")
				must(t, e.pbx.FarHangup(leg.Leg, core.CauseNormal))
			}
			if s := nextStep(t, sub, "llamar"); s.Result != tc.result {
				t.Fatalf("call step %+v", s)
			}
			nextStep(t, sub, tc.next)
			got := rcv.await(tc.hook, "/fin")
			if to := got[tc.hook].query.Get("to"); to != tc.number {
				t.Fatalf("%s to %q", tc.hook, to)
			}
			var evs []string
			for _, ev := range got["/fin"].doc.ApiCall.Status.Events.Event {
				evs = append(evs, ev["EventType"]+":"+ev["EventName"]+":"+ev["EventAddInfo1"])
			}
			if strings.Join(evs, " ") != tc.events {
				t.Fatalf("FIN events %v, want %s", evs, tc.events)
			}
		})
	}
}

func awaitLeg(t *testing.T, sub core.Subscription, status string) core.ScriptLeg {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		select {
		case ev := <-sub.C():
			if p, ok := ev.Data.(core.ScriptLeg); ok && p.Status == status {
				return p
			}
		case <-ctx.Done():
			t.Fatalf("no leg %s", status)
		}
	}
}
