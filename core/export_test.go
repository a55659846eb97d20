package core

// SettleNoStore is Settle that does not wait for the store lane: for tests
// that hold a store write back and check that the rest goes on.
func (e *Engine) SettleNoStore() {
	e.settleEvents()
	e.lanes.waitOnly(storeKey)
}
