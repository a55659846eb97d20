package core

import (
	"context"
	"sort"
	"time"
)

// CampaignLive is a campaign's live picture: its agents by state, callers
// waiting in its queue and the day's figures of that queue.
type CampaignLive struct {
	Campaign     string
	Queue        string
	Strategy     QueueStrategy
	SLThreshold  int // seconds
	WrapUp       int // seconds
	TotalAgents  int
	LoggedIn     int
	Available    int
	NotAvailable int
	Paused       int
	Busy         int
	BusyPaused   int
	OnWrapUp     int
	Callers      int
	LongestWait  int // seconds, the caller waiting longest now
	Stats        QueueStats
	TalkSeconds  int
	Agents       []AgentLive
}

// AgentLive is one agent of a campaign as the supervisor sees it.
type AgentLive struct {
	Username   string
	Name       string
	Interface  string
	Penalty    int
	LoggedIn   bool
	State      AgentState
	Paused     bool
	PauseCode  string
	OnHold     bool
	CallsTaken int
	LastCall   *time.Time
	Since      time.Time // login time
}

// CampaignsLive reports every campaign (name "") or one, with figures
// since the given time; ENOTFOUND for an unknown campaign.
func (e *Engine) CampaignsLive(ctx context.Context, name string, since time.Time) ([]CampaignLive, error) {
	camps := e.Campaigns()
	if name != "" {
		c, ok := e.Campaign(name)
		if !ok {
			return nil, &Error{Code: ENOTFOUND, Op: "CampaignsLive", Message: "unknown campaign " + name}
		}
		camps = []Campaign{c}
	}
	sort.Slice(camps, func(i, j int) bool { return camps[i].Name < camps[j].Name })
	now := e.now()
	sessions := e.Sessions()
	queues := make([]string, len(camps))
	for i, c := range camps {
		queues[i] = campaignQueue(c)
	}
	stats, err := e.QueuesStats(ctx, queues, since, now.Add(time.Second))
	if err != nil {
		return nil, err
	}
	out := make([]CampaignLive, 0, len(camps))
	for i, c := range camps {
		queue := queues[i]
		cl := CampaignLive{Campaign: c.Name, Queue: queue, Strategy: StrategyRingAll}
		if q, ok := e.Queue(queue); ok {
			cl.Strategy, cl.SLThreshold, cl.WrapUp = q.Strategy, q.ServiceLevel, q.WrapUp
		}
		e.fillCampaignAgents(ctx, &cl, c, sessions)
		for _, w := range e.Waiting(queue) {
			at := w.CreatedAt
			if w.QueuedAt != nil {
				at = *w.QueuedAt
			}
			cl.Callers++
			if s := int(now.Sub(at) / time.Second); s > cl.LongestWait {
				cl.LongestWait = s
			}
		}
		st := stats[queue]
		cl.Stats = st
		cl.TalkSeconds = int(st.AvgTalk * float64(st.Completed))
		out = append(out, cl)
	}
	return out, nil
}

// campaignQueue is the queue a campaign's calls wait in: its own name
// unless it names one.
func campaignQueue(c Campaign) string {
	if c.Queue == "" {
		return c.Name
	}
	return c.Queue
}

func (e *Engine) fillCampaignAgents(ctx context.Context, cl *CampaignLive, c Campaign, sessions []AgentSession) {
	byUser := map[string]*AgentLive{}
	var order []string
	add := func(user string, penalty int) *AgentLive {
		if a := byUser[user]; a != nil {
			return a
		}
		a := &AgentLive{Username: user, Penalty: penalty, State: AgentOffline}
		if ag, err := e.FindAgent(ctx, user); err == nil {
			a.Name, a.Interface = ag.Name, ag.Interface()
		}
		byUser[user] = a
		order = append(order, user)
		return a
	}
	for _, m := range e.QueueMembers(cl.Queue) {
		add(m.Agent, m.Penalty)
	}
	for _, s := range sessions {
		a := byUser[s.Username]
		if a == nil && s.Campaign != c.Name {
			continue
		}
		a = add(s.Username, 0)
		a.LoggedIn, a.State, a.Paused, a.PauseCode, a.OnHold = true, s.State, s.Paused, s.PauseCode, s.OnHold
		a.CallsTaken, a.LastCall, a.Since = s.CallsTaken, s.LastCallEnd, s.LoginAt
	}
	sort.Strings(order)
	for _, u := range order {
		a := byUser[u]
		cl.Agents = append(cl.Agents, *a)
		cl.TotalAgents++
		busy := a.State == AgentOnCall || a.State == AgentRinging
		switch {
		case !a.LoggedIn:
			cl.NotAvailable++
			continue
		case busy && a.Paused:
			cl.BusyPaused++
		case busy:
			cl.Busy++
		case a.Paused:
			cl.Paused++
		case a.State == AgentWrapUp:
			cl.OnWrapUp++
		default:
			cl.Available++
		}
		cl.LoggedIn++
	}
}
