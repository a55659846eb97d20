package core_test

import (
	"context"
	"errors"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// readCountingStore counts the reads that reach the store; it passes the
// store's write reports on, as the engine needs them to cache at all.
type readCountingStore struct {
	core.Store
	reads atomic.Int64
}

func (s *readCountingStore) First(ctx context.Context, dst any, f core.Filter) error {
	s.reads.Add(1)
	return s.Store.First(ctx, dst, f)
}

func (s *readCountingStore) Find(ctx context.Context, dst any, f core.Filter) error {
	s.reads.Add(1)
	return s.Store.Find(ctx, dst, f)
}

func (s *readCountingStore) WatchWrites(fn func(reflect.Type)) {
	s.Store.(core.WriteWatcher).WatchWrites(fn)
}

// TestAuthenticationReadsComeFromMemoryUntilAWriteChangesThem: repeated
// look-ups of an API user, an agent (found or not) and a source's login
// failures cost one store read each; a write of such a record through any
// path (the provisioning service, the raw store, a transaction) is seen by
// the very next look-up; another gateway's write is seen after the cache's
// time to live.
func TestAuthenticationReadsComeFromMemoryUntilAWriteChangesThem(t *testing.T) {
	storetest.Each(t, func(t *testing.T, raw core.Store) {
		ctx := context.Background()
		st := &readCountingStore{Store: raw}
		e, clk, _ := credEngine(t, st)
		u := core.APIUser{Dialect: "test", Username: "6666", Secret: "old-secret", Active: true, UserLevel: 8}
		if err := raw.Create(ctx, &u); err != nil {
			t.Fatal(err)
		}
		reads := func() int64 { return st.reads.Load() }
		steps := []struct {
			name      string
			write     func() error
			lookup    func() (string, error)
			want      string
			wantReads int64 // store reads the look-up costs
		}{
			{"first API user look-up reads", nil, apiSecret(e, "6666"), "hashed", 1},
			{"second is from memory", nil, apiSecret(e, "6666"), "hashed", 0},
			{"a provisioning update is seen", func() error {
				return e.Records().Update(ctx, &core.APIUser{ID: u.ID}, map[string]any{"active": false})
			}, apiActive(e, "6666"), "false", 1},
			{"a raw store write is seen", func() error {
				return raw.Updates(ctx, &core.APIUser{ID: u.ID}, map[string]any{"active": true})
			}, apiActive(e, "6666"), "true", 1},
			{"a transaction's write is seen once it ends", func() error {
				return raw.Tx(ctx, func(tx core.Store) error {
					return tx.Updates(ctx, &core.APIUser{ID: u.ID}, map[string]any{"active": false})
				})
			}, apiActive(e, "6666"), "false", 1},
			{"an unknown agent is looked up once", nil, agentName(e, "1000"), "no record", 1},
			{"and then from memory", nil, agentName(e, "1000"), "no record", 0},
			{"creating it is seen", func() error {
				return raw.Create(ctx, &core.Agent{Username: "1000", Number: "1000", Name: "Ann", Active: true})
			}, agentName(e, "1000"), "Ann", 1},
			{"found agents are from memory", nil, agentName(e, "1000"), "Ann", 0},
			{"a write of another record type keeps the cache", func() error {
				return raw.Create(ctx, &core.QueueLogEntry{Agent: "1000", Event: "PAUSE", Time: clk.Now()})
			}, agentName(e, "1000"), "Ann", 0},
			{"another gateway's change is seen after the time to live", func() error {
				clk.Add(3 * time.Second)
				return nil
			}, agentName(e, "1000"), "Ann", 1},
		}
		for _, s := range steps {
			if s.write != nil {
				if err := s.write(); err != nil {
					t.Fatalf("%s: write: %v", s.name, err)
				}
			}
			before := reads()
			got, err := s.lookup()
			if errors.Is(err, core.ErrNoRecord) {
				got = "no record"
			} else if err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			if got != s.want || reads()-before != s.wantReads {
				t.Errorf("%s: got %q with %d store reads, want %q with %d", s.name, got, reads()-before, s.want, s.wantReads)
			}
		}
	})
}

func apiSecret(e *core.Engine, user string) func() (string, error) {
	return func() (string, error) {
		u, err := e.APIUser(context.Background(), "test", user)
		if err == nil && u.Secret != "" && u.Secret != "old-secret" {
			return "hashed", nil
		}
		return u.Secret, err
	}
}

func apiActive(e *core.Engine, user string) func() (string, error) {
	return func() (string, error) {
		u, err := e.APIUser(context.Background(), "test", user)
		if u.Active {
			return "true", err
		}
		return "false", err
	}
}

func agentName(e *core.Engine, user string) func() (string, error) {
	return func() (string, error) {
		a, err := e.FindAgent(context.Background(), user)
		return a.Name, err
	}
}

// TestLoginThrottleReadsFromMemoryAndSeesEveryFailure: the owner's
// accepted logins cost no store read once the source's failures are known,
// and every failure (a write) is taken into account by the next attempt.
func TestLoginThrottleReadsFromMemoryAndSeesEveryFailure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, raw core.Store) {
		st := &readCountingStore{Store: raw}
		e, clk, _ := credEngine(t, st)
		attempt(e, "bob", "10.0.0.9", true)
		before := st.reads.Load()
		for range 50 {
			if v := attempt(e, "bob", "10.0.0.9", true); v.Outcome != core.LoginAccepted {
				t.Fatalf("owner refused: %+v", v)
			}
		}
		if n := st.reads.Load() - before; n != 0 {
			t.Errorf("50 accepted logins read the store %d times, want 0", n)
		}
		p := core.DefaultThrottle
		for i := 0; i < p.Free; i++ {
			if v := attempt(e, "bob", "10.0.0.9", false); v.Outcome != core.LoginRejected {
				t.Fatalf("failure %d: %+v", i, v)
			}
		}
		if v := attempt(e, "bob", "10.0.0.9", true); v.Outcome != core.LoginDelayed {
			t.Fatalf("after %d failures: %+v, want delayed", p.Free, v)
		}
		clk.Add(p.Base)
		if v := attempt(e, "bob", "10.0.0.9", true); v.Outcome != core.LoginAccepted {
			t.Fatalf("after the delay: %+v", v)
		}
		// The success cleared the failures: no delay any more.
		if v := attempt(e, "bob", "10.0.0.9", true); v.Outcome != core.LoginAccepted {
			t.Fatalf("after the success: %+v", v)
		}
	})
}

// A line's rule group is read from the store once and then from memory
// (every emission of the line reads it); a write of it through any path
// is seen by the next emission.
func TestRuleGroupsComeFromMemoryUntilWritten(t *testing.T) {
	storetest.Each(t, func(t *testing.T, raw core.Store) {
		ctx := context.Background()
		st := &readCountingStore{Store: raw}
		e, _, _ := credEngine(t, st)
		line := core.Line{Number: "900000021", PhonePassword: "p", State: core.LineOn}
		must(t, raw.Create(ctx, &line))
		g := core.RuleGroup{LineNumber: line.Number, Name: "EMISION", Kind: core.RuleGroupInbound}
		must(t, raw.Create(ctx, &g))
		place := func() (string, int64) {
			before := st.reads.Load()
			_, err := e.PlaceLineCall(ctx, core.LineCallRequest{Line: line.Number, Phone: "600111222", RuleGroup: "EMISION",
				Verify: func(string) bool { return true }})
			var ce *core.Error
			if !errors.As(err, &ce) {
				t.Fatalf("emission: %v", err)
			}
			return ce.Op, st.reads.Load() - before
		}
		if op, _ := place(); op != core.OpLineRuleGroup { // reads the group (and the line's throttle) once
			t.Fatalf("not an emission group: %s", op)
		}
		op, cached := place()
		if op != core.OpLineRuleGroup {
			t.Fatalf("again: %s", op)
		}
		must(t, raw.Updates(ctx, &core.RuleGroup{ID: g.ID}, map[string]any{"kind": string(core.RuleGroupEmission)}))
		if op, reads := place(); op != core.OpLineNoRule || reads != cached+1 {
			t.Fatalf("after the write: %s with %d reads, want %s with %d", op, reads, core.OpLineNoRule, cached+1)
		}
		if op, reads := place(); op != core.OpLineNoRule || reads != cached {
			t.Fatalf("then: %s with %d reads, want %d", op, reads, cached)
		}
	})
}

// TestListsComeFromMemoryUntilWritten: the list every added lead names is
// read once, then served from memory; a write of a list (here its
// deletion, then its return under another campaign) is seen by the very
// next lookup.
func TestListsComeFromMemoryUntilWritten(t *testing.T) {
	storetest.Each(t, func(t *testing.T, raw core.Store) {
		ctx := context.Background()
		st := &readCountingStore{Store: raw}
		e, _, _ := credEngine(t, st)
		list := core.List{ID: 101, Name: "L", Campaign: "OUT1", Active: true}
		must(t, raw.Create(ctx, &list))
		find := func() (core.List, error, int64) {
			before := st.reads.Load()
			l, err := e.FindList(ctx, list.ID)
			return l, err, st.reads.Load() - before
		}
		if l, err, _ := find(); err != nil || l.Campaign != "OUT1" {
			t.Fatalf("first lookup: %+v %v", l, err)
		}
		if _, err, reads := find(); err != nil || reads != 0 {
			t.Fatalf("again: %v with %d reads, want none", err, reads)
		}
		must(t, raw.Delete(ctx, &core.List{ID: list.ID}, core.All))
		if _, err, reads := find(); core.ErrorCode(err) != core.ENOTFOUND || reads != 1 {
			t.Fatalf("after the deletion: %v with %d reads, want not found read once", err, reads)
		}
		list.Campaign = "OUT2"
		must(t, raw.Create(ctx, &list))
		if l, err, reads := find(); err != nil || l.Campaign != "OUT2" || reads != 1 {
			t.Fatalf("after it came back: %+v %v with %d reads", l, err, reads)
		}
	})
}
