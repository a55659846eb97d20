package core

import "context"

// SettleNoStore is Settle that does not wait for the store lane: for tests
// that hold a store write back and check that the rest goes on.
func (e *Engine) SettleNoStore() {
	e.settleEvents()
	e.lanes.waitOnly(storeKey)
}

// CommitQueued is how many store writes wait for the committer.
func (e *Engine) CommitQueued() int {
	e.commit.mu.Lock()
	defer e.commit.mu.Unlock()
	return len(e.commit.q)
}

// ChargeLineCall exposes chargeLineCall to the billing tests.
func (e *Engine) ChargeLineCall(ctx context.Context, c Call) (float64, error) {
	return e.chargeLineCall(ctx, c)
}
