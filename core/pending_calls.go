package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Pending outgoing calls: callbacks a CRM schedules for a queue (optionally
// one agent) with a contact name, a subject, several phones, a link and an
// expiration. The callback is the engine's ordinary callback, placed to the
// agent (or a free agent of the queue's campaign) when due; the details a
// callback row has no room for live in PendingCallDetail.

// PendingCallDetail holds what a pending call adds to its callback.
type PendingCallDetail struct {
	CallbackID uint64    `gorm:"primaryKey;autoIncrement:false" json:"callback_id"`
	Queue      string    `gorm:"size:64;index" json:"queue"`
	Contact    string    `gorm:"size:128" json:"contact"`
	Subject    string    `gorm:"size:255" json:"subject"`
	Phones     string    `gorm:"type:text" json:"phones"` // JSON array
	Link       string    `gorm:"type:text" json:"link"`   // JSON object name → URL
	Expiration int       `json:"expiration"`              // seconds after the due time; 0 never
	UpdatedAt  time.Time `json:"updated_at"`
}

// PendingCallState is a pending call's life-cycle state.
type PendingCallState string

const (
	PendingCallPending   PendingCallState = "pending"
	PendingCallCompleted PendingCallState = "completed"
	PendingCallCanceled  PendingCallState = "canceled"
	PendingCallExpired   PendingCallState = "expired"
)

// PendingCallRequest creates or replaces a pending call.
type PendingCallRequest struct {
	Queue, Contact, Subject, Agent string
	Phones                         []string
	When                           time.Time
	Expiration                     int
	Link                           string // JSON object, "" for none
}

// PendingCall is a callback with its details and state.
type PendingCall struct {
	Callback Callback
	Detail   PendingCallDetail
	Phones   []string
	State    PendingCallState
}

// PendingCallQuery filters pending calls; empty fields do not restrict.
type PendingCallQuery struct {
	Queue, Phone, Agent string
	State               PendingCallState
	Since, Until        time.Time // due time
}

func (e *Engine) checkPendingCall(ctx context.Context, req *PendingCallRequest) (Queue, error) {
	q, ok := e.Queue(req.Queue)
	if !ok {
		return q, Errorf(EINVALID, "invalid queue %q", req.Queue)
	}
	if req.Agent != "" {
		if _, err := e.FindAgent(ctx, req.Agent); err != nil {
			return q, Errorf(EINVALID, "invalid agent %q", req.Agent)
		}
	}
	var phones []string
	for _, p := range req.Phones {
		if p = normalizePhone(p); p != "" {
			phones = append(phones, p)
		}
	}
	switch {
	case len(phones) == 0:
		return q, Errorf(EINVALID, "pending call needs a phone")
	case req.When.IsZero():
		return q, Errorf(EINVALID, "invalid date")
	case req.Expiration < 0:
		return q, Errorf(EINVALID, "invalid expiration")
	}
	req.Phones = phones
	return q, nil
}

func pendingCampaign(q Queue) string {
	if q.Campaign != "" {
		return q.Campaign
	}
	return q.Name
}

// AddPendingCall schedules a pending call.
func (e *Engine) AddPendingCall(ctx context.Context, req PendingCallRequest) (PendingCall, error) {
	q, err := e.checkPendingCall(ctx, &req)
	if err != nil {
		return PendingCall{}, err
	}
	cb := Callback{Campaign: pendingCampaign(q), Agent: req.Agent, AgentOnly: req.Agent != "", Phone: req.Phones[0],
		When: req.When, Comments: clip(req.Subject, 255)}
	if err := e.ScheduleCallback(ctx, &cb); err != nil {
		return PendingCall{}, err
	}
	d := detailOf(cb.ID, req, e.now())
	if err := e.store.Create(ctx, &d); err != nil {
		return PendingCall{}, fmt.Errorf("pending call: %w", err)
	}
	return e.PendingCall(ctx, cb.ID)
}

func detailOf(id uint64, req PendingCallRequest, now time.Time) PendingCallDetail {
	phones, _ := json.Marshal(req.Phones)
	return PendingCallDetail{CallbackID: id, Queue: req.Queue, Contact: clip(req.Contact, 128), Subject: clip(req.Subject, 255),
		Phones: string(phones), Link: req.Link, Expiration: req.Expiration, UpdatedAt: now}
}

// UpdatePendingCall replaces every field of a pending call that is still
// waiting; one being dialed or closed is a conflict.
func (e *Engine) UpdatePendingCall(ctx context.Context, id uint64, req PendingCallRequest) (PendingCall, error) {
	pc, err := e.PendingCall(ctx, id)
	if err != nil {
		return pc, err
	}
	if pc.Callback.Status != "ACTIVE" {
		return pc, Errorf(ECONFLICT, "pending call %d is %s", id, pc.State)
	}
	q, err := e.checkPendingCall(ctx, &req)
	if err != nil {
		return pc, err
	}
	cb := pc.Callback
	cb.Campaign, cb.Agent, cb.AgentOnly, cb.Phone = pendingCampaign(q), req.Agent, req.Agent != "", req.Phones[0]
	cb.When, cb.Comments = req.When, clip(req.Subject, 255)
	if err := e.store.Save(ctx, &cb); err != nil {
		return pc, fmt.Errorf("pending call: %w", err)
	}
	d := detailOf(id, req, e.now())
	if err := e.store.Save(ctx, &d); err != nil {
		return pc, fmt.Errorf("pending call: %w", err)
	}
	return e.PendingCall(ctx, id)
}

// CancelPendingCall cancels logically: the row stays, agents no longer get
// it (the dialer only places ACTIVE callbacks).
func (e *Engine) CancelPendingCall(ctx context.Context, id uint64) error {
	pc, err := e.PendingCall(ctx, id)
	if err != nil {
		return err
	}
	switch pc.Callback.Status {
	case "INACTIVE":
		return nil
	case "ACTIVE":
	default:
		return Errorf(ECONFLICT, "pending call %d is %s", id, pc.State)
	}
	cb := pc.Callback
	cb.Status = "INACTIVE"
	if err := e.store.Save(ctx, &cb); err != nil {
		return fmt.Errorf("cancel pending call: %w", err)
	}
	return nil
}

// PendingCall loads one pending call.
func (e *Engine) PendingCall(ctx context.Context, id uint64) (PendingCall, error) {
	var d PendingCallDetail
	if err := e.store.First(ctx, &d, Eq("callback_id", id)); err != nil {
		if errors.Is(err, ErrNoRecord) {
			return PendingCall{}, Errorf(ENOTFOUND, "pending call %d", id)
		}
		return PendingCall{}, fmt.Errorf("pending call: %w", err)
	}
	var cb Callback
	if err := e.store.First(ctx, &cb, Eq("id", id)); err != nil {
		return PendingCall{}, fmt.Errorf("pending call %d: %w", id, err)
	}
	return e.pendingOf(cb, d), nil
}

// PendingCalls lists the pending calls matching q, by id.
func (e *Engine) PendingCalls(ctx context.Context, q PendingCallQuery) ([]PendingCall, error) {
	f := All
	if q.Queue != "" {
		f = f.Eq("queue", q.Queue)
	}
	var ds []PendingCallDetail
	if err := e.store.Find(ctx, &ds, f.Asc("callback_id").Take(maxLeadQuery)); err != nil {
		return nil, fmt.Errorf("pending calls: %w", err)
	}
	out := []PendingCall{}
	for _, d := range ds {
		var cb Callback
		if err := e.store.First(ctx, &cb, Eq("id", d.CallbackID)); err != nil {
			continue // its callback was deleted with its lead
		}
		if pc := e.pendingOf(cb, d); q.matches(pc) {
			out = append(out, pc)
		}
	}
	return out, nil
}

func (q PendingCallQuery) matches(pc PendingCall) bool {
	if q.Agent != "" && pc.Callback.Agent != q.Agent || q.State != "" && pc.State != q.State {
		return false
	}
	if q.Phone != "" && !strings.Contains(pc.Detail.Phones, `"`+normalizePhone(q.Phone)+`"`) {
		return false
	}
	return within(pc.Callback.When, q.Since, q.Until)
}

func (e *Engine) pendingOf(cb Callback, d PendingCallDetail) PendingCall {
	pc := PendingCall{Callback: cb, Detail: d}
	_ = json.Unmarshal([]byte(d.Phones), &pc.Phones)
	switch cb.Status {
	case "DONE":
		pc.State = PendingCallCompleted
	case "INACTIVE":
		pc.State = PendingCallCanceled
	case "FAILED":
		pc.State = PendingCallExpired // not completed and not retried
	default:
		pc.State = PendingCallPending
		if cb.Status == "ACTIVE" && d.Expiration > 0 && e.now().After(cb.When.Add(time.Duration(d.Expiration)*time.Second)) {
			pc.State = PendingCallExpired
		}
	}
	return pc
}
