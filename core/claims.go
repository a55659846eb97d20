package core

import (
	"context"
	"time"
)

// Claims: the work only one engine may do (dial a lead, place a callback,
// start an origination job) is taken with a conditional update that holds
// the state it was read in and carries the engine's lease term (Options.
// Fence). Of two engines that read the same row, one claim changes it and
// the other nothing; an engine whose term is over claims nothing at all.

// claim runs one fenced conditional update: true when it changed a row.
// Store I/O: never under the lock.
func (e *Engine) claim(ctx context.Context, what string, model any, f Filter, cols map[string]any) bool {
	n, err := e.store.UpdateWhere(ctx, model, f, cols, e.opt.Fence)
	if err != nil {
		e.log.Warn("engine: claim failed", "what", what, "err", err)
		return false
	}
	if n == 0 {
		e.log.Debug("engine: claim refused (taken, or this engine's lease term is over)", "what", what, "term", e.opt.Fence.Token)
	}
	return n > 0
}

// claimLead counts one more attempt of l and marks it in a call, if l is
// still as read; l is updated to the claimed state.
func (e *Engine) claimLead(ctx context.Context, l *Lead, now time.Time) bool {
	f := ByID(l.ID).Eq("status", l.Status).Eq("called_count", l.CalledCount)
	if !e.claim(ctx, "lead", &Lead{}, f, map[string]any{
		"called_count": l.CalledCount + 1, "last_called_at": now, "status": StatusInCall,
	}) {
		return false
	}
	l.CalledCount++
	l.LastCalledAt = &now
	l.Status = StatusInCall
	return true
}

// unclaimLeadLocked gives back a lead claimed for a dial that the plan no
// longer allows, on the store lane, if it is still as claimed.
func (e *Engine) unclaimLeadLocked(pl plannedLead) {
	from, claimed := pl.from, pl.lead
	e.write("lead unclaimed", func(ctx context.Context, st Store) error {
		f := ByID(claimed.ID).Eq("status", claimed.Status).Eq("called_count", claimed.CalledCount)
		_, err := st.UpdateWhere(ctx, &Lead{}, f, map[string]any{
			"called_count": from.CalledCount, "last_called_at": from.LastCalledAt, "status": from.Status,
		}, e.opt.Fence)
		return err
	})
}

// callbackClaimed is the status of a callback claimed for placing.
const callbackClaimed = "LIVE"

// claimCallbacks keeps the due callbacks this engine can place now (their
// agent is free) and claims them; the others wait for a later tick.
func (e *Engine) claimCallbacks(ctx context.Context, due []dueCallback, now time.Time) []dueCallback {
	e.lock()
	placeable := due[:0:0]
	for _, d := range due {
		if !d.cb.When.After(now) && e.callbackAgentLocked(d.cb) != "" {
			placeable = append(placeable, d)
		}
	}
	e.unlock()
	out := placeable[:0]
	for _, d := range placeable {
		if e.claim(ctx, "callback", &Callback{}, ByID(d.cb.ID).Eq("status", "ACTIVE"), map[string]any{"status": callbackClaimed}) {
			out = append(out, d)
		}
	}
	return out
}

// callbackAgentLocked is the free agent a callback would go to, or "".
func (e *Engine) callbackAgentLocked(cb Callback) string {
	agent := cb.Agent
	if agent == "" {
		agent = e.freeCampaignAgentLocked(cb.Campaign)
	}
	s := e.sessions[agent]
	if s == nil || s.State != AgentAvailable || s.Paused || s.CallID != 0 {
		return ""
	}
	return agent
}

// unclaimCallbackLocked gives back a claimed callback that was not placed.
func (e *Engine) unclaimCallbackLocked(cb Callback) {
	id := cb.ID
	e.write("callback unclaimed", func(ctx context.Context, st Store) error {
		_, err := st.UpdateWhere(ctx, &Callback{}, ByID(id).Eq("status", callbackClaimed).Eq("call_id", 0),
			map[string]any{"status": "ACTIVE"}, e.opt.Fence)
		return err
	})
}

// giveBack returns the claims of a tick that found the engine stopped
// (outside the lock: the store lane no longer runs).
func (e *Engine) giveBack(ctx context.Context, due []dueCallback, plan []*campaignPlan) {
	for _, d := range due {
		_, _ = e.store.UpdateWhere(ctx, &Callback{}, ByID(d.cb.ID).Eq("status", callbackClaimed).Eq("call_id", 0),
			map[string]any{"status": "ACTIVE"}, e.opt.Fence)
	}
	for _, p := range plan {
		for _, pl := range p.leads {
			f := ByID(pl.lead.ID).Eq("status", pl.lead.Status).Eq("called_count", pl.lead.CalledCount)
			_, _ = e.store.UpdateWhere(ctx, &Lead{}, f, map[string]any{
				"called_count": pl.from.CalledCount, "last_called_at": pl.from.LastCalledAt, "status": pl.from.Status,
			}, e.opt.Fence)
		}
	}
}
