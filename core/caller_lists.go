package core

import "strings"

// Caller lists: a queue may name a simple list (Queue.CallerList) mapping
// caller ids to the agent who owns the customer, or to another queue, as
// eXpand's lists do (a CRM keeps "cartera": customer number → salesperson's
// extension). A known caller is then offered to that agent alone, or queued
// in that queue; an unknown one, or one whose agent is not free to take it
// now (logged out, paused, on a call, in wrap-up), goes to the queue the
// call was routed to: a caller never waits for one busy agent. The list is read outside the engine
// lock together with the caller's name (caller_names.go).

// callerListKeyLocked turns a caller list's value into the queue key the
// call enters: an active queue by name, "agent:<username>" for a free agent
// named by username, number, phone login or extension, else key.
func (e *Engine) callerListKeyLocked(key, value string) string {
	value = strings.TrimSpace(value)
	if value == "" {
		return key
	}
	if q := e.queues[value]; q != nil && q.Active {
		return value
	}
	if user := e.agentNamedLocked(value); user != "" && len(e.freeAgentsLocked("agent:"+user)) > 0 {
		return "agent:" + user
	}
	return key
}

// agentNamedLocked finds the active agent a list value names: its
// username, number, phone login, full extension (PJSIP/101) or the
// extension's number (101).
func (e *Engine) agentNamedLocked(v string) string {
	if a := e.agents[v]; a != nil && a.Active {
		return a.Username
	}
	for _, u := range sortedKeys(e.agents) {
		a := e.agents[u]
		if a.Active && (a.Number == v || a.PhoneLogin == v || a.Extension == v || strings.HasSuffix(a.Extension, "/"+v)) {
			return u
		}
	}
	return ""
}
