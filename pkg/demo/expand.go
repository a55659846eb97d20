package demo

import (
	"context"
	"fmt"

	"github.com/callgate/callgate/api/expand/soap"
	"github.com/callgate/callgate/core"
)

func init() { extraSeeds = append(extraSeeds, seedExpand) }

// ExpandKey is the authorizedKey of the eXpand webservices document's
// examples.
const ExpandKey = "319a67432f51ed53938542b809320dd2"

// seedExpand adds what the eXpand SOAP examples need: the example key, the
// extensions of extensionPbx, the users of getUserInfo/getAgentLoggedInfo,
// the queues and pauses of the panel and report examples. Idempotent;
// operator edits are kept.
func seedExpand(ctx context.Context, st core.Store) error {
	key := core.APIUser{Dialect: soap.Dialect, Username: core.KeyName(ExpandKey), Secret: ExpandKey,
		Description: "eXpand webservices document examples", Active: true, UserLevel: 8, APIAccess: true, AllowedFunctions: "ALL_FUNCTIONS"}
	if _, err := ensure(ctx, st, core.Eq("dialect", key.Dialect).Eq("username", key.Username), &key); err != nil {
		return fmt.Errorf("expand key: %w", err)
	}
	for _, f := range []func(context.Context, core.Store) error{seedExpandPhones, seedExpandQueues, seedExpandAgents, seedExpandPauses} {
		if err := f(ctx, st); err != nil {
			return err
		}
	}
	return nil
}

func seedExpandPhones(ctx context.Context, st core.Store) error {
	phones := []core.Phone{
		{Extension: "101", Name: "Juan Perez"}, {Extension: "102", Name: "Pedro Gonzalez"},
		{Extension: "103", Name: "Esteban Rodriguez"}, {Extension: "321"}, {Extension: "701"}, {Extension: "803"},
	}
	for i := range phones {
		// The document's channels are chan_sip's SIP/<n>; an Asterisk
		// without chan_sip needs the protocol changed to PJSIP.
		phones[i].Protocol, phones[i].Login, phones[i].DialplanNumber, phones[i].Active = "SIP", "x"+phones[i].Extension, phones[i].Extension, true
		if _, err := ensure(ctx, st, core.Eq("extension", phones[i].Extension), &phones[i]); err != nil {
			return fmt.Errorf("expand phone %s: %w", phones[i].Extension, err)
		}
	}
	return nil
}

func seedExpandQueues(ctx context.Context, st core.Store) error {
	queues := []core.Queue{
		{Name: "q_ven", Description: "Callcenter Ventas"}, {Name: "q_tec", Description: "Callcenter Tecnico"},
		{Name: "q_tra", Description: "CallCenter C"}, {Name: "tecnologia", Description: "Tecnologia"}, {Name: "ope", Description: "Operaciones"},
	}
	for i := range queues {
		queues[i].Strategy, queues[i].RingTimeout, queues[i].ServiceLevel, queues[i].Active = core.StrategyRingAll, 15, 20, true
		if _, err := ensure(ctx, st, core.Eq("name", queues[i].Name), &queues[i]); err != nil {
			return fmt.Errorf("expand queue %s: %w", queues[i].Name, err)
		}
	}
	return nil
}

func seedExpandAgents(ctx context.Context, st core.Store) error {
	agents := []core.Agent{
		// admin works at extension 803 (loginAgent admin 803); no agent
		// has a fixed phone here, as in eXpand, where the login picks it.
		{Username: "admin", Number: "12345", Type: "SIP", Name: "Administrador", Email: "admin@expand.com.uy",
			Profile: "administrador", Supervisor: true, UserLevel: 9, Active: true},
		{Username: "ngarcia", Number: "118", Type: "SIP", Name: "Natalia Garcia", Email: "ngarcia@garcia.com.uy",
			Profile: "operador_tecnico", UserLevel: 1, Active: true},
		{Username: "pperez", Number: "119", Type: "SIP", Name: "Pablo Perez", Profile: "operador", UserLevel: 1, Active: true},
	}
	for i := range agents {
		if _, err := ensure(ctx, st, core.Eq("username", agents[i].Username), &agents[i]); err != nil {
			return fmt.Errorf("expand agent %s: %w", agents[i].Username, err)
		}
	}
	members := map[string][]string{"admin": {"q_ven", "q_tec", "q_tra"}, "ngarcia": {"q_tec", "tecnologia"}, "pperez": {"tecnologia", "ope"}}
	for _, a := range agents {
		for _, qn := range members[a.Username] {
			var q core.Queue
			if err := st.First(ctx, &q, core.Eq("name", qn)); err != nil {
				return err
			}
			qm := core.QueueMember{QueueID: q.ID, AgentID: a.ID, Queue: q.Name, Agent: a.Username}
			if _, err := ensure(ctx, st, core.Eq("queue_id", q.ID).Eq("agent_id", a.ID), &qm); err != nil {
				return err
			}
		}
	}
	return nil
}

// seedExpandPauses adds Descanso; Almuerzo is the shared demo's ALMUER.
// pauseDTMF names either by code or by name.
func seedExpandPauses(ctx context.Context, st core.Store) error {
	pc := core.PauseCode{Code: "DESCAN", Name: "Descanso", Type: "B", Description: "Descanso", Active: true}
	_, err := ensure(ctx, st, core.Eq("code", pc.Code), &pc)
	return err
}
