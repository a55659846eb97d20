package core_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
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

// TestDispositionOfNoCallWaitsOnlyForTheAgentsCallWrites: external_status
// with no call looks up the agent's last call. It waits for the writes of
// that agent's calls, not for every write decided before: with the store
// holding another request's write, an agent who never had a call is told
// so at once, while a call that connected and ended behind the held
// write is waited for and dispositioned (looked up before its row was
// written, it would be "no call").
func TestDispositionOfNoCallWaitsOnlyForTheAgentsCallWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		h := newHarness(t, st, harnessOpt{agents: 2, wrapUp: 60})
		h.login("a1", "a2")
		must(t, h.e.Sync(h.ctx))
		release, first := holdCommitter(h)

		none := make(chan error, 1)
		go func() { none <- h.e.SetDisposition(h.ctx, "a2", core.DispositionRequest{Status: "SALE"}) }()
		select {
		case err := <-none:
			if !errors.Is(err, core.ErrNoCall) {
				t.Fatalf("a2 with no call: %v, want ErrNoCall", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a2's lookup waited for a write that is not one of its calls")
		}

		ch := h.inbound("5550401")
		c := h.callOf1(t, "a1")
		must(t, h.pbx.FarHangup(ch, core.CauseNormal))
		h.settleNoStore()
		ended := make(chan error, 1)
		go func() { ended <- h.e.SetDisposition(h.ctx, "a1", core.DispositionRequest{Status: "SALE"}) }()
		close(release)
		must(t, <-first)
		must(t, <-ended)
		var stored core.Call
		must(t, st.First(h.ctx, &stored, core.ByID(c.ID)))
		if stored.Status != "SALE" || stored.Agent != "a1" {
			t.Fatalf("stored call %d: status %q agent %q, want SALE by a1", c.ID, stored.Status, stored.Agent)
		}
	})
}

// callOf1 is callOf for a test holding store writes back.
func (h *harness) callOf1(t *testing.T, user string) core.Call {
	t.Helper()
	h.settleNoStore()
	c, ok := h.e.AgentCall(user)
	if !ok || c.State != core.CallConnected {
		t.Fatalf("%s has no connected call (%+v)", user, c)
	}
	return c
}

// TestDispositionOfNoCallSeesACallPassedOnBehindAHeldWrite: a call a1
// transferred to a2 while the store held another write is no longer a1's
// once written; a1's lookup waits for that write too, so it answers as
// after every write (no call) rather than dispositioning a2's call.
func TestDispositionOfNoCallSeesACallPassedOnBehindAHeldWrite(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		h := newHarness(t, st, harnessOpt{agents: 2, strategy: core.StrategyLinear})
		h.login("a1")
		h.inbound("5550402")
		c := h.callOf("a1")
		h.login("a2")
		must(t, h.e.Sync(h.ctx))
		release, first := holdCommitter(h)

		transferred := make(chan error, 1)
		go func() {
			transferred <- h.e.Transfer(h.ctx, "a1", core.TransferRequest{Kind: core.TransferBlind, Agent: "a2"})
		}()
		waitFor(t, "the call to pass to a2", func() bool {
			h.settleNoStore()
			ac, ok := h.e.AgentCall("a2")
			return ok && ac.ID == c.ID && ac.State == core.CallConnected
		})
		lookup := make(chan error, 1)
		go func() { lookup <- h.e.SetDisposition(h.ctx, "a1", core.DispositionRequest{Status: "SALE"}) }()
		close(release)
		must(t, <-first)
		must(t, <-transferred)
		if err := <-lookup; !errors.Is(err, core.ErrNoCall) {
			t.Fatalf("a1 after passing its call on: %v, want ErrNoCall", err)
		}
		var stored core.Call
		must(t, st.First(h.ctx, &stored, core.ByID(c.ID)))
		if stored.Agent != "a2" || stored.Status == "SALE" {
			t.Fatalf("stored call: agent %q status %q", stored.Agent, stored.Status)
		}
	})
}

// callReads counts the store's reads of calls and holds the one a test arms
// after it read (so writes decided meanwhile are not in what it returns).
type callReads struct {
	core.Store
	n    atomic.Int64
	gate atomic.Pointer[gate]
}

func (s *callReads) First(ctx context.Context, dst any, f core.Filter) error {
	err := s.Store.First(ctx, dst, f)
	if _, ok := dst.(*core.Call); ok {
		s.n.Add(1)
		if g := s.gate.Swap(nil); g != nil {
			g.hold()
		}
	}
	return err
}

// TestAgentWithNoCallIsAnsweredFromMemoryUntilItHasOne: once the store
// showed an agent no call, asking again reads nothing, until a call of
// the agent is written: then it is found. A call decided while the store
// was being read keeps the agent from being remembered as having none.
func TestAgentWithNoCallIsAnsweredFromMemoryUntilItHasOne(t *testing.T) {
	storetest.Each(t, func(t *testing.T, raw core.Store) {
		st := &callReads{Store: raw}
		h := newHarness(t, st, harnessOpt{agents: 1, wrapUp: 60})
		h.login("a1")
		noCall := func(what string) {
			t.Helper()
			if err := h.e.SetDisposition(h.ctx, "a1", core.DispositionRequest{Status: "SALE"}); !errors.Is(err, core.ErrNoCall) {
				t.Fatalf("%s: %v, want ErrNoCall", what, err)
			}
		}
		noCall("first lookup")
		reads := st.n.Load()
		noCall("asked again")
		if n := st.n.Load() - reads; n != 0 {
			t.Errorf("asked again: %d reads of calls, want 0", n)
		}

		ch := h.inbound("5550403")
		c := h.callOf("a1")
		must(t, h.pbx.FarHangup(ch, core.CauseNormal))
		h.settle()
		must(t, h.e.SetDisposition(h.ctx, "a1", core.DispositionRequest{Status: "SALE"}))
		var stored core.Call
		must(t, raw.First(h.ctx, &stored, core.ByID(c.ID)))
		if stored.Status != "SALE" {
			t.Fatalf("call %d after the agent's first call: status %q, want SALE", c.ID, stored.Status)
		}
	})
}

// TestCallDecidedWhileTheStoreIsReadIsFoundNextTime: a lookup whose read
// of the store finds no call while a call of the agent is decided and
// written answers "no call" (what it read), but does not make the engine
// remember the agent as having none: the next lookup finds the call.
func TestCallDecidedWhileTheStoreIsReadIsFoundNextTime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, raw core.Store) {
		st := &callReads{Store: raw}
		h := newHarness(t, st, harnessOpt{agents: 1, wrapUp: 60})
		h.login("a1")
		g := newGate()
		st.gate.Store(g)
		first := make(chan error, 1)
		go func() { first <- h.e.SetDisposition(h.ctx, "a1", core.DispositionRequest{Status: "SALE"}) }()
		<-g.entered
		ch := h.inbound("5550404")
		c := h.callOf("a1")
		must(t, h.pbx.FarHangup(ch, core.CauseNormal))
		h.settle()
		close(g.release)
		if err := <-first; !errors.Is(err, core.ErrNoCall) {
			t.Fatalf("lookup read before the call: %v, want ErrNoCall", err)
		}
		must(t, h.e.SetDisposition(h.ctx, "a1", core.DispositionRequest{Status: "SALE"}))
		var stored core.Call
		must(t, raw.First(h.ctx, &stored, core.ByID(c.ID)))
		if stored.Status != "SALE" {
			t.Fatalf("call %d: status %q, want SALE", c.ID, stored.Status)
		}
	})
}
