package core

import (
	"context"
	"fmt"
	"time"
)

// CallbackChange is what a CRM changes in a lead's scheduled callback;
// nil fields stay as they are.
type CallbackChange struct {
	When       *time.Time
	Campaign   *string
	ListID     *uint64
	LeadStatus *string
	Comments   *string
	// AgentOnly and Agent are the recipient: USERONLY for one agent, or
	// ANYONE in the campaign.
	AgentOnly *bool
	Agent     *string
}

// Empty reports whether the change sets nothing.
func (c CallbackChange) Empty() bool {
	return c.When == nil && c.Campaign == nil && c.ListID == nil && c.LeadStatus == nil && c.Comments == nil &&
		c.AgentOnly == nil && c.Agent == nil
}

// RescheduleLeadCallback changes the lead's first callback (the oldest) and
// makes it active again, as VICIdial's update_lead callback=Y does with an
// existing callback. It returns the callback as stored; a lead without a
// callback is ENOTFOUND.
func (e *Engine) RescheduleLeadCallback(ctx context.Context, leadID uint64, ch CallbackChange) (Callback, error) {
	var cbs []Callback
	if err := e.store.Find(ctx, &cbs, Eq("lead_id", leadID).Asc("id").Take(1)); err != nil {
		return Callback{}, fmt.Errorf("reschedule callback: %w", err)
	}
	if len(cbs) == 0 {
		return Callback{}, Errorf(ENOTFOUND, "lead %d has no callback", leadID)
	}
	cb := cbs[0]
	if cb.Status == "LIVE" {
		return cb, Errorf(ECONFLICT, "callback %d is being placed", cb.ID)
	}
	applyCallbackChange(&cb, ch)
	cb.Status, cb.CreatedAt = "ACTIVE", e.now()
	if err := e.store.Save(ctx, &cb); err != nil {
		return cb, fmt.Errorf("reschedule callback: %w", err)
	}
	e.lock()
	e.publish(CallbackEvent{Callback: cb, Agent: cb.Agent, Interface: e.interfaceLocked(cb.Agent), Action: "scheduled"}, cb.Agent)
	return cb, e.settleErr(ctx)
}

func applyCallbackChange(cb *Callback, ch CallbackChange) {
	if ch.When != nil {
		cb.When = *ch.When
	}
	if ch.Campaign != nil {
		cb.Campaign = *ch.Campaign
	}
	if ch.ListID != nil {
		cb.ListID = *ch.ListID
	}
	if ch.LeadStatus != nil {
		cb.LeadStatus = *ch.LeadStatus
	}
	if ch.Comments != nil {
		cb.Comments = *ch.Comments
	}
	if ch.AgentOnly != nil {
		cb.AgentOnly = *ch.AgentOnly
	}
	if ch.Agent != nil {
		cb.Agent = *ch.Agent
	}
}

// RemoveLeadCallbacks deletes the lead's callbacks that are not being
// placed and returns how many went.
func (e *Engine) RemoveLeadCallbacks(ctx context.Context, leadID uint64) (int64, error) {
	f := Eq("lead_id", leadID).Ne("status", "LIVE")
	var n int64
	err := e.store.Tx(ctx, func(tx Store) error {
		var err error
		if n, err = tx.Count(ctx, &Callback{}, f); err != nil {
			return err
		}
		return tx.Delete(ctx, &Callback{}, f)
	})
	if err != nil {
		return 0, fmt.Errorf("remove callbacks: %w", err)
	}
	return n, nil
}
