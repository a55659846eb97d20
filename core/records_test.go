package core_test

import (
	"context"
	"errors"
	"testing"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

func TestRecordsKeepMembershipsWithTheirAgentAndQueue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		ctx := context.Background()
		r := core.NewRecords(st)
		q := core.Queue{Name: "q1", Active: true}
		a := core.Agent{Username: "u1", Active: true}
		must(t, r.Create(ctx, &q))
		must(t, r.Create(ctx, &a))
		if _, created, err := r.PutQueueMember(ctx, q, a, 1); err != nil || !created {
			t.Fatalf("first put: created %v, %v", created, err)
		}
		if m, created, err := r.PutQueueMember(ctx, q, a, 3); err != nil || created || m.Penalty != 3 {
			t.Fatalf("second put: %+v created %v, %v", m, created, err)
		}

		a.Username = "u1-renamed"
		must(t, r.Save(ctx, &a))
		ms, err := r.QueueMembers(ctx, q.ID)
		if err != nil || len(ms) != 1 || ms[0].Agent != "u1-renamed" {
			t.Fatalf("after rename members = %+v, %v", ms, err)
		}

		must(t, r.Delete(ctx, &a))
		if ms, _ := r.QueueMembers(ctx, q.ID); len(ms) != 0 {
			t.Fatalf("deleted agent still a member: %+v", ms)
		}
		if err := r.RemoveQueueMember(ctx, q.ID, a.ID); !errors.Is(err, core.ErrNoRecord) {
			t.Fatalf("removing a missing member: %v", err)
		}
	})
}

func TestRecordsRefuseWhatIsNotARecord(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	r := core.NewRecords(st)
	var s struct{ ID uint }
	if err := r.Create(context.Background(), &s); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("create of a non-record: %v", err)
	}
	var agents []core.Agent
	if err := r.List(context.Background(), &agents, core.Eq("no_such_field", 1)); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("unknown field: %v", err)
	}
}

func TestSetQueueMembershipsIsAllOrNothingAndReachesTheACD(t *testing.T) {
	h := newHarness(t, storetest.Open(t, storetest.SQLite), harnessOpt{})
	must(t, h.st.Create(h.ctx, &core.Queue{Name: "support", Active: true}))
	if err := h.e.SetQueueMemberships(h.ctx, "a1", []string{"support", "nope"}); !errors.Is(err, core.ErrUnknownQueue) {
		t.Fatalf("unknown queue: %v", err)
	}
	var ms []core.QueueMember
	must(t, h.st.Find(h.ctx, &ms, core.Eq("agent", "a1")))
	if len(ms) != 1 || ms[0].Queue != "sales" {
		t.Fatalf("failed change altered memberships: %+v", ms)
	}
	must(t, h.e.SetQueueMemberships(h.ctx, "a1", []string{"support"}))
	ms = nil
	must(t, h.st.Find(h.ctx, &ms, core.Eq("agent", "a1")))
	if len(ms) != 1 || ms[0].Queue != "support" {
		t.Fatalf("memberships = %+v, want support only", ms)
	}
	if got := h.e.QueueMembers("support"); len(got) != 1 || got[0].Agent != "a1" {
		t.Fatalf("the ACD's members of support = %+v, want a1", got)
	}
	if err := h.e.SetQueueMemberships(h.ctx, "ghost", nil); !errors.Is(err, core.ErrUnknownAgent) {
		t.Fatalf("unknown agent: %v", err)
	}
}
