package core

import (
	"context"
	"errors"
	"fmt"
)

// Reads of provisioned records that the dialects look up by their own keys.
// They go to the store (not the engine's caches) so inactive records are
// found too.

// PauseCode returns the pause code with that id, active or not.
func (e *Engine) PauseCode(ctx context.Context, id uint) (PauseCode, error) {
	var p PauseCode
	if err := e.store.First(ctx, &p, ByID(id)); err != nil {
		if errors.Is(err, ErrNoRecord) {
			return p, fmt.Errorf("%w: %d", ErrUnknownPause, id)
		}
		return p, err
	}
	return p, nil
}

// AllPauseCodes lists every pause code, active or not, by id.
func (e *Engine) AllPauseCodes(ctx context.Context) ([]PauseCode, error) {
	var out []PauseCode
	err := e.store.Find(ctx, &out, All.Asc("id"))
	return out, err
}

// LeadsWithPhone lists up to limit leads whose main phone is phone, oldest
// first.
func (e *Engine) LeadsWithPhone(ctx context.Context, phone string, limit int) ([]Lead, error) {
	var out []Lead
	err := e.store.Find(ctx, &out, Eq("phone_number", phone).Asc("id").Take(limit))
	return out, err
}

// UncalledLeads counts a campaign's leads never dialled.
func (e *Engine) UncalledLeads(ctx context.Context, campaign string) (int64, error) {
	return e.store.Count(ctx, &Lead{}, Eq("campaign", campaign).Eq("called_count", 0))
}

// AgentByAltID returns the agent whose alternate id (an external system's
// user id) is alt, the first by username if several share it.
func (e *Engine) AgentByAltID(ctx context.Context, alt string) (Agent, error) {
	var a Agent
	err := e.store.First(ctx, &a, Eq("alt_id", alt).Asc("username").Take(1))
	return a, err
}

// AgentsOfGroup lists the agents of a user group by username.
func (e *Engine) AgentsOfGroup(ctx context.Context, group string) ([]Agent, error) {
	var out []Agent
	err := e.store.Find(ctx, &out, Eq("user_group", group).Asc("username"))
	return out, err
}

// AgentsOfCampaign lists the agents whose default campaign it is, by
// username.
func (e *Engine) AgentsOfCampaign(ctx context.Context, campaign string) ([]Agent, error) {
	var out []Agent
	err := e.store.Find(ctx, &out, Eq("campaign", campaign).Asc("username"))
	return out, err
}

// SetAgentAltData stores what an external system says about an agent
// (its vendor id) on the agent's record.
func (e *Engine) SetAgentAltData(ctx context.Context, a Agent, vendor string) error {
	return e.store.Updates(ctx, &a, map[string]any{"custom_four": vendor})
}

// FindCampaign returns the stored campaign with that name, active or not;
// ErrNoRecord if none.
func (e *Engine) FindCampaign(ctx context.Context, name string) (Campaign, error) {
	var c Campaign
	err := e.store.First(ctx, &c, Eq("name", name))
	return c, err
}

// FindQueue returns the stored queue with that name, active or not;
// ErrNoRecord if none.
func (e *Engine) FindQueue(ctx context.Context, name string) (Queue, error) {
	var q Queue
	err := e.store.First(ctx, &q, Eq("name", name))
	return q, err
}

// UserGroup returns the user group with that name; ErrNoRecord if none.
func (e *Engine) UserGroup(ctx context.Context, name string) (UserGroup, error) {
	var g UserGroup
	err := e.store.First(ctx, &g, Eq("name", name))
	return g, err
}

// Recording returns the stored recording with that id; ErrNoRecord if none.
func (e *Engine) Recording(ctx context.Context, id uint64) (Recording, error) {
	var r Recording
	err := e.store.First(ctx, &r, ByID(id))
	return r, err
}

// LeadByVendorCode returns the newest lead with that vendor lead code
// (the id an external CRM gave it).
func (e *Engine) LeadByVendorCode(ctx context.Context, code string) (Lead, error) {
	var l Lead
	if err := e.store.First(ctx, &l, Eq("vendor_lead_code", code).Desc("id").Take(1)); err != nil {
		if errors.Is(err, ErrNoRecord) {
			return l, fmt.Errorf("%w: vendor code", ErrUnknownLead)
		}
		return l, err
	}
	return l, nil
}

// OnDNCList reports whether the number, exactly as given, is on one DNC
// list: a campaign's, or the global list when campaign is "".
func (e *Engine) OnDNCList(ctx context.Context, phone, campaign string) bool {
	n, err := e.store.Count(ctx, &DNCEntry{}, Eq("phone", phone).Eq("campaign", campaign))
	return err == nil && n > 0
}

// IsCallbackStatus reports whether a disposition code schedules a
// callback, system-wide or in the campaign.
func (e *Engine) IsCallbackStatus(ctx context.Context, code, campaign string) bool {
	n, err := e.store.Count(ctx, &Disposition{}, Eq("code", code).Eq("callback", true).In("campaign", []string{"", campaign}))
	return err == nil && n > 0
}

// RecordAPICalls appends rows to the API log.
func (e *Engine) RecordAPICalls(ctx context.Context, rows []APILogEntry) error {
	if len(rows) == 0 {
		return nil
	}
	if e.commit == nil {
		return e.store.Create(ctx, &rows)
	}
	// Committed with the engine's and other requests' writes of the moment.
	return e.commit.appendLog(ctx, rows)
}
