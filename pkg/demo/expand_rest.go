package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/callgate/callgate/core"
)

func init() { extraSeeds = append(extraSeeds, seedExpandREST) }

// The eXpand REST (expandweb3) document's demo values.
const (
	ExpandRESTUser     = "external_user"
	ExpandRESTPass     = "1deD9=cf9"
	ExpandRESTCampaign = 313
	ExpandRESTContact  = 1698
)

// seedExpandREST adds the REST API user, dialer campaign 313 (an external
// id of campaign dialer313, queue q_ven)
// with its list and contact 1698 (Rodrigo, 27111200) as the examples show
// them; the simple lists vendedores and cartera (27111200 → 200); queue tecnologia and
// agent pperez of the pending-calls example; form ope with field
// codigofeliz. Idempotent.
func seedExpandREST(ctx context.Context, st core.Store) error {
	q := core.Queue{Name: "q_ven", Strategy: core.StrategyLeastRecent, RingTimeout: 15, ServiceLevel: 20, Active: true}
	if _, err := ensure(ctx, st, core.Eq("name", q.Name), &q); err != nil {
		return fmt.Errorf("queue q_ven: %w", err)
	}
	camp := core.Campaign{Name: "dialer313", Description: "eXpand Dialer campaign 313",
		Type: core.CampaignOutbound, DialMethod: core.DialProgressive, Queue: q.Name, MaxRetries: 3, RetryDelay: 600, DialTimeout: 30, Active: true}
	if _, err := ensure(ctx, st, core.Eq("name", camp.Name), &camp); err != nil {
		return fmt.Errorf("campaign 313: %w", err)
	}
	// eXpand calls it 313: an external id, so the engine's ids stay its own.
	ext := core.ExternalID{Entity: core.EntityCampaign, Dialect: "expand-rest", ExternalID: fmt.Sprint(ExpandRESTCampaign), InternalID: uint64(camp.ID)}
	if _, err := ensure(ctx, st, core.Eq("entity", ext.Entity).Eq("dialect", ext.Dialect).Eq("external_id", ext.ExternalID), &ext); err != nil {
		return fmt.Errorf("campaign 313 id: %w", err)
	}
	list := core.List{ID: 31300, Name: "dialer313", Campaign: camp.Name, Active: true}
	if _, err := ensure(ctx, st, core.Eq("id", list.ID), &list); err != nil {
		return fmt.Errorf("list 31300: %w", err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	lead := core.Lead{EntryDate: now, ModifyDate: now, ID: ExpandRESTContact, ListID: list.ID, Campaign: camp.Name, Status: core.StatusNew, FirstName: "Rodrigo",
		PhoneNumber: "27111200", SourceID: "expand-rest", Attributes: `{"ci":"3123456-0","correo":"rangles@expand.com.uy"}`}
	if _, err := ensure(ctx, st, core.Eq("id", lead.ID), &lead); err != nil {
		return fmt.Errorf("contact 1698: %w", err)
	}
	for _, l := range []core.SimpleList{
		{Name: "vendedores", Alias: "Vendedores", Description: "Asocia CallerID de llamantes con extensiones de ejecutivos de venta. Mantenido por SAP."},
		{Name: "cartera", Alias: "Cartera", Description: "Asocia CallerID de llamantes con la extension del ejecutivo de cartera que debe atenderlo. Mantenido por SAP"},
	} {
		if _, err := ensure(ctx, st, core.Eq("name", l.Name), &l); err != nil {
			return fmt.Errorf("simple list %s: %w", l.Name, err)
		}
	}
	// The pending outgoing calls example: queue tecnologia, agent pperez.
	tec := core.Queue{Name: "tecnologia", Strategy: core.StrategyLeastRecent, RingTimeout: 15, ServiceLevel: 20, Active: true}
	if _, err := ensure(ctx, st, core.Eq("name", tec.Name), &tec); err != nil {
		return fmt.Errorf("queue tecnologia: %w", err)
	}
	// No extension of its own: deploy/asterisk/pjsip.conf defines the demo's
	// endpoints, and the SOAP side of the issue seeds eXpand's 101–103.
	pperez := core.Agent{Username: "pperez", Name: "Pedro Perez", Number: "101", Active: true, UserLevel: 1}
	if _, err := ensure(ctx, st, core.Eq("username", pperez.Username), &pperez); err != nil {
		return fmt.Errorf("agent pperez: %w", err)
	}
	// Form ope with its field codigofeliz (dynamic forms example).
	form := core.Form{Name: "ope", Description: "Formulario de la cola ope", Active: true}
	if _, err := ensure(ctx, st, core.Eq("name", form.Name), &form); err != nil {
		return fmt.Errorf("form ope: %w", err)
	}
	field := core.FormField{FormID: form.ID, Label: "codigofeliz", Type: "TEXT", Order: 1, MaxLen: 64}
	if _, err := ensure(ctx, st, core.Eq("form_id", form.ID).Eq("label", field.Label), &field); err != nil {
		return fmt.Errorf("form field codigofeliz: %w", err)
	}
	var cartera core.SimpleList
	if err := st.First(ctx, &cartera, core.Eq("name", "cartera")); err != nil {
		return err
	}
	el := core.SimpleListElement{ListID: cartera.ID, Key: "27111200", Value: "200"}
	if _, err := ensure(ctx, st, core.Eq("list_id", el.ListID).Eq("key", el.Key), &el); err != nil {
		return fmt.Errorf("cartera element: %w", err)
	}
	u := core.APIUser{Dialect: "expand-rest", Username: ExpandRESTUser, Secret: ExpandRESTPass, Active: true, UserLevel: 8, APIAccess: true, AllowedFunctions: "ALL_FUNCTIONS"}
	if _, err := ensure(ctx, st, core.Eq("dialect", u.Dialect).Eq("username", u.Username), &u); err != nil {
		return fmt.Errorf("api user: %w", err)
	}
	return nil
}
