package infocaller

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/demo"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// inboundRules: hidden callers are rejected, 600* in the test's hour of
// its weekday hear the VIP script, 700* are answered and hung up; anyone
// else runs the group's own script (the demo's NORMAL: queue 8000).
func inboundRules() string {
	now := testNow.Local()
	day := int(now.Weekday())
	if day == 0 {
		day = 7
	}
	from, to := now.Add(-time.Hour).Format("15:04"), now.Add(time.Hour).Format("15:04")
	return fmt.Sprintf(`[{"callers":["X"],"action":"reject"},
 {"callers":["600*"],"days":[%d],"from":%q,"to":%q,"action":"script","script":"VIP"},
 {"callers":["601*"],"days":[%d],"action":"script","script":"VIP"},
 {"callers":["700*"],"action":"end"}]`, day, from, to, day%7+1)
}

// Calls to the line's main or additional number are judged by the active
// inbound rule group before they are answered.
func TestInboundCallsFollowTheActiveRuleGroup(t *testing.T) {
	cases := []struct {
		name, caller, dialed string
		rejected, ended      bool
		script, firstNode    string
	}{
		{name: "hidden caller rejected", caller: "", dialed: demo.InfocallerLine, rejected: true},
		{name: "prefix, day and hour run VIP", caller: "600111222", dialed: demo.InfocallerLine, script: "VIP", firstNode: "vip"},
		{name: "another day falls back to the group's script", caller: "601111222", dialed: demo.InfocallerLine, script: "NORMAL", firstNode: "hola"},
		{name: "end rule answers and hangs up", caller: "700111222", dialed: demo.InfocallerLine, ended: true},
		{name: "other callers run the group's script", caller: "911222333", dialed: demo.InfocallerLine, script: "NORMAL", firstNode: "hola"},
		{name: "additional number reaches the line", caller: "911222333", dialed: "912000000", script: "NORMAL", firstNode: "hola"},
	}
	storetest.Each(t, func(t *testing.T, st core.Store) {
		e := newEnv(t, st)
		core.NewScriptRunner(e.eng)
		rcv := newReceiver(t, func(string) (int, string) { return 200, "OK" })
		setLineURLs(t, e, rcv.srv.URL, func(l *core.Line) { l.AdditionalNumbers = "912000000, 912000001" })
		var g core.RuleGroup
		must(t, st.First(e.ctx, &g, core.Eq("line_number", demo.InfocallerLine).Eq("name", "NORMAL")))
		g.Rules = inboundRules()
		must(t, st.Save(e.ctx, &g))
		must(t, st.Create(e.ctx, &core.Script{Name: "VIP", Nodes: `[{"id":"vip","type":"transfer","queue":"8001"}]`}))
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				sub, err := e.eng.Bus().Subscribe(0, 256)
				must(t, err)
				defer sub.Close()
				mark := e.pbx.Mark()
				ch := e.pbx.InjectInbound(tc.caller, tc.dialed)
				ctx, cancel := context.WithTimeout(e.ctx, 10*time.Second)
				defer cancel()
				if tc.rejected || tc.ended {
					ev, err := e.pbx.WaitEventAfter(ctx, mark, func(ev core.TelEvent) bool { return ev.Type == core.TelHangup && ev.ChannelID == ch })
					must(t, err)
					answered := false
					for _, x := range e.pbx.Events()[mark:] {
						answered = answered || (x.Type == core.TelAnswered && x.ChannelID == ch)
					}
					if tc.rejected && (ev.Cause != core.CauseRejected || answered) {
						t.Fatalf("hangup %+v, answered %v", ev, answered)
					}
					if tc.ended && !answered {
						t.Fatal("an end rule answers before it hangs up")
					}
					return
				}
				started := awaitStarted(t, sub, ch)
				if started.Script != tc.script || started.Call.DID != tc.dialed || started.Call.Direction != core.CallInbound {
					t.Fatalf("started %+v", started)
				}
				nextStep(t, sub, tc.firstNode)
				inicio := rcv.await("/inicio")["/inicio"]
				in := inicio.doc.ApiCall.Infocaller
				if in["CallType"] != "R" || in["CallerNumber"] != tc.caller || in["InboundNumber"] != tc.dialed || in["InboundNumberInt"] != "34"+tc.dialed {
					t.Fatalf("INICIO Infocaller %v", in)
				}
				if q := inicio.query; q.Get("caller") != tc.caller || q.Get("called") != tc.dialed {
					t.Fatalf("INICIO URL %v", q)
				}
				must(t, e.eng.HangupCall(e.ctx, started.Call.ID, core.CauseNormal))
				rcv.await("/fin")
			})
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// awaitStarted waits for the script start of the call on channel ch.
func awaitStarted(t *testing.T, sub core.Subscription, ch string) core.ScriptStarted {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		select {
		case ev := <-sub.C():
			if p, ok := ev.Data.(core.ScriptStarted); ok && p.Call.ChannelID == ch {
				return p
			}
		case <-ctx.Done():
			t.Fatalf("no script started on %s", ch)
		}
	}
}

// The engine keeps the lines' numbers in memory: a number given to a line
// after calls were routed (the set already read) reaches the line at once.
func TestNumberAddedToALineReachesItOnTheNextCall(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		e := newEnv(t, st)
		core.NewScriptRunner(e.eng)
		rcv := newReceiver(t, func(string) (int, string) { return 200, "OK" })
		setLineURLs(t, e, rcv.srv.URL, nil)
		call := func(dialed string) {
			t.Helper()
			sub, err := e.eng.Bus().Subscribe(0, 256)
			must(t, err)
			defer sub.Close()
			ch := e.pbx.InjectInbound("911222333", dialed)
			started := awaitStarted(t, sub, ch)
			if started.Script != "NORMAL" || started.Call.DID != dialed {
				t.Fatalf("call to %s started %+v", dialed, started)
			}
			must(t, e.eng.HangupCall(e.ctx, started.Call.ID, core.CauseNormal))
			rcv.await("/fin")
		}
		call(demo.InfocallerLine)
		var line core.Line
		must(t, st.First(e.ctx, &line, core.Eq("number", demo.InfocallerLine)))
		line.AdditionalNumbers = "913000000"
		must(t, st.Save(e.ctx, &line))
		call("913000000")
	})
}
