package core

import "context"

// DispositionPending reports whether an agent session is on the
// disposition screen, and for which call: after a call the lead stays on
// the agent's screen until the call is given a status. After a call from a
// queue with a wrap-up time the engine's wrap-up is that screen and its end
// the agent moving on, so no status is awaited then. The caller has checked
// that the agent has no call now.
func (e *Engine) DispositionPending(ctx context.Context, s AgentSession) (Call, bool) {
	var last Call
	if s.LeadID == 0 || s.LastCallEnd == nil {
		return last, false
	}
	// What the engine decided about that call is in the store first.
	_ = e.Sync(ctx)
	// The lead's latest call: a call transferred away (blind, or waiting
	// in a queue with no agent yet) lives on without the agent, who is on
	// the disposition screen all the same.
	if err := e.store.First(ctx, &last, Eq("lead_id", s.LeadID).Desc("id").Take(1)); err != nil {
		return last, false
	}
	if last.Status != "" || (last.Agent != s.Username && last.Agent != "") || last.CreatedAt.Before(s.LoginAt) ||
		(last.EndedAt != nil && last.EndedAt.Before(s.LoginAt)) {
		return last, false
	}
	if last.Queue != "" && last.EndedAt != nil {
		var q Queue
		if e.store.First(ctx, &q, Eq("name", last.Queue)) == nil && q.WrapUp > 0 {
			return last, false
		}
	}
	return last, true
}
