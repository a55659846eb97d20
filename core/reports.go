package core

import (
	"context"
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
	var rows []QueueLogEntry
	q := Where("queue = ? AND time >= ? AND time < ?", queue, since, until).OrderBy("id")
	if err := e.store.Find(ctx, &rows, q); err != nil {
		return QueueStats{}, err
	}
	sl := 20
	if qq, ok := e.Queue(queue); ok && qq.ServiceLevel > 0 {
		sl = qq.ServiceLevel
	}
	st := QueueStats{Queue: queue, WaitHistogram: make([]int, 7)}
	var waitSum, talkSum int
	for _, r := range rows {
		switch r.Event {
		case QLEnterQueue:
			st.Offered++
		case QLConnect:
			st.Answered++
			w, _ := strconv.Atoi(r.Data1)
			waitSum += w
			if w <= sl {
				st.WithinSL++
			}
			st.WaitHistogram[min(w/10, len(st.WaitHistogram)-1)]++
		case QLAbandon:
			st.Abandoned++
		case QLExitTimeout:
			st.TimedOut++
		case QLCompleteCaller, QLCompleteAgent:
			st.Completed++
			t, _ := strconv.Atoi(r.Data2)
			talkSum += t
		case QLSystemHangup:
			if r.Data4 == systemCutWaiting {
				st.Lost++
				continue
			}
			st.Completed++
			t, _ := strconv.Atoi(r.Data2)
			talkSum += t
		}
	}
	if st.Answered > 0 {
		st.AvgWait = float64(waitSum) / float64(st.Answered)
		st.ServiceLevelPct = float64(st.WithinSL) * 100 / float64(st.Answered)
	}
	if st.Completed > 0 {
		st.AvgTalk = float64(talkSum) / float64(st.Completed)
	}
	return st, nil
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
	q := Where("agent = ? AND time >= ? AND time < ?", user, since, until).OrderBy("id")
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
