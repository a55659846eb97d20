package core

import (
	"fmt"
	"time"
)

// A call cut by a gateway or PBX failure is nobody's hang-up: it is recorded
// with hangup_by=system, a SYSTEMHANGUP queue-log row (never COMPLETECALLER
// or ABANDON, which would blame the caller) and the status LOST.
const (
	// HangupBySystem is Call.HangupBy for calls the platform ended.
	HangupBySystem = "system"
	// QLSystemHangup closes a queue call cut by a failure. Data1..3 are
	// those of the row it replaces (COMPLETE*: hold, talk, position;
	// ABANDON: position, original position, wait); Data4 says which.
	QLSystemHangup = "SYSTEMHANGUP"
	// StatusLost is the status of a call cut by a failure.
	StatusLost = "LOST"

	systemCutWaiting   = "waiting"
	systemCutConnected = "connected"

	// lostOnReconnect marks the hangups the engine synthesizes for
	// channels the PBX no longer has after a reconnect.
	lostOnReconnect = "lost on pbx reconnect"
)

// CutWhileWaiting is whether a SYSTEMHANGUP row closes a call cut while it
// waited in the queue (false: cut while connected to an agent).
func (r QueueLogEntry) CutWhileWaiting() bool {
	return r.Event == QLSystemHangup && r.Data4 == systemCutWaiting
}

// systemCut tells whether endCallLocked's parameters describe a failure
// rather than a hang-up by a person (a supervisor's HangupCall is also
// "system" but with a normal cause, and stays a completed call).
func systemCut(by string, cause HangupCause) bool {
	return by == HangupBySystem && cause == CauseFailure
}

// systemCutRows is the closing queue-log row of a queue call cut by a
// failure at now; none for a call that never entered a queue.
func (e *Engine) systemCutRows(c *liveCall, now time.Time) []QueueLogEntry {
	if c.Queue == "" {
		return nil
	}
	switch {
	case c.State == CallQueued || c.State == CallOffering:
		wait := 0
		if c.QueuedAt != nil {
			wait = int(now.Sub(*c.QueuedAt).Seconds())
		}
		return []QueueLogEntry{{Queue: c.Queue, Event: QLSystemHangup, Data1: fmt.Sprint(c.position), Data2: fmt.Sprint(c.position), Data3: fmt.Sprint(wait), Data4: systemCutWaiting}}
	case c.ConnectedAt != nil && !c.agentGone:
		hold := 0
		if c.QueuedAt != nil {
			hold = int(c.ConnectedAt.Sub(*c.QueuedAt).Seconds())
		}
		talk := int(now.Sub(*c.ConnectedAt).Seconds())
		return []QueueLogEntry{{Queue: c.Queue, Agent: c.Agent, Event: QLSystemHangup, Data1: fmt.Sprint(hold), Data2: fmt.Sprint(talk), Data3: fmt.Sprint(c.position), Data4: systemCutConnected}}
	}
	return nil
}
