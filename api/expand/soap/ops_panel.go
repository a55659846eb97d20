package soap

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/callgate/callgate/core"
)

func init() { register("statusQueues", (*EngineOps).statusQueues) }

// statusQueues is the live panel: every agent with its state, every queue
// with today's counters, its agents and its calls, from the engine's live
// state (and today's queue log for the counters).
func (o *EngineOps) statusQueues(ctx context.Context, _ Params) (Result, error) {
	now := o.eng.Now()
	sessions := map[string]core.AgentSession{}
	for _, s := range o.eng.Sessions() {
		sessions[s.Username] = s
	}
	pauseNames := map[string]string{}
	for _, pc := range o.eng.PauseCodes() {
		pauseNames[pc.Code] = pc.Name
	}
	agents := o.eng.Agents()
	numbers := map[string]string{}
	d := newXMLProlog()
	d.elem("panel", false, xattr{"generated", fmt.Sprintf("%d.%02d", now.Unix(), now.Nanosecond()/1e7)})
	d.elem("agents", false)
	for _, a := range agents {
		numbers[a.Username] = firstNonEmpty(a.Number, a.Username)
		s, logged := sessions[a.Username]
		changed := "0"
		if logged {
			changed = strconv.FormatInt(s.StateSince.Unix(), 10)
		}
		d.text("agent", numbers[a.Username], xattr{"lastcongestion", "0"}, xattr{"laststatuschange", changed},
			xattr{"name", a.Name}, xattr{"status", panelStatus(s, logged)}, xattr{"warning", "0"})
	}
	d.end("agents")
	d.elem("queues", false)
	calls := o.eng.ActiveCalls()
	queues := o.eng.Queues()
	names := make([]string, len(queues))
	for i, q := range queues {
		names[i] = q.Name
	}
	y, m, day := now.Date()
	stats, err := o.eng.QueuesStats(ctx, names, time.Date(y, m, day, 0, 0, 0, 0, now.Location()), now.Add(time.Second))
	if err != nil {
		return Result{}, o.engineFault("statusQueues", err)
	}
	for _, q := range queues {
		o.panelQueue(d, q, stats[q.Name], sessions, pauseNames, numbers, calls)
	}
	d.end("queues")
	return String(d.done("panel")), nil
}

func (o *EngineOps) panelQueue(d *xmlDoc, q core.Queue, st core.QueueStats, sessions map[string]core.AgentSession,
	pauseNames, numbers map[string]string, calls []core.Call) {
	var ongoing, waiting int
	for _, c := range calls {
		if c.Queue != q.Name {
			continue
		}
		if c.State == core.CallQueued {
			waiting++
		} else {
			ongoing++
		}
	}
	ratio := 0
	if st.Offered > 0 {
		ratio = st.Abandoned * 100 / st.Offered
	}
	d.elem("queue", false, xattr{"gname", q.Name}, xattr{"name", firstNonEmpty(q.Description, q.Name)})
	d.elem("gstatus", false)
	for _, kv := range []xattr{{"abandoned", itoa(st.Abandoned)}, {"completed", itoa(st.Completed)}, {"counterabn", itoa(st.Abandoned)},
		{"counterans", itoa(st.Answered)}, {"numongoing", itoa(ongoing)}, {"numwaiting", itoa(waiting)}, {"ratio", itoa(ratio)}} {
		d.text(kv.k, kv.v)
	}
	d.end("gstatus")
	d.elem("qagents", false)
	for _, mem := range o.eng.QueueMembers(q.Name) {
		s, logged := sessions[mem.Agent]
		d.text("qagent", firstNonEmpty(numbers[mem.Agent], mem.Agent), xattr{"logged", strconv.FormatBool(logged)},
			xattr{"paused", strconv.FormatBool(logged && s.Paused)}, xattr{"status", panelStatus(s, logged)},
			xattr{"pausetype", pauseNames[s.PauseCode]})
	}
	d.end("qagents")
	d.elem("qcalls", false)
	for _, c := range calls {
		if c.Queue != q.Name {
			continue
		}
		typ := "in"
		if c.Direction != core.CallInbound {
			typ = "out"
		}
		in := c.CreatedAt
		if c.QueuedAt != nil {
			in = *c.QueuedAt
		}
		d.text("call", firstNonEmpty(numbers[c.Agent], "0"), xattr{"type", typ}, xattr{"callerid", c.CallerID}, xattr{"calleridname", c.CallerName},
			xattr{"connecttime", unixOrEmpty(c.ConnectedAt)}, xattr{"intime", strconv.FormatInt(in.Unix(), 10)}, xattr{"uniqueid", c.UniqueID})
	}
	d.end("qcalls")
	d.end("queue")
}

// panelStatus names an agent's state as the panel does.
func panelStatus(s core.AgentSession, logged bool) string {
	switch {
	case !logged || s.State == core.AgentOffline || s.State == core.AgentLoggingIn:
		return "offline"
	case s.Paused:
		return "busyout"
	case s.State == core.AgentRinging:
		return "ringing"
	case s.State == core.AgentOnCall:
		return "busy"
	case s.State == core.AgentWrapUp:
		return "wrapup"
	}
	return "waiting"
}

func itoa(n int) string { return strconv.Itoa(n) }

func unixOrEmpty(t *time.Time) string {
	if t == nil {
		return ""
	}
	return strconv.FormatInt(t.Unix(), 10)
}
