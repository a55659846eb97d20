package infocaller

import (
	"context"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
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
		if s := nextStep(t, sub, "hola"); s.Type != core.NodeMessage || s.Result != "" {
			t.Fatalf("message step %+v", s)
		}
		job, err := e.eng.Origination(e.ctx, m[1])
		if err != nil || job.Status != core.OriginAnswered {
			t.Fatalf("job %+v %v", job, err)
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
