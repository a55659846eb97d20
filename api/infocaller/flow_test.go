package infocaller

import (
	"context"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/core/clocktest"
	"github.com/callgate/callgate/pkg/demo"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// nextStep waits for the script step of node on the bus (bounded, not a
// sleep: it returns as soon as the step is published).
func nextStep(t *testing.T, sub core.Subscription, node string) core.ScriptStep {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		select {
		case ev := <-sub.C():
			if s, ok := ev.Data.(core.ScriptStep); ok && s.Node == node {
				return s
			}
		case <-ctx.Done():
			t.Fatalf("no script step %s", node)
		}
	}
}

// The emission API places the call; answered, the demo's EMISION script
// plays its message, takes "1" at the menu and transfers the call to
// queue 8000, where it waits for an agent.
func TestEmissionCallRunsTheMenuAndTransfersToQueue8000(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		e := newEnv(t, st)
		core.NewScriptRunner(e.eng)
		sub, err := e.eng.Bus().Subscribe(0, 256)
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		_, _, body := e.post("apiCALLjson", callJSON(demo.InfocallerLine, firma(demo.InfocallerLine, demo.InfocallerPassword), "600111222", "EMISION"))
		m := idcall.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("answer %q", body)
		}
		job := answeredJob(t, e, sub, m[1])
		if s := nextStep(t, sub, "hola"); s.Type != core.NodeMessage || s.Result != "" {
			t.Fatalf("message step %+v", s)
		}
		c, err := e.eng.Call(e.ctx, job.CallID)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.pbx.InjectDTMF(c.ChannelID, "1"); err != nil {
			t.Fatal(err)
		}
		if s := nextStep(t, sub, "menu"); s.Result != "1" {
			t.Fatalf("menu step %+v", s)
		}
		if s := nextStep(t, sub, "agente"); s.Type != core.NodeTransfer || s.Result != "8000" {
			t.Fatalf("transfer step %+v", s)
		}
		waiting := e.eng.Waiting("8000")
		if len(waiting) != 1 || waiting[0].ID != job.CallID || waiting[0].State != core.CallQueued {
			t.Fatalf("queue 8000 holds %+v", waiting)
		}
	})
}

const pinNodes = `[
 {"id":"pin","type":"input","var":"PIN","max_digits":4,"terminator":"#","timeout_sec":5,"next":"check"},
 {"id":"check","type":"condition","var":"PIN","op":"eq","value":"12","then":"ok","else":"bad"},
 {"id":"ok","type":"goto","next":"cola"},
 {"id":"cola","type":"transfer","queue":"8001"},
 {"id":"bad","type":"end"}
]`

// Keypad entry ends at the terminator; the condition picks the branch by
// the variable; a wrong PIN ends the call.
func TestScriptKeypadEntryAndConditionPickTheBranch(t *testing.T) {
	for _, tc := range []struct {
		keys, want string
	}{{"12#", "cola"}, {"9#", "bad"}} {
		t.Run(tc.keys, func(t *testing.T) {
			e := newEnv(t, storetest.Open(t, storetest.SQLite))
			core.NewScriptRunner(e.eng)
			must := func(err error) {
				if err != nil {
					t.Fatal(err)
				}
			}
			must(e.st.Create(e.ctx, &core.Script{Name: "PIN", Nodes: pinNodes}))
			must(e.st.Create(e.ctx, &core.RuleGroup{LineNumber: demo.InfocallerLine, Name: "PIN", Kind: core.RuleGroupEmission, Script: "PIN"}))
			sub, err := e.eng.Bus().Subscribe(0, 256)
			must(err)
			defer sub.Close()
			_, _, body := e.post("apiCALLjson", callJSON(demo.InfocallerLine, firma(demo.InfocallerLine, demo.InfocallerPassword), "600111333", "PIN"))
			m := idcall.FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("answer %q", body)
			}
			job := answeredJob(t, e, sub, m[1])
			c, err := e.eng.Call(e.ctx, job.CallID)
			must(err)
			must(e.pbx.InjectDTMF(c.ChannelID, tc.keys))
			if s := nextStep(t, sub, "pin"); s.Result != tc.keys[:len(tc.keys)-1] {
				t.Fatalf("input step %+v", s)
			}
			if tc.want == "bad" {
				endAndStep(t, sub, job.CallID, "bad")
				return
			}
			s := nextStep(t, sub, tc.want)
			switch tc.want {
			case "cola":
				if w := e.eng.Waiting("8001"); s.Result != "8001" || len(w) != 1 || w[0].ID != job.CallID {
					t.Fatalf("step %+v, queue 8001 %+v", s, w)
				}
			}
		})
	}
}

// answeredJob waits for the job's call to be answered and its script to
// have started (the runner listens for digits from then on).
func answeredJob(t *testing.T, e *env, sub core.Subscription, id string) core.OriginationJob {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	started := map[uint64]bool{}
	for {
		job, err := e.eng.Origination(e.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if job.Status == core.OriginAnswered && started[job.CallID] {
			return job
		}
		select {
		case ev := <-sub.C():
			if p, ok := ev.Data.(core.ScriptStarted); ok {
				started[p.Call.ID] = true
			}
		case <-ctx.Done():
			t.Fatalf("job %s not answered or its script not started: %s", id, job.Status)
		}
	}
}

// With no key pressed, the menu times out on the engine's clock and takes
// its default branch: the goodbye message and the end of the call.
func TestScriptMenuTimesOutOnTheClockAndTakesTheDefault(t *testing.T) {
	clk := clocktest.New(testNow)
	e := newEnvClock(t, storetest.Open(t, storetest.SQLite), clk)
	core.NewScriptRunner(e.eng)
	if err := e.st.Create(e.ctx, &core.Script{Name: "T", Nodes: `[
 {"id":"menu","type":"menu","sound":"press-1","options":{"1":"cola"},"default":"adios","timeout_sec":7},
 {"id":"cola","type":"transfer","queue":"8000"},
 {"id":"adios","type":"message","sound":"goodbye","next":"fin"},
 {"id":"fin","type":"end"}]`}); err != nil {
		t.Fatal(err)
	}
	if err := e.st.Create(e.ctx, &core.RuleGroup{LineNumber: demo.InfocallerLine, Name: "T", Kind: core.RuleGroupEmission, Script: "T"}); err != nil {
		t.Fatal(err)
	}
	sub, err := e.eng.Bus().Subscribe(0, 256)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	_, _, body := e.post("apiCALLjson", callJSON(demo.InfocallerLine, firma(demo.InfocallerLine, demo.InfocallerPassword), "600111444", "T"))
	m := idcall.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("answer %q", body)
	}
	job := answeredJob(t, e, sub, m[1])
	// Wait until the menu's 7 s timer is the next one due, then pass it.
	for {
		if d, ok := clk.NextIn(); ok && d == 7*time.Second {
			break
		}
		clk.BlockUntil(clk.Pending() + 1)
	}
	clk.Advance(7 * time.Second)
	if s := nextStep(t, sub, "menu"); s.Result != "timeout" {
		t.Fatalf("menu step %+v", s)
	}
	endAndStep(t, sub, job.CallID, "fin")
}

// endAndStep waits, in either order, for the call's end on the bus (the
// PBX reports the hangup the end node asked for) and the node's step.
func endAndStep(t *testing.T, sub core.Subscription, id uint64, node string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ended, stepped := false, false
	for !ended || !stepped {
		select {
		case ev := <-sub.C():
			switch p := ev.Data.(type) {
			case core.CallEnded:
				ended = ended || p.Call.ID == id
			case core.ScriptStep:
				stepped = stepped || p.Node == node
			}
		case <-ctx.Done():
			t.Fatalf("call %d ended %v, step %s %v", id, ended, node, stepped)
		}
	}
}
