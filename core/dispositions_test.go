package core_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
)

// txRefusingStore refuses writes inside transactions, as a store that lost its
// database would.
type txRefusingStore struct {
	core.Store
	armed *atomic.Bool
}

func (f txRefusingStore) Tx(ctx context.Context, fn func(core.Store) error) error {
	if f.armed.Load() {
		return errors.New("INSERT INTO leads ... : connection refused")
	}
	return f.Store.Tx(ctx, fn)
}

// Disposition actions are executed: respool puts the lead back in the
// dialable pool, reschedule creates a callback at the given time (or the
// campaign's retry delay), and a plain status only changes the lead.
func TestDispositionActionsAreExecuted(t *testing.T) {
	when := time.Now().Add(time.Hour).Truncate(time.Second)
	tests := []struct {
		name       string
		action     string
		callbackAt *time.Time
		wantStatus string
		wantCBs    int
		wantCalled int
		wantDNC    bool
	}{
		{"respool resets the lead for the dialer", core.DispoActionRespool, nil, "NEW", 0, 0, false},
		{"reschedule with a time schedules a callback", core.DispoActionReschedule, &when, "RESCH", 1, 1, false},
		{"reschedule without a time uses the retry delay", core.DispoActionReschedule, nil, "RESCH", 1, 1, false},
		{"blacklist puts the number on the DNC list", core.DispoActionBlacklist, nil, "RESCH", 0, 1, true},
		{"no action only sets the status", "", nil, "RESCH", 0, 1, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := sqlite(t)
			must(t, st.Create(context.Background(), &core.Campaign{Name: "RD", Type: core.CampaignOutbound, DialMethod: core.DialManual, Active: true, MaxRetries: 2, RetryDelay: 600}))
			h := newHarness(t, st, harnessOpt{})
			must(t, st.Create(h.ctx, &core.Disposition{Code: "RESCH", Name: "x", Action: tc.action}))
			lead := core.Lead{Campaign: "RD", PhoneNumber: "5553000", Status: "NEW"}
			must(t, h.e.AddLead(h.ctx, &lead, core.AddLeadOptions{}))
			must(t, h.e.Login(h.ctx, "a1", core.LoginOptions{Campaign: "RD"}))
			c, err := h.e.Dial(h.ctx, core.DialRequest{Agent: "a1", Phone: "5553000", LeadID: lead.ID, Campaign: "RD"})
			must(t, err)
			h.callOf("a1")
			must(t, h.e.Hangup(h.ctx, "a1"))
			l, _ := h.e.Lead(h.ctx, lead.ID)
			l.CalledCount = 1
			must(t, st.Save(h.ctx, &l))
			must(t, h.e.SetDisposition(h.ctx, "a1", core.DispositionRequest{Status: "RESCH", CallID: c.ID, CallbackAt: tc.callbackAt}))
			l, _ = h.e.Lead(h.ctx, lead.ID)
			if l.Status != tc.wantStatus || l.CalledCount != tc.wantCalled || (tc.action == core.DispoActionRespool && l.NextAttemptAt != nil) {
				t.Fatalf("lead status %q called %d next %v", l.Status, l.CalledCount, l.NextAttemptAt)
			}
			var cbs []core.Callback
			must(t, st.Find(h.ctx, &cbs, core.Eq("lead_id", lead.ID)))
			if len(cbs) != tc.wantCBs {
				t.Fatalf("callbacks %d, want %d", len(cbs), tc.wantCBs)
			}
			if tc.wantCBs == 1 && tc.callbackAt != nil && !cbs[0].When.Equal(when) {
				t.Fatalf("callback at %v, want %v", cbs[0].When, when)
			}
			if tc.wantCBs == 1 && tc.callbackAt == nil && cbs[0].When.Before(h.clk.Now().Add(9*time.Minute)) {
				t.Fatalf("callback at %v, want the retry delay", cbs[0].When)
			}
			if got := h.e.IsDNC(h.ctx, "5553000", "RD"); got != tc.wantDNC {
				t.Fatalf("DNC %v, want %v", got, tc.wantDNC)
			}
		})
	}
}

// A disposition whose writes fail is an EINTERNAL error without SQL text,
// and nothing of it is recorded.
func TestDispositionWriteFailureIsReturned(t *testing.T) {
	st := sqlite(t)
	armed := new(atomic.Bool)
	h := newHarness(t, txRefusingStore{st, armed}, harnessOpt{})
	lead := core.Lead{Campaign: "OUT1", PhoneNumber: "5554000", Status: "NEW"}
	must(t, h.e.AddLead(h.ctx, &lead, core.AddLeadOptions{}))
	h.login("a1")
	c, err := h.e.Dial(h.ctx, core.DialRequest{Agent: "a1", Phone: "5554000", LeadID: lead.ID})
	must(t, err)
	h.callOf("a1")
	must(t, h.e.Hangup(h.ctx, "a1"))
	armed.Store(true)
	err = h.e.SetDisposition(h.ctx, "a1", core.DispositionRequest{Status: "SALE", CallID: c.ID})
	if core.ErrorCode(err) != core.EINTERNAL {
		t.Fatalf("code %q (%v), want internal", core.ErrorCode(err), err)
	}
	if msg := core.ErrorMessage(err); msg != "internal error" {
		t.Fatalf("message %q leaks the cause", msg)
	}
	l, _ := h.e.Lead(h.ctx, lead.ID)
	if l.Status == "SALE" {
		t.Fatal("lead status written although the disposition failed")
	}
}

// Sentinels carry codes and stay matchable through wrapping.
func TestErrorCodes(t *testing.T) {
	tests := []struct {
		err  error
		code string
	}{
		{fmt.Errorf("%w: bob", core.ErrUnknownAgent), core.ENOTFOUND},
		{fmt.Errorf("%w: bob", core.ErrNotLoggedIn), core.ECONFLICT},
		{fmt.Errorf("x: %w", core.ErrInvalid), core.EINVALID},
		{core.ErrStopped, core.EUNAVAILABLE},
		{fmt.Errorf("originate: %w", core.ErrNotConnected), core.EUNAVAILABLE},
		{errors.New("Error 1064: You have an error in your SQL syntax"), core.EINTERNAL},
		{core.Internal("op", errors.New("SELECT 1")), core.EINTERNAL},
		{nil, ""},
	}
	for _, tc := range tests {
		if got := core.ErrorCode(tc.err); got != tc.code {
			t.Errorf("ErrorCode(%v) = %q, want %q", tc.err, got, tc.code)
		}
	}
	if !errors.Is(fmt.Errorf("%w: x", core.ErrBusy), core.ErrBusy) || errors.Is(core.ErrBusy, core.ErrNoCall) {
		t.Fatal("sentinels are not distinct under errors.Is")
	}
	if m := core.ErrorMessage(fmt.Errorf("%w: bob", core.ErrUnknownAgent)); m != "unknown agent" {
		t.Fatalf("message %q", m)
	}
}

// A reschedule with no time and no campaign retry delay is refused as
// EINVALID before anything is written.
func TestRescheduleWithoutTimeIsRefused(t *testing.T) {
	st := sqlite(t)
	h := newHarness(t, st, harnessOpt{})
	must(t, st.Create(h.ctx, &core.Disposition{Code: "RESCH", Name: "x", Action: core.DispoActionReschedule}))
	lead := core.Lead{Campaign: "OUT1", PhoneNumber: "5555000", Status: "NEW"}
	must(t, h.e.AddLead(h.ctx, &lead, core.AddLeadOptions{}))
	h.login("a1")
	c, err := h.e.Dial(h.ctx, core.DialRequest{Agent: "a1", Phone: "5555000", LeadID: lead.ID})
	must(t, err)
	h.callOf("a1")
	must(t, h.e.Hangup(h.ctx, "a1"))
	err = h.e.SetDisposition(h.ctx, "a1", core.DispositionRequest{Status: "RESCH", CallID: c.ID})
	if core.ErrorCode(err) != core.EINVALID {
		t.Fatalf("code %q (%v), want invalid", core.ErrorCode(err), err)
	}
	l, _ := h.e.Lead(h.ctx, lead.ID)
	if l.Status == "RESCH" {
		t.Fatal("lead status written although the disposition was refused")
	}
}
