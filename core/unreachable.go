package core

import (
	"context"
	"reflect"
	"sort"
	"time"
)

// Backoff of an agent whose phone the PBX refuses to ring: the first
// refusal rests the agent for unreachableBase, each further one doubles the
// rest up to unreachableMax. Without it a phone that cannot be dialled (ARI
// 500 "Allocation failed") is offered every offerRetryDelay for ever.
const (
	unreachableBase = time.Second
	unreachableMax  = 60 * time.Second
)

// Causes of an unreachable phone: a closed set, used as a metric label.
const (
	// UnreachableRefused: the PBX refused the originate outright.
	UnreachableRefused = "refused"
	// UnreachableFailed: the originated channel failed before it rang
	// (congestion, channel unavailable, unallocated number).
	UnreachableFailed = "failed"
)

// UnreachableCauses lists every cause label, for metrics.
var UnreachableCauses = []string{UnreachableRefused, UnreachableFailed}

type unreachableAgent struct {
	attempts int
	until    time.Time
	resting  bool // until the backoff timer fires
	timer    Timer
}

// unreachableCause tells whether an offer channel's hangup means the phone
// could not be rung at all (as opposed to rung and not answered, or busy).
func unreachableCause(cause HangupCause) bool {
	switch cause {
	case CauseFailure, CauseCongestion, CauseUnallocated, causeChanUnavailable:
		return true
	}
	return false
}

// causeChanUnavailable is Q.850 20, subscriber absent (an unregistered
// PJSIP endpoint).
const causeChanUnavailable HangupCause = 20

// phoneRefusedLocked rests an agent whose phone could not be rung, for a
// delay that doubles at each refusal. One WARN when the agent becomes
// unreachable, not one per attempt; an AgentUnreachable event and a counter
// per attempt.
func (e *Engine) phoneRefusedLocked(user, ext, cause string, err error) {
	u := e.unreachable[user]
	if u == nil {
		u = &unreachableAgent{}
		e.unreachable[user] = u
		e.log.Warn("engine: agent phone unreachable, backing off", "agent", user, "extension", ext, "cause", cause, "err", err)
	} else {
		e.log.Debug("engine: agent phone still unreachable", "agent", user, "attempts", u.attempts+1, "err", err)
	}
	u.attempts++
	delay := unreachableBase << min(u.attempts-1, 16)
	delay = min(delay, unreachableMax)
	u.until = e.now().Add(delay)
	u.resting = true
	if u.timer != nil {
		u.timer.Stop()
	}
	u.timer = e.clock.AfterFunc(delay, func() {
		e.lock()
		defer e.unlock()
		if e.stopped || e.unreachable[user] != u {
			return
		}
		u.resting = false
		e.dispatchAllLocked(context.Background())
	})
	e.unreachableCount[cause]++
	reason := cause
	if err != nil {
		reason = err.Error()
	}
	e.publish(AgentUnreachable{Agent: user, Extension: ext, Until: u.until, Attempts: u.attempts, Cause: cause, Reason: reason}, user)
}

// phoneReachableLocked forgets an agent's backoff: its phone answered, it
// logged in again or its extension changed.
func (e *Engine) phoneReachableLocked(user string) {
	u := e.unreachable[user]
	if u == nil {
		return
	}
	if u.timer != nil {
		u.timer.Stop()
	}
	delete(e.unreachable, user)
	e.log.Info("engine: agent phone reachable again", "agent", user, "after_attempts", u.attempts)
}

// restingLocked is true while an agent's unreachable phone is in backoff.
func (e *Engine) restingLocked(user string) bool {
	u := e.unreachable[user]
	return u != nil && u.resting
}

// UnreachableTotal counts refused offers by cause since the engine was
// built (callgate_agent_unreachable_total).
func (e *Engine) UnreachableTotal() map[string]uint64 {
	e.lock()
	defer e.unlock()
	out := make(map[string]uint64, len(UnreachableCauses))
	for _, c := range UnreachableCauses {
		out[c] = e.unreachableCount[c]
	}
	return out
}

// UnreachableAgents lists the agents currently backing off, by username.
func (e *Engine) UnreachableAgents() []AgentUnreachable {
	e.lock()
	defer e.unlock()
	out := make([]AgentUnreachable, 0, len(e.unreachable))
	for user, u := range e.unreachable {
		out = append(out, AgentUnreachable{Agent: user, Until: u.until, Attempts: u.attempts})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Agent < out[j].Agent })
	return out
}

// AgentUnreachable: the PBX could not ring an agent's phone; the agent is
// offered no call until Until, then tried again.
type AgentUnreachable struct {
	Agent     string    `json:"agent"`
	Extension string    `json:"extension,omitempty"`
	Until     time.Time `json:"until"`
	// Attempts is the number of refusals in a row, this one included.
	Attempts int    `json:"attempts"`
	Cause    string `json:"cause"` // UnreachableRefused or UnreachableFailed
	Reason   string `json:"reason,omitempty"`
}

func (AgentUnreachable) EventType() string { return "agent.unreachable" }

// Registered here rather than in events.go's list so the event decodes from
// a remote bus like every other payload.
func init() { payloadTypes[AgentUnreachable{}.EventType()] = reflect.TypeOf(AgentUnreachable{}) }

// followProfilesLocked carries a changed agent profile over to its live
// session, so the next offer rings the new extension without a logout and
// login. A session whose extension was chosen at login (a phone login that
// overrides the profile) keeps it.
func (e *Engine) followProfilesLocked(ctx context.Context, prev map[string]*Agent) {
	for _, user := range sortedKeys(e.sessions) {
		s := e.sessions[user]
		old, now := prev[user], e.agents[user]
		if old == nil || now == nil || old.Extension == now.Extension {
			continue
		}
		if s.Extension != old.Extension || s.ChannelID != "" {
			continue // its own extension, or a persistent line already up
		}
		s.Extension = now.Extension
		e.saveSession(ctx, s)
		// A new phone deserves a fresh try.
		e.phoneReachableLocked(user)
	}
}
