package soap

import (
	"context"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
)

func init() { register("queueData", (*EngineOps).queueData) }

// queueData lists a queue's activity between FechaInicio and FechaFin from
// the queue log, one <activity> per event the document names; Agente (an
// agent number, or a username) narrows it to one agent. The document gives
// this operation no authorizedKey, so it is served without one.
func (o *EngineOps) queueData(ctx context.Context, p Params) (Result, error) {
	loc := o.eng.Now().Location()
	from, ok1 := parseCDRTime(p.Get("FechaInicio"), loc)
	to, ok2 := parseCDRTime(p.Get("FechaFin"), loc)
	queue := strings.TrimSpace(p.Get("Cola"))
	if !ok1 || !ok2 || queue == "" {
		return Result{}, clientFault("queueData needs Cola, and FechaInicio and FechaFin as YYYY-MM-DD HH:MM:SS")
	}
	numbers := map[string]string{}
	for _, a := range o.eng.Agents() {
		numbers[a.Username] = firstNonEmpty(a.Number, a.Username)
	}
	agent := strings.TrimSpace(p.Get("Agente"))
	if agent != "" {
		if a, err := o.eng.AgentByNumber(ctx, agent); err == nil {
			agent = a.Username
		}
	}
	rows, err := o.eng.QueueActivity(ctx, queue, agent, from, to.Add(time.Second))
	if err != nil {
		return Result{}, o.engineFault("queueData", err)
	}
	d := newXMLDoc("queue_activity")
	for _, r := range rows {
		act, ok := o.activity(r)
		if !ok {
			continue
		}
		uid := firstNonEmpty(r.UniqueID, "NONE")
		d.elem("activity", true, xattr{"date", r.Time.In(loc).Format("2006-01-02 15:04:05")}, xattr{"queue", queue},
			xattr{"uniqueid", uid}, xattr{"action", act.action}, xattr{"callerid", act.callerID},
			xattr{"agent", firstNonEmpty(numbers[r.Agent], r.Agent)}, xattr{"waitsec", act.wait}, xattr{"talksec", act.talk},
			xattr{"dest", act.dest}, xattr{"cause", act.cause})
	}
	return String(d.done("queue_activity")), nil
}

type activity struct{ action, callerID, wait, talk, dest, cause string }

// activity maps a queue log row to the document's action and parameters;
// rows the document has no action for (hold, wrap-up, dispositions...) are
// left out.
func (o *EngineOps) activity(r core.ActivityRow) (activity, bool) {
	switch r.Event {
	case core.QLEnterQueue:
		return activity{action: "ENTERQUEUE", callerID: r.Data2}, true
	case core.QLRinging:
		return activity{action: "RINGING"}, true
	case core.QLConnect:
		return activity{action: "CONNECT", wait: r.Data1}, true
	case core.QLRingNoAnswer:
		if r.Data3 == core.UnreachableRefused {
			return activity{action: "CONGESTION"}, true
		}
		return activity{action: "NOANSWER"}, true
	case core.QLCompleteCaller, core.QLCompleteAgent:
		return activity{action: r.Event, talk: r.Data2}, true
	case core.QLTransfer:
		return activity{action: "COMPLETETRANSFER", dest: r.Data1}, true
	case core.QLAbandon:
		return activity{action: "ABANDON", wait: r.Data3}, true
	case core.QLDialOut:
		return activity{action: "DIALOUT", dest: r.Data1}, true
	case core.QLLogin:
		return activity{action: "LOGIN"}, true
	case core.QLLogout:
		return activity{action: "LOGOUT"}, true
	case core.QLPause:
		if r.Data2 == "code" {
			return activity{action: "PAUSE", cause: o.pauseName(r.Data1)}, true
		}
		return activity{action: "PAUSE", cause: firstNonEmpty(r.Data2, r.Data1)}, true
	case core.QLUnpause:
		return activity{action: "UNPAUSE"}, true
	}
	return activity{}, false
}
