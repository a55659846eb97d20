package core

import (
	"context"
	"sort"
	"time"
)

// The supervisor wallboard: live queues, agents and campaigns in a scope,
// with today's figures from the queue log and the call records, and the
// calls per interval of today for a chart.

// Wallboard is one snapshot of the wallboard.
type Wallboard struct {
	Time            time.Time       `json:"time"`
	Queues          []QueueBoard    `json:"queues"`
	Agents          []AgentBoard    `json:"agents"`
	Campaigns       []CampaignBoard `json:"campaigns"`
	IntervalMinutes int             `json:"interval_minutes"`
	Intervals       []IntervalCount `json:"intervals"` // today, oldest first, up to now
}

// QueueBoard is a queue's live and today's figures.
type QueueBoard struct {
	Name         string  `json:"name"`
	Waiting      int     `json:"waiting"`
	LongestWait  int     `json:"longest_wait"` // seconds
	ServiceLevel float64 `json:"service_level"`
	Offered      int     `json:"offered"`
	Answered     int     `json:"answered"`
	Abandoned    int     `json:"abandoned"`
	// AgentsByState counts the queue's logged-in members: available,
	// paused, ringing, on_call, wrapup.
	AgentsByState map[string]int `json:"agents_by_state"`
}

// AgentBoard is one logged-in agent.
type AgentBoard struct {
	ID          uint       `json:"id"`
	Username    string     `json:"username"`
	Name        string     `json:"name"`
	State       AgentState `json:"state"`
	Paused      bool       `json:"paused"`
	PauseCode   string     `json:"pause_code"`
	StateSince  time.Time  `json:"state_since"`
	InState     int        `json:"in_state"` // seconds
	Campaign    string     `json:"campaign"`
	CallID      uint64     `json:"call_id"`
	CallPhone   string     `json:"call_phone"`
	CallQueue   string     `json:"call_queue"`
	CallsTaken  int        `json:"calls_taken"`
	PendingExit bool       `json:"pending_logout"`
}

// CampaignBoard is a campaign's dialing figures today.
type CampaignBoard struct {
	Name       string     `json:"name"`
	Type       string     `json:"type"`
	DialMethod DialMethod `json:"dial_method"`
	DialRatio  float64    `json:"dial_ratio"`
	// DialingRate is outbound calls placed per minute over the last 15
	// minutes.
	DialingRate float64 `json:"dialing_rate"`
	LeadsLeft   int64   `json:"leads_left"`
	Calls       int     `json:"calls"`
	Answered    int     `json:"answered"`
	Abandoned   int     `json:"abandoned"`
	AbandonRate float64 `json:"abandon_rate"` // abandoned / answered+abandoned, percent
}

// IntervalCount is one interval of the chart, from the queue log.
type IntervalCount struct {
	Start     time.Time `json:"start"`
	Offered   int       `json:"offered"`
	Answered  int       `json:"answered"`
	Abandoned int       `json:"abandoned"`
}

const dialingRateWindow = 15 * time.Minute

// Wallboard builds the wallboard of a scope; interval is the chart's bucket
// (15 minutes when zero).
func (e *Engine) Wallboard(ctx context.Context, s Scope, interval time.Duration) (Wallboard, error) {
	if interval <= 0 {
		interval = 15 * time.Minute
	}
	now := e.now()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	wb := Wallboard{Time: now, IntervalMinutes: int(interval / time.Minute)}
	sessions := e.Sessions()
	var err error
	if wb.Queues, err = e.queueBoards(ctx, s, sessions, day, now); err != nil {
		return wb, err
	}
	wb.Agents = e.agentBoards(ctx, s, sessions, now)
	if wb.Campaigns, err = e.campaignBoards(ctx, s, day, now); err != nil {
		return wb, err
	}
	wb.Intervals, err = e.intervalCounts(ctx, s, day, now, interval)
	return wb, err
}

func (e *Engine) queueBoards(ctx context.Context, s Scope, sessions []AgentSession, day, now time.Time) ([]QueueBoard, error) {
	var queues []Queue
	var names []string
	for _, q := range e.Queues() {
		if s.Queue(q.Name) {
			queues, names = append(queues, q), append(names, q.Name)
		}
	}
	stats, err := e.QueuesStats(ctx, names, day, now.Add(time.Second))
	if err != nil {
		return nil, err
	}
	out := []QueueBoard{}
	for _, q := range queues {
		qb := QueueBoard{Name: q.Name, AgentsByState: map[string]int{}}
		for _, w := range e.Waiting(q.Name) {
			at := w.CreatedAt
			if w.QueuedAt != nil {
				at = *w.QueuedAt
			}
			qb.Waiting++
			qb.LongestWait = max(qb.LongestWait, int(now.Sub(at)/time.Second))
		}
		st := stats[q.Name]
		qb.ServiceLevel, qb.Offered, qb.Answered, qb.Abandoned = st.ServiceLevelPct, st.Offered, st.Answered, st.Abandoned
		members := map[string]bool{}
		for _, m := range e.QueueMembers(q.Name) {
			members[m.Agent] = true
		}
		for _, ss := range sessions {
			if members[ss.Username] {
				qb.AgentsByState[boardState(ss)]++
			}
		}
		out = append(out, qb)
	}
	return out, nil
}

// boardState is the wallboard's word for an agent's state.
func boardState(s AgentSession) string {
	switch {
	case s.State == AgentOnCall:
		return "on_call"
	case s.State == AgentRinging:
		return "ringing"
	case s.Paused:
		return "paused"
	case s.State == AgentWrapUp:
		return "wrapup"
	default:
		return "available"
	}
}

func (e *Engine) agentBoards(ctx context.Context, s Scope, sessions []AgentSession, now time.Time) []AgentBoard {
	out := []AgentBoard{}
	for _, ss := range sessions {
		if !e.AgentInScope(ctx, s, ss.Username) {
			continue
		}
		ab := AgentBoard{ID: ss.AgentID, Username: ss.Username, State: ss.State, Paused: ss.Paused, PauseCode: ss.PauseCode,
			StateSince: ss.StateSince, Campaign: ss.Campaign, CallID: ss.CallID, CallsTaken: ss.CallsTaken, PendingExit: ss.PendingLogout}
		if !ss.StateSince.IsZero() {
			ab.InState = max(0, int(now.Sub(ss.StateSince)/time.Second))
		}
		if ag, err := e.FindAgent(ctx, ss.Username); err == nil {
			ab.Name = ag.Name
		}
		if c, ok := e.AgentCall(ss.Username); ok {
			ab.CallPhone, ab.CallQueue = c.Phone, c.Queue
			if ab.CallPhone == "" {
				ab.CallPhone = c.CallerID
			}
		}
		out = append(out, ab)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Username < out[j].Username })
	return out
}

func (e *Engine) campaignBoards(ctx context.Context, s Scope, day, now time.Time) ([]CampaignBoard, error) {
	out := []CampaignBoard{}
	for _, c := range e.Campaigns() {
		if !s.Campaign(c.Name) {
			continue
		}
		cb := CampaignBoard{Name: c.Name, Type: string(c.Type), DialMethod: c.DialMethod, DialRatio: c.DialRatio}
		calls, err := e.FindCalls(ctx, CallFilter{Campaign: c.Name, Since: day})
		if err != nil {
			return nil, err
		}
		recent := 0
		for _, call := range calls {
			cb.Calls++
			if call.Abandoned {
				cb.Abandoned++
			} else if call.ConnectedAt != nil {
				cb.Answered++
			}
			if call.Direction != CallInbound && !call.CreatedAt.Before(now.Add(-dialingRateWindow)) {
				recent++
			}
		}
		cb.DialingRate = float64(recent) / dialingRateWindow.Minutes()
		if n := cb.Answered + cb.Abandoned; n > 0 {
			cb.AbandonRate = float64(cb.Abandoned) * 100 / float64(n)
		}
		if c.Type == CampaignOutbound {
			if cb.LeadsLeft, err = e.UncalledLeads(ctx, c.Name); err != nil {
				return nil, err
			}
		}
		out = append(out, cb)
	}
	return out, nil
}

// intervalCounts buckets today's queue-log rows of the scope's queues.
func (e *Engine) intervalCounts(ctx context.Context, s Scope, day, now time.Time, interval time.Duration) ([]IntervalCount, error) {
	var rows []QueueLogEntry
	q := All.Gte("time", day).Lt("time", now.Add(time.Second)).In("event", []string{QLEnterQueue, QLConnect, QLAbandon}).Asc("id")
	if err := e.store.Find(ctx, &rows, q); err != nil {
		return nil, err
	}
	n := int(now.Sub(day)/interval) + 1
	out := make([]IntervalCount, n)
	for i := range out {
		out[i].Start = day.Add(time.Duration(i) * interval)
	}
	for _, r := range rows {
		if !s.Queue(r.Queue) {
			continue
		}
		i := int(r.Time.Sub(day) / interval)
		if i < 0 || i >= n {
			continue
		}
		switch r.Event {
		case QLEnterQueue:
			out[i].Offered++
		case QLConnect:
			out[i].Answered++
		case QLAbandon:
			out[i].Abandoned++
		}
	}
	return out, nil
}
