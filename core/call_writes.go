package core

import (
	"context"
	"errors"
	"fmt"
)

// What the engine knows of each agent's calls in the store.
//
// Looking up an agent's last call in the store needs every write of that
// agent's calls decided before it to be committed. Sync waits for every
// write decided so far: under load that is a commit of other requests'
// rows (their API log), a whole commit's wait per lookup. A command that
// reads only the agent's calls waits for those writes alone. And since
// only this engine writes calls (one active engine per deployment, see
// design.md), an agent the store showed no call keeps none until the
// engine writes one: the lookup (external_status from an agent who had no
// call yet, asked again and again) is then answered from memory.

// callWrites is kept under the engine lock.
type callWrites struct {
	// agentOf is the agent a live call's latest write recorded: when the
	// call passes to another agent, the write changes the former agent's
	// calls too.
	agentOf map[uint64]string
	agents  map[string]*agentCalls
}

type agentCalls struct {
	// latest is the latest write of the agent's calls, closed once its
	// outcome is known.
	latest chan struct{}
	// writes counts them, so a lookup knows whether one was decided while
	// it read the store.
	writes uint64
	// none: the store showed no call of the agent, and none was written
	// since.
	none bool
}

// trackCallWrite records f, a write of call c (ended: its last one), as
// the latest write of the calls of c's agent and of the agent its
// previous write recorded.
func (e *Engine) trackCallWrite(f *effect, c *Call, ended bool) {
	w := &e.callWrites
	w.init()
	f.written = make(chan struct{})
	if prev := w.agentOf[c.ID]; prev != c.Agent && prev != "" {
		w.touch(prev, f.written)
	}
	if c.Agent != "" {
		w.touch(c.Agent, f.written)
	}
	if ended {
		delete(w.agentOf, c.ID)
	} else {
		w.agentOf[c.ID] = c.Agent
	}
}

func (w *callWrites) touch(agent string, written chan struct{}) {
	a := w.of(agent)
	a.latest, a.none = written, false
	a.writes++
}

func (w *callWrites) of(agent string) *agentCalls {
	w.init()
	a := w.agents[agent]
	if a == nil {
		a = &agentCalls{}
		w.agents[agent] = a
	}
	return a
}

// restored records the agent of a call resumed at start, as its row in
// the store has it.
func (w *callWrites) restored(c *Call) {
	w.init()
	w.agentOf[c.ID] = c.Agent
}

func (w *callWrites) init() {
	if w.agentOf == nil {
		w.agentOf, w.agents = map[uint64]string{}, map[string]*agentCalls{}
	}
}

// lastCallLookup is what looking up an agent's last call in the store
// needs, taken under the lock.
type lastCallLookup struct {
	agent string
	// pending is closed once every write of the agent's calls decided so
	// far is done (nil: none pending).
	pending <-chan struct{}
	writes  uint64
	// none: the store has no call of the agent; nothing to read.
	none bool
}

func (e *Engine) lastCallLookupLocked(agent string) lastCallLookup {
	l := lastCallLookup{agent: agent}
	if a := e.callWrites.agents[agent]; a != nil {
		l.pending, l.writes, l.none = a.latest, a.writes, a.none
	}
	return l
}

// lastCall reads the agent's last call from the store once its writes are
// done; ErrNoCall when it has none. Run outside the lock.
func (e *Engine) lastCall(ctx context.Context, l lastCallLookup, call *Call) error {
	if l.none {
		return fmt.Errorf("%w: %s", ErrNoCall, l.agent)
	}
	if l.pending != nil {
		select {
		case <-l.pending:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	err := e.firstCall(ctx, call, l.agent, Eq("agent", l.agent).Desc("id"))
	if errors.Is(err, ErrNoCall) {
		e.lock()
		if a := e.callWrites.of(l.agent); a.writes == l.writes {
			// No call of the agent was decided while the store was read.
			a.none = true
		}
		e.unlock()
	}
	return err
}
