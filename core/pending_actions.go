package core

import (
	"context"
	"errors"
	"time"
)

// An agent's pending list: the callbacks (VICIdial's, uContact's
// schedules) and eXpand's pending outgoing calls (callbacks with details)
// assigned to the agent, or to its campaign or queues without an agent.
// The agent may postpone, reassign, discard or complete each.

// PendingAction is what an agent does with one of its pending items.
type PendingAction string

const (
	PendingPostpone PendingAction = "postpone" // a later due time
	PendingReassign PendingAction = "reassign" // to another agent
	PendingDiscard  PendingAction = "discard"  // never placed (INACTIVE)
	PendingComplete PendingAction = "complete" // handled some other way (DONE)
)

// PendingActionRequest is one action on a pending callback.
type PendingActionRequest struct {
	Agent    string // who acts; the callback must be on its list
	Callback uint64
	Action   PendingAction
	When     time.Time // postpone
	To       string    // reassign: the new agent's username
}

// PendingItems lists the callbacks still to place for an agent: its own,
// and those of its campaign or queues that no agent holds.
func (e *Engine) PendingItems(ctx context.Context, user string) ([]Callback, error) {
	var own []Callback
	if err := e.store.Find(ctx, &own, Eq("agent", user).Eq("status", "ACTIVE").Asc("due_at")); err != nil {
		return nil, err
	}
	var shared []Callback
	if err := e.store.Find(ctx, &shared, Eq("agent", "").Eq("status", "ACTIVE").In("campaign", e.agentCampaigns(ctx, user)).Asc("due_at").Take(200)); err != nil {
		return nil, err
	}
	return append(own, shared...), nil
}

// agentCampaigns are the campaigns whose unassigned callbacks an agent
// sees: its live and provisioned campaigns and its queues' (a pending
// call's campaign is its queue's campaign, or the queue's name).
func (e *Engine) agentCampaigns(ctx context.Context, user string) []string {
	out := []string{}
	if s, ok := e.Session(user); ok && s.Campaign != "" {
		out = append(out, s.Campaign)
	}
	if ag, err := e.FindAgent(ctx, user); err == nil && ag.Campaign != "" {
		out = append(out, ag.Campaign)
	}
	queues := e.AgentQueues(user)
	for _, q := range e.Queues() {
		for _, m := range e.QueueMembers(q.Name) {
			if m.Agent == user {
				queues = append(queues, q.Name)
			}
		}
	}
	for _, q := range queues {
		out = append(out, q)
		if qq, ok := e.Queue(q); ok && qq.Campaign != "" {
			out = append(out, qq.Campaign)
		}
	}
	return out
}

// ActOnPending applies an agent's action to a callback on its pending list.
// Only a callback still waiting (ACTIVE) can be changed: one being dialed or
// closed is a conflict, so the dialer and the agent never both act.
func (e *Engine) ActOnPending(ctx context.Context, req PendingActionRequest) (Callback, error) {
	var cb Callback
	err := e.store.Tx(ctx, func(st Store) error {
		if err := st.First(ctx, &cb, Eq("id", req.Callback)); err != nil {
			if errors.Is(err, ErrNoRecord) {
				return Errorf(ENOTFOUND, "pending item %d", req.Callback)
			}
			return err
		}
		if err := e.mayActOnPending(ctx, req.Agent, cb); err != nil {
			return err
		}
		if err := e.applyPending(ctx, &cb, req); err != nil {
			return err
		}
		return st.Save(ctx, &cb)
	})
	if err != nil {
		return cb, err
	}
	e.announce(ctx, CallbackEvent{Callback: cb, Agent: cb.Agent, Action: string(req.Action)}, req.Agent)
	return cb, nil
}

func (e *Engine) mayActOnPending(ctx context.Context, user string, cb Callback) error {
	if cb.Status != "ACTIVE" {
		return Errorf(ECONFLICT, "pending item %d is %s", cb.ID, cb.Status)
	}
	if cb.Agent == user {
		return nil
	}
	if cb.Agent == "" {
		for _, c := range e.agentCampaigns(ctx, user) {
			if c == cb.Campaign {
				return nil
			}
		}
	}
	return Errorf(EUNAUTHORIZED, "pending item %d is not on %s's list", cb.ID, user)
}

func (e *Engine) applyPending(ctx context.Context, cb *Callback, req PendingActionRequest) error {
	switch req.Action {
	case PendingPostpone:
		if !req.When.After(e.now()) {
			return Errorf(EINVALID, "postpone needs a time in the future")
		}
		cb.When = req.When
	case PendingReassign:
		ag, err := e.FindAgent(ctx, req.To)
		if err != nil {
			return Errorf(EINVALID, "invalid agent %q", req.To)
		}
		cb.Agent, cb.AgentOnly = ag.Username, true
	case PendingDiscard:
		cb.Status = "INACTIVE"
	case PendingComplete:
		cb.Status = "DONE"
	default:
		return Errorf(EINVALID, "action must be postpone, reassign, discard or complete")
	}
	return nil
}
