package core

import "sync"

// eventCount counts PBX events received and handled, so Settle can wait
// for the event path to catch up.
type eventCount struct {
	mu      sync.Mutex
	cond    *sync.Cond
	pushed  uint64
	handled uint64
	stopped bool
}

func (c *eventCount) init() {
	if c.cond == nil {
		c.cond = sync.NewCond(&c.mu)
	}
}

// pushEvent is the PBX's event sink.
func (e *Engine) pushEvent(ev TelEvent) {
	e.evc.mu.Lock()
	e.evc.pushed++
	e.evc.mu.Unlock()
	e.evq.Push(ev)
}

func (e *Engine) settled(n int) {
	e.evc.mu.Lock()
	e.evc.init()
	e.evc.handled += uint64(n)
	e.evc.cond.Broadcast()
	e.evc.mu.Unlock()
}

// Settle waits until every PBX event received before the call has been
// handled (or the engine stopped). With a fake clock and a PBX that has
// delivered its events (sim.PBX.Flush), a test knows the engine has acted
// on everything that happened so far, without polling.
//
// It also waits for the effects decided so far (PBX commands, store
// writes, events: see effects.go) to be done, so what the PBX and the
// store show agrees with the engine's memory when it returns.
func (e *Engine) Settle() {
	e.settleEvents()
	e.lanes.waitOnly("")
}

func (e *Engine) settleEvents() {
	e.evc.mu.Lock()
	defer e.evc.mu.Unlock()
	e.evc.init()
	target := e.evc.pushed
	for e.evc.handled < target && !e.evc.stopped {
		e.evc.cond.Wait()
	}
}

func (e *Engine) stopSettle() {
	e.evc.mu.Lock()
	defer e.evc.mu.Unlock()
	e.evc.init()
	e.evc.stopped = true
	e.evc.cond.Broadcast()
}
