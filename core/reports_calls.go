package core

import (
	"context"
	"fmt"
	"sort"
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

// CallGroupStats is one campaign's or queue's calls over a day: totals,
// calls per hour and per status (in first-seen order).
type CallGroupStats struct {
	Group    string
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

// CallStatusStats breaks the day's calls down per campaign (outbound and
// manual calls) and per queue (inbound calls). An empty campaigns or
// queues list selects none of that kind; statuses, when set, keeps only
// those statuses in the breakdown.
func (e *Engine) CallStatusStats(ctx context.Context, day time.Time, campaigns, queues, statuses []string) ([]CallGroupStats, error) {
	from := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, day.Location())
	calls, err := e.CallLog(ctx, CallLogQuery{From: from, To: from.AddDate(0, 0, 1)})
	if err != nil {
		return nil, err
	}
	groups := map[string]*CallGroupStats{}
	add := func(name string, c Call) {
		g := groups[name]
		if g == nil {
			g = &CallGroupStats{Group: name}
			groups[name] = g
		}
		g.Total++
		if c.ConnectedAt != nil {
			g.Answered++
		}
		g.Hours[c.CreatedAt.In(day.Location()).Hour()]++
		if len(statuses) > 0 && !contains(statuses, c.Status) {
			return
		}
		for i := range g.Statuses {
			if g.Statuses[i].Status == c.Status {
				g.Statuses[i].Count++
				return
			}
		}
		g.Statuses = append(g.Statuses, StatusCount{Status: c.Status, Count: 1})
	}
	for _, c := range calls {
		if c.Direction == CallInbound {
			if contains(queues, c.Queue) {
				add(c.Queue, c)
			}
			continue
		}
		if contains(campaigns, c.Campaign) {
			add(c.Campaign, c)
		}
	}
	out := make([]CallGroupStats, 0, len(groups))
	for _, g := range groups {
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Group < out[j].Group })
	return out, nil
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
