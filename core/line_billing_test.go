package core_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// A line keeping a balance refuses emission once it is spent (no credit
// limit: Infocaller 11) or once it is its credit limit below zero (12);
// nothing is dialed then.
func TestLineWithoutCreditRefusesEmission(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	for _, tc := range []struct {
		line   core.Line
		wantOp string
	}{
		{core.Line{Number: "900000011", PhonePassword: "p", State: core.LineOn, BalanceOn: true, Balance: 0}, core.OpLineBalance},
		{core.Line{Number: "900000012", PhonePassword: "p", State: core.LineOn, BalanceOn: true, Balance: -10, CreditLimit: 10}, core.OpLineCredit},
	} {
		must(t, h.st.Create(h.ctx, &tc.line))
		_, err := h.e.PlaceLineCall(h.ctx, core.LineCallRequest{Line: tc.line.Number, Phone: "600111222", RuleGroup: "EMISION",
			Verify: func(string) bool { return true }})
		var ce *core.Error
		if !errors.As(err, &ce) || ce.Op != tc.wantOp || ce.Code != core.ECONFLICT {
			t.Fatalf("line %s: %v, want %s", tc.line.Number, err, tc.wantOp)
		}
	}
	chans, err := h.pbx.Channels(h.ctx)
	must(t, err)
	if len(chans) != 0 {
		t.Fatalf("%d channels dialed for refused emissions", len(chans))
	}
}

// The cost of a finished call is its rate times its talk time, billed by
// the second; two calls ending at once both come off the balance.
func TestLineCallCostsComeOffTheBalanceOnce(t *testing.T) {
	for _, kind := range storetest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			h := newHarness(t, storetest.Open(t, kind), harnessOpt{})
			line := core.Line{Number: "900000020", PhonePassword: "p", State: core.LineOn, RateTX: 0.6, RateRX: 0.12, BalanceOn: true, Balance: 10}
			must(t, h.st.Create(h.ctx, &line))
			answered := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
			ended := answered.Add(90 * time.Second)
			call := func(dir core.CallDirection) core.Call {
				return core.Call{ID: 1, Direction: dir, Attributes: `{"line":"900000020"}`, AnsweredAt: &answered, EndedAt: &ended}
			}
			costs := make([]float64, 2)
			var wg sync.WaitGroup
			for i, dir := range []core.CallDirection{core.CallOriginated, core.CallInbound} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					c, err := h.e.ChargeLineCall(context.Background(), call(dir))
					if err != nil {
						t.Error(err)
					}
					costs[i] = c
				}()
			}
			wg.Wait()
			if costs[0] != 0.9 || costs[1] != 0.18 {
				t.Fatalf("costs %v, want 0.9 emitted and 0.18 received", costs)
			}
			var got core.Line
			must(t, h.st.First(h.ctx, &got, core.Eq("number", line.Number)))
			if got.Balance != 8.92 {
				t.Fatalf("balance %v, want 8.92", got.Balance)
			}
		})
	}
}
