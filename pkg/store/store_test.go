package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store"
	"github.com/callgate/callgate/pkg/store/storetest"
)

var ctx = context.Background()

func TestEveryModelRoundTripsThroughCreateFirstUpdatesDelete(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		for _, model := range core.AllModels() {
			name := reflect.TypeOf(model).Elem().Name()
			t.Run(name, func(t *testing.T) {
				rec := reflect.New(reflect.TypeOf(model).Elem()).Interface()
				fill(rec, 1)
				if err := st.Create(ctx, rec); err != nil {
					t.Fatalf("create: %v", err)
				}
				id := primaryKey(rec)
				if reflect.ValueOf(id).IsZero() {
					t.Fatal("create left the primary key zero")
				}

				got := reflect.New(reflect.TypeOf(model).Elem()).Interface()
				if err := st.First(ctx, got, core.Eq("id", id)); err != nil {
					t.Fatalf("first: %v", err)
				}
				if want := normalized(rec); !reflect.DeepEqual(normalized(got), want) {
					t.Fatalf("read back differs\n got %+v\nwant %+v", normalized(got), want)
				}

				if n, err := st.Count(ctx, model, core.All); err != nil || n != 1 {
					t.Fatalf("count = %d, %v; want 1", n, err)
				}

				// Every model has at least one string column besides its key;
				// the first one is updated and read back.
				col, val := firstStringColumn(got)
				if err := st.Updates(ctx, got, map[string]any{col: val}); err != nil {
					t.Fatalf("updates %s: %v", col, err)
				}
				again := reflect.New(reflect.TypeOf(model).Elem()).Interface()
				if err := st.First(ctx, again, core.Eq("id", id)); err != nil {
					t.Fatalf("first after update: %v", err)
				}
				if s := stringField(again, col); s != val {
					t.Fatalf("%s after update = %q, want %q", col, s, val)
				}

				if err := st.Delete(ctx, again, core.All); err != nil {
					t.Fatalf("delete: %v", err)
				}
				if err := st.First(ctx, again, core.Eq("id", id)); err != core.ErrNoRecord {
					t.Fatalf("first after delete = %v, want core.ErrNoRecord", err)
				}
			})
		}
	})
}

func firstStringColumn(v any) (col, val string) {
	rt := reflect.TypeOf(v).Elem()
	for i := 0; i < rt.NumField(); i++ {
		f := rt.Field(i)
		// A column written only when the record is created (a call's
		// GUID) is not updated: TestCreateOnlyColumnsKeepTheirFirstValue.
		if f.Type.Kind() != reflect.String || strings.Contains(f.Tag.Get("gorm"), "<-:create") {
			continue
		}
		val = "upd-Baño"
		if n := sizeOf(f.Tag.Get("gorm")); n > 0 {
			val = truncRunes(val, n)
		}
		return store.Naming.ColumnName("", f.Name), val
	}
	panic("no string column in " + rt.Name())
}

func stringField(v any, col string) string {
	rv := reflect.ValueOf(v).Elem()
	for i := 0; i < rv.NumField(); i++ {
		if store.Naming.ColumnName("", rv.Type().Field(i).Name) == col {
			return rv.Field(i).String()
		}
	}
	return ""
}

func TestUpdatesChangesOnlyTheNamedColumns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		call := &core.Call{GUID: "g-1", State: core.CallDialing, Campaign: "TESTCAMP", Phone: "5551000"}
		mustCreate(t, st, call)
		now := time.Now()
		if err := st.Updates(ctx, &core.Call{ID: call.ID}, map[string]any{"state": core.CallConnected, "connected_at": now, "agent": "bob"}); err != nil {
			t.Fatal(err)
		}
		var got core.Call
		if err := st.First(ctx, &got, core.Eq("id", call.ID)); err != nil {
			t.Fatal(err)
		}
		if got.State != core.CallConnected || got.Agent != "bob" || got.ConnectedAt == nil || !got.ConnectedAt.Truncate(time.Second).Equal(now.Truncate(time.Second)) {
			t.Fatalf("updated call = %+v", got)
		}
		if got.Campaign != "TESTCAMP" || got.Phone != "5551000" || got.GUID != "g-1" {
			t.Fatalf("columns not named in Updates changed: %+v", got)
		}
	})
}

func TestUpdatesOfMissingRecordIsErrNoRecord(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		err := st.Updates(ctx, &core.Call{ID: 424242}, map[string]any{"state": core.CallDone})
		if !errors.Is(err, core.ErrNoRecord) {
			t.Fatalf("updates of a missing call = %v, want core.ErrNoRecord", err)
		}
		// Writing the values a record already has is not "missing".
		call := &core.Call{GUID: "same", State: core.CallDone}
		mustCreate(t, st, call)
		if err := st.Updates(ctx, &core.Call{ID: call.ID}, map[string]any{"state": core.CallDone}); err != nil {
			t.Fatalf("updates with unchanged value: %v", err)
		}
	})
}

func TestSaveInsertsThenUpdatesEveryColumn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		sess := &core.AgentSession{AgentID: 7, Username: "bob", State: core.AgentAvailable, Paused: true, PauseCode: "LUNCH"}
		if err := st.Save(ctx, sess); err != nil {
			t.Fatal(err)
		}
		if sess.ID == 0 {
			t.Fatal("save of a new record left ID zero")
		}
		sess.Paused = false
		sess.PauseCode = ""
		sess.State = core.AgentOnCall
		if err := st.Save(ctx, sess); err != nil {
			t.Fatal(err)
		}
		var got core.AgentSession
		if err := st.First(ctx, &got, core.Eq("username", "bob")); err != nil {
			t.Fatal(err)
		}
		if got.Paused || got.PauseCode != "" || got.State != core.AgentOnCall || got.ID != sess.ID {
			t.Fatalf("saved session = %+v", got)
		}
		if n, _ := st.Count(ctx, &core.AgentSession{}, core.All); n != 1 {
			t.Fatalf("%d sessions after two saves, want 1", n)
		}
	})
}

// Upsert writes records that exist (every column but the creation time)
// and records that do not, however many: a slice longer than one statement
// carries (a few dozen calls on SQLite) is written in several, together.
func TestUpsertReplacesAndInsertsEveryRecordOfALongSlice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		created := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
		for i := 1; i <= 3; i++ {
			c := core.Call{ID: uint64(i), GUID: fmt.Sprintf("g-%d", i), State: core.CallQueued, Phone: "old", CreatedAt: created}
			if err := st.Create(ctx, &c); err != nil {
				t.Fatal(err)
			}
		}
		var calls []core.Call
		for i := 1; i <= 150; i++ {
			calls = append(calls, core.Call{ID: uint64(i), GUID: fmt.Sprintf("g-%d", i), State: core.CallConnected,
				Phone: fmt.Sprintf("p%d", i), Agent: "a1", CreatedAt: created.Add(time.Hour)})
		}
		if err := st.Upsert(ctx, &calls); err != nil {
			t.Fatal(err)
		}
		var got []core.Call
		if err := st.Find(ctx, &got, core.All.Asc("id")); err != nil {
			t.Fatal(err)
		}
		if len(got) != 150 {
			t.Fatalf("%d calls after the upsert, want 150", len(got))
		}
		for i, c := range got {
			wantCreated := created.Add(time.Hour)
			if i < 3 {
				wantCreated = created // an existing record keeps its creation time
			}
			if c.ID != uint64(i+1) || c.State != core.CallConnected || c.Phone != fmt.Sprintf("p%d", i+1) || c.Agent != "a1" || !c.CreatedAt.Equal(wantCreated) {
				t.Fatalf("call %d after the upsert: %+v", i+1, c)
			}
		}
	})
}

func TestFindAppliesConditionsOrderLimitAndOffset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		base := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
		for i := 0; i < 10; i++ {
			ev := core.QLConnect
			if i%2 == 1 {
				ev = core.QLAbandon
			}
			mustCreate(t, st, &core.QueueLogEntry{Time: base.Add(time.Duration(i) * time.Minute), CallID: uint64(100 + i), Queue: "sales", Agent: "bob", Event: ev})
		}
		mustCreate(t, st, &core.QueueLogEntry{Time: base, Queue: "support", Event: core.QLConnect})

		var got []core.QueueLogEntry
		q := core.Eq("queue", "sales").Eq("event", core.QLConnect).Gte("time", base.Add(time.Minute)).Desc("time").Take(3)
		if err := st.Find(ctx, &got, q); err != nil {
			t.Fatal(err)
		}
		if ids := callIDs(got); !reflect.DeepEqual(ids, []uint64{108, 106, 104}) {
			t.Fatalf("found calls %v, want [108 106 104]", ids)
		}

		q.Offset = 2
		got = nil
		if err := st.Find(ctx, &got, q); err != nil {
			t.Fatal(err)
		}
		if ids := callIDs(got); !reflect.DeepEqual(ids, []uint64{104, 102}) {
			t.Fatalf("found calls with offset %v, want [104 102]", ids)
		}

		got = nil
		if err := st.Find(ctx, &got, core.All.In("call_id", []uint64{101, 103, 999}).Asc("call_id")); err != nil {
			t.Fatal(err)
		}
		if ids := callIDs(got); !reflect.DeepEqual(ids, []uint64{101, 103}) {
			t.Fatalf("IN query found %v", ids)
		}

		got = nil
		if err := st.Find(ctx, &got, core.Eq("queue", "nobody")); err != nil || len(got) != 0 {
			t.Fatalf("find with no match = %v, %v; want empty, nil", got, err)
		}

		var first core.QueueLogEntry
		if err := st.First(ctx, &first, core.Eq("queue", "sales").Desc("time")); err != nil || first.CallID != 109 {
			t.Fatalf("first by time desc = call %d, %v; want 109", first.CallID, err)
		}
	})
}

func callIDs(es []core.QueueLogEntry) []uint64 {
	ids := []uint64{}
	for _, e := range es {
		ids = append(ids, e.CallID)
	}
	return ids
}

func TestCountMatchesConditions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		for i, status := range []string{"NEW", "NEW", "SALE", "DNC", "NEW"} {
			mustCreate(t, st, &core.Lead{ListID: 101, Campaign: "TESTCAMP", Status: status, PhoneNumber: fmt.Sprint(5550100 + i)})
		}
		cases := []struct {
			q    core.Filter
			want int64
		}{
			{core.All, 5},
			{core.Eq("status", "NEW"), 3},
			{core.All.In("status", []string{"SALE", "DNC"}), 2},
			{core.Eq("status", "NEW").Gt("phone_number", "5550101"), 1},
			{core.Eq("campaign", "OTHER"), 0},
		}
		for _, c := range cases {
			n, err := st.Count(ctx, &core.Lead{}, c.q)
			if err != nil || n != c.want {
				t.Errorf("count %+v = %d, %v; want %d", c.q, n, err, c.want)
			}
		}
	})
}

func TestFirstWithNoMatchIsErrNoRecord(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		var a core.Agent
		err := st.First(ctx, &a, core.Eq("username", "ghost"))
		if err != core.ErrNoRecord {
			t.Fatalf("err = %v, want core.ErrNoRecord itself", err)
		}
		err = st.Tx(ctx, func(tx core.Store) error { return tx.First(ctx, &a, core.Eq("username", "ghost")) })
		if err != core.ErrNoRecord {
			t.Fatalf("inside Tx err = %v, want core.ErrNoRecord", err)
		}
	})
}

func TestTxCommitsAllWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		err := st.Tx(ctx, func(tx core.Store) error {
			call := &core.Call{GUID: "tx-ok", State: core.CallQueued, Queue: "sales"}
			if err := tx.Create(ctx, call); err != nil {
				return err
			}
			if err := tx.Create(ctx, &core.QueueLogEntry{Time: time.Now(), CallID: call.ID, Queue: "sales", Event: core.QLEnterQueue}); err != nil {
				return err
			}
			// Reads inside the transaction see its own writes.
			if n, err := tx.Count(ctx, &core.QueueLogEntry{}, core.Eq("call_id", call.ID)); err != nil || n != 1 {
				return fmt.Errorf("count inside tx = %d, %v", n, err)
			}
			return tx.Updates(ctx, call, map[string]any{"state": core.CallOffering})
		})
		if err != nil {
			t.Fatal(err)
		}
		var call core.Call
		if err := st.First(ctx, &call, core.Eq("guid", "tx-ok")); err != nil || call.State != core.CallOffering {
			t.Fatalf("committed call = %+v, %v", call, err)
		}
		if n, _ := st.Count(ctx, &core.QueueLogEntry{}, core.Eq("call_id", call.ID)); n != 1 {
			t.Fatalf("%d queue log rows committed, want 1", n)
		}
	})
}

// A store error never leaves a call half-recorded: when fn fails after some
// writes, none of them remain.
func TestTxFailureLeavesNothingWritten(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		mustCreate(t, st, &core.Call{GUID: "taken"})
		boom := errors.New("boom")
		cases := []struct {
			name    string
			failure func(tx core.Store) error
			want    func(error) bool
		}{
			{"fn returns an error", func(core.Store) error { return boom }, func(err error) bool { return err == boom }},
			{"store error mid-way", func(tx core.Store) error {
				return tx.Create(ctx, &core.Call{GUID: "taken"})
			}, func(err error) bool { return errors.Is(err, store.ErrDuplicate) }},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				err := st.Tx(ctx, func(tx core.Store) error {
					call := &core.Call{GUID: "half-" + c.name, State: core.CallConnected}
					if err := tx.Create(ctx, call); err != nil {
						return err
					}
					if err := tx.Create(ctx, &core.QueueLogEntry{Time: time.Now(), CallID: call.ID, Event: core.QLConnect}); err != nil {
						return err
					}
					return c.failure(tx)
				})
				if !c.want(err) {
					t.Fatalf("Tx returned %v", err)
				}
				if n, _ := st.Count(ctx, &core.Call{}, core.Eq("guid", "half-"+c.name)); n != 0 {
					t.Fatalf("call of a failed transaction was written")
				}
				if n, _ := st.Count(ctx, &core.QueueLogEntry{}, core.All); n != 0 {
					t.Fatalf("%d queue log rows of a failed transaction were written", n)
				}
			})
		}
	})
}

func TestTxPanicRollsBackAndRepanics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		func() {
			defer func() {
				if recover() == nil {
					t.Fatal("panic in fn was swallowed")
				}
			}()
			st.Tx(ctx, func(tx core.Store) error {
				mustCreate(t, tx, &core.Call{GUID: "panicked"})
				panic("engine bug")
			})
		}()
		if n, _ := st.Count(ctx, &core.Call{}, core.All); n != 0 {
			t.Fatal("write of a panicking transaction was committed")
		}
		// The store is still usable: the connection went back clean.
		mustCreate(t, st, &core.Call{GUID: "after"})
	})
}

func TestNestedTxFailureRollsBackOnlyItsOwnWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		err := st.Tx(ctx, func(tx core.Store) error {
			mustCreate(t, tx, &core.Call{GUID: "outer"})
			inner := tx.Tx(ctx, func(tx2 core.Store) error {
				mustCreate(t, tx2, &core.Call{GUID: "inner"})
				return errors.New("inner fails")
			})
			if inner == nil {
				t.Error("inner Tx error lost")
			}
			return tx.Tx(ctx, func(tx2 core.Store) error {
				return tx2.Create(ctx, &core.Call{GUID: "inner-ok"})
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		var calls []core.Call
		st.Find(ctx, &calls, core.All.Asc("guid"))
		var guids []string
		for _, c := range calls {
			guids = append(guids, c.GUID)
		}
		if !reflect.DeepEqual(guids, []string{"inner-ok", "outer"}) {
			t.Fatalf("committed calls %v, want [inner-ok outer]", guids)
		}
	})
}

func TestUniqueKeyViolationIsErrDuplicateWithoutTheValue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		mustCreate(t, st, &core.Agent{Username: "secret-bob", Number: "9000"})
		err := st.Create(ctx, &core.Agent{Username: "secret-bob", Number: "9001"})
		if !errors.Is(err, store.ErrDuplicate) {
			t.Fatalf("duplicate username: %v, want store.ErrDuplicate", err)
		}
		assertClean(t, err, "secret-bob")

		mustCreate(t, st, &core.QueueMember{QueueID: 1, AgentID: 2, Penalty: 0})
		mustCreate(t, st, &core.QueueMember{QueueID: 1, AgentID: 3, Penalty: 0})
		if err := st.Create(ctx, &core.QueueMember{QueueID: 1, AgentID: 2, Penalty: 5}); !errors.Is(err, store.ErrDuplicate) {
			t.Fatalf("duplicate composite key: %v", err)
		}

		a := &core.Agent{Username: "alice"}
		mustCreate(t, st, a)
		if err := st.Updates(ctx, a, map[string]any{"username": "secret-bob"}); !errors.Is(err, store.ErrDuplicate) {
			t.Fatalf("update into a taken username: %v", err)
		}
	})
}

func TestErrorsNameTheOperationButNotSQLOrValues(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		var leads []core.Lead
		err := st.Find(ctx, &leads, core.Eq("no_such_column", "hunter2"))
		if err == nil {
			t.Fatal("query on an unknown column succeeded")
		}
		assertClean(t, err, "hunter2")
		if !strings.HasPrefix(err.Error(), "store: find leads: ") {
			t.Fatalf("error %q does not name the operation", err)
		}
		if !errors.Is(err, core.ErrInvalid) {
			t.Fatalf("unknown field: %v, want core.ErrInvalid", err)
		}
		err = st.Delete(ctx, &core.Lead{}, core.All.Asc("no_such_column"))
		if !errors.Is(err, core.ErrInvalid) {
			t.Fatalf("unknown sort field: %v, want core.ErrInvalid", err)
		}
	})
}

func TestFilterValuesAreNeverSQL(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		mustCreate(t, st, &core.Lead{PhoneNumber: "1", Status: "NEW"})
		var leads []core.Lead
		if err := st.Find(ctx, &leads, core.Eq("status", "x' OR '1'='1")); err != nil || len(leads) != 0 {
			t.Fatalf("quoted value matched %d leads, %v", len(leads), err)
		}
		if err := st.Find(ctx, &leads, core.Eq("status", "NEW").In("phone_number", []string{"1", "2"}).Desc("order_not_a_field_but_id_is").Take(1)); !errors.Is(err, core.ErrInvalid) {
			t.Fatalf("unknown order field: %v", err)
		}
		if err := st.Find(ctx, &leads, core.Eq("status", "NEW").In("phone_number", []string{"1", "2"}).Desc("id").Take(1)); err != nil || len(leads) != 1 {
			t.Fatalf("typed filter found %d, %v", len(leads), err)
		}
	})
}

func assertClean(t *testing.T, err error, secret string) {
	t.Helper()
	if err == nil {
		t.Fatal("expected an error")
	}
	msg := err.Error()
	for _, leak := range []string{secret, "SELECT", "INSERT", "UPDATE", "WHERE", "`"} {
		if strings.Contains(msg, leak) {
			t.Fatalf("error %q leaks %q", msg, leak)
		}
	}
}

func TestUTF8TextRoundTripsAndMatches(t *testing.T) {
	texts := []string{"Baño", "ção", "Ñandú José", "电话中心", "📞 llamada", "ÀÉÎÕÜ àéîõü ß"}
	storetest.Each(t, func(t *testing.T, st core.Store) {
		for i, s := range texts {
			mustCreate(t, st, &core.Lead{FirstName: s, Comments: s + " — comentário", PhoneNumber: fmt.Sprint(i)})
		}
		for _, s := range texts {
			var l core.Lead
			if err := st.First(ctx, &l, core.Eq("first_name", s)); err != nil {
				t.Fatalf("lookup %q: %v", s, err)
			}
			if l.FirstName != s || l.Comments != s+" — comentário" {
				t.Fatalf("read back %q / %q, want %q", l.FirstName, l.Comments, s)
			}
		}
		// Byte-wise comparison, identical on both databases: no accent or
		// case folding.
		if n, _ := st.Count(ctx, &core.Lead{}, core.Eq("first_name", "Bano")); n != 0 {
			t.Fatal("Bano matched Baño")
		}
		if n, _ := st.Count(ctx, &core.Lead{}, core.Eq("first_name", "baño")); n != 0 {
			t.Fatal("baño matched Baño")
		}
	})
}

func TestTimesFromAnyZoneCompareAsInstants(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		utc := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
		east := time.FixedZone("UTC+5", 5*3600)
		west := time.FixedZone("UTC-7", -7*3600)
		// Written in different zones; in instant order: a, b, c.
		mustCreate(t, st, &core.QueueLogEntry{CallID: 2, Time: utc.Add(time.Hour).In(east)})
		mustCreate(t, st, &core.QueueLogEntry{CallID: 1, Time: utc.In(west)})
		mustCreate(t, st, &core.QueueLogEntry{CallID: 3, Time: utc.Add(2 * time.Hour)})

		var got []core.QueueLogEntry
		if err := st.Find(ctx, &got, core.All.Gt("time", utc.Add(30*time.Minute).In(west)).Asc("time")); err != nil {
			t.Fatal(err)
		}
		if ids := callIDs(got); !reflect.DeepEqual(ids, []uint64{2, 3}) {
			t.Fatalf("after 12:30Z found %v, want [2 3]", ids)
		}
		got = nil
		st.Find(ctx, &got, core.All.Asc("time"))
		if ids := callIDs(got); !reflect.DeepEqual(ids, []uint64{1, 2, 3}) {
			t.Fatalf("ordered by time %v, want [1 2 3]", ids)
		}
		if !got[0].Time.Equal(utc) {
			t.Fatalf("read back %v, want %v", got[0].Time, utc)
		}
	})
}

func TestConcurrentWritersAllSucceed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		const writers, each = 8, 15
		var wg sync.WaitGroup
		errs := make(chan error, writers*each*2)
		for w := 0; w < writers; w++ {
			wg.Add(2)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					errs <- recordCall(st, fmt.Sprintf("w%d-%d", w, i))
				}
			}()
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					var calls []core.Call
					errs <- st.Find(ctx, &calls, core.Eq("state", core.CallQueued).Take(5))
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n, _ := st.Count(ctx, &core.Call{}, core.All); n != writers*each {
			t.Fatalf("%d calls, want %d", n, writers*each)
		}
		if n, _ := st.Count(ctx, &core.QueueLogEntry{}, core.All); n != writers*each {
			t.Fatalf("%d queue log rows, want %d", n, writers*each)
		}
	})
}

// recordCall is the engine's commonest write: a call and its queue log row.
func recordCall(st core.Store, guid string) error {
	return st.Tx(ctx, func(tx core.Store) error {
		now := time.Now()
		call := &core.Call{GUID: guid, State: core.CallQueued, Queue: "sales", Campaign: "TESTCAMP", Phone: "5551234", QueuedAt: &now}
		if err := tx.Create(ctx, call); err != nil {
			return err
		}
		return tx.Create(ctx, &core.QueueLogEntry{Time: now, CallID: call.ID, Queue: "sales", Event: core.QLEnterQueue, Data3: "1"})
	})
}

func TestDeleteNeedsConditionsOrAKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		mustCreate(t, st, &core.DNCEntry{Phone: "5550001"})
		mustCreate(t, st, &core.DNCEntry{Phone: "5550002", Campaign: "TESTCAMP"})
		if err := st.Delete(ctx, &core.DNCEntry{}, core.All); err == nil {
			t.Fatal("delete without conditions or key emptied the table")
		}
		if err := st.Delete(ctx, &core.DNCEntry{}, core.Eq("campaign", "TESTCAMP")); err != nil {
			t.Fatal(err)
		}
		var left []core.DNCEntry
		st.Find(ctx, &left, core.All)
		if len(left) != 1 || left[0].Phone != "5550001" {
			t.Fatalf("left %+v", left)
		}
	})
}

// gorm fills a zero field that has a default tag with the default, so
// Active:false on Create gives an active record; an inactive one is created
// and then updated. This pins the behaviour the engine relies on.
func TestCreateFillsZeroFieldsFromModelDefaults(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		q := &core.Queue{Name: "sales", Active: false}
		mustCreate(t, st, q)
		var got core.Queue
		st.First(ctx, &got, core.Eq("name", "sales"))
		if !got.Active || !q.Active {
			t.Fatalf("queue created with Active false: stored %v, struct %v; gorm default should make both true", got.Active, q.Active)
		}
		if err := st.Updates(ctx, q, map[string]any{"active": false}); err != nil {
			t.Fatal(err)
		}
		st.First(ctx, &got, core.Eq("name", "sales"))
		if got.Active {
			t.Fatal("Updates active=false did not stick")
		}
		pc := &core.PauseCode{Code: "LUNCH"}
		mustCreate(t, st, pc)
		if pc.Type != "B" || !pc.Active {
			t.Fatalf("pause code defaults: %+v", pc)
		}
	})
}

func TestOpenChoosesTheDatabaseFromTheDSN(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		dsn  string
		want string
	}{
		{"sqlite://" + filepath.Join(dir, "a.db"), store.DialectSQLite},
		{"file:" + filepath.Join(dir, "b.db") + "?cache=private", store.DialectSQLite},
		{filepath.Join(dir, "c.db"), store.DialectSQLite},
		{":memory:", store.DialectSQLite},
	}
	if dsn := os.Getenv(storetest.EnvMySQL); dsn != "" {
		cases = append(cases, struct{ dsn, want string }{dsn, store.DialectMySQL})
		if !strings.HasPrefix(dsn, "mysql://") {
			cases = append(cases, struct{ dsn, want string }{"mysql://" + dsn, store.DialectMySQL})
		}
	}
	for _, c := range cases {
		t.Run(c.dsn, func(t *testing.T) {
			st, err := store.Open(ctx, c.dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if st.Dialect() != c.want {
				t.Fatalf("dialect %q, want %q", st.Dialect(), c.want)
			}
			if c.want == store.DialectSQLite {
				if err := st.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				mustCreate(t, st, &core.Route{DID: "5551000", Queue: "sales"})
				var r core.Route
				if err := st.First(ctx, &r, core.Eq("did", "5551000")); err != nil || r.Queue != "sales" {
					t.Fatalf("route read back %+v, %v", r, err)
				}
			}
		})
	}
}

func TestOpenFailureDoesNotRevealThePassword(t *testing.T) {
	cases := []string{
		"mysql://root:Sup3rSecretPw@tcp(127.0.0.1:1)/test",
		"mysql://root:Sup3rSecretPw@tcp(127.0.0.1:3306/test",
	}
	if os.Getenv(storetest.EnvMySQL) != "" {
		cases = append(cases, "mysql://nosuchuser:Sup3rSecretPw@tcp(127.0.0.1:3306)/test")
	}
	for _, dsn := range cases {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		st, err := store.Open(ctx, dsn)
		cancel()
		if err == nil {
			st.Close()
			t.Fatalf("open %q succeeded", dsn)
		}
		t.Logf("%s -> %v", strings.ReplaceAll(dsn, "Sup3rSecretPw", "***"), err)
		if strings.Contains(err.Error(), "Sup3rSecretPw") {
			t.Fatalf("error %q reveals the password", err)
		}
	}
}

func TestMigrateTwiceIsHarmless(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		mustCreate(t, st, &core.Agent{Username: "keep"})
		if err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if n, _ := st.Count(ctx, &core.Agent{}, core.All); n != 1 {
			t.Fatal("second migration lost rows")
		}
	})
}

func mustCreate(t testing.TB, st core.Store, v any) {
	t.Helper()
	if err := st.Create(ctx, v); err != nil {
		t.Fatalf("create %T: %v", v, err)
	}
}

// Records the engine creates half-filled (zero times, empty strings, nil
// pointers) read back as they were written.
func TestZeroValuedRecordsRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		for _, model := range core.AllModels() {
			typ := reflect.TypeOf(model).Elem()
			if typ == reflect.TypeOf(core.List{}) {
				continue // its key is not generated, so it cannot be zero
			}
			rec := reflect.New(typ).Interface()
			if err := st.Create(ctx, rec); err != nil {
				t.Fatalf("create zero %s: %v", typ.Name(), err)
			}
			got := reflect.New(typ).Interface()
			if err := st.First(ctx, got, core.Eq("id", primaryKey(rec))); err != nil {
				t.Fatalf("first %s: %v", typ.Name(), err)
			}
			if !reflect.DeepEqual(normalized(got), normalized(rec)) {
				t.Fatalf("%s read back differs\n got %+v\nwant %+v", typ.Name(), normalized(got), normalized(rec))
			}
		}
	})
}

func TestDialableLeadsAreDueRetryableAndUnderTheLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		now := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
		later, earlier := now.Add(time.Hour), now.Add(-time.Hour)
		for _, l := range []core.Lead{
			{PhoneNumber: "due-low", Campaign: "C", Status: "NEW", Priority: 1},
			{PhoneNumber: "due-high", Campaign: "C", Status: "NA", Priority: 5, NextAttemptAt: &earlier},
			{PhoneNumber: "not-due", Campaign: "C", Status: "NEW", NextAttemptAt: &later},
			{PhoneNumber: "sold", Campaign: "C", Status: "SALE"},
			{PhoneNumber: "tired", Campaign: "C", Status: "NEW", CalledCount: 4},
			{PhoneNumber: "other", Campaign: "D", Status: "NEW"},
		} {
			mustCreate(t, st, &l)
		}
		leads, err := st.DialableLeads(ctx, "C", []string{"NEW", "NA"}, 3, now, 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, l := range leads {
			got = append(got, l.PhoneNumber)
		}
		if want := []string{"due-high", "due-low"}; !reflect.DeepEqual(got, want) {
			t.Fatalf("dialable = %v, want %v", got, want)
		}
	})
}

// TestCreateOnlyColumnsKeepTheirFirstValue: a call's GUID and direction,
// and a session's agent, are written when the record is created and never
// after (the engine never changes them), so the group commit's upserts of
// a call or a session, every column each time, leave them and their
// indexes alone.
func TestCreateOnlyColumnsKeepTheirFirstValue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		sessions := []core.AgentSession{{ID: 5, AgentID: 9, Username: "a9", State: core.AgentRinging}}
		if err := st.Upsert(ctx, &sessions); err != nil {
			t.Fatal(err)
		}
		sessions[0].AgentID, sessions[0].Username, sessions[0].State = 10, "a10", core.AgentAvailable
		if err := st.Upsert(ctx, &sessions); err != nil {
			t.Fatal(err)
		}
		var s core.AgentSession
		if err := st.First(ctx, &s, core.Eq("id", 5)); err != nil {
			t.Fatal(err)
		}
		if s.AgentID != 9 || s.Username != "a9" || s.State != core.AgentAvailable {
			t.Fatalf("session stored for %d %q %q, want the first agent and the last state", s.AgentID, s.Username, s.State)
		}

		first := []core.Call{{ID: 41, GUID: "g-41", Direction: core.CallInbound, State: core.CallQueued}}
		if err := st.Upsert(ctx, &first); err != nil {
			t.Fatal(err)
		}
		later := []core.Call{{ID: 41, GUID: "other", Direction: core.CallOutbound, State: core.CallConnected}}
		if err := st.Upsert(ctx, &later); err != nil {
			t.Fatal(err)
		}
		var got core.Call
		if err := st.First(ctx, &got, core.Eq("id", 41)); err != nil {
			t.Fatal(err)
		}
		if got.GUID != "g-41" || got.Direction != core.CallInbound || got.State != core.CallConnected {
			t.Fatalf("stored %q %q %q, want the first GUID and direction and the last state", got.GUID, got.Direction, got.State)
		}
	})
}
