package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
)

// PendingDial is a manual dial waiting in an agent's queue. It is stored
// while it waits, so an engine restarted before the agent was free still
// places it, in the same order.
type PendingDial struct {
	ID        uint      `gorm:"primaryKey" json:"id"`
	Agent     string    `gorm:"size:64;index" json:"agent"`
	Phone     string    `gorm:"size:64" json:"phone"`
	Request   string    `gorm:"type:text" json:"request"` // the DialRequest, as JSON
	CreatedAt time.Time `json:"created_at"`
}

// queuedDial is a pending dial in memory with the id of its stored row.
type queuedDial struct {
	DialRequest
	row PendingDial
}

// pendingDials is each agent's queue of manual dials that could not be
// placed at once because the agent was busy; each is placed, oldest first,
// as soon as its agent is free again. Engine events drive it, with a slow
// tick as a safety net for missed ones.
type pendingDials struct {
	mu       sync.Mutex
	byAgent  map[string][]queuedDial // in arrival order
	reserved map[pendingKey]bool     // numbers in an agent's queue or being placed
	running  bool
}

type pendingKey struct{ agent, number string }

// pendingDialTick is how often queued dials are retried without an event.
const pendingDialTick = 2 * time.Second

// ReserveDial puts a number in the agent's pending-dial queue before it is
// dialled; false when the number already is there, so a console cannot
// queue the same number twice.
func (e *Engine) ReserveDial(agent, number string) bool {
	q := &e.dials
	q.mu.Lock()
	defer q.mu.Unlock()
	k := pendingKey{agent, number}
	if q.reserved[k] {
		return false
	}
	if q.reserved == nil {
		q.reserved = map[pendingKey]bool{}
	}
	q.reserved[k] = true
	return true
}

// ReleaseDial takes a number out of the agent's pending-dial queue.
func (e *Engine) ReleaseDial(agent, number string) {
	q := &e.dials
	q.mu.Lock()
	defer q.mu.Unlock()
	delete(q.reserved, pendingKey{agent, number})
}

// DialWhenFree places a reserved manual dial. When the agent is busy the
// dial stays in the agent's queue and queued is true; it is placed when the
// agent is available again. Otherwise the number leaves the queue and err
// is the dial's outcome.
func (e *Engine) DialWhenFree(ctx context.Context, req DialRequest) (queued bool, err error) {
	_, err = e.Dial(ctx, req)
	if errors.Is(err, ErrBusy) {
		row, serr := e.storePendingDial(ctx, req, PendingDial{})
		if serr != nil {
			e.ReleaseDial(req.Agent, req.Phone)
			return false, serr
		}
		e.queueDial(queuedDial{req, row})
		return true, nil
	}
	e.ReleaseDial(req.Agent, req.Phone)
	return false, err
}

// storePendingDial writes (or, with row's id set, rewrites) the stored row
// of a queued dial.
func (e *Engine) storePendingDial(ctx context.Context, req DialRequest, row PendingDial) (PendingDial, error) {
	b, err := json.Marshal(req)
	if err != nil {
		return row, fmt.Errorf("queue dial: %w", err)
	}
	row.Agent, row.Phone, row.Request = req.Agent, req.Phone, string(b)
	if row.CreatedAt.IsZero() {
		row.CreatedAt = e.now()
	}
	if err := e.store.Save(ctx, &row); err != nil {
		return row, fmt.Errorf("queue dial: %w", err)
	}
	return row, nil
}

// resumePendingDials puts the dials stored before a restart back in their
// agents' queues, oldest first, and starts placing them.
func (e *Engine) resumePendingDials(ctx context.Context) error {
	var rows []PendingDial
	if err := e.store.Find(ctx, &rows, All.Asc("id")); err != nil {
		return fmt.Errorf("load pending dials: %w", err)
	}
	for _, row := range rows {
		var req DialRequest
		if err := json.Unmarshal([]byte(row.Request), &req); err != nil || req.Agent == "" {
			e.log.Warn("engine: stored manual dial unreadable, dropped", "id", row.ID, "err", err)
			_ = e.store.Delete(ctx, &PendingDial{ID: row.ID}, All)
			continue
		}
		e.ReserveDial(req.Agent, req.Phone)
		e.queueDial(queuedDial{req, row})
	}
	return nil
}

// PendingDials lists the numbers waiting in an agent's queue, oldest first.
func (e *Engine) PendingDials(agent string) []string {
	q := &e.dials
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []string
	for _, r := range q.byAgent[agent] {
		out = append(out, r.Phone)
	}
	return out
}

func (e *Engine) queueDial(req queuedDial) {
	q := &e.dials
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.byAgent == nil {
		q.byAgent = map[string][]queuedDial{}
	}
	q.byAgent[req.Agent] = append(q.byAgent[req.Agent], req)
	if !q.running {
		q.running = true
		// Subscribed before the dial is queued, so the event of the agent
		// becoming free cannot slip between the two.
		sub, _ := e.bus.Subscribe(0, 256)
		go e.runPendingDials(sub)
	}
}

// runPendingDials follows the engine's events while any dial is queued.
func (e *Engine) runPendingDials(sub Subscription) {
	tick := time.NewTicker(pendingDialTick)
	defer tick.Stop()
	defer func() {
		if sub != nil {
			sub.Close()
		}
	}()
	for {
		if e.pendingAgents() == nil {
			return
		}
		if sub == nil {
			sub, _ = e.bus.Subscribe(0, 256)
		}
		var events <-chan Event
		if sub != nil {
			events = sub.C()
		}
		select {
		case <-e.stopCh:
			q := &e.dials
			q.mu.Lock()
			q.running = false
			q.mu.Unlock()
			return
		case ev, ok := <-events:
			if !ok {
				sub = nil // overflowed: resubscribe; the tick covers the gap
				continue
			}
			if ev.Agent != "" {
				e.placePending(ev.Agent)
			}
		case <-tick.C:
			for _, agent := range e.pendingAgents() {
				e.placePending(agent)
			}
		}
	}
}

// pendingAgents lists the agents with queued dials; when there are none it
// marks the runner stopped (under the same lock a new dial checks it).
func (e *Engine) pendingAgents() []string {
	q := &e.dials
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.byAgent) == 0 {
		q.running = false
		return nil
	}
	out := make([]string, 0, len(q.byAgent))
	for a := range q.byAgent {
		out = append(out, a)
	}
	return out
}

// placePending dials the agent's oldest queued number if the agent is free.
func (e *Engine) placePending(agent string) {
	q := &e.dials
	q.mu.Lock()
	reqs := q.byAgent[agent]
	if len(reqs) == 0 {
		q.mu.Unlock()
		return
	}
	req := reqs[0]
	q.mu.Unlock()
	s, ok := e.Session(agent)
	if !ok {
		e.dropPending(agent, req, "agent logged out")
		return
	}
	if s.CallID != 0 || s.State != AgentAvailable {
		return
	}
	// The number leaves the queue before the dial is decided: Dial answers
	// once its effects are done, and by then the call is visible; a queue
	// still holding the number would disagree with it. A busy agent gets
	// it back at the head.
	e.dropPending(agent, req, "")
	_, err := e.Dial(context.Background(), req.DialRequest)
	if errors.Is(err, ErrBusy) {
		e.requeuePending(agent, req)
		return
	}
	if err != nil {
		e.log.Warn("engine: queued manual dial failed", "agent", agent, "number", req.Phone, "err", err)
	}
}

// requeuePending puts a dial back at the head of the agent's queue.
// Its stored row comes back with its old id, so a restart keeps it first.
func (e *Engine) requeuePending(agent string, req queuedDial) {
	if row, err := e.storePendingDial(context.Background(), req.DialRequest, req.row); err != nil {
		e.log.Warn("engine: queued manual dial not stored again", "agent", agent, "number", req.Phone, "err", err)
	} else {
		req.row = row
	}
	q := &e.dials
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.byAgent == nil {
		q.byAgent = map[string][]queuedDial{}
	}
	if q.reserved == nil {
		q.reserved = map[pendingKey]bool{}
	}
	q.byAgent[agent] = append([]queuedDial{req}, q.byAgent[agent]...)
	q.reserved[pendingKey{agent, req.Phone}] = true
}

// dropPending takes the dial out of the queue and its row out of the store:
// from here on it is placed or given up, never placed twice after a restart.
func (e *Engine) dropPending(agent string, req queuedDial, why string) {
	if req.row.ID != 0 {
		if err := e.store.Delete(context.Background(), &PendingDial{ID: req.row.ID}, All); err != nil {
			e.log.Warn("engine: queued manual dial row not deleted", "agent", agent, "number", req.Phone, "err", err)
		}
	}
	q := &e.dials
	q.mu.Lock()
	reqs := q.byAgent[agent]
	if len(reqs) > 0 && reqs[0].Phone == req.Phone {
		reqs = reqs[1:]
	}
	if len(reqs) == 0 {
		delete(q.byAgent, agent)
	} else {
		q.byAgent[agent] = reqs
	}
	delete(q.reserved, pendingKey{agent, req.Phone})
	q.mu.Unlock()
	if why != "" {
		e.log.Info("engine: queued manual dial dropped", "agent", agent, "number", req.Phone, "why", why)
	}
}
