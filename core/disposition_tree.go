package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// DispoActionRespoolAlternative puts the lead back in the pool to be dialled
// on its next alternative number.
const DispoActionRespoolAlternative = "respoolalt"

// ClassifyRequest classifies a call (by its GUID and the customer's number)
// with a disposition chosen by its path in the campaign's tree (up to three
// levels), for an agent who may no longer be on the call.
type ClassifyRequest struct {
	Campaign string
	Agent    string
	Phone    string // the customer's number
	CallGUID string
	Levels   []string // level 1 required; a deeper level needs the ones above it
	Data1    string
	Data2    string
	Comment  string
	Tag      string // "" = the levels joined by "|"
	// Schedule is when a reschedule action calls the number again;
	// RescheduleCampaign (optional) the campaign that calls it.
	Schedule           *time.Time
	RescheduleCampaign string
}

// Classification is what ClassifyCall did.
type Classification struct {
	Disposition Disposition
	Action      string
	CallID      uint64
	LeadID      uint64
	CallbackID  uint64
	Tag         string
}

// DispositionPath finds the disposition at the end of a path of names
// (or codes) in a campaign's tree: level 1 has no parent, each next level
// is a child of the previous one.
func (e *Engine) DispositionPath(ctx context.Context, campaign string, levels []string) (Disposition, error) {
	const op = "DispositionPath"
	var d Disposition
	parent := uint(0)
	found := false
	for i, name := range levels {
		name = strings.TrimSpace(name)
		if name == "" {
			if rest := strings.Join(levels[i:], ""); strings.TrimSpace(rest) != "" {
				return d, &Error{Code: EINVALID, Op: op, Message: fmt.Sprintf("disposition level %d is empty but a deeper level is set", i+1)}
			}
			break
		}
		var next Disposition
		err := e.store.First(ctx, &next, Eq("campaign", campaign).Eq("parent_id", parent).Eq("name", name))
		if errors.Is(err, ErrNoRecord) {
			err = e.store.First(ctx, &next, Eq("campaign", campaign).Eq("parent_id", parent).Eq("code", name))
		}
		if errors.Is(err, ErrNoRecord) {
			return d, &Error{Code: ENOTFOUND, Op: op, Message: "disposition not found"}
		}
		if err != nil {
			return d, Internal(op, err)
		}
		d, parent, found = next, next.ID, true
	}
	if !found {
		return d, &Error{Code: EINVALID, Op: op, Message: "disposition level 1 is empty"}
	}
	return d, nil
}

// dispositionAction is the action of d or, when d has none, of its nearest
// ancestor that has one: a leaf inherits its branch's dialer action.
func (e *Engine) dispositionAction(ctx context.Context, d Disposition) string {
	for i := 0; i < 8 && d.Action == "" && d.ParentID != 0; i++ {
		var p Disposition
		if e.store.First(ctx, &p, ByID(d.ParentID)) != nil {
			break
		}
		d = p
	}
	return d.Action
}

// ClassifyCall records a disposition for a call and runs its dialer action:
// respool (the number goes back to the pool as new), respool on the next
// alternative, blacklist (the number is blocked for the campaign) or
// reschedule (a callback at req.Schedule, in RescheduleCampaign when set).
// Every write is one transaction: either all of it happens or nothing.
func (e *Engine) ClassifyCall(ctx context.Context, req ClassifyRequest) (Classification, error) {
	const op = "ClassifyCall"
	var out Classification
	if req.Campaign == "" || req.Agent == "" || req.CallGUID == "" || normalizePhone(req.Phone) == "" {
		return out, &Error{Code: EINVALID, Op: op, Message: "campaign, agent, call and number are required"}
	}
	disp, err := e.DispositionPath(ctx, req.Campaign, req.Levels)
	if err != nil {
		return out, err
	}
	action := e.dispositionAction(ctx, disp)
	if action == DispoActionReschedule && req.Schedule == nil {
		return out, &Error{Code: EINVALID, Op: op, Message: "schedule date required"}
	}
	_ = e.Sync(ctx)
	var call Call
	hasCall := e.store.First(ctx, &call, Eq("guid", req.CallGUID)) == nil
	lead, hasLead, err := e.classifiedLead(ctx, req, call, hasCall)
	if err != nil {
		return out, err
	}
	tag := req.Tag
	if tag == "" {
		lv := append(append([]string(nil), req.Levels...), "", "", "")[:3]
		tag = strings.Join(lv, "|")
	}
	plan, err := e.planDispositionAction(ctx, action, req, lead, hasLead)
	if err != nil {
		return out, err
	}
	now := e.now()
	row := QueueLogEntry{Time: now, CallID: call.ID, Queue: req.Campaign, Agent: req.Agent, Event: QLDisposition,
		Data1: disp.Code, Data2: clip(tag, 255), Data3: clip(req.Data1, 255), Data4: clip(req.Data2, 255), Data5: clip(req.Comment, 255)}
	err = e.store.Tx(ctx, func(tx Store) error {
		if hasCall {
			if err := tx.Updates(ctx, &Call{ID: call.ID}, map[string]any{"status": disp.Code}); err != nil {
				return err
			}
		}
		if err := plan.apply(ctx, tx); err != nil {
			return err
		}
		return tx.Create(ctx, &row)
	})
	if err != nil {
		return out, Internal(op, err)
	}
	if plan.lead != nil {
		e.announce(ctx, LeadChanged{Lead: *plan.lead}, req.Agent)
	}
	if plan.cb != nil {
		e.announce(ctx, CallbackEvent{Callback: *plan.cb, Action: "scheduled"}, "")
	}
	out = Classification{Disposition: disp, Action: action, CallID: call.ID, Tag: tag}
	if plan.lead != nil {
		out.LeadID = plan.lead.ID
	}
	if plan.cb != nil {
		out.CallbackID = plan.cb.ID
	}
	return out, nil
}

// classifiedLead is the call's lead, or else the newest lead of the
// campaign with the customer's number.
func (e *Engine) classifiedLead(ctx context.Context, req ClassifyRequest, call Call, hasCall bool) (Lead, bool, error) {
	if hasCall && call.LeadID != 0 {
		l, err := e.Lead(ctx, call.LeadID)
		if err == nil {
			return l, true, nil
		}
		if !errors.Is(err, ErrUnknownLead) {
			return l, false, Internal("ClassifyCall", err)
		}
	}
	leads, err := e.FindLeadsByPhone(ctx, req.Phone, req.Campaign)
	if err != nil {
		return Lead{}, false, Internal("ClassifyCall", err)
	}
	if len(leads) == 0 {
		return Lead{}, false, nil
	}
	return leads[0], true, nil
}

// dispositionPlan is the writes of a disposition's action, decided before
// the transaction that makes them.
type dispositionPlan struct {
	lead    *Lead
	newLead bool
	dnc     *DNCEntry
	cb      *Callback
}

func (p *dispositionPlan) apply(ctx context.Context, tx Store) error {
	if p.lead != nil {
		write := tx.Save
		if p.newLead {
			write = tx.Create
		}
		if err := write(ctx, p.lead); err != nil {
			return err
		}
	}
	if p.dnc != nil {
		if err := tx.Create(ctx, p.dnc); err != nil {
			return err
		}
	}
	if p.cb != nil {
		if p.lead != nil {
			p.cb.LeadID, p.cb.ListID = p.lead.ID, p.lead.ListID
		}
		return tx.Create(ctx, p.cb)
	}
	return nil
}

func (e *Engine) planDispositionAction(ctx context.Context, action string, req ClassifyRequest, lead Lead, hasLead bool) (dispositionPlan, error) {
	const op = "ClassifyCall"
	var p dispositionPlan
	now := e.now()
	phone := normalizePhone(req.Phone)
	if hasLead {
		phone = normalizePhone(lead.PhoneNumber)
	}
	fresh := func(campaign string) *Lead {
		if hasLead && lead.Campaign == campaign {
			l := lead
			l.ModifyDate = now
			return &l
		}
		p.newLead = true
		return &Lead{Campaign: campaign, PhoneNumber: phone, Status: StatusNew, EntryDate: now, ModifyDate: now}
	}
	switch action {
	case DispoActionRespool:
		l := fresh(req.Campaign)
		l.Status, l.NextAttemptAt, l.CalledCount, l.User = StatusNew, nil, 0, req.Agent
		p.lead = l
	case DispoActionRespoolAlternative:
		if !hasLead {
			return p, &Error{Code: ECONFLICT, Op: op, Message: "the number has no dialer contact with alternatives"}
		}
		phones := e.leadPhones(ctx, lead)
		if len(phones) < 2 {
			return p, &Error{Code: ECONFLICT, Op: op, Message: "the contact has no alternative number"}
		}
		l := fresh(lead.Campaign)
		l.PhoneIndex = (l.PhoneIndex + 1) % len(phones)
		l.Status, l.NextAttemptAt, l.CalledCount, l.User = StatusNew, nil, 0, req.Agent
		p.lead = l
	case DispoActionBlacklist:
		if !e.isCampaignDNC(ctx, phone, req.Campaign) {
			p.dnc = &DNCEntry{Phone: phone, Campaign: req.Campaign, Reason: "disposition by " + clip(req.Agent, 64), CreatedAt: now}
		}
	case DispoActionReschedule:
		target := req.Campaign
		if req.RescheduleCampaign != "" {
			target = req.RescheduleCampaign
			if _, ok := e.Campaign(target); !ok {
				return p, &Error{Code: ENOTFOUND, Op: op, Message: "unknown campaign " + target}
			}
		}
		l := fresh(target)
		l.Status = StatusCallback
		when := *req.Schedule
		l.NextAttemptAt = &when // the callback dials it, not the pool before then
		p.lead = l
		p.cb = &Callback{Campaign: target, Phone: phone, When: *req.Schedule, Comments: clip(req.Comment, 255),
			Status: "ACTIVE", CreatedAt: now}
	}
	return p, nil
}
