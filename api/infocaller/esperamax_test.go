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

// EsperaMax: with the line's one simultaneous call taken, a request waits
// for the line (rechecked on the engine's clock) and is placed once it is
// free; one that waits longer than its EsperaMax fails (cause 34); one
// that will not wait (EsperaMax 0) is refused with 14.
func TestEsperaMaxWaitsForAFreeLineThenGivesUp(t *testing.T) {
	clk := clocktest.New(testNow)
	e := newEnvClock(t, storetest.Open(t, storetest.SQLite), clk)
	core.NewScriptRunner(e.eng)
	var line core.Line
	must(t, e.st.First(e.ctx, &line, core.Eq("number", demo.InfocallerLine)))
	line.Capacity = 1
	must(t, e.st.Save(e.ctx, &line))
	must(t, e.st.Create(e.ctx, &core.Script{Name: "ESPERA", Nodes: `[
 {"id":"i","type":"input","var":"X","max_digits":1,"timeout_sec":3600,"next":"f"},{"id":"f","type":"end"}]`}))
	must(t, e.st.Create(e.ctx, &core.RuleGroup{LineNumber: demo.InfocallerLine, Name: "ESPERA", Kind: core.RuleGroupEmission, Script: "ESPERA"}))
	sub, err := e.eng.Bus().Subscribe(0, 1024)
	must(t, err)
	defer sub.Close()
	place := func(phone, wait string) string {
		t.Helper()
		_, _, body := e.post("apiCALLjson", callJSON(demo.InfocallerLine, firma(demo.InfocallerLine, demo.InfocallerPassword), phone, "ESPERA", `"EsperaMax":"`+wait+`"`))
		m := idcall.FindStringSubmatch(body)
		if m == nil {
			if body != jsonAnswer("14", "Excedido número máximo de emisión de llamadas. Contactar con Atención al Cliente.") {
				t.Fatalf("answer %q", body)
			}
			return ""
		}
		return m[1]
	}
	a := answeredJob(t, e, sub, place("600000001", "1"))
	b := place("600000002", "1")
	if job, _ := e.eng.Origination(e.ctx, b); job.Status != core.OriginScheduled {
		t.Fatalf("waiting job %+v", job)
	}
	if place("600000003", "0") != "" {
		t.Fatal("a request that will not wait was accepted at capacity")
	}
	must(t, e.eng.HangupCall(e.ctx, a.CallID, core.CauseNormal))
	awaitJobEnd(t, sub, a.JobID)
	clk.Advance(10 * time.Second) // b's next look at the line
	answeredJob(t, e, sub, b)
	d := place("600000004", "1")
	for i := 0; i < 6; i++ {
		clk.Advance(10 * time.Second)
	}
	awaitJobEnd(t, sub, d) // its row is written before the event
	job, err := e.eng.Origination(e.ctx, d)
	if err != nil || job.Status != core.OriginFailed || job.Cause != 34 || job.Attempts != 0 {
		t.Fatalf("expired job %+v %v", job, err)
	}
}

func awaitJobEnd(t *testing.T, sub core.Subscription, id string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		select {
		case ev := <-sub.C():
			if p, ok := ev.Data.(core.OriginationEnded); ok && p.Job.JobID == id {
				return
			}
		case <-ctx.Done():
			t.Fatalf("job %s did not end", id)
		}
	}
}
