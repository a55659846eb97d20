package soap

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
)

func init() { register("agentSessionDetail", (*EngineOps).agentSessionDetail) }

// pauseSpan and session are read back from the queue log.
type pauseSpan struct {
	kind       string
	start, end time.Time
	secs       int
}

type session struct {
	start, end time.Time
	secs       int
	pauses     []pauseSpan
}

// agentSessionDetail reports the login-logout sessions that started and
// ended in the period, with their pauses, per agent and per queue of the
// agent (sessions are agent-wide, so each queue shows the same ones);
// userID (a username) and cola narrow it. Codes: -2 the store failed, -3/-4
// bad start/end date, -5 unknown queue, -6 unknown user.
func (o *EngineOps) agentSessionDetail(ctx context.Context, p Params) (Result, error) {
	loc := o.eng.Now().Location()
	from, ok := parseCDRTime(p.Get("inicio"), loc)
	if !ok {
		return String("-3"), nil
	}
	to, ok := parseCDRTime(p.Get("fin"), loc)
	if !ok {
		return String("-4"), nil
	}
	user, cola := strings.TrimSpace(p.Get("userID")), strings.TrimSpace(p.Get("cola"))
	queues := map[string]core.Queue{}
	for _, q := range o.eng.Queues() {
		queues[q.Name] = q
	}
	if _, known := queues[cola]; cola != "" && !known {
		return String("-5"), nil
	}
	if _, known := o.agentOf(user); user != "" && !known {
		return String("-6"), nil
	}
	rows, err := o.eng.AgentSessionRows(ctx, user, from, to.Add(time.Second))
	if err != nil {
		o.log.Warn("expand soap: agentSessionDetail", "err", err)
		return String("-2"), nil
	}
	byAgent := sessionsOf(rows, o.pauseName)
	d := newXMLDoc("agents")
	for _, a := range o.eng.Agents() {
		sess := byAgent[a.Username]
		if len(sess) == 0 {
			continue
		}
		d.elem("agent", false, xattr{"userID", a.Username}, xattr{"agentID", firstNonEmpty(a.Number, a.Username)})
		for _, qn := range o.eng.AgentQueues(a.Username) {
			if cola == "" || qn == cola {
				writeQueueSessions(d, qn, sess, loc)
			}
		}
		d.end("agent")
	}
	return String(d.done("agents")), nil
}

// sessionsOf rebuilds each agent's complete sessions from its rows.
func sessionsOf(rows []core.QueueLogEntry, pauseName func(string) string) map[string][]session {
	open := map[string]*session{}
	paused := map[string]*pauseSpan{}
	out := map[string][]session{}
	for _, r := range rows {
		switch r.Event {
		case core.QLLogin:
			open[r.Agent] = &session{start: r.Time}
			delete(paused, r.Agent)
		case core.QLPause:
			if r.Data2 == "code" {
				if ps := paused[r.Agent]; ps != nil {
					ps.kind = pauseName(r.Data1)
				}
				continue
			}
			if open[r.Agent] != nil {
				paused[r.Agent] = &pauseSpan{kind: firstNonEmpty(r.Data2, r.Data1), start: r.Time}
			}
		case core.QLUnpause:
			s, ps := open[r.Agent], paused[r.Agent]
			if s != nil && ps != nil {
				ps.end = r.Time
				ps.secs = atoiOr(r.Data2, int(r.Time.Sub(ps.start).Seconds()))
				s.pauses = append(s.pauses, *ps)
				delete(paused, r.Agent)
			}
		case core.QLLogout:
			if s := open[r.Agent]; s != nil {
				s.end = r.Time
				s.secs = atoiOr(r.Data2, int(r.Time.Sub(s.start).Seconds()))
				out[r.Agent] = append(out[r.Agent], *s)
				delete(open, r.Agent)
				delete(paused, r.Agent)
			}
		}
	}
	return out
}

func atoiOr(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}

func writeQueueSessions(d *xmlDoc, queue string, sess []session, loc *time.Location) {
	const layout = "2006-01-02 15:04:05"
	logged, paused := 0, 0
	totals := map[string]int{}
	var kinds []string
	for _, s := range sess {
		logged += s.secs
		for _, p := range s.pauses {
			paused += p.secs
			if _, seen := totals[p.kind]; !seen {
				kinds = append(kinds, p.kind)
			}
			totals[p.kind] += p.secs
		}
	}
	slices.Sort(kinds)
	d.elem("queue", false, xattr{"queuename", queue}, xattr{"logged", itoa(logged)}, xattr{"paused", itoa(paused)})
	d.elem("pauses", false)
	for _, k := range kinds {
		d.elem("pause", true, xattr{"type", k}, xattr{"duration", itoa(totals[k])})
	}
	d.end("pauses")
	d.elem("sessions", false)
	for _, s := range sess {
		d.elem("session", false, xattr{"start", s.start.In(loc).Format(layout)}, xattr{"end", s.end.In(loc).Format(layout)}, xattr{"duration", itoa(s.secs)})
		for _, p := range s.pauses {
			d.elem("pause", true, xattr{"type", p.kind}, xattr{"start", p.start.In(loc).Format(layout)},
				xattr{"end", p.end.In(loc).Format(layout)}, xattr{"duration", itoa(p.secs)})
		}
		d.end("session")
	}
	d.end("sessions")
	d.end("queue")
}
