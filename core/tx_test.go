package core_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
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
	switch v.(type) {
	case *core.CDR, *[]core.CDR: // alone, or batched by group commit
	default:
		return f.Store.Create(ctx, v)
	}
	if f.armed.Load() {
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

// A command whose decision stands but whose store write failed does not
// answer success: its caller learns the change is not saved (EINTERNAL,
// with no store text in the message), and the next command, with the
// store healthy again, succeeds.
func TestCommandWhoseWriteFailedAnswersAnError(t *testing.T) {
	armed := &atomic.Bool{}
	h := newHarness(t, storetest.RefuseQueueLog(sqlite(t), armed), harnessOpt{})
	h.login("a1")
	armed.Store(true)
	err := h.e.Pause(h.ctx, "a1", "")
	if err == nil {
		t.Fatal("Pause answered success although its queue-log row was refused")
	}
	if code := core.ErrorCode(err); code != core.EINTERNAL {
		t.Fatalf("error code %q, want %q (%v)", code, core.EINTERNAL, err)
	}
	if msg := core.ErrorMessage(err); strings.Contains(msg, storetest.ErrRefused.Error()) {
		t.Fatalf("wire message %q carries the store's text", msg)
	}
	armed.Store(false)
	if err := h.e.Unpause(h.ctx, "a1"); err != nil {
		t.Fatalf("Unpause with a healthy store: %v", err)
	}
}
