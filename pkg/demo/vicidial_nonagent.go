package demo

import (
	"context"
	"fmt"

	"github.com/callgate/callgate/core"
)

func init() { extraSeeds = append(extraSeeds, seedVicidialNonAgent) }

// VICIdial non-agent API demo identities.
const (
	// VicidialDefaultListID is VICIdial's default list_id (add_lead's
	// list_id default): here it feeds the demo campaign, so the reference's
	// add_lead examples are dialed.
	VicidialDefaultListID = 999
	// VicidialMonitorPhone is the phone login of the reference's
	// blind_monitor example (extension 350).
	VicidialMonitorPhone = "350a"
)

// seedVicidialNonAgent adds what the non-agent API examples
// (/vicidial/non_agent_api.php) need: list 999 and the supervisor phone
// 350a. Idempotent; operator edits are kept.
func seedVicidialNonAgent(ctx context.Context, st core.Store) error {
	list := core.List{ID: VicidialDefaultListID, Name: "Default list", Campaign: Campaign, Active: true}
	if _, err := ensure(ctx, st, core.Eq("id", list.ID), &list); err != nil {
		return fmt.Errorf("list: %w", err)
	}
	phone := core.Phone{Extension: "350", Login: VicidialMonitorPhone, Password: "test", Protocol: "PJSIP", DialplanNumber: "350",
		VoicemailID: "350", Name: "Supervisor desk", Active: true}
	if _, err := ensure(ctx, st, core.Eq("extension", phone.Extension), &phone); err != nil {
		return fmt.Errorf("phone: %w", err)
	}
	return nil
}
