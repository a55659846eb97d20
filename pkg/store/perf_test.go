package store_test

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// MySQL statements are interpolated on the client (one round trip each)
// unless the DSN says otherwise.
func TestMySQLConfigInterpolatesUnlessTheDSNSaysNot(t *testing.T) {
	for _, tc := range []struct {
		dsn  string
		want bool
	}{
		{"root@tcp(127.0.0.1:3306)/db", true},
		{"mysql://root:pw@tcp(db:3306)/callgate?parseTime=true", true},
		{"root@tcp(127.0.0.1:3306)/db?interpolateParams=false", false},
		{"root@tcp(127.0.0.1:3306)/db?interpolateParams=true", true},
	} {
		cfg, err := store.MySQLConfig(tc.dsn)
		if err != nil || cfg.InterpolateParams != tc.want {
			t.Errorf("%s: interpolateParams %v (%v), want %v", tc.dsn, cfg != nil && cfg.InterpolateParams, err, tc.want)
		}
	}
}

// Watchers hear of every write with its record type: at once outside a
// transaction, once it ended inside one, for each type it wrote.
func TestWritesAreReportedToWatchers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		var mu sync.Mutex
		var got []string
		st.(core.WriteWatcher).WatchWrites(func(rt reflect.Type) {
			mu.Lock()
			got = append(got, rt.Name())
			mu.Unlock()
		})
		seen := func() []string {
			mu.Lock()
			defer mu.Unlock()
			out := got
			got = nil
			return out
		}
		a := core.Agent{Username: "w1", Number: "1"}
		must(t, st.Create(ctx, &a))
		if g := seen(); !reflect.DeepEqual(g, []string{"Agent"}) {
			t.Errorf("create: %v", g)
		}
		var inside []string
		must(t, st.Tx(ctx, func(tx core.Store) error {
			if err := tx.Updates(ctx, &core.Agent{ID: a.ID}, map[string]any{"name": "x"}); err != nil {
				return err
			}
			if err := tx.Create(ctx, &[]core.APILogEntry{{Dialect: "t"}}); err != nil {
				return err
			}
			inside = seen()
			return nil
		}))
		g := seen()
		if len(inside) != 0 || len(g) != 2 {
			t.Errorf("transaction: %v reported inside, %v after; want none, then Agent and APILogEntry", inside, g)
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// An agent's last call is found through an index (the engine asks for it
// on every disposition set with no call named), not by scanning the calls
// table from the newest row back: for an agent with no call, every row.
func TestAgentsLastCallIsLookedUpThroughAnIndex(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		db := store.GormDB(st.(*store.Store))
		const q = "SELECT * FROM calls WHERE agent = ? ORDER BY id DESC LIMIT 1"
		var plan []map[string]any
		explain := "EXPLAIN QUERY PLAN " + q
		if st.(*store.Store).Dialect() == store.DialectMySQL {
			explain = "EXPLAIN " + q
		}
		must(t, db.Raw(explain, "nobody").Scan(&plan).Error)
		text := fmt.Sprint(plan)
		if !strings.Contains(text, "idx_calls_agent") {
			t.Fatalf("plan of the last-call lookup uses no agent index: %s", text)
		}
	})
}
