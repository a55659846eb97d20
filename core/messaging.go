package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Text messages (SMS). A send request is one job with one or more
// recipients; the job is stored PENDING before anything is sent, each
// recipient is sent through the PBX's message routing (Telephony.SendText:
// ARI endpoints/sendMessage, or the simulator) outside the engine lock, and
// the job ends SENT (every recipient handed to the PBX) or ERROR (the first
// refusal cancels the rest, as eXpand's statusSms describes). Drafts are
// stored and never sent.

// SMSStatus is where a message job stands; the values are the words
// eXpand's statusSms answers, which are plain English.
type SMSStatus string

const (
	SMSPending SMSStatus = "PENDING"
	SMSSent    SMSStatus = "SENT"
	SMSError   SMSStatus = "ERROR"
	SMSDraft   SMSStatus = "DRAFT"
)

// Bounds on one request, so a client cannot make the engine loop or store
// unbounded text.
const (
	MaxSMSRecipients = 100
	MaxSMSBody       = 1600 // ten concatenated parts
	maxSMSNumber     = 64
)

// ErrSMSRateLimited is wrapped (code EUNAVAILABLE) when a request would go
// over Options.SMSPerSecond; nothing is stored or sent.
var ErrSMSRateLimited = errors.New("too many messages this second")

// SMSRequest asks for a text message to one or more recipients.
type SMSRequest struct {
	// To are numbers (sent through Options.SMSEndpoint) or technology
	// URIs such as pjsip:1064 (sent as they are).
	To     []string
	From   string
	Body   string
	Origin string // who asked (a dialect), for the record
	Draft  bool   // store only
}

// SMS is a stored message job; ID is the numeric job id (> 0) clients use
// to follow it.
type SMS struct {
	ID         uint      `gorm:"primaryKey" json:"id"`
	Sender     string    `gorm:"size:64" json:"from"`         // the From of the request
	Recipients string    `gorm:"type:text" json:"recipients"` // comma-separated, as sent
	Body       string    `gorm:"type:text" json:"body"`
	Status     SMSStatus `gorm:"size:8;index" json:"status"`
	Sent       int       `json:"sent"` // recipients handed to the PBX so far
	Error      string    `gorm:"size:255" json:"error,omitempty"`
	Origin     string    `gorm:"size:32" json:"origin"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// To is the job's recipients.
func (s *SMS) To() []string {
	if s.Recipients == "" {
		return nil
	}
	return strings.Split(s.Recipients, ",")
}

// smsLimiter counts messages in the current clock second.
type smsLimiter struct {
	mu     sync.Mutex
	second int64
	count  int
}

// take reserves n messages in now's second; false when limit would be passed.
func (l *smsLimiter) take(now time.Time, n, limit int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s := now.Unix(); s != l.second {
		l.second, l.count = s, 0
	}
	if limit > 0 && l.count+n > limit {
		return false
	}
	l.count += n
	return true
}

// SendSMS stores a message job and sends it to every recipient. The job is
// returned with its final status; when the PBX refused a recipient the job is
// ERROR and the error (code EUNAVAILABLE) says so. Over the per-second limit
// nothing is stored: EUNAVAILABLE wrapping ErrSMSRateLimited.
func (e *Engine) SendSMS(ctx context.Context, req SMSRequest) (SMS, error) {
	to, err := smsRecipients(req)
	if err != nil {
		return SMS{}, err
	}
	rec := SMS{Sender: strings.TrimSpace(req.From), Recipients: strings.Join(to, ","), Body: req.Body,
		Status: SMSPending, Origin: req.Origin, CreatedAt: e.now(), UpdatedAt: e.now()}
	if req.Draft {
		rec.Status = SMSDraft
	} else if !e.sms.take(e.now(), len(to), e.opt.SMSPerSecond) {
		return SMS{}, &Error{Code: EUNAVAILABLE, Op: "send sms", Message: fmt.Sprintf("more than %d messages per second", e.opt.SMSPerSecond), Err: ErrSMSRateLimited}
	}
	if err := e.store.Create(ctx, &rec); err != nil {
		return SMS{}, fmt.Errorf("send sms: %w", err)
	}
	if rec.Status == SMSDraft {
		return rec, nil
	}
	return e.deliverSMS(ctx, rec)
}

func smsRecipients(req SMSRequest) ([]string, error) {
	var to []string
	for _, r := range req.To {
		if r = strings.TrimSpace(r); r != "" {
			to = append(to, r)
		}
	}
	switch {
	case len(to) == 0:
		return nil, Errorf(EINVALID, "send sms: no recipient")
	case len(to) > MaxSMSRecipients:
		return nil, Errorf(EINVALID, "send sms: more than %d recipients", MaxSMSRecipients)
	case strings.TrimSpace(req.Body) == "":
		return nil, Errorf(EINVALID, "send sms: empty message")
	case utf8.RuneCountInString(req.Body) > MaxSMSBody || !utf8.ValidString(req.Body):
		return nil, Errorf(EINVALID, "send sms: message longer than %d characters or not UTF-8", MaxSMSBody)
	}
	for _, r := range to {
		if len(r) > maxSMSNumber || strings.ContainsAny(r, ", \t\r\n") {
			return nil, Errorf(EINVALID, "send sms: bad recipient %q", truncate(r, maxSMSNumber))
		}
	}
	return to, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// deliverSMS sends the job's recipients from rec.Sent on, recording progress
// after each one so a resumed job never sends a recipient twice.
func (e *Engine) deliverSMS(ctx context.Context, rec SMS) (SMS, error) {
	to := rec.To()
	for rec.Sent < len(to) {
		if err := e.tel.SendText(ctx, rec.Sender, e.smsEndpoint(to[rec.Sent]), rec.Body, nil); err != nil {
			rec.Status, rec.Error = SMSError, truncate(fmt.Sprintf("%s: %v", to[rec.Sent], err), 255)
			e.saveSMS(ctx, &rec)
			e.emit(SMSEnded{SMS: rec}, "")
			return rec, &Error{Code: EUNAVAILABLE, Op: "send sms", Message: "the message could not be sent", Err: err}
		}
		rec.Sent++
		if rec.Sent < len(to) {
			e.saveSMS(ctx, &rec)
		}
	}
	rec.Status = SMSSent
	err := e.saveSMS(ctx, &rec)
	e.emit(SMSEnded{SMS: rec}, "")
	if err != nil {
		return rec, fmt.Errorf("send sms: %w", err)
	}
	return rec, nil
}

func (e *Engine) saveSMS(ctx context.Context, rec *SMS) error {
	rec.UpdatedAt = e.now()
	err := e.store.Updates(ctx, rec, map[string]any{"status": rec.Status, "sent": rec.Sent, "error": rec.Error, "updated_at": rec.UpdatedAt})
	if err != nil && e.log != nil {
		e.log.Error("sms: store progress", "id", rec.ID, "err", err)
	}
	return err
}

// smsEndpoint turns a recipient into a message URI: a URI (with a scheme)
// is kept, a number fills Options.SMSEndpoint.
func (e *Engine) smsEndpoint(to string) string {
	if strings.Contains(to, ":") {
		return to
	}
	return DefaultDialEndpoint(to, e.opt.SMSEndpoint)
}

// SMSStatus is a stored message job; ENOTFOUND when there is none.
func (e *Engine) SMSStatus(ctx context.Context, id uint) (SMS, error) {
	var rec SMS
	if id == 0 {
		return rec, Errorf(ENOTFOUND, "sms %d not found", id)
	}
	if err := e.store.First(ctx, &rec, Eq("id", id)); err != nil {
		if errors.Is(err, ErrNoRecord) {
			return rec, Errorf(ENOTFOUND, "sms %d not found", id)
		}
		return rec, fmt.Errorf("sms %d: %w", id, err)
	}
	return rec, nil
}

// ResumeSMS finishes the jobs a stopped gateway left PENDING, from the
// first recipient not yet handed to the PBX. The gateway calls it once
// after Start; it returns how many jobs it resumed.
func (e *Engine) ResumeSMS(ctx context.Context) (int, error) {
	var pending []SMS
	if err := e.store.Find(ctx, &pending, Eq("status", SMSPending).Asc("id")); err != nil {
		return 0, fmt.Errorf("resume sms: %w", err)
	}
	for _, rec := range pending {
		if _, err := e.deliverSMS(ctx, rec); err != nil && e.log != nil {
			e.log.Warn("sms: resumed job failed", "id", rec.ID, "err", err)
		}
	}
	return len(pending), nil
}

// SMSEnded: a message job was sent to every recipient (SENT) or stopped
// at a refusal (ERROR). Published outside the engine lock once the status
// is stored.
type SMSEnded struct {
	SMS SMS `json:"sms"`
}

func (SMSEnded) EventType() string { return "sms.ended" }

// TableName keeps the table's name plain (gorm would derive "sms").
func (SMS) TableName() string { return "sms_jobs" }
