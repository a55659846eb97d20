package core

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Lead administration: the services lead vendors and CRMs drive without an
// agent (search, duplicate checks, delete, DNC removal, the dialer's next
// leads). The dialer reads the same rows, so a lead added or changed here
// is dialed like any other.

// LeadQuery selects leads; empty fields do not restrict. At least one of
// IDs, Phone, VendorCode, Statuses or ListIDs must be set.
type LeadQuery struct {
	IDs        []uint64
	Phone      string
	AltPhone   string
	VendorCode string
	ListIDs    []uint64
	Campaign   string
	Statuses   []string
	// CalledSince/CalledUntil bound LastCalledAt when set.
	CalledSince, CalledUntil time.Time
	// Title, FirstName and LastName, when set, match exactly, an empty
	// value included (duplicate checks compare names as stored).
	Title, FirstName, LastName *string
	// EnteredAfter keeps leads entered after it (duplicate checks over the
	// last n days).
	EnteredAfter time.Time
	// NewestFirst orders by entry date, newest first (then id), instead of
	// oldest first.
	NewestFirst bool
	// Limit caps the rows (default and maximum 10000).
	Limit int
}

const maxLeadQuery = 10000

// FindLeads returns the leads matching q, oldest first (or newest first).
func (e *Engine) FindLeads(ctx context.Context, q LeadQuery) ([]Lead, error) {
	f := All
	narrowed := false
	if len(q.IDs) > 0 {
		f, narrowed = f.In("id", q.IDs), true
	}
	if q.Phone != "" {
		f, narrowed = f.Eq("phone_number", normalizePhone(q.Phone)), true
	}
	if q.AltPhone != "" {
		f, narrowed = f.Eq("alt_phone", q.AltPhone), true
	}
	if q.VendorCode != "" {
		f, narrowed = f.Eq("vendor_lead_code", q.VendorCode), true
	}
	if len(q.ListIDs) > 0 {
		f, narrowed = f.In("list_id", q.ListIDs), true
	}
	if len(q.Statuses) > 0 {
		f, narrowed = f.In("status", q.Statuses), true
	}
	if q.Campaign != "" {
		f = f.Eq("campaign", q.Campaign)
	}
	if !narrowed {
		return nil, Errorf(EINVALID, "lead query needs a condition")
	}
	if q.Title != nil {
		f = f.Eq("title", *q.Title)
	}
	if q.FirstName != nil {
		f = f.Eq("first_name", *q.FirstName)
	}
	if q.LastName != nil {
		f = f.Eq("last_name", *q.LastName)
	}
	if !q.EnteredAfter.IsZero() {
		f = f.Gt("entry_date", q.EnteredAfter)
	}
	if !q.CalledSince.IsZero() {
		f = f.Gte("last_called_at", q.CalledSince)
	}
	if !q.CalledUntil.IsZero() {
		f = f.Lt("last_called_at", q.CalledUntil)
	}
	limit := q.Limit
	if limit <= 0 || limit > maxLeadQuery {
		limit = maxLeadQuery
	}
	if q.NewestFirst {
		f = f.Desc("entry_date").Desc("id")
	} else {
		f = f.Asc("id")
	}
	var out []Lead
	if err := e.store.Find(ctx, &out, f.Take(limit)); err != nil {
		return nil, fmt.Errorf("find leads: %w", err)
	}
	return out, nil
}

// DeleteLead removes a lead and its pending callbacks; it reports how many
// callbacks went with it. A lead on a live call is not deleted.
func (e *Engine) DeleteLead(ctx context.Context, id uint64) (callbacks int64, err error) {
	if _, err := e.Lead(ctx, id); err != nil {
		return 0, err
	}
	if e.leadInFlight(id) {
		return 0, Errorf(ECONFLICT, "lead %d is on a live call", id)
	}
	err = e.store.Tx(ctx, func(tx Store) error {
		n, err := tx.Count(ctx, &Callback{}, Eq("lead_id", id))
		if err != nil {
			return err
		}
		callbacks = n
		if err := tx.Delete(ctx, &Callback{}, Eq("lead_id", id)); err != nil {
			return err
		}
		if err := tx.Delete(ctx, &LeadFieldValue{}, Eq("lead_id", id)); err != nil {
			return err
		}
		return tx.Delete(ctx, &Lead{}, Eq("id", id))
	})
	if err != nil {
		return 0, fmt.Errorf("delete lead: %w", err)
	}
	return callbacks, nil
}

// leadInFlight reports whether a live call holds the lead.
func (e *Engine) leadInFlight(id uint64) bool {
	e.lock()
	defer e.unlock()
	for _, c := range e.calls {
		if c.LeadID == id {
			return true
		}
	}
	return false
}

// RemoveDNC takes a number off a DNC list (campaign "" is the system list)
// and reports whether it was there.
func (e *Engine) RemoveDNC(ctx context.Context, phone, campaign string) (bool, error) {
	p := normalizePhone(phone)
	if p == "" {
		return false, Errorf(EINVALID, "phone")
	}
	if !e.isCampaignDNC(ctx, p, campaign) {
		return false, nil
	}
	if err := e.store.Delete(ctx, &DNCEntry{}, Eq("phone", p).Eq("campaign", campaign)); err != nil {
		return false, fmt.Errorf("remove dnc: %w", err)
	}
	return true, nil
}

// OnDNC reports whether the number is on exactly that list (campaign ""
// is the system list).
func (e *Engine) OnDNC(ctx context.Context, phone, campaign string) bool {
	return e.isCampaignDNC(ctx, phone, campaign)
}

// FindList loads a list by id. Served from memory (authCache): every lead
// a CRM adds names its list.
func (e *Engine) FindList(ctx context.Context, id uint64) (List, error) {
	l, err := lookup(e.auth, e.auth.lists, id, func() (List, error) {
		var l List
		err := e.store.First(ctx, &l, Eq("id", id))
		return l, err
	})
	if err != nil {
		return l, Errorf(ENOTFOUND, "list %d", id)
	}
	return l, nil
}

// ListsOfCampaign returns the ids of the lists assigned to a campaign.
func (e *Engine) ListsOfCampaign(ctx context.Context, campaign string) ([]uint64, error) {
	var lists []List
	if err := e.store.Find(ctx, &lists, Eq("campaign", campaign).Asc("id")); err != nil {
		return nil, err
	}
	ids := make([]uint64, len(lists))
	for i, l := range lists {
		ids[i] = l.ID
	}
	return ids, nil
}

// NextLeads is the campaign's hopper: the leads its dialer would call next,
// in the order it would call them.
func (e *Engine) NextLeads(ctx context.Context, campaign string, limit int) ([]Lead, error) {
	camp, ok := e.Campaign(campaign)
	if !ok {
		return nil, Errorf(ENOTFOUND, "campaign %s", campaign)
	}
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	return e.store.DialableLeads(ctx, camp.Name, camp.dialStatuses(), camp.MaxRetries, e.now(), limit)
}

// QueueLeadNow makes a lead due for its campaign's dialer at once, ahead of
// leads of lower priority (VICIdial's hopper insertion). It refuses leads
// whose status the dialer does not retry.
func (e *Engine) QueueLeadNow(ctx context.Context, id uint64, priority int) error {
	l, err := e.Lead(ctx, id)
	if err != nil {
		return err
	}
	if !retryable(l.Status) {
		return Errorf(ECONFLICT, "lead %d status %s is not dialable", id, l.Status)
	}
	if l.Campaign == "" {
		return Errorf(ECONFLICT, "lead %d has no campaign", id)
	}
	if HopperState(l) != "" {
		return fmt.Errorf("lead %d: %w", id, ErrLeadQueued)
	}
	now := e.now()
	cols := map[string]any{"next_attempt_at": nil, "priority": priority, "modify_date": now, "hopper_at": now}
	if err := e.store.Updates(ctx, &Lead{ID: id}, cols); err != nil {
		return fmt.Errorf("queue lead: %w", err)
	}
	return nil
}

// Hopper states of a lead (VICIdial's vicidial_hopper.status).
const (
	HopperReady  = "READY"
	HopperInCall = "INCALL"
)

// HopperState is where a lead stands after QueueLeadNow: READY while it
// waits for the dialer, INCALL once dialed and still on that call, ""
// when it was not queued or its queued dial is over.
func HopperState(l Lead) string {
	if l.HopperAt == nil {
		return ""
	}
	dialedSince := l.LastCalledAt != nil && !l.LastCalledAt.Before(*l.HopperAt)
	switch {
	case dialedSince && l.Status == StatusInCall:
		return HopperInCall
	case !dialedSince && retryable(l.Status):
		return HopperReady
	}
	return ""
}

// UnqueueLead takes a READY lead back out of the head of its campaign's
// dialer (VICIdial's hopper removal): it returns to the order its status
// and due time give it. It answers the state found and whether it was
// taken out; a lead on its call stays.
func (e *Engine) UnqueueLead(ctx context.Context, id uint64) (string, bool, error) {
	l, err := e.Lead(ctx, id)
	if err != nil {
		return "", false, err
	}
	state := HopperState(l)
	if state != HopperReady {
		return state, false, nil
	}
	cols := map[string]any{"priority": 0, "hopper_at": nil, "modify_date": e.now()}
	if err := e.store.Updates(ctx, &Lead{ID: id}, cols); err != nil {
		return state, false, fmt.Errorf("unqueue lead: %w", err)
	}
	return state, true, nil
}

func retryable(status string) bool {
	for _, s := range retryStatuses {
		if strings.EqualFold(s, status) {
			return true
		}
	}
	return false
}

// LeadCallbacks lists a lead's callbacks, newest first.
func (e *Engine) LeadCallbacks(ctx context.Context, leadID uint64) ([]Callback, error) {
	var out []Callback
	err := e.store.Find(ctx, &out, Eq("lead_id", leadID).Desc("id"))
	return out, err
}

// AgentByPhoneLogin finds the agent whose phone login is login.
func (e *Engine) AgentByPhoneLogin(ctx context.Context, login string) (Agent, error) {
	var a Agent
	if login == "" {
		return a, Errorf(ENOTFOUND, "phone login")
	}
	if err := e.store.First(ctx, &a, Eq("phone_login", login)); err != nil {
		return a, Errorf(ENOTFOUND, "phone login %s", login)
	}
	return a, nil
}

// SaveList creates a list (create) or updates an existing one. Creating an
// id in use is ECONFLICT; updating a missing one ENOTFOUND.
func (e *Engine) SaveList(ctx context.Context, l List, create bool) error {
	if l.ID == 0 {
		return Errorf(EINVALID, "list id")
	}
	_, err := e.FindList(ctx, l.ID)
	switch {
	case create && err == nil:
		return Errorf(ECONFLICT, "list %d exists", l.ID)
	case !create && err != nil:
		return err
	}
	if l.Campaign != "" {
		if _, ok := e.Campaign(l.Campaign); !ok {
			return Errorf(ENOTFOUND, "campaign %s", l.Campaign)
		}
	}
	if create {
		l.CreatedAt = e.now()
		return e.store.Create(ctx, &l)
	}
	cols := map[string]any{"name": l.Name, "campaign": l.Campaign, "active": l.Active}
	if err := e.store.Updates(ctx, &List{ID: l.ID}, cols); err != nil {
		return fmt.Errorf("update list: %w", err)
	}
	if l.Campaign != "" {
		// The list's leads follow it to its campaign's dialer.
		var leads []Lead
		if err := e.store.Find(ctx, &leads, Eq("list_id", l.ID).Ne("campaign", l.Campaign)); err != nil {
			return err
		}
		for _, ld := range leads {
			if err := e.store.Updates(ctx, &Lead{ID: ld.ID}, map[string]any{"campaign": l.Campaign}); err != nil {
				return err
			}
		}
	}
	return nil
}

// ResetList makes every lead of the list dialable again (status NEW, no
// attempts), as a list reset does; it returns how many leads changed.
func (e *Engine) ResetList(ctx context.Context, id uint64) (int, error) {
	var leads []Lead
	if err := e.store.Find(ctx, &leads, Eq("list_id", id)); err != nil {
		return 0, err
	}
	for _, l := range leads {
		cols := map[string]any{"status": StatusNew, "called_count": 0, "next_attempt_at": nil, "modify_date": e.now()}
		if err := e.store.Updates(ctx, &Lead{ID: l.ID}, cols); err != nil {
			return 0, fmt.Errorf("reset list: %w", err)
		}
	}
	return len(leads), nil
}

// ListLeadCount counts a list's leads, optionally only those with status.
func (e *Engine) ListLeadCount(ctx context.Context, id uint64, statuses ...string) (int64, error) {
	f := Eq("list_id", id)
	if len(statuses) > 0 {
		f = f.In("status", statuses)
	}
	return e.store.Count(ctx, &Lead{}, f)
}

// ListDialableCount counts the list's leads its campaign's dialer would
// call now: a retried status, under the campaign's call limit, due (the
// dialer's own conditions, see NextLeads). A list without a campaign has
// none.
func (e *Engine) ListDialableCount(ctx context.Context, id uint64) (int64, error) {
	l, err := e.FindList(ctx, id)
	if err != nil {
		return 0, err
	}
	camp, ok := e.Campaign(l.Campaign)
	if !ok {
		return 0, nil
	}
	due := Eq("list_id", id).Eq("campaign", camp.Name).In("status", camp.dialStatuses()).Lte("called_count", camp.MaxRetries)
	never, err := e.store.Count(ctx, &Lead{}, due.IsNull("next_attempt_at"))
	if err != nil {
		return 0, err
	}
	later, err := e.store.Count(ctx, &Lead{}, due.Lte("next_attempt_at", e.now()))
	return never + later, err
}

// RecordingQuery selects finished recordings; at least one field is set.
type RecordingQuery struct {
	Agent  string
	LeadID uint64
	Day    string // YYYY-MM-DD
	CallID uint64
	Limit  int
}

// FindRecordings lists recordings matching q, oldest first.
func (e *Engine) FindRecordings(ctx context.Context, q RecordingQuery) ([]Recording, error) {
	f := All
	if q.Agent != "" {
		f = f.Eq("agent", q.Agent)
	}
	if q.LeadID != 0 {
		f = f.Eq("lead_id", q.LeadID)
	}
	if q.CallID != 0 {
		f = f.Eq("call_id", q.CallID)
	}
	if q.Day != "" {
		day, err := time.ParseInLocation("2006-01-02", q.Day, e.now().Location())
		if err != nil {
			return nil, Errorf(EINVALID, "date %q", q.Day)
		}
		f = f.Gte("start", day).Lt("start", day.AddDate(0, 0, 1))
	}
	limit := q.Limit
	if limit <= 0 || limit > 100000 {
		limit = 100000
	}
	var out []Recording
	if err := e.store.Find(ctx, &out, f.Asc("start").Take(limit)); err != nil {
		return nil, fmt.Errorf("find recordings: %w", err)
	}
	return out, nil
}

// AddLeadPhones appends alternate phones to a lead after the ones it has
// (VICIdial's vicidial_list_alt_phones); it returns how many it stored.
func (e *Engine) AddLeadPhones(ctx context.Context, leadID uint64, phones []LeadPhone) (int, error) {
	if _, err := e.Lead(ctx, leadID); err != nil {
		return 0, err
	}
	have, err := e.store.Count(ctx, &LeadPhone{}, Eq("lead_id", leadID))
	if err != nil {
		return 0, fmt.Errorf("add lead phones: %w", err)
	}
	n := 0
	err = e.store.Tx(ctx, func(tx Store) error {
		for i, p := range phones {
			row := LeadPhone{LeadID: leadID, Phone: clip(p.Phone, 32), Label: clip(p.Label, 32), Order: int(have) + i + 1}
			if row.Phone == "" {
				continue
			}
			if err := tx.Create(ctx, &row); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("add lead phones: %w", err)
	}
	return n, nil
}

// Lists returns every list, by id.
func (e *Engine) Lists(ctx context.Context) ([]List, error) {
	var out []List
	if err := e.store.Find(ctx, &out, All.Asc("id")); err != nil {
		return nil, fmt.Errorf("lists: %w", err)
	}
	return out, nil
}

// UnqueueCampaign takes every READY lead of a campaign back out of the
// head of its dialer (VICIdial's reset_hopper); it returns how many.
func (e *Engine) UnqueueCampaign(ctx context.Context, campaign string) (int, error) {
	var leads []Lead
	if err := e.store.Find(ctx, &leads, Eq("campaign", campaign).Gt("hopper_at", time.Time{})); err != nil {
		return 0, fmt.Errorf("unqueue campaign: %w", err)
	}
	n := 0
	for _, l := range leads {
		if HopperState(l) != HopperReady {
			continue
		}
		cols := map[string]any{"priority": 0, "hopper_at": nil, "modify_date": e.now()}
		if err := e.store.Updates(ctx, &Lead{ID: l.ID}, cols); err != nil {
			return n, fmt.Errorf("unqueue campaign: %w", err)
		}
		n++
	}
	return n, nil
}
