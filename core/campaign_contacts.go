package core

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Campaign contacts: a campaign's leads seen as a CRM's dialer contacts, each
// with a life-cycle state derived from the lead's status and its real call
// attempts (the calls table). Dialects that expose "contacts of a dialer
// campaign" use these services; the dialer dials the
// same leads.

// ContactState is a contact's life-cycle state.
type ContactState string

const (
	ContactPending   ContactState = "pending"   // still to be dialed (or being dialed)
	ContactCompleted ContactState = "completed" // reached and closed with a final status
	ContactRejected  ContactState = "rejected"  // every retry used without success
	ContactCanceled  ContactState = "canceled"  // disabled: the dialer must not call it
)

// StatusDisabled marks a lead the dialer must not call (a contact sent with
// enable=false). The dialer only calls NEW and retry statuses.
const StatusDisabled = "DISABLED"

// ContactAttempt is one real call attempt to a contact.
type ContactAttempt struct {
	At      time.Time
	Outcome string // answered, noanswer, busy, failed, or the call's status
	CallID  uint64
}

// CampaignContact is a lead with its derived state and attempts.
type CampaignContact struct {
	Lead     Lead
	Enabled  bool
	State    ContactState
	StateAt  time.Time
	Attempts []ContactAttempt // oldest first
}

// ContactQuery selects a campaign's contacts; empty fields do not restrict.
type ContactQuery struct {
	Campaign               string
	State                  ContactState
	Like                   string // substring of the name or the phone
	StateSince, StateUntil time.Time
	AddedSince, AddedUntil time.Time
	OrderBy                string // id (default), name, phone, added, state_at
	Desc                   bool
	Start, Limit           int
}

// CampaignByID finds a campaign by its numeric id.
func (e *Engine) CampaignByID(id uint) (Campaign, bool) {
	for _, c := range e.Campaigns() {
		if c.ID == id {
			return c, true
		}
	}
	return Campaign{}, false
}

// AddCampaignContact adds a lead to a campaign (in its first list when it has
// one) so its dialer calls it; enabled=false adds it disabled.
func (e *Engine) AddCampaignContact(ctx context.Context, campaign string, l Lead, enabled bool) (CampaignContact, error) {
	if _, ok := e.Campaign(campaign); !ok {
		return CampaignContact{}, Errorf(ENOTFOUND, "campaign %s", campaign)
	}
	l.PhoneNumber = normalizePhone(l.PhoneNumber)
	if l.PhoneNumber == "" {
		return CampaignContact{}, Errorf(EINVALID, "contact needs a phone number")
	}
	l.Campaign, l.ID = campaign, 0
	if lists, err := e.ListsOfCampaign(ctx, campaign); err == nil && len(lists) > 0 {
		l.ListID = lists[0]
	}
	l.Status = StatusNew
	if !enabled {
		l.Status = StatusDisabled
	}
	if err := e.AddLead(ctx, &l, AddLeadOptions{}); err != nil {
		return CampaignContact{}, err
	}
	return e.CampaignContact(ctx, campaign, l.ID)
}

// UpdateCampaignContact replaces a contact's name, phone, data and enabled
// flag. A contact on a live call is not changed.
func (e *Engine) UpdateCampaignContact(ctx context.Context, campaign string, id uint64, name, phone, attributes string, enabled bool) (CampaignContact, error) {
	l, err := e.campaignLead(ctx, campaign, id)
	if err != nil {
		return CampaignContact{}, err
	}
	phone = normalizePhone(phone)
	if phone == "" {
		return CampaignContact{}, Errorf(EINVALID, "contact needs a phone number")
	}
	if e.leadInFlight(id) {
		return CampaignContact{}, Errorf(ECONFLICT, "contact %d is on a call", id)
	}
	l.FirstName, l.PhoneNumber, l.Attributes = name, phone, attributes
	switch {
	case !enabled:
		l.Status = StatusDisabled
	case l.Status == StatusDisabled && l.CalledCount == 0:
		l.Status = StatusNew
	case l.Status == StatusDisabled:
		l.Status = StatusNoAnswer // re-enabled after attempts: retried like an unanswered lead
	}
	if err := e.UpdateLead(ctx, &l); err != nil {
		return CampaignContact{}, err
	}
	return e.CampaignContact(ctx, campaign, id)
}

// CampaignContact loads one contact of a campaign with its attempts.
func (e *Engine) CampaignContact(ctx context.Context, campaign string, id uint64) (CampaignContact, error) {
	l, err := e.campaignLead(ctx, campaign, id)
	if err != nil {
		return CampaignContact{}, err
	}
	camp, _ := e.Campaign(campaign)
	calls, err := e.leadCalls(ctx, []uint64{id})
	if err != nil {
		return CampaignContact{}, err
	}
	return contactOf(l, camp, calls[id]), nil
}

// CampaignContacts returns how many contacts match q and the page asked for.
func (e *Engine) CampaignContacts(ctx context.Context, q ContactQuery) (int, []CampaignContact, error) {
	camp, ok := e.Campaign(q.Campaign)
	if !ok {
		return 0, nil, Errorf(ENOTFOUND, "campaign %s", q.Campaign)
	}
	var leads []Lead
	if err := e.store.Find(ctx, &leads, Eq("campaign", camp.Name).Asc("id").Take(maxLeadQuery)); err != nil {
		return 0, nil, fmt.Errorf("campaign contacts: %w", err)
	}
	ids := make([]uint64, len(leads))
	for i, l := range leads {
		ids[i] = l.ID
	}
	calls, err := e.leadCalls(ctx, ids)
	if err != nil {
		return 0, nil, err
	}
	var out []CampaignContact
	for _, l := range leads {
		c := contactOf(l, camp, calls[l.ID])
		if q.matches(c) {
			out = append(out, c)
		}
	}
	sortContacts(out, q.OrderBy, q.Desc)
	return len(out), page(out, q.Start, q.Limit), nil
}

func (q ContactQuery) matches(c CampaignContact) bool {
	if q.State != "" && c.State != q.State {
		return false
	}
	if q.Like != "" && !strings.Contains(strings.ToLower(c.Lead.FirstName), strings.ToLower(q.Like)) &&
		!strings.Contains(c.Lead.PhoneNumber, q.Like) {
		return false
	}
	return within(c.StateAt, q.StateSince, q.StateUntil) && within(c.Lead.EntryDate, q.AddedSince, q.AddedUntil)
}

func within(t, since, until time.Time) bool {
	return (since.IsZero() || !t.Before(since)) && (until.IsZero() || t.Before(until))
}

func sortContacts(cs []CampaignContact, by string, desc bool) {
	key := func(c CampaignContact) string { return fmt.Sprintf("%020d", c.Lead.ID) }
	switch by {
	case "name":
		key = func(c CampaignContact) string { return strings.ToLower(c.Lead.FirstName) }
	case "phone":
		key = func(c CampaignContact) string { return c.Lead.PhoneNumber }
	case "added":
		key = func(c CampaignContact) string { return c.Lead.EntryDate.UTC().Format(time.RFC3339Nano) }
	case "state_at":
		key = func(c CampaignContact) string { return c.StateAt.UTC().Format(time.RFC3339Nano) }
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if desc {
			return key(cs[i]) > key(cs[j])
		}
		return key(cs[i]) < key(cs[j])
	})
}

func page(cs []CampaignContact, start, limit int) []CampaignContact {
	if start < 0 || start >= len(cs) {
		return []CampaignContact{}
	}
	cs = cs[start:]
	if limit > 0 && limit < len(cs) {
		cs = cs[:limit]
	}
	return cs
}

func (e *Engine) campaignLead(ctx context.Context, campaign string, id uint64) (Lead, error) {
	if _, ok := e.Campaign(campaign); !ok {
		return Lead{}, Errorf(ENOTFOUND, "campaign %s", campaign)
	}
	l, err := e.Lead(ctx, id)
	if err != nil {
		return Lead{}, err
	}
	if l.Campaign != campaign {
		return Lead{}, Errorf(ENOTFOUND, "contact %d is not in campaign %s", id, campaign)
	}
	return l, nil
}

// leadCalls loads the calls placed to the leads, oldest first per lead.
func (e *Engine) leadCalls(ctx context.Context, ids []uint64) (map[uint64][]Call, error) {
	out := map[uint64][]Call{}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		var calls []Call
		if err := e.store.Find(ctx, &calls, All.In("lead_id", ids[:n]).Asc("id")); err != nil {
			return nil, fmt.Errorf("contact attempts: %w", err)
		}
		for _, c := range calls {
			out[c.LeadID] = append(out[c.LeadID], c)
		}
		ids = ids[n:]
	}
	return out, nil
}

func contactOf(l Lead, camp Campaign, calls []Call) CampaignContact {
	c := CampaignContact{Lead: l, Enabled: l.Status != StatusDisabled, StateAt: l.ModifyDate}
	for _, call := range calls {
		c.Attempts = append(c.Attempts, ContactAttempt{At: call.CreatedAt, Outcome: attemptOutcome(call), CallID: call.ID})
	}
	switch {
	case !c.Enabled:
		c.State = ContactCanceled
	case l.Status == StatusInCall || l.Status == StatusNew || l.Status == "":
		c.State = ContactPending
	case retryable(l.Status) && l.CalledCount > camp.MaxRetries:
		c.State = ContactRejected
	case retryable(l.Status):
		c.State = ContactPending
	default:
		c.State = ContactCompleted
	}
	return c
}

func attemptOutcome(c Call) string {
	switch {
	case c.AnsweredAt != nil:
		return "answered"
	case c.Status == StatusBusy:
		return "busy"
	case c.Status == StatusNoAnswer:
		return "noanswer"
	case c.EndedAt == nil:
		return "dialing"
	default:
		return "failed"
	}
}
