package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/callgate/callgate/core"
)

func init() { extraSeeds = append(extraSeeds, seedVicidial) }

// VICIdial demo identities beyond the shared ones.
const (
	// VicidialManualListID is TESTCAMP's manual_dial_list_id (VICIdial's
	// default 998): leads added with external_add_lead land there.
	VicidialManualListID = 998
	// VicidialExampleLead is the lead_id the vendor document uses in its
	// switch_lead and vm_message examples.
	VicidialExampleLead = 12345
)

// seedVicidial adds what the agent API examples (/agc/api.php) need beyond
// the shared demo data: the manual dial list, the other in-groups the
// examples name (TEST_IN2, TEST_IN3), alt_user ids for st_login_log,
// a second agent to act as fronter, DNC entries for external_add_lead's
// checks and the example lead 12345. Idempotent; operator edits are kept.
func seedVicidial(ctx context.Context, st core.Store) error {
	list := core.List{ID: VicidialManualListID, Name: "Manual dial list", Campaign: Campaign, Active: true}
	if _, err := ensure(ctx, st, core.Eq("id", list.ID), &list); err != nil {
		return fmt.Errorf("list: %w", err)
	}
	queues := []core.Queue{
		{Name: "TEST_IN2", Description: "Test in-group 2", Strategy: core.StrategyLeastRecent, RingTimeout: 15, ServiceLevel: 20, Campaign: Campaign, Active: true},
		{Name: "TEST_IN3", Description: "Test in-group 3", Strategy: core.StrategyLeastRecent, RingTimeout: 15, ServiceLevel: 20, Campaign: Campaign, Active: true},
	}
	for i := range queues {
		if _, err := ensure(ctx, st, core.Eq("name", queues[i].Name), &queues[i]); err != nil {
			return fmt.Errorf("in-group: %w", err)
		}
	}
	// VICIdial's stock groups: ADMIN reaches every campaign and group (the
	// API user 6666 is in it), AGENTS the demo campaign.
	groups := []core.UserGroup{
		{Name: "ADMIN", Description: "VICIDIAL ADMINISTRATORS", AllowedCampaigns: " -ALL-CAMPAIGNS- - ", AdminViewableGroups: " ---ALL--- "},
		{Name: "AGENTS", Description: "Demo agents", AllowedCampaigns: " " + Campaign + " - ", AdminViewableGroups: " AGENTS "},
	}
	for i := range groups {
		if _, err := ensure(ctx, st, core.Eq("name", groups[i].Name), &groups[i]); err != nil {
			return fmt.Errorf("user group: %w", err)
		}
	}
	agent := core.Agent{
		Username: "1001", Number: "1001", Type: "SIP", Extension: "PJSIP/1001", Name: "Demo Fronter 1001",
		Password: VicidialAgentPw, Campaign: Campaign, UserLevel: 1, UserGroup: "AGENTS", AltID: "CRM1001", Active: true,
	}
	seeded := agent // ensure overwrites agent with the stored row
	if _, err := ensure(ctx, st, core.Eq("username", agent.Username), &agent); err != nil {
		return fmt.Errorf("agent: %w", err)
	}
	if err := upgradeExtension(ctx, st, seeded); err != nil {
		return err
	}
	// st_login_log and alt_user find agents by custom_three; give the demo
	// agent one unless an operator already did.
	var a1000 core.Agent
	if err := st.First(ctx, &a1000, core.Eq("username", VicidialAgent)); err == nil && a1000.AltID == "" {
		if err := st.Updates(ctx, &a1000, map[string]any{"alt_id": "CRM1000"}); err != nil {
			return fmt.Errorf("agent alt id: %w", err)
		}
	}
	dnc := []core.DNCEntry{
		{Phone: "7275550001", Reason: "demo: system DNC"},
		{Phone: "7275550002", Campaign: Campaign, Reason: "demo: TESTCAMP DNC"},
	}
	for i := range dnc {
		if _, err := ensure(ctx, st, core.Eq("phone", dnc[i].Phone).Eq("campaign", dnc[i].Campaign), &dnc[i]); err != nil {
			return fmt.Errorf("dnc: %w", err)
		}
	}
	now := time.Now().UTC().Truncate(time.Second)
	lead := core.Lead{
		ID: VicidialExampleLead, ListID: VicidialManualListID, Campaign: Campaign, Status: "NEW", VendorLeadCode: "VD12345",
		PhoneCode: "1", PhoneNumber: "7275551299", FirstName: "Example", LastName: "Lead", City: "St Petersburg", State: "FL",
		CountryCode: "USA", GMTOffset: "-5.00", EntryDate: now, ModifyDate: now,
	}
	if _, err := ensure(ctx, st, core.Eq("id", lead.ID), &lead); err != nil {
		return fmt.Errorf("lead: %w", err)
	}
	return nil
}
