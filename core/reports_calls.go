package core

import (
	"context"
	"fmt"
	"time"
)

// Call reports over the stored calls (the CDR): per-number logs, per-DID
// logs, and the per-campaign/queue status and hour breakdowns wallboards
// and reporting jobs pull.

// CallLogQuery selects stored calls created in [From, To).
type CallLogQuery struct {
	From, To time.Time
	Phones   []string // customer numbers (normalised)
	DID      string
	Limit    int // default and maximum 100000
}

// CallLog lists the calls matching q, oldest first.
func (e *Engine) CallLog(ctx context.Context, q CallLogQuery) ([]Call, error) {
	if q.From.IsZero() || !q.To.After(q.From) {
		return nil, Errorf(EINVALID, "call log period")
	}
	f := All.Gte("created_at", q.From).Lt("created_at", q.To)
	if len(q.Phones) > 0 {
		phones := make([]string, len(q.Phones))
		for i, p := range q.Phones {
			phones[i] = normalizePhone(p)
		}
		f = f.In("phone", phones)
	}
	if q.DID != "" {
		f = f.Eq("did", q.DID)
	}
	limit := q.Limit
	if limit <= 0 || limit > 100000 {
		limit = 100000
	}
	var out []Call
	if err := e.store.Find(ctx, &out, f.Asc("created_at").Asc("id").Take(limit)); err != nil {
		return nil, fmt.Errorf("call log: %w", err)
	}
	return out, nil
}

// CallGroupStats is one campaign's or queue's calls over a period: totals,
// calls per hour and per status (in first-seen order).
type CallGroupStats struct {
	Group    string
	Inbound  bool // an in-group (queue), else an outbound campaign
	Total    int
	Answered int // a person answered (the call reached an agent)
	Hours    [24]int
	Statuses []StatusCount
}

// StatusCount is how many calls ended with a status.
type StatusCount struct {
	Status string
	Count  int
}

// CallStatusStats counts the calls created between from and to
// (inclusive) per outbound campaign and per in-group (queue): totals,
// answered, per hour of from's location and per status. Every campaign
// and queue asked has a group, with no calls if need be; with statuses,
// only calls ending in them count.
func (e *Engine) CallStatusStats(ctx context.Context, from, to time.Time, campaigns, queues, statuses []string) ([]CallGroupStats, error) {
	calls, err := e.CallLog(ctx, CallLogQuery{From: from, To: to.Add(time.Second)})
	if err != nil {
		return nil, err
	}
	out := make([]CallGroupStats, 0, len(campaigns)+len(queues))
	index := map[string]int{}
	for _, name := range campaigns {
		index["o:"+name] = len(out)
		out = append(out, CallGroupStats{Group: name})
	}
	for _, name := range queues {
		index["i:"+name] = len(out)
		out = append(out, CallGroupStats{Group: name, Inbound: true})
	}
	for _, c := range calls {
		if len(statuses) > 0 && !contains(statuses, c.Status) || c.CreatedAt.After(to) {
			continue
		}
		key := "o:" + c.Campaign
		if c.Direction == CallInbound {
			key = "i:" + c.Queue
		}
		if i, ok := index[key]; ok {
			out[i].count(c, from.Location())
		}
	}
	return out, nil
}

func (g *CallGroupStats) count(c Call, loc *time.Location) {
	g.Total++
	if c.ConnectedAt != nil {
		g.Answered++
	}
	g.Hours[c.CreatedAt.In(loc).Hour()]++
	for i := range g.Statuses {
		if g.Statuses[i].Status == c.Status {
			g.Statuses[i].Count++
			return
		}
	}
	g.Statuses = append(g.Statuses, StatusCount{Status: c.Status, Count: 1})
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// DispositionCounts counts the period's calls per status for each agent
// (agent "" for calls no agent talked on), statuses sorted.
func (e *Engine) DispositionCounts(ctx context.Context, from, to time.Time, campaigns []string) (map[string]map[string]int, error) {
	calls, err := e.CallLog(ctx, CallLogQuery{From: from, To: to})
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]int{}
	for _, c := range calls {
		if len(campaigns) > 0 && !contains(campaigns, c.Campaign) && !contains(campaigns, c.Queue) {
			continue
		}
		if out[c.Status] == nil {
			out[c.Status] = map[string]int{}
		}
		out[c.Status][c.Agent]++
	}
	return out, nil
}
