package demo

import (
	"context"
	"fmt"
	"strconv"

	"github.com/callgate/callgate/core"
)

func init() { extraSeeds = append(extraSeeds, seedECCP) }

// ECCPFormName is the demo form attached to the demo campaigns, shaped like
// the form of the ECCP getcampaigninfo example.
const ECCPFormName = "Prueba"

// seedECCP adds what the ECCP examples need beyond the shared demo data: a
// form with one field of each type on both demo campaigns (getcampaigninfo,
// saveformdata, getcallinfo's call_survey) and the queue script of 8001
// (getqueuescript). Idempotent; operator edits are kept.
func seedECCP(ctx context.Context, st core.Store) error {
	form := core.Form{Name: ECCPFormName, Description: "Formulario de prueba", Active: true}
	if _, err := ensure(ctx, st, core.Eq("name", form.Name), &form); err != nil {
		return fmt.Errorf("form: %w", err)
	}
	fields := []core.FormField{
		{Label: "CampoDeTexto", Type: "TEXT", Order: 1},
		{Label: "CampoDeLista", Type: "LIST", Options: "aaa,bbb,ccc", Order: 2},
		{Label: "CampoDeFecha", Type: "DATE", Options: "2011-01-01", Order: 3},
		{Label: "CampoDeTextarea", Type: "TEXTAREA", Options: "Un texto bien grande", Order: 4},
		{Label: "CampoDeEtiqueta", Type: "LABEL", Order: 5},
	}
	for i := range fields {
		fields[i].FormID = form.ID
		q := core.Eq("form_id", form.ID).Eq("label", fields[i].Label)
		if _, err := ensure(ctx, st, q, &fields[i]); err != nil {
			return fmt.Errorf("form field: %w", err)
		}
	}
	formID := strconv.FormatUint(uint64(form.ID), 10)
	for _, name := range []string{Campaign, "INBOUND8000"} {
		var c core.Campaign
		if err := st.First(ctx, &c, core.Eq("name", name)); err != nil {
			continue
		}
		if c.FormIDs == "" {
			if err := st.Updates(ctx, &core.Campaign{ID: c.ID}, map[string]any{"form_ids": formID}); err != nil {
				return fmt.Errorf("campaign forms: %w", err)
			}
		}
	}
	var q core.Queue
	if err := st.First(ctx, &q, core.Eq("name", "8001")); err == nil && q.Script == "" {
		if err := st.Updates(ctx, &core.Queue{ID: q.ID}, map[string]any{"script": "Texto a mostrar al agente."}); err != nil {
			return fmt.Errorf("queue script: %w", err)
		}
	}
	return nil
}
