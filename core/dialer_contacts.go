package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Contact is a number for a campaign's dialer with its alternatives, the
// data its calls carry and who takes it.
type Contact struct {
	Campaign     string
	Phone        string
	Alternatives []string
	Data         map[string]string
	Priority     int
	Retries      int    // attempts already made on the main number
	Agent        string // username or number of the agent who takes it (progressive)
	LeadID       uint64 // an existing contact to update (0: by campaign and number)
	TimeZone     string // IANA zone whose clock the campaign's calling hours are read in
	Source       string
}

// PoolContact adds the contact to the campaign's dialable pool, or puts an
// existing one back there with the new numbers, data and priority.
func (e *Engine) PoolContact(ctx context.Context, c Contact) (Lead, error) {
	const op = "PoolContact"
	l, isNew, err := e.contactLead(ctx, op, c)
	if err != nil {
		return l, err
	}
	l.Status, l.NextAttemptAt, l.CalledCount, l.PhoneIndex = StatusNew, nil, c.Retries, 0
	if err := e.saveContact(ctx, &l, isNew, c.Alternatives, nil); err != nil {
		return l, Internal(op, err)
	}
	e.announce(ctx, LeadChanged{Lead: l}, l.Owner)
	return l, nil
}

// ScheduleContact schedules a call to the contact at when (with the
// contact's agent only, when one is named).
func (e *Engine) ScheduleContact(ctx context.Context, c Contact, when time.Time) (Callback, error) {
	const op = "ScheduleContact"
	var cb Callback
	if when.IsZero() {
		return cb, &Error{Code: EINVALID, Op: op, Message: "schedule date required"}
	}
	l, isNew, err := e.contactLead(ctx, op, c)
	if err != nil {
		return cb, err
	}
	l.Status = StatusCallback
	l.NextAttemptAt = &when
	cb = Callback{Campaign: l.Campaign, Phone: l.PhoneNumber, When: when, Agent: l.Owner, AgentOnly: l.Owner != "",
		Status: "ACTIVE", CreatedAt: e.now(), Comments: clip(c.Source, 255)}
	if err := e.saveContact(ctx, &l, isNew, c.Alternatives, &cb); err != nil {
		return cb, Internal(op, err)
	}
	e.announce(ctx, LeadChanged{Lead: l}, l.Owner)
	e.lock()
	e.publish(CallbackEvent{Callback: cb, Agent: cb.Agent, Interface: e.interfaceLocked(cb.Agent), Action: "scheduled"}, cb.Agent)
	return cb, e.settleErr(ctx)
}

// contactLead validates c and returns the lead it updates or creates.
func (e *Engine) contactLead(ctx context.Context, op string, c Contact) (Lead, bool, error) {
	var l Lead
	phone := normalizePhone(c.Phone)
	if phone == "" || len(phone) > 32 {
		return l, false, &Error{Code: EINVALID, Op: op, Message: "destination number required"}
	}
	if _, ok := e.Campaign(c.Campaign); !ok {
		return l, false, &Error{Code: ENOTFOUND, Op: op, Message: "unknown campaign " + c.Campaign}
	}
	if c.TimeZone != "" {
		if _, err := time.LoadLocation(c.TimeZone); err != nil {
			return l, false, &Error{Code: EINVALID, Op: op, Message: "unknown time zone " + c.TimeZone}
		}
	}
	owner := ""
	if c.Agent != "" {
		a, err := e.AgentByUsername(ctx, c.Agent)
		if err != nil {
			a, err = e.AgentByNumber(ctx, c.Agent)
		}
		if err != nil {
			return l, false, &Error{Code: ENOTFOUND, Op: op, Message: "unknown agent " + c.Agent}
		}
		owner = a.Username
	}
	isNew := true
	var err error
	switch {
	case c.LeadID != 0:
		err = e.store.First(ctx, &l, Eq("id", c.LeadID).Eq("campaign", c.Campaign))
		isNew = errors.Is(err, ErrNoRecord)
	default:
		err = e.store.First(ctx, &l, Eq("phone_number", phone).Eq("campaign", c.Campaign).Desc("id"))
		isNew = errors.Is(err, ErrNoRecord)
	}
	if err != nil && !isNew {
		return l, false, Internal(op, err)
	}
	now := e.now()
	if isNew {
		l = Lead{Campaign: c.Campaign, EntryDate: now}
	}
	l.PhoneNumber, l.ModifyDate, l.Owner = phone, now, owner
	if c.Priority != 0 {
		l.Priority = c.Priority
	}
	if c.Source != "" {
		l.SourceID = clip(c.Source, 50)
	}
	if len(c.Data) > 0 || c.TimeZone != "" {
		attrs := map[string]string{}
		if l.Attributes != "" {
			_ = json.Unmarshal([]byte(l.Attributes), &attrs)
		}
		for k, v := range c.Data {
			attrs[k] = v
		}
		if c.TimeZone != "" {
			attrs[AttrTimeZone] = c.TimeZone
		}
		b, _ := json.Marshal(attrs)
		l.Attributes = string(b)
	}
	return l, isNew, nil
}

// AttrTimeZone is the lead attribute naming the IANA zone of the contact.
const AttrTimeZone = "timezone"

// saveContact writes the lead, its alternatives (replacing the old ones)
// and the callback in one transaction.
func (e *Engine) saveContact(ctx context.Context, l *Lead, isNew bool, alts []string, cb *Callback) error {
	return e.store.Tx(ctx, func(tx Store) error {
		write := tx.Save
		if isNew {
			write = tx.Create
		}
		if err := write(ctx, l); err != nil {
			return err
		}
		if alts != nil || isNew {
			if err := tx.Delete(ctx, &LeadPhone{}, Eq("lead_id", l.ID)); err != nil {
				return err
			}
			for i, a := range alts {
				if p := normalizePhone(a); p != "" {
					if err := tx.Create(ctx, &LeadPhone{LeadID: l.ID, Phone: clip(p, 32), Label: "alternative", Order: i + 1}); err != nil {
						return err
					}
				}
			}
		}
		if cb != nil {
			cb.LeadID, cb.ListID = l.ID, l.ListID
			return tx.Create(ctx, cb)
		}
		return nil
	})
}

// StatusRemoved marks a lead taken out of the dialer (never dialled again).
const StatusRemoved = "REMOVED"

// RemoveContact takes every lead of the campaign with that number out of
// the dialer and cancels their pending callbacks; it returns how many
// leads were removed.
func (e *Engine) RemoveContact(ctx context.Context, campaign, phone string) (int, error) {
	const op = "RemoveContact"
	p := normalizePhone(phone)
	if campaign == "" || p == "" {
		return 0, &Error{Code: EINVALID, Op: op, Message: "campaign and number required"}
	}
	var leads []Lead
	if err := e.store.Find(ctx, &leads, Eq("campaign", campaign).Eq("phone_number", p)); err != nil {
		return 0, Internal(op, err)
	}
	err := e.store.Tx(ctx, func(tx Store) error {
		for _, l := range leads {
			if err := tx.Updates(ctx, &Lead{ID: l.ID}, map[string]any{"status": StatusRemoved, "next_attempt_at": nil, "modify_date": e.now()}); err != nil {
				return err
			}
		}
		return cancelCallbacks(ctx, tx, Eq("campaign", campaign).Eq("phone", p))
	})
	return len(leads), Internal(op, err)
}

// RemoveScheduledCalls cancels the campaign's pending callbacks to the
// number due between from and to (inclusive); it returns how many.
func (e *Engine) RemoveScheduledCalls(ctx context.Context, campaign, phone string, from, to time.Time) (int, error) {
	const op = "RemoveScheduledCalls"
	p := normalizePhone(phone)
	if campaign == "" || p == "" {
		return 0, &Error{Code: EINVALID, Op: op, Message: "campaign and number required"}
	}
	if to.Before(from) {
		return 0, &Error{Code: EINVALID, Op: op, Message: fmt.Sprintf("date range ends before it starts")}
	}
	f := Eq("campaign", campaign).Eq("phone", p).Between("due_at", from, to)
	n, err := e.store.Count(ctx, &Callback{}, f.Eq("status", "ACTIVE"))
	if err != nil {
		return 0, Internal(op, err)
	}
	err = e.store.Tx(ctx, func(tx Store) error { return cancelCallbacks(ctx, tx, f) })
	return int(n), Internal(op, err)
}

func cancelCallbacks(ctx context.Context, tx Store, f Filter) error {
	var cbs []Callback
	if err := tx.Find(ctx, &cbs, f.Eq("status", "ACTIVE")); err != nil {
		return err
	}
	for _, cb := range cbs {
		if err := tx.Updates(ctx, &Callback{ID: cb.ID}, map[string]any{"status": "INACTIVE"}); err != nil {
			return err
		}
	}
	return nil
}

// ParseContactData reads "Par1=Val1:Par2=Val2" data into a map; a part
// without "=" is refused.
func ParseContactData(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, part := range strings.Split(s, ":") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("%w: data %q is not name=value", ErrInvalid, part)
		}
		out[strings.TrimSpace(k)] = v
	}
	return out, nil
}

// leadInHours reports whether the campaign may call the lead now, reading
// its calling hours on the lead's own clock when the lead names a time
// zone (uploaded with one).
func (c *Campaign) leadInHours(l Lead, now time.Time) bool {
	if c.StartTime == "" || c.EndTime == "" || !strings.Contains(l.Attributes, `"`+AttrTimeZone+`"`) {
		return true
	}
	var attrs map[string]any
	if json.Unmarshal([]byte(l.Attributes), &attrs) != nil {
		return true
	}
	name, _ := attrs[AttrTimeZone].(string)
	loc, err := time.LoadLocation(name)
	if name == "" || err != nil {
		return true
	}
	return c.inHours(now.In(loc))
}
