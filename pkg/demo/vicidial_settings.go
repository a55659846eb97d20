package demo

import (
	"context"
	"fmt"

	"github.com/callgate/callgate/core"
)

func init() { extraSeeds = append(extraSeeds, seedVicidialSettings) }

// vicidialSettings are the VICIdial settings (api/vicidial/settings.go)
// the vendor document's examples need, where VICIdial's defaults would
// refuse them: the API and notifications switched on, group alias TESTING
// (caller id 7275551211, as external_dial's example answers), TESTCAMP
// taking inbound calls with TEST_IN as its default transfer group, and its
// manual dial list 998; lists' custom fields switched on, API user 6666
// allowed to define them (update_list custom_fields_add, as the
// non-agent document's list_custom_fields example needs). Everything else
// keeps VICIdial's default.
var vicidialSettings = []core.Setting{
	{Scope: core.ScopeSystem, Name: "vdc_agent_api_active", Value: "1"},
	{Scope: core.ScopeSystem, Name: "agent_notifications", Value: "1"},
	{Scope: core.ScopeSystem, Name: "group_aliases", Value: "TESTING=7275551211"},
	{Scope: core.ScopeSystem, Name: "custom_fields_enabled", Value: "1"},
	{Scope: core.ScopeUser, Owner: VicidialAPIUser, Name: "custom_fields_modify", Value: "1"},
	{Scope: core.ScopeCampaign, Owner: Campaign, Name: "campaign_allow_inbound", Value: "Y"},
	{Scope: core.ScopeCampaign, Owner: Campaign, Name: "default_xfer_group", Value: InGroup},
	{Scope: core.ScopeCampaign, Owner: Campaign, Name: "manual_dial_list_id", Value: fmt.Sprint(VicidialManualListID)},
}

// seedVicidialSettings writes the rows directly: the declarations live in
// the dialect package, which the demo does not import. A value an operator
// changed is kept.
func seedVicidialSettings(ctx context.Context, st core.Store) error {
	for _, s := range vicidialSettings {
		s.Dialect = "vicidial"
		q := core.Eq("dialect", s.Dialect).Eq("scope", s.Scope).Eq("owner", s.Owner).Eq("name", s.Name)
		if _, err := ensure(ctx, st, q, &s); err != nil {
			return fmt.Errorf("vicidial setting %s: %w", s.Name, err)
		}
	}
	return nil
}
