package core

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

// Line tariffs and credit. A line's calls cost its per-minute rate (RateTX
// for calls it emits, RateRX for calls it receives) times their talk time,
// billed by the second and rounded to six decimals (the precision
// Infocaller's CostRX/CostTX carry). With BalanceOn, the cost is taken from
// the line's balance when the call ends, and emission is refused once the
// balance is spent (no credit limit) or once it is CreditLimit below zero.

// checkLineCredit refuses a new call of a line whose credit is spent.
func checkLineCredit(l Line) error {
	switch {
	case !l.BalanceOn:
		return nil
	case l.CreditLimit > 0 && l.Balance <= -l.CreditLimit:
		return lineErr(ECONFLICT, OpLineCredit, "credit limit reached")
	case l.CreditLimit <= 0 && l.Balance <= 0:
		return lineErr(ECONFLICT, OpLineBalance, "no balance left")
	}
	return nil
}

// CallCost is what a call of the line with talk seconds costs.
func (l Line) CallCost(emitted bool, seconds int) float64 {
	rate := l.RateRX
	if emitted {
		rate = l.RateTX
	}
	return math.Round(rate*float64(seconds)/60*1e6) / 1e6
}

// TalkSeconds is a finished call's billed time: from its answer to its end.
func TalkSeconds(c Call) int {
	if c.AnsweredAt == nil || c.EndedAt == nil {
		return 0
	}
	return max(int(c.EndedAt.Sub(*c.AnsweredAt)/time.Second), 0)
}

// chargeLineCall takes a finished line call's cost from its line's balance
// and returns the cost (0 for a call of no line). The balance is changed
// with a compare-and-set, so two calls ending at once both count.
func (e *Engine) chargeLineCall(ctx context.Context, c Call) (float64, error) {
	number := CallAttributes(c)["line"]
	if number == "" {
		return 0, nil
	}
	var cost float64
	for range 8 {
		var line Line
		if err := e.store.First(ctx, &line, Eq("number", number)); err != nil {
			if errors.Is(err, ErrNoRecord) {
				return 0, nil
			}
			return 0, fmt.Errorf("charge line call: %w", err)
		}
		cost = line.CallCost(c.Direction == CallOriginated, TalkSeconds(c))
		if cost == 0 || !line.BalanceOn {
			return cost, nil
		}
		n, err := e.store.UpdateWhere(ctx, &Line{}, Eq("id", line.ID).Eq("balance", line.Balance),
			map[string]any{"balance": math.Round((line.Balance-cost)*1e6) / 1e6}, Fence{})
		if err != nil {
			return cost, fmt.Errorf("charge line call: %w", err)
		}
		if n == 1 {
			return cost, nil
		}
	}
	return cost, Errorf(EUNAVAILABLE, "charge line call %d: the balance kept changing", c.ID)
}
