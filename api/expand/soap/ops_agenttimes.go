package soap

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
)

func init() { register("getAgentTimes", (*EngineOps).getAgentTimes) }

// getAgentTimes answers each agent's logged and paused seconds between
// inicio and fin (core reports over the queue log: sessions and pauses
// that ended in the period), with the agent's queues; agente (username)
// and cola narrow it. The document's codes: -4/-5 bad start/end date, -6
// unknown queue, -7 unknown agent, -8 start after end, -9 start in the
// future, -10 nothing found, -3 the store failed.
func (o *EngineOps) getAgentTimes(ctx context.Context, p Params) (Result, error) {
	now := o.eng.Now()
	from, ok := parseCDRTime(p.Get("inicio"), now.Location())
	if !ok {
		return String("-4"), nil
	}
	to, ok := parseCDRTime(p.Get("fin"), now.Location())
	switch {
	case !ok:
		return String("-5"), nil
	case from.After(to):
		return String("-8"), nil
	case from.After(now):
		return String("-9"), nil
	}
	queues := map[string]core.Queue{}
	for _, q := range o.eng.Queues() {
		queues[q.Name] = q
	}
	cola, agente := strings.TrimSpace(p.Get("cola")), strings.TrimSpace(p.Get("agente"))
	if _, known := queues[cola]; cola != "" && !known {
		return String("-6"), nil
	}
	if _, known := o.agentOf(agente); agente != "" && !known {
		return String("-7"), nil
	}
	sums, err := o.eng.AgentSummaries(ctx, from, to)
	if err != nil {
		o.log.Warn("expand soap: getAgentTimes", "err", err)
		return String("-3"), nil
	}
	d := newXMLDoc("agents")
	found := 0
	for _, s := range sums {
		a := s.Agent
		mine := o.eng.AgentQueues(a.Username)
		if (agente != "" && a.Username != agente) || (cola != "" && !slices.Contains(mine, cola)) {
			continue
		}
		act, err := o.eng.AgentActivity(ctx, a.Username, from, to.Add(time.Second))
		if err != nil {
			o.log.Warn("expand soap: getAgentTimes", "err", err)
			return String("-3"), nil
		}
		if s.LoginSeconds == 0 && act.PauseSeconds == 0 && act.Logins == 0 {
			continue
		}
		found++
		d.elem("agent", false, xattr{"agent", firstNonEmpty(a.Number, a.Username)}, xattr{"user", a.Username}, xattr{"name", a.Name},
			xattr{"loged", strconv.FormatInt(s.LoginSeconds, 10)}, xattr{"paused", strconv.Itoa(act.PauseSeconds)})
		for _, qn := range mine {
			d.elem("queueagent", true, xattr{"name", qn}, xattr{"description", queues[qn].Description})
		}
		d.end("agent")
	}
	if found == 0 {
		return String("-10"), nil
	}
	return String(d.done("agents")), nil
}
