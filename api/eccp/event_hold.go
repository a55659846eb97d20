package eccp

import "sync"

// eventHold lets a handler answer before the events its own command
// caused, as dialerd does where the reply is written at once and the
// event follows when Asterisk reports the change (unhold → pauseend).
// While held, event packets for the session are kept in order and sent
// right after the response.
type eventHold struct {
	mu      sync.Mutex // orders held and live event sends for one session
	holding bool
	held    [][]byte
	// catching: a resumed relay session reads events back from the bus;
	// live ones wait in caught with their sequence (relay.go).
	catching bool
	caught   []seqPkts
}

// holdEvents makes the events delivered from now on wait for this
// request's response.
func (ss *session) holdEvents() {
	ss.ev.mu.Lock()
	ss.ev.holding = true
	ss.ev.mu.Unlock()
}

// sendEvents queues event packets, or keeps them while a response is
// pending; false when the session is gone.
func (ss *session) sendEvents(pkts [][]byte) bool {
	ss.ev.mu.Lock()
	defer ss.ev.mu.Unlock()
	return ss.sendEventsLocked(pkts)
}

func (ss *session) sendEventsLocked(pkts [][]byte) bool {
	if ss.ev.holding {
		ss.ev.held = append(ss.ev.held, pkts...)
		return true
	}
	for _, p := range pkts {
		if !ss.send(p) {
			return false
		}
	}
	return true
}

// releaseEvents sends the events kept while the response was pending.
// Called after the response is queued.
func (ss *session) releaseEvents() {
	ss.ev.mu.Lock()
	defer ss.ev.mu.Unlock()
	if !ss.ev.holding {
		return
	}
	held := ss.ev.held
	ss.ev.holding, ss.ev.held = false, nil
	for _, p := range held {
		if !ss.send(p) {
			return
		}
	}
}
