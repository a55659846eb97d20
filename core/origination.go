package core

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Agentless origination jobs: ring a source (an extension or a number),
// then, once it answers, a destination, and bridge the two — the "click to
// call" of a CRM, with no agent session involved. A job may instead name a
// call script: then only the destination is rung and, answered, the script
// runs on it (automatic calls). Jobs are stored, keep their outcome a while
// after the end, retry on busy and may wait for a start time.

// CallOriginated is the direction of a call placed by an origination job.
const CallOriginated CallDirection = "originated"

// OriginationStatus is where a job stands.
type OriginationStatus string

const (
	OriginScheduled       OriginationStatus = "scheduled"           // waiting for its start time or a retry
	OriginRingingSource   OriginationStatus = "ringing_source"      // the source is rung
	OriginRingingDest     OriginationStatus = "ringing_destination" // the source answered, the destination is rung
	OriginAnswered        OriginationStatus = "answered"            // both legs talk (or the script runs)
	OriginHungUp          OriginationStatus = "hung_up"             // ended after being answered
	OriginBusy            OriginationStatus = "busy"                // a leg was busy, no retry left
	OriginNoAnswer        OriginationStatus = "no_answer"           // a leg did not answer
	OriginFailed          OriginationStatus = "failed"              // congestion, unavailable, refused
	OriginSourceOffHook   OriginationStatus = "source_off_hook"     // the source extension was on a call
	OriginCanceled        OriginationStatus = "canceled"            // canceled before its end
	OriginLostWhileDown   OriginationStatus = "lost"                // its call did not survive a gateway restart
	defaultOriginKeep                       = 60 * time.Second
	defaultOriginTimeout                    = 30 * time.Second
	defaultOriginRetryGap                   = 5 * time.Minute
)

// Ended is whether the job is over.
func (s OriginationStatus) Ended() bool {
	switch s {
	case OriginScheduled, OriginRingingSource, OriginRingingDest, OriginAnswered:
		return false
	}
	return true
}

// OriginationRequest asks for an agentless call.
type OriginationRequest struct {
	// Source is rung first: an agent's number or extension, or a number
	// dialed through the trunk. Empty when Script is set.
	Source     string
	SourceName string // caller name shown to the destination
	// Destination is rung once the source answered (first, with Script).
	Destination     string
	DestinationName string // caller name shown to the source
	// CallerID is the number shown to the destination (default: Source).
	CallerID string
	// Timeout bounds each leg's ringing (default 30 s).
	Timeout time.Duration
	// Attributes are stored on the call (and so in reports and the CDR's
	// call), e.g. eXpand's callinfo pairs.
	Attributes map[string]string
	// NotBefore delays the first attempt.
	NotBefore time.Time
	// BusyRetries more attempts when a leg is busy (never on no answer),
	// RetryInterval apart (default 5 min).
	BusyRetries   int
	RetryInterval time.Duration
	// Script, when set, is run on the answered destination instead of
	// bridging it to a source; Vars are its starting variables.
	Script string
	Vars   map[string]string
	// Campaign the call is counted in (optional).
	Campaign string
	// Origin names who asked (a dialect), for the record.
	Origin string
	// MaxConcurrent, when set, caps the jobs of the same Origin ringing or
	// talking at once; a job over it waits (rechecked on the clock) until
	// WaitUntil, then fails with cause 34 (no circuit available).
	MaxConcurrent int
	WaitUntil     time.Time
}

// OriginationJob is the stored job.
type OriginationJob struct {
	ID              uint              `gorm:"primaryKey" json:"-"`
	JobID           string            `gorm:"size:16;uniqueIndex" json:"id"`
	Source          string            `gorm:"size:64" json:"source"`
	SourceName      string            `gorm:"size:128" json:"source_name"`
	Destination     string            `gorm:"size:64" json:"destination"`
	DestinationName string            `gorm:"size:128" json:"destination_name"`
	CallerID        string            `gorm:"size:64" json:"caller_id"`
	TimeoutSec      int               `json:"timeout_sec"`
	Attributes      string            `gorm:"type:text" json:"attributes"` // JSON object
	Script          string            `gorm:"size:64" json:"script"`
	Vars            string            `gorm:"type:text" json:"vars"` // JSON object
	Campaign        string            `gorm:"size:64" json:"campaign"`
	Origin          string            `gorm:"size:32" json:"origin"`
	BusyRetries     int               `json:"busy_retries"`
	RetrySec        int               `json:"retry_sec"`
	Status          OriginationStatus `gorm:"size:24;index" json:"status"`
	CallID          uint64            `json:"call_id"`
	Attempts        int               `json:"attempts"`
	Cause           int               `json:"cause"`
	NotBefore       *time.Time        `json:"not_before"`
	AnsweredAt      *time.Time        `json:"answered_at"`
	EndedAt         *time.Time        `json:"ended_at"`
	MaxConcurrent   int               `json:"max_concurrent"`
	WaitUntil       *time.Time        `json:"wait_until"`
	CreatedAt       time.Time         `json:"created_at"`
	UpdatedAt       time.Time         `json:"updated_at"`
}

// ScriptStarter runs a call script on an answered call; the call-script
// runner implements it (SetScriptStarter). It is called outside the engine
// lock and must not block for long.
type ScriptStarter interface {
	StartScript(ctx context.Context, callID uint64, script string, vars map[string]string) error
}

// SetScriptStarter installs the runner of the scripts origination jobs name.
func (e *Engine) SetScriptStarter(s ScriptStarter) {
	e.lock()
	e.scripts = s
	e.unlock()
}

// originJob is a job the engine is working on.
type originJob struct {
	rec   OriginationJob
	timer Timer
	// canceled: CancelOrigination ended it; its call's end says so.
	canceled bool
}

func (j *originJob) timeout() time.Duration {
	if j.rec.TimeoutSec > 0 {
		return time.Duration(j.rec.TimeoutSec) * time.Second
	}
	return defaultOriginTimeout
}

// Originate stores a job and starts it (or schedules it for NotBefore).
func (e *Engine) Originate(ctx context.Context, req OriginationRequest) (OriginationJob, error) {
	rec, err := e.newOriginationRecord(req)
	if err != nil {
		return OriginationJob{}, err
	}
	if err := e.store.Create(ctx, &rec); err != nil {
		return OriginationJob{}, fmt.Errorf("originate: %w", err)
	}
	e.lock()
	j := &originJob{rec: rec}
	e.jobs[rec.JobID] = j
	if rec.NotBefore != nil && rec.NotBefore.After(e.now()) {
		e.scheduleJobLocked(j, rec.NotBefore.Sub(e.now()))
	} else {
		e.startJobLocked(ctx, j)
	}
	out := j.rec
	if err := e.unlockWait(ctx); err != nil {
		return out, fmt.Errorf("originate: %w", err)
	}
	return out, nil
}

func (e *Engine) newOriginationRecord(req OriginationRequest) (OriginationJob, error) {
	req.Source, req.Destination = strings.TrimSpace(req.Source), strings.TrimSpace(req.Destination)
	switch {
	case req.Destination == "":
		return OriginationJob{}, Errorf(EINVALID, "originate: a destination is required")
	case req.Source == "" && req.Script == "":
		return OriginationJob{}, Errorf(EINVALID, "originate: a source (or a script) is required")
	case req.BusyRetries < 0 || req.Timeout < 0 || req.RetryInterval < 0:
		return OriginationJob{}, Errorf(EINVALID, "originate: negative timeout or retries")
	}
	id, err := newJobID()
	if err != nil {
		return OriginationJob{}, fmt.Errorf("originate: %w", err)
	}
	attrs, _ := json.Marshal(req.Attributes)
	vars, _ := json.Marshal(req.Vars)
	rec := OriginationJob{
		JobID: id, Source: req.Source, SourceName: req.SourceName, Destination: req.Destination,
		DestinationName: req.DestinationName, CallerID: req.CallerID, TimeoutSec: int(req.Timeout / time.Second),
		Attributes: string(attrs), Script: req.Script, Vars: string(vars), Campaign: req.Campaign, Origin: req.Origin,
		BusyRetries: req.BusyRetries, RetrySec: int(req.RetryInterval / time.Second), Status: OriginScheduled,
		CreatedAt: e.now(),
	}
	if !req.NotBefore.IsZero() {
		nb := req.NotBefore
		rec.NotBefore = &nb
	}
	if req.MaxConcurrent > 0 {
		wu := req.WaitUntil
		rec.MaxConcurrent, rec.WaitUntil = req.MaxConcurrent, &wu
	}
	return rec, nil
}

// newJobID is 8 hex digits, as eXpand's originatedID.
func newJobID() (string, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

// Origination is a job by id; ENOTFOUND when unknown or ended longer ago
// than the keep time (Options.OriginationKeep).
func (e *Engine) Origination(ctx context.Context, id string) (OriginationJob, error) {
	e.lock()
	j, ok := e.jobs[id]
	var rec OriginationJob
	if ok {
		rec = j.rec
	}
	e.unlock()
	if !ok {
		if err := e.store.First(ctx, &rec, Eq("job_id", id)); err != nil {
			if errors.Is(err, ErrNoRecord) {
				return rec, Errorf(ENOTFOUND, "origination %s not found", id)
			}
			return rec, fmt.Errorf("origination %s: %w", id, err)
		}
	}
	if rec.EndedAt != nil && e.now().Sub(*rec.EndedAt) > e.opt.OriginationKeep {
		return OriginationJob{}, Errorf(ENOTFOUND, "origination %s not found", id)
	}
	return rec, nil
}

// CancelOrigination ends a job that is not over: its legs are hung up.
// ECONFLICT when it already ended, ENOTFOUND when unknown.
func (e *Engine) CancelOrigination(ctx context.Context, id string) error {
	e.lock()
	j, ok := e.jobs[id]
	if !ok {
		e.unlock()
		if _, err := e.Origination(ctx, id); err != nil {
			return err
		}
		return Errorf(ECONFLICT, "origination %s already ended", id)
	}
	if j.timer != nil {
		j.timer.Stop()
	}
	j.canceled = true
	if c := e.calls[j.rec.CallID]; c != nil && c.job == j {
		e.endCallLocked(ctx, c, HangupBySystem, CauseNormal)
	} else {
		e.endJobLocked(j, OriginCanceled, 0)
	}
	return e.unlockWait(ctx)
}
