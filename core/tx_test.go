package core_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/callgate/callgate/core"
)

// failingStore refuses CDR writes inside transactions while armed.
type failingStore struct {
	core.Store
	armed *atomic.Bool
}

var errInjected = errors.New("injected store failure")

func (f failingStore) Tx(ctx context.Context, fn func(core.Store) error) error {
	return f.Store.Tx(ctx, func(tx core.Store) error {
		return fn(failingStore{Store: tx, armed: f.armed})
	})
}

func (f failingStore) Create(ctx context.Context, v any) error {
	if _, ok := v.(*core.CDR); ok && f.armed.Load() {
		return errInjected
	}
	return f.Store.Create(ctx, v)
}

// When the end-of-call write fails, neither the ended call, nor its queue
// log row, nor its CDR is half-written: the transaction rolls back whole.
func TestCallEndWriteIsAllOrNothing(t *testing.T) {
	base := sqlite(t)
	armed := &atomic.Bool{}
	h := newHarness(t, failingStore{Store: base, armed: armed}, harnessOpt{})
	h.login("a1")
	ch := h.inbound("5550040")
	c := h.callOf("a1")
	armed.Store(true)
	must(t, h.pbx.FarHangup(ch, core.CauseNormal))
	h.waitState("a1", core.AgentAvailable)
	var stored core.Call
	must(t, base.First(h.ctx, &stored, core.Eq("id", c.ID)))
	if stored.State == core.CallDone {
		t.Fatal("call marked ended although its CDR write failed")
	}
	if n, _ := base.Count(h.ctx, &core.QueueLogEntry{}, core.Eq("event", core.QLCompleteCaller)); n != 0 {
		t.Fatalf("%d COMPLETECALLER rows without their call", n)
	}
	if n, _ := base.Count(h.ctx, &core.CDR{}, core.All); n != 0 {
		t.Fatalf("%d CDR rows", n)
	}
}
