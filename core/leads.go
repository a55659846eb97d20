package core

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"
)

// normalizePhone keeps digits (and a leading +) so DNC and lead matching
// ignore formatting.
func normalizePhone(p string) string {
	var b strings.Builder
	for i, r := range strings.TrimSpace(p) {
		if r >= '0' && r <= '9' || r == '+' && i == 0 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// AddLeadOptions controls lead insertion checks.
type AddLeadOptions struct {
	CheckDNC         bool // global DNC list
	CheckCampaignDNC bool // the lead's campaign list
}

// AddLead inserts a lead; with DNC checks it refuses blocked numbers.
func (e *Engine) AddLead(ctx context.Context, l *Lead, opt AddLeadOptions) error {
	if strings.TrimSpace(l.PhoneNumber) == "" {
		return fmt.Errorf("%w: lead needs a phone number", ErrInvalid)
	}
	campaign := l.Campaign
	if campaign == "" && l.ListID != 0 {
		if list, err := e.FindList(ctx, l.ListID); err == nil {
			campaign = list.Campaign
			l.Campaign = campaign
		}
	}
	if opt.CheckDNC && e.IsDNC(ctx, l.PhoneNumber, "") {
		return fmt.Errorf("%w: %s", ErrDNC, l.PhoneNumber)
	}
	if opt.CheckCampaignDNC && campaign != "" && e.isCampaignDNC(ctx, l.PhoneNumber, campaign) {
		return fmt.Errorf("%w: %s (campaign %s)", ErrDNC, l.PhoneNumber, campaign)
	}
	now := e.now()
	if l.Status == "" {
		l.Status = StatusNew
	}
	if l.EntryDate.IsZero() {
		l.EntryDate = now
	}
	l.ModifyDate = now
	if err := e.insertLead(ctx, l); err != nil {
		return fmt.Errorf("add lead: %w", err)
	}
	e.announce(ctx, LeadChanged{Lead: *l}, l.User)
	return nil
}

// insertLead writes a new lead; the database numbers it. On a store with
// one writer (SingleWriter) it goes through the committer, so leads added
// together (a CRM's burst of add_lead) share a commit; a group that fails
// is run again write by write, each run inserting the lead anew.
func (e *Engine) insertLead(ctx context.Context, l *Lead) error {
	if !e.singleWriter || e.commit == nil {
		return e.store.Create(ctx, l)
	}
	lead := *l
	e.lock()
	e.write("lead add", func(ctx context.Context, st Store) error {
		cp := lead
		cp.ID = 0
		if err := st.Create(ctx, &cp); err != nil {
			return err
		}
		lead.ID = cp.ID
		return nil
	}).reported()
	if err := e.unlockWait(ctx); err != nil {
		return err
	}
	l.ID = lead.ID
	return nil
}

// UpdateLead saves a lead.
func (e *Engine) UpdateLead(ctx context.Context, l *Lead) error {
	if l.ID == 0 {
		return fmt.Errorf("%w: lead id", ErrInvalid)
	}
	l.ModifyDate = e.now()
	if err := e.store.Save(ctx, l); err != nil {
		return fmt.Errorf("update lead: %w", err)
	}
	e.announce(ctx, LeadChanged{Lead: *l}, l.User)
	return nil
}

// Lead loads a lead by id.
func (e *Engine) Lead(ctx context.Context, id uint64) (Lead, error) {
	var l Lead
	if id == 0 {
		return l, fmt.Errorf("%w: 0", ErrUnknownLead)
	}
	if err := e.store.First(ctx, &l, Eq("id", id)); err != nil {
		if errors.Is(err, ErrNoRecord) {
			return l, fmt.Errorf("%w: %d", ErrUnknownLead, id)
		}
		return l, err
	}
	return l, nil
}

// FindLeadsByPhone lists leads with that phone number (newest first),
// optionally limited to a campaign.
func (e *Engine) FindLeadsByPhone(ctx context.Context, phone, campaign string) ([]Lead, error) {
	q := Eq("phone_number", normalizePhone(phone))
	if campaign != "" {
		q = q.Eq("campaign", campaign)
	}
	var out []Lead
	err := e.store.Find(ctx, &out, q.Desc("id"))
	return out, err
}

func (e *Engine) leadByPhone(ctx context.Context, phone string) (Lead, bool) {
	p := normalizePhone(phone)
	if p == "" {
		return Lead{}, false
	}
	var l Lead
	if err := e.store.First(ctx, &l, Eq("phone_number", p).Desc("id")); err != nil {
		return Lead{}, false
	}
	return l, true
}

// IsDNC reports whether a number is blocked globally or for the campaign.
func (e *Engine) IsDNC(ctx context.Context, phone, campaign string) bool {
	n, err := e.store.Count(ctx, &DNCEntry{}, Eq("phone", normalizePhone(phone)).In("campaign", []string{"", campaign}))
	return err == nil && n > 0
}

func (e *Engine) isCampaignDNC(ctx context.Context, phone, campaign string) bool {
	n, err := e.store.Count(ctx, &DNCEntry{}, Eq("phone", normalizePhone(phone)).Eq("campaign", campaign))
	return err == nil && n > 0
}

// AddDNC blocks a number (campaign "" = everywhere).
func (e *Engine) AddDNC(ctx context.Context, phone, campaign, reason string) error {
	p := normalizePhone(phone)
	if p == "" {
		return fmt.Errorf("%w: phone", ErrInvalid)
	}
	if e.isCampaignDNC(ctx, p, campaign) {
		return nil
	}
	return e.store.Create(ctx, &DNCEntry{Phone: p, Campaign: campaign, Reason: reason, CreatedAt: e.now()})
}

// DispositionRequest closes an agent's call with an outcome.
type DispositionRequest struct {
	Status            string
	CallbackAt        *time.Time
	CallbackAgentOnly bool
	Comments          string
	// CallID selects the call; 0 = the agent's current or last call.
	CallID uint64
}

// Disposition actions (Disposition.Action) the engine executes when a call
// is closed with that disposition.
const (
	DispoActionRespool    = "respool"    // the lead goes back to the dialable pool as new
	DispoActionReschedule = "reschedule" // the lead is called back at the requested time
	DispoActionBlacklist  = "blacklist"  // the number goes on the system DNC list
)

// SetDisposition records the outcome of the agent's call, updates the lead
// (status, callbacks, DNC, the disposition's dialer action) and ends the
// agent's wrap-up. The call, lead, DNC and callback writes are one store
// transaction: either the outcome is recorded whole or the error is
// returned and nothing changed (the agent stays in wrap-up to retry).
// The call is looked up under the lock; the store is read and the
// transaction runs without it; the outcome is decided under it again.
func (e *Engine) SetDisposition(ctx context.Context, user string, req DispositionRequest) (err error) {
	const op = "SetDisposition"
	e.lock()
	s, ok := e.sessions[user]
	if !ok {
		err := e.notLoggedIn(user)
		e.unlock()
		return err
	}
	if req.Status == "" {
		e.unlock()
		return fmt.Errorf("%w: status", ErrInvalid)
	}
	var call Call
	id := req.CallID
	if id == 0 {
		id = s.CallID
	}
	live := e.calls[id]
	if live != nil {
		call = live.Call
	}
	var last lastCallLookup
	if live == nil && id == 0 {
		last = e.lastCallLookupLocked(user)
	}
	e.unlock()
	if live == nil && id == 0 {
		// The agent's last call, once the writes of its calls are in the
		// store: none is answered without waiting for every other write
		// (Sync below).
		if err := e.lastCall(ctx, last, &call); err != nil {
			return err
		}
	}
	// Writes decided before (the call's end above all) are in the store
	// before it is read and written below.
	if err := e.Sync(ctx); err != nil {
		return err
	}
	if live == nil && id != 0 {
		if err := e.firstCall(ctx, &call, user, Eq("id", id)); err != nil {
			return err
		}
	}
	var disp Disposition
	hasDisp := e.store.First(ctx, &disp, Eq("code", req.Status).In("campaign", []string{"", call.Campaign}).Desc("campaign")) == nil
	action := ""
	if hasDisp {
		action = disp.Action
	}
	var lead Lead
	haveLead := false
	if call.LeadID != 0 {
		l, err := e.Lead(ctx, call.LeadID)
		switch {
		case err == nil:
			lead, haveLead = l, true
		case !errors.Is(err, ErrUnknownLead):
			return Internal(op, err)
		}
	}
	now := e.now()
	var cb *Callback
	if haveLead {
		lead.Status = req.Status
		lead.User = user
		lead.ModifyDate = now
		if req.Comments != "" {
			lead.Comments = req.Comments
		}
		if hasDisp && disp.Completed {
			lead.NextAttemptAt = nil
		}
		when := req.CallbackAt
		if action == DispoActionReschedule && when == nil {
			// No time from the agent: the campaign's retry delay.
			if camp, ok := e.Campaign(call.Campaign); ok && camp.RetryDelay > 0 {
				t := now.Add(time.Duration(camp.RetryDelay) * time.Second)
				when = &t
			} else {
				return &Error{Code: EINVALID, Op: op, Message: "disposition " + req.Status + " reschedules the lead: a callback time is required"}
			}
		}
		if action == DispoActionRespool {
			// Back in the pool as a fresh lead, so the dialer's retry
			// filter (status, due time, attempts) selects it again.
			lead.Status = StatusNew
			lead.NextAttemptAt = nil
			lead.CalledCount = 0
		}
		if when != nil {
			cb = &Callback{LeadID: lead.ID, ListID: lead.ListID, Campaign: call.Campaign, Phone: lead.PhoneNumber,
				When: *when, Comments: req.Comments, AgentOnly: req.CallbackAgentOnly, SourceCall: call.ID,
				Status: "ACTIVE", CreatedAt: now}
			if req.CallbackAgentOnly {
				cb.Agent = user
			}
			if cb.Phone == "" {
				return fmt.Errorf("%w: callback phone", ErrInvalid)
			}
		}
	} else if req.CallbackAt != nil || action == DispoActionRespool || action == DispoActionReschedule {
		// Nothing to call back or respool: refuse rather than drop it.
		return fmt.Errorf("%w: call %d has no lead", ErrUnknownLead, call.ID)
	}
	var dnc *DNCEntry
	if haveLead && hasDisp && (disp.DNC || action == DispoActionBlacklist) {
		if p := normalizePhone(lead.PhoneNumber); p != "" && !e.isCampaignDNC(ctx, p, "") {
			dnc = &DNCEntry{Phone: p, Campaign: "", Reason: "disposition " + req.Status, CreatedAt: now}
		}
	}
	err = e.store.Tx(ctx, func(tx Store) error {
		// Only the status: a live call's other columns belong to the
		// engine's ordered writes.
		if err := tx.Updates(ctx, &Call{ID: call.ID}, map[string]any{"status": req.Status}); err != nil {
			return err
		}
		if haveLead {
			if err := tx.Save(ctx, &lead); err != nil {
				return err
			}
		}
		if dnc != nil {
			if err := tx.Create(ctx, dnc); err != nil {
				return err
			}
		}
		if cb != nil {
			if err := tx.Create(ctx, cb); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Internal(op, err)
	}
	call.Status = req.Status
	e.lock()
	defer e.settle(ctx, &err)
	if e.calls[id] == live && live != nil {
		// Later writes of the live call carry the status; this one puts it
		// back should a write decided meanwhile have carried the old one.
		live.Status = req.Status
		e.persistCall(ctx, &live.Call)
	}
	if haveLead {
		e.publish(LeadChanged{Lead: lead}, lead.User)
	}
	if cb != nil {
		e.publish(CallbackEvent{Callback: *cb, Agent: cb.Agent, Interface: e.interfaceLocked(cb.Agent), Action: "scheduled"}, cb.Agent)
	}
	e.queueLog(ctx, QueueLogEntry{CallID: call.ID, Queue: call.Queue, Agent: user, Event: QLDisposition, Data1: req.Status})
	if s := e.sessions[user]; s != nil && s.State == AgentWrapUp {
		e.endWrapLocked(ctx, s)
	}
	return nil
}

// firstCall reads the call q finds; none is ErrNoCall.
func (e *Engine) firstCall(ctx context.Context, call *Call, user string, q Filter) error {
	if err := e.store.First(ctx, call, q); err != nil {
		if errors.Is(err, ErrNoRecord) {
			return fmt.Errorf("%w: %s", ErrNoCall, user)
		}
		return Internal("SetDisposition", err)
	}
	return nil
}

// ScheduleCallback stores a callback; the dialer places it when due.
func (e *Engine) ScheduleCallback(ctx context.Context, cb *Callback) error {
	return e.scheduleCallback(ctx, cb)
}

// scheduleCallback writes the callback (a command's own write, outside the
// lock) and announces it.
func (e *Engine) scheduleCallback(ctx context.Context, cb *Callback) error {
	if cb.When.IsZero() {
		return fmt.Errorf("%w: callback time", ErrInvalid)
	}
	if cb.Phone == "" && cb.LeadID != 0 {
		if l, err := e.Lead(ctx, cb.LeadID); err == nil {
			cb.Phone = l.PhoneNumber
		}
	}
	if cb.Phone == "" {
		return fmt.Errorf("%w: callback phone", ErrInvalid)
	}
	cb.Status = "ACTIVE"
	cb.CreatedAt = e.now()
	if err := e.store.Create(ctx, cb); err != nil {
		return fmt.Errorf("schedule callback: %w", err)
	}
	e.lock()
	e.publish(CallbackEvent{Callback: *cb, Agent: cb.Agent, Interface: e.interfaceLocked(cb.Agent), Action: "scheduled"}, cb.Agent)
	return e.settleErr(ctx)
}

func (e *Engine) interfaceLocked(user string) string {
	if a := e.agents[user]; a != nil {
		return a.Interface()
	}
	return ""
}

// dueCallback is a callback due now with its lead, read before the lock.
type dueCallback struct {
	cb   Callback
	lead *Lead
}

// dueCallbacks reads the callbacks due now (without the lock).
func (e *Engine) dueCallbacks(ctx context.Context, now time.Time) []dueCallback {
	var due []Callback
	if err := e.store.Find(ctx, &due, Eq("status", "ACTIVE").Lte("due_at", now).Asc("id").Take(50)); err != nil {
		e.log.Warn("engine: callbacks query failed", "err", err)
		return nil
	}
	out := make([]dueCallback, 0, len(due))
	for _, cb := range due {
		d := dueCallback{cb: cb}
		if l, err := e.Lead(ctx, cb.LeadID); err == nil {
			d.lead = &l
		}
		out = append(out, d)
	}
	return out
}

// runCallbacksLocked places the due callbacks claimed (claimCallbacks).
// Agent-only callbacks wait for their agent to be free; the others go to
// any agent of the campaign; a claimed one that cannot be placed any more
// is given back.
func (e *Engine) runCallbacksLocked(ctx context.Context, due []dueCallback, now time.Time) {
	for _, d := range due {
		cb := d.cb
		agent := e.callbackAgentLocked(cb)
		if cb.When.After(now) || agent == "" {
			e.unclaimCallbackLocked(cb)
			continue
		}
		c := e.placeLeadCallLocked(ctx, cb.Campaign, cb.LeadID, d.lead, cb.Phone, agent)
		if c == nil {
			e.unclaimCallbackLocked(cb)
			continue
		}
		c.ScheduledID = cb.ID
		cb.Status = "LIVE"
		cb.CallID = c.ID
		saved := cb
		e.write("callback live", func(ctx context.Context, st Store) error { return st.Save(ctx, &saved) })
		e.persistCall(ctx, &c.Call)
		e.publish(CallbackEvent{Callback: cb, Call: c.Call, Agent: agent, Interface: e.interfaceLocked(agent), Action: "started"}, agent)
	}
}

// callbackFailedLocked marks the callback of a failed call; the callback is
// read and written on the store lane, and its event published from there,
// in order.
func (e *Engine) callbackFailedLocked(ctx context.Context, c *liveCall) {
	id, call, agent, name := c.ScheduledID, c.Call, c.connectAgent, e.interfaceLocked(c.connectAgent)
	e.writeAlone("callback failed", func(ctx context.Context, st Store) error {
		var cb Callback
		if err := st.First(ctx, &cb, Eq("id", id)); err != nil {
			return nil
		}
		cb.Status = "FAILED"
		err := st.Save(ctx, &cb)
		e.emit(CallbackEvent{Callback: cb, Call: call, Agent: agent, Interface: name, Action: "failed"}, agent)
		return err
	})
}

func (e *Engine) freeCampaignAgentLocked(campaign string) string {
	for _, u := range sortedKeys(e.sessions) {
		s := e.sessions[u]
		if s.Campaign == campaign && s.State == AgentAvailable && !s.Paused && s.CallID == 0 {
			return u
		}
	}
	return ""
}

// SendScreen stores an agent-screen command and publishes it.
func (e *Engine) SendScreen(ctx context.Context, user, kind, payload string) (ScreenCommand, error) {
	e.lock()
	_, known := e.agents[user]
	e.unlock()
	if !known {
		return ScreenCommand{}, fmt.Errorf("%w: %s", ErrUnknownAgent, user)
	}
	cmd := ScreenCommand{Agent: user, Kind: kind, Payload: payload, CreatedAt: e.now()}
	if err := e.store.Create(ctx, &cmd); err != nil {
		return cmd, fmt.Errorf("screen command: %w", err)
	}
	e.announce(ctx, ScreenEvent{Command: cmd}, user)
	return cmd, nil
}

// PendingScreen returns the screen commands not yet delivered to an agent's
// console and marks them delivered. The web agent workspace reads them
// (GET /api/v1/agents/{id}/screen) when it opens and on every agent.screen
// event, so a command sent while no workspace was open waits for the next.
func (e *Engine) PendingScreen(ctx context.Context, user string) ([]ScreenCommand, error) {
	var out []ScreenCommand
	if err := e.store.Find(ctx, &out, Eq("agent", user).IsNull("delivered").Asc("id")); err != nil {
		return nil, err
	}
	now := e.now()
	for i := range out {
		out[i].Delivered = &now
		_ = e.store.Updates(ctx, &out[i], map[string]any{"delivered": now})
	}
	return out, nil
}

// Campaign returns a provisioned campaign.
func (e *Engine) Campaign(name string) (Campaign, bool) {
	e.lock()
	defer e.unlock()
	c, ok := e.campaigns[name]
	if !ok {
		return Campaign{}, false
	}
	return *c, true
}

// Campaigns lists campaigns by name.
func (e *Engine) Campaigns() []Campaign {
	e.lock()
	defer e.unlock()
	out := make([]Campaign, 0, len(e.campaigns))
	for _, n := range sortedKeys(e.campaigns) {
		out = append(out, *e.campaigns[n])
	}
	return out
}

// Queue returns a provisioned queue.
func (e *Engine) Queue(name string) (Queue, bool) {
	e.lock()
	defer e.unlock()
	q, ok := e.queues[name]
	if !ok {
		return Queue{}, false
	}
	return *q, true
}

// Queues lists queues by name.
func (e *Engine) Queues() []Queue {
	e.lock()
	defer e.unlock()
	out := make([]Queue, 0, len(e.queues))
	for _, n := range sortedKeys(e.queues) {
		out = append(out, *e.queues[n])
	}
	return out
}

// QueueMembers lists a queue's static members.
func (e *Engine) QueueMembers(name string) []QueueMember {
	e.lock()
	defer e.unlock()
	return append([]QueueMember(nil), e.members[name]...)
}

// PauseCodes lists active pause codes ordered by id.
func (e *Engine) PauseCodes() []PauseCode {
	e.lock()
	defer e.unlock()
	var out []PauseCode
	for _, p := range e.pauseByID {
		if p.Active {
			out = append(out, *p)
		}
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].ID < out[j-1].ID; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// UpdateLeadFields sets fields (by column name) of a stored lead and
// stamps its modify date. When the stored lead is different afterwards,
// LeadChanged is published for agent (the one whose screen changed it).
func (e *Engine) UpdateLeadFields(ctx context.Context, id uint64, fields map[string]any, agent string) (changed bool, err error) {
	before, err := e.Lead(ctx, id)
	if err != nil {
		return false, err
	}
	cols := make(map[string]any, len(fields)+1)
	for k, v := range fields {
		cols[k] = v
	}
	cols["modify_date"] = e.now()
	if err := e.store.Updates(ctx, &Lead{ID: id}, cols); err != nil {
		return false, fmt.Errorf("update lead: %w", err)
	}
	after, err := e.Lead(ctx, id)
	if err != nil {
		return false, err
	}
	before.ModifyDate = after.ModifyDate
	if reflect.DeepEqual(before, after) {
		return false, nil
	}
	e.announce(ctx, LeadChanged{Lead: after}, agent)
	return true, nil
}
