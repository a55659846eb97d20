package core

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// maxActivityRows bounds one queue activity listing.
const maxActivityRows = 20000

// ActivityRow is a queue log row with the PBX uniqueid of its call ("" for
// agent rows).
type ActivityRow struct {
	QueueLogEntry
	UniqueID string
}

// agentActivityEvents are the agent rows (logged without a queue) that
// belong to every queue the agent is a member of.
var agentActivityEvents = []string{QLLogin, QLLogout, QLPause, QLUnpause}

// QueueActivity lists a queue's log in [from, to), oldest first: the
// queue's own rows and the login, logout, pause and unpause rows of its
// static members; only agent's when agent is set. At most maxActivityRows.
func (e *Engine) QueueActivity(ctx context.Context, queue, agent string, from, to time.Time) ([]ActivityRow, error) {
	own := Eq("queue", queue).Gte("time", from).Lt("time", to).Asc("id").Take(maxActivityRows)
	var members []string
	for _, m := range e.QueueMembers(queue) {
		if agent == "" || m.Agent == agent {
			members = append(members, m.Agent)
		}
	}
	if agent != "" {
		own = own.Eq("agent", agent)
	}
	var rows []QueueLogEntry
	if err := e.store.Find(ctx, &rows, own); err != nil {
		return nil, err
	}
	if len(members) > 0 {
		var agentRows []QueueLogEntry
		f := Eq("queue", "").In("agent", members).In("event", agentActivityEvents).Gte("time", from).Lt("time", to).Asc("id").Take(maxActivityRows)
		if err := e.store.Find(ctx, &agentRows, f); err != nil {
			return nil, err
		}
		rows = append(rows, agentRows...)
		slices.SortFunc(rows, func(a, b QueueLogEntry) int { return cmp.Compare(a.ID, b.ID) })
		rows = rows[:min(len(rows), maxActivityRows)]
	}
	return e.withUniqueIDs(ctx, rows)
}

func (e *Engine) withUniqueIDs(ctx context.Context, rows []QueueLogEntry) ([]ActivityRow, error) {
	var ids []uint64
	uid := map[uint64]string{}
	for _, r := range rows {
		if _, seen := uid[r.CallID]; r.CallID != 0 && !seen {
			uid[r.CallID] = ""
			ids = append(ids, r.CallID)
		}
	}
	for start := 0; start < len(ids); start += 500 {
		var calls []Call
		if err := e.store.Find(ctx, &calls, All.In("id", ids[start:min(start+500, len(ids))])); err != nil {
			return nil, err
		}
		for _, c := range calls {
			uid[c.ID] = c.UniqueID
		}
	}
	out := make([]ActivityRow, len(rows))
	for i, r := range rows {
		out[i] = ActivityRow{QueueLogEntry: r, UniqueID: uid[r.CallID]}
	}
	return out, nil
}

// AgentSessionRows lists the login, logout, pause and unpause rows in
// [from, to), oldest first, of one agent or (agent "") of every agent; at
// most maxActivityRows.
func (e *Engine) AgentSessionRows(ctx context.Context, agent string, from, to time.Time) ([]QueueLogEntry, error) {
	f := All.In("event", agentActivityEvents).Gte("time", from).Lt("time", to).Asc("id").Take(maxActivityRows)
	if agent != "" {
		f = f.Eq("agent", agent)
	}
	var rows []QueueLogEntry
	err := e.store.Find(ctx, &rows, f)
	return rows, err
}
