package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/callgate/callgate/core"
)

// TestSQLiteInsertsReadBackOnlyWhatTheyCannotKnow: an INSERT whose records
// come back with nothing new (ids already set, or numbered from the last
// insert id) is sent without RETURNING, and the records still carry the
// ids the database gave them; a mix of numbered and unnumbered records, or
// an upsert of a record with no id, still reads them back.
func TestSQLiteInsertsReadBackOnlyWhatTheyCannotKnow(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var sent []string
	if err := st.w.Callback().Create().After("gorm:create").Register("test:sql", func(db *gorm.DB) {
		sent = append(sent, db.Statement.SQL.String())
	}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	rows := func(ids ...uint64) *[]core.QueueLogEntry {
		var out []core.QueueLogEntry
		for _, id := range ids {
			out = append(out, core.QueueLogEntry{ID: id, Time: now, Queue: "q", Event: "ENTERQUEUE"})
		}
		return &out
	}
	tests := []struct {
		name      string
		write     func() (any, error)
		returning bool
	}{
		{"unnumbered rows", func() (any, error) { v := rows(0, 0, 0); return v, st.Create(ctx, v) }, false},
		{"numbered rows", func() (any, error) { v := rows(100, 101); return v, st.Create(ctx, v) }, false},
		{"a mix", func() (any, error) { v := rows(200, 0, 0); return v, st.Create(ctx, v) }, true},
		{"one unnumbered row", func() (any, error) { v := &(*rows(0))[0]; return v, st.Create(ctx, v) }, false},
		{"calls upserted with their ids", func() (any, error) {
			v := &[]core.Call{{ID: 7, GUID: "g7", State: "ringing"}, {ID: 8, GUID: "g8", State: "ringing"}}
			if err := st.Upsert(ctx, v); err != nil {
				return nil, err
			}
			(*v)[1].State = "ended"
			return v, st.Upsert(ctx, v)
		}, false},
		{"a session upserted without its id", func() (any, error) {
			v := &core.AgentSession{AgentID: 3, Username: "a3"}
			return v, st.Upsert(ctx, v)
		}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sent = nil
			v, err := tc.write()
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range sent {
				if got := strings.Contains(q, "RETURNING"); got != tc.returning {
					t.Fatalf("RETURNING sent = %v, want %v: %s", got, tc.returning, q)
				}
			}
			assertStoredAsHeld(t, st, v)
		})
	}
}

// assertStoredAsHeld reads back each record of v by its id and compares
// what identifies it.
func assertStoredAsHeld(t *testing.T, st *Store, v any) {
	t.Helper()
	ctx := context.Background()
	switch v := v.(type) {
	case *[]core.QueueLogEntry:
		for _, r := range *v {
			var got core.QueueLogEntry
			if r.ID == 0 || st.First(ctx, &got, core.Eq("id", r.ID)) != nil || got.Queue != r.Queue {
				t.Fatalf("row %+v not stored under its id (read %+v)", r, got)
			}
		}
		var n int64
		if err := st.w.Model(&core.QueueLogEntry{}).Where("id > ?", (*v)[len(*v)-1].ID).Count(&n).Error; err != nil || n != 0 {
			t.Fatalf("%d rows after the last one's id %d (%v)", n, (*v)[len(*v)-1].ID, err)
		}
	case *core.QueueLogEntry:
		assertStoredAsHeld(t, st, &[]core.QueueLogEntry{*v})
	case *[]core.Call:
		for _, c := range *v {
			var got core.Call
			if err := st.First(ctx, &got, core.Eq("id", c.ID)); err != nil || got.State != c.State {
				t.Fatalf("call %d stored as %q, want %q (%v)", c.ID, got.State, c.State, err)
			}
		}
	case *core.AgentSession:
		var got core.AgentSession
		if v.ID == 0 || st.First(ctx, &got, core.Eq("agent_id", v.AgentID)) != nil || got.ID != v.ID {
			t.Fatalf("session held with id %d, stored with %d", v.ID, got.ID)
		}
	}
}
