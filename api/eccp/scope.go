package eccp

import (
	"context"

	"github.com/callgate/callgate/core"
)

// dialectName is ECCP's name in the dialect settings.
const dialectName = "eccp"

// setShowAll is the system setting that widens ECCP's queue lists and
// activity summary to every queue and agent of the deployment.
const setShowAll = "show_all_queues"

func init() {
	core.DeclareSettings(dialectName,
		core.SettingDef{Name: setShowAll, Scope: core.ScopeSystem, Kind: core.SettingEnum, Choices: []string{"Y", "N"}, Default: "N",
			Doc: "N: getincomingqueuelist and getagentactivitysummary show only ECCP's agents (those with an ECCP password) and the queues they are members of, as dialerd shows only its call center's; Y: every queue and agent."})
}

// showAll reports whether the deployment asked for every queue and agent.
// An unreadable setting keeps the narrower, dialerd-like view.
func (s *Server) showAll(ctx context.Context) bool {
	v, err := s.eng.Settings().Values(ctx, dialectName, core.ScopeSystem, "")
	if err != nil {
		s.log.Warn("reading ECCP settings", "err", err)
		return false
	}
	return v.String(setShowAll) == "Y"
}

// eccpAgent reports whether an agent is one of ECCP's: dialerd knows only
// the agents of its own agent table, which all carry an ECCP password.
func eccpAgent(a core.Agent) bool { return a.ConsolePassword != "" }

// eccpQueue reports whether a queue is one of ECCP's: one an ECCP agent
// is a member of (dialerd lists only the queues its call center serves).
func (s *Server) eccpQueue(name string) bool {
	for _, a := range s.agentsOfQueue(name) {
		if eccpAgent(a) {
			return true
		}
	}
	return false
}
