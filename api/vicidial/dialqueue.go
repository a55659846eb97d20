package vicidial

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/callgate/callgate/core"
)

// dialQueue holds the queue-mode manual dials (VICIdial's
// vicidial_manual_dial_queue) that could not be placed at once because the
// agent was busy; each is placed when its agent is free again. In VICIdial
// the agent screen polls that table; here the engine's events drive it, with
// a slow tick as a safety net for missed events.
type dialQueue struct {
	mu      sync.Mutex
	pending map[string][]core.DialRequest // by agent, in arrival order
	stop    chan struct{}
	done    chan struct{}
}

// queueDial remembers a dial to place when the agent is free.
func (h *Handler) queueDial(req core.DialRequest) {
	q := h.dials
	q.mu.Lock()
	q.pending[req.Agent] = append(q.pending[req.Agent], req)
	q.mu.Unlock()
}

// startDialQueue follows the engine's events until Close.
func (h *Handler) startDialQueue() {
	q := &dialQueue{pending: map[string][]core.DialRequest{}, stop: make(chan struct{}), done: make(chan struct{})}
	h.dials = q
	go func() {
		defer close(q.done)
		tick := time.NewTicker(2 * time.Second)
		defer tick.Stop()
		var sub core.Subscription
		for {
			if sub == nil {
				sub, _ = h.eng.Bus().Subscribe(0, 256)
			}
			var events <-chan core.Event
			if sub != nil {
				events = sub.C()
			}
			select {
			case <-q.stop:
				if sub != nil {
					sub.Close()
				}
				return
			case ev, ok := <-events:
				if !ok {
					sub = nil // overflowed: resubscribe; the tick covers the gap
					continue
				}
				if ev.Agent != "" {
					h.placeQueued(ev.Agent)
				}
			case <-tick.C:
				for _, agent := range q.agents() {
					h.placeQueued(agent)
				}
			}
		}
	}()
}

func (q *dialQueue) agents() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]string, 0, len(q.pending))
	for a := range q.pending {
		out = append(out, a)
	}
	return out
}

// placeQueued dials the agent's oldest queued number if the agent is free.
func (h *Handler) placeQueued(agent string) {
	q := h.dials
	q.mu.Lock()
	reqs := q.pending[agent]
	if len(reqs) == 0 {
		q.mu.Unlock()
		return
	}
	req := reqs[0]
	q.mu.Unlock()
	s, ok := h.eng.Session(agent)
	if !ok {
		h.dropQueued(agent, req, "agent logged out")
		return
	}
	if s.CallID != 0 || s.State != core.AgentAvailable {
		return
	}
	_, err := h.eng.Dial(context.Background(), req)
	if errors.Is(err, core.ErrBusy) {
		return
	}
	if err != nil {
		h.log.Warn("vicidial: queued manual dial failed", "agent", agent, "number", req.Phone, "err", err)
	}
	h.dropQueued(agent, req, "")
}

func (h *Handler) dropQueued(agent string, req core.DialRequest, why string) {
	q := h.dials
	q.mu.Lock()
	reqs := q.pending[agent]
	if len(reqs) > 0 && reqs[0].Phone == req.Phone {
		reqs = reqs[1:]
	}
	if len(reqs) == 0 {
		delete(q.pending, agent)
	} else {
		q.pending[agent] = reqs
	}
	q.mu.Unlock()
	h.dequeueDial(agent, req.Phone)
	if why != "" {
		h.log.Info("vicidial: queued manual dial dropped", "agent", agent, "number", req.Phone, "why", why)
	}
}

func (h *Handler) stopDialQueue() {
	if h.dials == nil {
		return
	}
	select {
	case <-h.dials.stop:
	default:
		close(h.dials.stop)
	}
	<-h.dials.done
}
