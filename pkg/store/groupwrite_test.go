package store_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// TestWriteGroupKeepsAllOrNothing: on MySQL a group goes in one request
// and is one transaction: every row of a long slice (several statements),
// an upsert replacing a record and inserting another, queue rows in order;
// a group with a refused statement keeps nothing (its first statements
// included), is not ErrOutcomeUnknown, and the next group goes through.
// SQLite and a transaction's store answer errors.ErrUnsupported and write
// nothing.
func TestWriteGroupKeepsAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		gw, ok := st.(core.GroupWriter)
		if !ok {
			t.Fatal("the store is not a core.GroupWriter")
		}
		at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		logs := make([]core.APILogEntry, 1500) // more than one statement carries
		for i := range logs {
			logs[i] = core.APILogEntry{Dialect: "vicidial", User: "6666", Time: at, Function: "external_pause", Value: fmt.Sprint(i)}
		}
		mustCreate(t, st, &core.AgentSession{AgentID: 1, Username: "1000", State: "READY"})
		sessions := []core.AgentSession{{ID: 1, AgentID: 1, Username: "1000", State: "PAUSED", Paused: true},
			{ID: 2, AgentID: 2, Username: "1001", State: "READY"}}
		rows := []core.QueueLogEntry{{Time: at, Agent: "1000", Event: "PAUSE"}, {Time: at, Agent: "1000", Event: "UNPAUSE"}}
		ops := []core.GroupWrite{{Rows: &logs}, {Rows: &sessions, Upsert: true}, {Rows: &rows}}
		err := gw.WriteGroup(ctx, ops)
		if st.Dialect() == store.DialectSQLite {
			if !errors.Is(err, errors.ErrUnsupported) {
				t.Fatalf("SQLite: %v, want errors.ErrUnsupported", err)
			}
			assertCount(t, st, &core.APILogEntry{}, 0)
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		assertCount(t, st, &core.APILogEntry{}, 1500)
		var got []core.AgentSession
		must(t, st.Find(ctx, &got, core.All.Asc("id")))
		if len(got) != 2 || got[0].State != "PAUSED" || !got[0].Paused || got[1].Username != "1001" {
			t.Fatalf("sessions after the upsert: %+v", got)
		}
		var events []core.QueueLogEntry
		must(t, st.Find(ctx, &events, core.All.Asc("id")))
		if len(events) != 2 || events[0].Event != "PAUSE" || events[1].Event != "UNPAUSE" {
			t.Fatalf("queue rows: %+v", events)
		}

		more := []core.APILogEntry{{Dialect: "vicidial", Time: at, Function: "version"}}
		taken := []core.AgentSession{{ID: 3, AgentID: 1, Username: "dup"}} // agent 1's session exists: unique key
		err = gw.WriteGroup(ctx, []core.GroupWrite{{Rows: &more}, {Rows: &taken}})
		if !errors.Is(err, store.ErrDuplicate) || errors.Is(err, core.ErrOutcomeUnknown) {
			t.Fatalf("refused group: %v, want store.ErrDuplicate", err)
		}
		assertCount(t, st, &core.APILogEntry{}, 1500)
		must(t, gw.WriteGroup(ctx, []core.GroupWrite{{Rows: &more}}))
		assertCount(t, st, &core.APILogEntry{}, 1501)

		must(t, st.Tx(ctx, func(tx core.Store) error {
			if err := tx.(core.GroupWriter).WriteGroup(ctx, []core.GroupWrite{{Rows: &more}}); !errors.Is(err, errors.ErrUnsupported) {
				t.Errorf("inside a transaction: %v, want errors.ErrUnsupported", err)
			}
			return nil
		}))
		assertCount(t, st, &core.APILogEntry{}, 1501)
	})
}

func assertCount(t *testing.T, st core.Store, model any, want int64) {
	t.Helper()
	n, err := st.Count(ctx, model, core.All)
	if err != nil || n != want {
		t.Fatalf("%T: %d rows (%v), want %d", model, n, err, want)
	}
}
