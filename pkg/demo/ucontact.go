package demo

import (
	"context"
	"fmt"

	"github.com/callgate/callgate/core"
)

func init() { extraSeeds = append(extraSeeds, seedUContact) }

// The uContact Integra document's demo values.
const (
	UContactAPIUser = "integra"
	UContactAPIPass = "integra-demo"
	UContactBase    = "basetest"
)

// seedUContact adds the uContact examples' campaigns (their names carry the
// direction: "Ventas.out" outbound, "Power.in" inbound, each with a queue of
// the same name), agents, the dialer base basetest, a disposition tree for
// Ventas-> with each dialer action, and the API user. Idempotent.
func seedUContact(ctx context.Context, st core.Store) error {
	for _, c := range []struct {
		name string
		typ  core.CampaignType
	}{{"Ventas.out", core.CampaignOutbound}, {"Sales.out", core.CampaignOutbound}, {"test.out", core.CampaignOutbound},
		{"Power.in", core.CampaignInbound}, {"Out.in", core.CampaignInbound}} {
		q := core.Queue{Name: c.name, Strategy: core.StrategyLeastRecent, RingTimeout: 15, ServiceLevel: 15, Campaign: c.name, Active: true}
		if _, err := ensure(ctx, st, core.Eq("name", c.name), &q); err != nil {
			return fmt.Errorf("queue %s: %w", c.name, err)
		}
		camp := core.Campaign{Name: c.name, Type: c.typ, DialMethod: core.DialProgressive, Queue: c.name, MaxRetries: 3, RetryDelay: 600, DialTimeout: 30, Active: true}
		if c.typ == core.CampaignInbound {
			camp.DialMethod = core.DialManual
		}
		if _, err := ensure(ctx, st, core.Eq("name", c.name), &camp); err != nil {
			return fmt.Errorf("campaign %s: %w", c.name, err)
		}
	}
	agents := []core.Agent{
		{Username: "Agente1", Number: "1001", Type: "SIP", Extension: "PJSIP/1001", Name: "Agente1", Active: true, UserLevel: 1},
		{Username: "Santiago", Number: "1001", Type: "SIP", Extension: "PJSIP/1001", Name: "Santiago", Active: true, UserLevel: 1},
		{Username: "Daniel", Number: "1010", Type: "SIP", Extension: "PJSIP/1010", Name: "Daniel", Active: true, UserLevel: 1},
	}
	for i := range agents {
		if _, err := ensure(ctx, st, core.Eq("username", agents[i].Username), &agents[i]); err != nil {
			return fmt.Errorf("agent: %w", err)
		}
	}
	var test core.Queue
	if err := st.First(ctx, &test, core.Eq("name", "test.out")); err != nil {
		return err
	}
	for _, a := range agents[1:] {
		m := core.QueueMember{QueueID: test.ID, AgentID: a.ID, Queue: test.Name, Agent: a.Username}
		if _, err := ensure(ctx, st, core.Eq("queue_id", test.ID).Eq("agent_id", a.ID), &m); err != nil {
			return fmt.Errorf("member: %w", err)
		}
	}
	list := core.List{ID: 11001, Name: UContactBase, Campaign: "Ventas.out", Active: true}
	if _, err := ensure(ctx, st, core.Eq("id", list.ID), &list); err != nil {
		return fmt.Errorf("list: %w", err)
	}
	if err := seedUContactDispositions(ctx, st); err != nil {
		return err
	}
	u := core.APIUser{Dialect: "ucontact", Username: UContactAPIUser, Secret: UContactAPIPass, Active: true, UserLevel: 8, APIAccess: true, AllowedFunctions: "ALL_FUNCTIONS"}
	if _, err := ensure(ctx, st, core.Eq("dialect", "ucontact").Eq("username", u.Username), &u); err != nil {
		return fmt.Errorf("api user: %w", err)
	}
	return nil
}

// seedUContactDispositions: Ventas-> level 1 "Venta" (no action) with
// level 2 "Rellamar" (RESPOOL), "Alternativo" (RESPOOLALTERNATIVE),
// "NoLlamar" (BLACKLIST), "Agendar" (RESCHEDULE) and their level 3 "OK".
func seedUContactDispositions(ctx context.Context, st core.Store) error {
	root := core.Disposition{Code: "VENTA", Name: "Venta", Campaign: "Ventas.out", Selectable: true}
	if _, err := ensure(ctx, st, core.Eq("campaign", "Ventas.out").Eq("parent_id", 0).Eq("name", root.Name), &root); err != nil {
		return err
	}
	for _, d := range []core.Disposition{
		{Code: "RELLAMAR", Name: "Rellamar", Action: core.DispoActionRespool},
		{Code: "ALTERNAT", Name: "Alternativo", Action: core.DispoActionRespoolAlternative},
		{Code: "NOLLAMAR", Name: "NoLlamar", Action: core.DispoActionBlacklist},
		{Code: "AGENDAR", Name: "Agendar", Action: core.DispoActionReschedule},
	} {
		d.Campaign, d.ParentID, d.Selectable = "Ventas.out", root.ID, true
		if _, err := ensure(ctx, st, core.Eq("campaign", "Ventas.out").Eq("parent_id", root.ID).Eq("name", d.Name), &d); err != nil {
			return err
		}
		leaf := core.Disposition{Code: d.Code + "OK", Name: "OK", Campaign: "Ventas.out", ParentID: d.ID, Selectable: true}
		if _, err := ensure(ctx, st, core.Eq("campaign", "Ventas.out").Eq("parent_id", d.ID).Eq("name", "OK"), &leaf); err != nil {
			return err
		}
	}
	return nil
}
