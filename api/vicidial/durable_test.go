package vicidial

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// The command's writes and the request's log row are committed together,
// before the answer: when the command's write fails, the answer is the
// function's ERROR line (never SUCCESS), the store's text is not shown,
// and the log holds that ERROR row; with the store healthy again the same
// request succeeds and both its queue-log row and its log row are stored
// by the time it is answered.
func TestExternalPauseWhoseWriteFailedAnswersError(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		armed := &atomic.Bool{}
		e := newEnv(t, storetest.RefuseQueueLog(st, armed), Options{})
		e.login("1000")
		armed.Store(true)
		r := e.do("source=failing&user=6666&pass=1234&function=external_pause&value=PAUSE&agent_user=1000", "")
		if !strings.HasPrefix(r.body, "ERROR: ") || strings.Contains(r.body, "injected") {
			t.Fatalf("answer with a failed write: %q", r.body)
		}
		var rows []core.APILogEntry
		if err := st.Find(e.ctx, &rows, core.Eq("source", "failing")); err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 || rows[len(rows)-1].Result != "ERROR" {
			t.Fatalf("log rows %+v, want the ERROR row last", rows)
		}
		armed.Store(false)
		if err := e.eng.Unpause(e.ctx, "1000"); err != nil && !errors.Is(err, core.ErrNotPaused) {
			t.Fatal(err)
		}
		before, _ := st.Count(e.ctx, &core.QueueLogEntry{}, core.Eq("event", core.QLPause))
		r = e.do("source=healthy&user=6666&pass=1234&function=external_pause&value=PAUSE&agent_user=1000", "")
		if !strings.HasPrefix(r.body, "SUCCESS: ") {
			t.Fatalf("answer with a healthy store: %q", r.body)
		}
		if n, _ := st.Count(e.ctx, &core.QueueLogEntry{}, core.Eq("event", core.QLPause)); n != before+1 {
			t.Fatalf("%d PAUSE rows right after the answer, want %d", n, before+1)
		}
		if n, _ := st.Count(e.ctx, &core.APILogEntry{}, core.Eq("source", "healthy")); n != 1 {
			t.Fatalf("%d log rows right after the answer, want 1", n)
		}
	})
}
