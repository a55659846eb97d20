package ucontact

import "strings"

// uContact names a campaign with its direction: "Ventas->" is outbound,
// "Power<-" inbound. Core names allow neither '<' nor '>', so the core
// campaign (and its queue) of "Ventas->" is "Ventas.out" and that of
// "Power<-" is "Power.in"; a name without an arrow is the same on both
// sides.
func coreCampaign(wire string) string {
	wire = strings.TrimSpace(wire)
	if s, ok := strings.CutSuffix(wire, "->"); ok {
		return s + ".out"
	}
	if s, ok := strings.CutSuffix(wire, "<-"); ok {
		return s + ".in"
	}
	return wire
}

func wireCampaign(name string) string {
	if s, ok := strings.CutSuffix(name, ".out"); ok {
		return s + "->"
	}
	if s, ok := strings.CutSuffix(name, ".in"); ok {
		return s + "<-"
	}
	return name
}
