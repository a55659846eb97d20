package vicidial

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// restart stops the engine without hanging anything up and starts a new
// engine and handler on the same store and PBX, as a gateway restarted
// after a kill does.
func (e *env) restart(opts Options) {
	e.t.Helper()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.eng.Stop(sctx); err != nil {
		e.t.Fatalf("engine stop: %v", err)
	}
	e.srv.Close()
	_ = e.h.Close()
	e.eng = core.New(core.Options{Store: e.st, Tel: e.pbx, Bus: core.NewMemoryBus(0),
		Now: func() time.Time { return testNow.Add(time.Duration(e.skew.Load())) }, DialerInterval: time.Hour})
	if err := e.eng.Start(e.ctx); err != nil {
		e.t.Fatalf("engine restart: %v", err)
	}
	eng := e.eng
	e.t.Cleanup(func() { _ = eng.Stop(context.Background()) })
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	e.h = newHandler(e.eng, opts)
	e.h.hostInfo = func() hostFacts { return hostFacts{} }
	e.srv = httptest.NewServer(e.h)
	srv, h := e.srv, e.h
	e.t.Cleanup(func() { srv.Close(); _ = h.Close() })
}

// The columns api.php answers from (recording id, chosen in-groups,
// update_fields data) are the same after the gateway restarts.
func TestAgentColumnsSurviveARestart(t *testing.T) {
	for _, kind := range storetest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			e := newEnv(t, storetest.Open(t, kind), Options{})
			e.login("1000")
			e.manualCall("1000")
			steps := []string{
				q("function=recording&value=START&agent_user=1000"),
				q("function=change_ingroups&value=REMOVE&blended=NO&agent_user=1000&ingroup_choices=+SALESLINE+-"),
				q("function=update_fields&agent_user=1000&first_name=Al+B"),
			}
			for _, s := range steps {
				r := e.do(s, "")
				if !strings.HasPrefix(r.body, "SUCCESS") {
					t.Fatalf("%s: %s", s, r.body)
				}
			}
			status := q("function=recording&value=STATUS&agent_user=1000")
			before := e.do(status, "").body

			e.restart(Options{})

			if after := e.do(status, "").body; after != before || !strings.Contains(after, "recording active") {
				t.Errorf("recording STATUS after restart:\n%s\nbefore:\n%s", after, before)
			}
			// ADD starts from the list chosen before the restart (SALESLINE
			// removed), not from the login's (SALESLINE).
			r := e.do(q("function=change_ingroups&value=ADD&blended=NO&agent_user=1000&ingroup_choices=+TEST_IN2+-"), "")
			if !strings.Contains(r.body, "|1000| TEST_IN2 -|") {
				t.Errorf("change_ingroups after restart: %s", r.body)
			}
			// The same update_fields data again changes no vicidial_live_agents row.
			r = e.do(q("function=update_fields&agent_user=1000&first_name=Al+B"), "")
			if f := strings.Split(strings.TrimSpace(r.body), "|"); len(f) < 5 || f[4] != "0" {
				t.Errorf("update_fields after restart: %s (want 0 agent rows changed)", r.body)
			}
		})
	}
}
