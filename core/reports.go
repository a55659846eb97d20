package core

import (
	"context"
	"sort"
	"strconv"
	"time"
)

// Reports are queries over the queue log, never separate counters, so every
// dialect's report agrees with every other.

// QueueStats summarises a queue over a period.
type QueueStats struct {
	Queue     string
	Offered   int // ENTERQUEUE
	Answered  int // CONNECT
	Abandoned int // ABANDON
	TimedOut  int // EXITWITHTIMEOUT
	// Lost counts waiting calls cut by a gateway or PBX failure
	// (SYSTEMHANGUP of a waiting call): neither answered nor abandoned.
	Lost int
	// WithinSL counts answered calls whose wait was within the queue's
	// service-level threshold.
	WithinSL        int
	ServiceLevelPct float64 // WithinSL / Answered * 100
	AvgWait         float64 // seconds, answered calls
	AvgTalk         float64 // seconds, completed calls
	Completed       int
	// WaitHistogram counts answered calls by wait: 0-10 s, 10-20 s ... and
	// the last bucket for everything above.
	WaitHistogram []int
}

// QueueStats computes a queue's figures between since and until.
func (e *Engine) QueueStats(ctx context.Context, queue string, since, until time.Time) (QueueStats, error) {
	all, err := e.QueuesStats(ctx, []string{queue}, since, until)
	return all[queue], err
}

// QueuesStats is QueueStats of several queues from one read of the queue
// log (a wallboard of every campaign asked once per queue: a round trip
// each on MySQL).
func (e *Engine) QueuesStats(ctx context.Context, queues []string, since, until time.Time) (map[string]QueueStats, error) {
	out := make(map[string]QueueStats, len(queues))
	if len(queues) == 0 {
		return out, nil
	}
	tallies, err := e.store.QueueTallies(ctx, queues, since, until)
	if err != nil {
		return nil, err
	}
	byQueue := make(map[string][]QueueTally, len(queues))
	for _, t := range tallies {
		byQueue[t.Queue] = append(byQueue[t.Queue], t)
	}
	for _, name := range queues {
		out[name] = e.queueStats(name, byQueue[name])
	}
	return out, nil
}

// queueStats computes a queue's figures from its tallies.
func (e *Engine) queueStats(queue string, tallies []QueueTally) QueueStats {
	sl := 20
	if qq, ok := e.Queue(queue); ok && qq.ServiceLevel > 0 {
		sl = qq.ServiceLevel
	}
	st := QueueStats{Queue: queue, WaitHistogram: make([]int, 7)}
	var waitSum, talkSum int64
	for _, t := range tallies {
		switch t.Event {
		case QLEnterQueue:
			st.Offered += t.Rows
		case QLConnect:
			st.Answered += t.Rows
			w, _ := strconv.Atoi(t.Wait)
			waitSum += int64(w) * int64(t.Rows)
			if w <= sl {
				st.WithinSL += t.Rows
			}
			st.WaitHistogram[min(max(w, 0)/10, len(st.WaitHistogram)-1)] += t.Rows
		case QLAbandon:
			st.Abandoned += t.Rows
		case QLExitTimeout:
			st.TimedOut += t.Rows
		case QLCompleteCaller, QLCompleteAgent:
			st.Completed += t.Rows
			talkSum += t.Talk
		case QLSystemHangup:
			if t.Cut == systemCutWaiting {
				st.Lost += t.Rows
				continue
			}
			st.Completed += t.Rows
			talkSum += t.Talk
		}
	}
	if st.Answered > 0 {
		st.AvgWait = float64(waitSum) / float64(st.Answered)
		st.ServiceLevelPct = float64(st.WithinSL) * 100 / float64(st.Answered)
	}
	if st.Completed > 0 {
		st.AvgTalk = float64(talkSum) / float64(st.Completed)
	}
	return st
}

// AgentActivity summarises an agent over a period.
type AgentActivity struct {
	Agent        string
	Logins       int
	Calls        int // CONNECT rows
	TalkSeconds  int // from COMPLETE* rows
	Pauses       int
	PauseSeconds int // from UNPAUSE rows
	Holds        int
	Transfers    int
	Missed       int // RINGNOANSWER
}

// AgentActivity computes an agent's figures between since and until.
func (e *Engine) AgentActivity(ctx context.Context, user string, since, until time.Time) (AgentActivity, error) {
	var rows []QueueLogEntry
	q := Eq("agent", user).Gte("time", since).Lt("time", until).Asc("id")
	if err := e.store.Find(ctx, &rows, q); err != nil {
		return AgentActivity{}, err
	}
	a := AgentActivity{Agent: user}
	for _, r := range rows {
		switch r.Event {
		case QLLogin:
			a.Logins++
		case QLConnect:
			a.Calls++
		case QLCompleteCaller, QLCompleteAgent:
			t, _ := strconv.Atoi(r.Data2)
			a.TalkSeconds += t
		case QLSystemHangup:
			if r.Data4 != systemCutWaiting {
				t, _ := strconv.Atoi(r.Data2)
				a.TalkSeconds += t
			}
		case QLTransfer:
			t, _ := strconv.Atoi(r.Data3)
			a.TalkSeconds += t
			a.Transfers++
		case QLPause:
			if r.Data2 != "code" {
				a.Pauses++
			}
		case QLUnpause:
			s, _ := strconv.Atoi(r.Data2)
			a.PauseSeconds += s
		case QLHold:
			a.Holds++
		case QLRingNoAnswer:
			a.Missed++
		}
	}
	return a, nil
}

// CallFilter selects stored calls for reports.
type CallFilter struct {
	// Campaign selects the calls of a campaign; with Queue set, the calls
	// of that queue with this campaign ("" for calls outside any campaign).
	Campaign string
	Queue    string
	// Inbound, when set, keeps only inbound (true) or only other (false)
	// calls.
	Inbound *bool
	// Since, when set, keeps calls created at or after it.
	Since time.Time
}

// FindCalls lists stored calls matching f, by id.
func (e *Engine) FindCalls(ctx context.Context, f CallFilter) ([]Call, error) {
	q := Eq("campaign", f.Campaign)
	if f.Queue != "" {
		q = q.Eq("queue", f.Queue)
	}
	if f.Inbound != nil {
		if *f.Inbound {
			q = q.Eq("direction", CallInbound)
		} else {
			q = q.Ne("direction", CallInbound)
		}
	}
	if !f.Since.IsZero() {
		q = q.Gte("created_at", f.Since)
	}
	var calls []Call
	err := e.store.Find(ctx, &calls, q.Asc("id"))
	return calls, err
}

// CallEvents lists the queue-log rows of these calls logged between from
// and to (inclusive), with ids below beforeID when it is not zero, by id.
func (e *Engine) CallEvents(ctx context.Context, callIDs []uint64, from, to time.Time, beforeID uint64) ([]QueueLogEntry, error) {
	q := All.In("call_id", callIDs).Between("time", from, to)
	if beforeID > 0 {
		q = q.Lt("id", beforeID)
	}
	var rows []QueueLogEntry
	err := e.store.Find(ctx, &rows, q.Asc("id"))
	return rows, err
}

// LastCallEvent is a call's latest queue-log row among events;
// ErrNoRecord if it has none.
func (e *Engine) LastCallEvent(ctx context.Context, callID uint64, events ...string) (QueueLogEntry, error) {
	var row QueueLogEntry
	err := e.store.First(ctx, &row, Eq("call_id", callID).In("event", events).Desc("id"))
	return row, err
}

// AgentSummary is an agent's sessions, pauses and calls over a period.
type AgentSummary struct {
	Agent        Agent
	LoginSeconds int64 // of the sessions that ended in the period
	// The latest session and pause that started in the period, and their
	// ends when they ended after that start.
	LastLogin, LastLogout, LastPause, LastUnpause *time.Time
	// Calls the agent talked on that connected in the period, by id.
	Calls []Call
}

// AgentSummaries summarises every active agent, by id, between from and to
// (inclusive), from the queue log and the stored calls.
func (e *Engine) AgentSummaries(ctx context.Context, from, to time.Time) ([]AgentSummary, error) {
	var rows []QueueLogEntry
	var calls []Call
	if err := e.store.Find(ctx, &rows, All.Between("time", from, to).
		In("event", []string{QLLogin, QLLogout, QLPause, QLUnpause}).Asc("time").Asc("id")); err != nil {
		return nil, err
	}
	if err := e.store.Find(ctx, &calls, All.Between("connected_at", from, to).Asc("id")); err != nil {
		return nil, err
	}
	agents := e.Agents()
	sort.Slice(agents, func(i, j int) bool { return agents[i].ID < agents[j].ID })
	var out []AgentSummary
	for _, a := range agents {
		if !a.Active {
			continue
		}
		s := AgentSummary{Agent: a}
		for i := range rows {
			r := &rows[i]
			if r.Agent != a.Username {
				continue
			}
			t := r.Time
			switch r.Event {
			case QLLogin:
				s.LastLogin, s.LastLogout = &t, nil
			case QLLogout:
				n, _ := strconv.ParseInt(r.Data2, 10, 64)
				s.LoginSeconds += n
				if s.LastLogin != nil {
					s.LastLogout = &t
				}
			case QLPause:
				// A pause code set during a pause is not a new pause.
				if r.Data2 != "code" {
					s.LastPause, s.LastUnpause = &t, nil
				}
			case QLUnpause:
				if s.LastPause != nil {
					s.LastUnpause = &t
				}
			}
		}
		for _, c := range calls {
			if c.AgentID == a.ID || c.Agent == a.Username {
				s.Calls = append(s.Calls, c)
			}
		}
		out = append(out, s)
	}
	return out, nil
}
