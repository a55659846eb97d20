package core

import (
	"context"
	"errors"
	"strings"
	"time"
)

// Lines are hosted service numbers (Infocaller "líneas"): a main number
// callers dial and that automatic calls present, a phone password that
// signs requests, an on/off/suspended state, a capacity of simultaneous
// calls and where its webhooks go. Rule groups belong to a line and pick
// the call script a call runs.

// LineState is whether a line takes calls.
type LineState string

const (
	LineOn        LineState = "on"
	LineOff       LineState = "off"
	LineSuspended LineState = "suspended"
)

// Line is one service number.
type Line struct {
	ID uint `gorm:"primaryKey" json:"id"`
	// Number is the main number as customers know it (123456789);
	// International is its international form (34123456789), whose
	// leading digits beyond Number are the line's country code.
	Number        string `gorm:"size:32;uniqueIndex:line_number" json:"number"`
	International string `gorm:"size:32" json:"international"`
	// PhonePassword signs requests (MD5 of number + password); sealed,
	// not hashed, because the signature check needs the clear text.
	PhonePassword string    `gorm:"size:255" secret:"seal" json:"-"`
	State         LineState `gorm:"size:16" json:"state"`
	// Capacity is the number of simultaneous calls (0: unlimited).
	Capacity int `json:"capacity"`
	// WebhookFormat is JSON or XML; the URLs receive the informative
	// (events) and interactive (script decisions) posts.
	WebhookFormat  string `gorm:"size:8" json:"webhook_format"`
	InformativeURL string `gorm:"size:512" json:"informative_url"`
	InteractiveURL string `gorm:"size:512" json:"interactive_url"`
	// Each informative event may have its own URL (with the dialect's
	// placeholders); an empty one falls back to InformativeURL.
	StartURL          string `gorm:"size:512" json:"start_url"`
	TransferOKURL     string `gorm:"size:512" json:"transfer_ok_url"`
	TransferFailedURL string `gorm:"size:512" json:"transfer_failed_url"`
	EndURL            string `gorm:"size:512" json:"end_url"`
	// Tariffs and credit (line_billing.go): per-minute rates of received
	// and emitted calls (0: free), and, when BalanceOn, the balance the
	// calls' costs are taken from and how far below zero it may go.
	RateRX      float64 `json:"rate_rx"`
	RateTX      float64 `json:"rate_tx"`
	BalanceOn   bool    `json:"balance_on"`
	Balance     float64 `json:"balance"`
	CreditLimit float64 `json:"credit_limit"`
	// AdditionalNumbers also reach the line (comma-separated).
	AdditionalNumbers string    `gorm:"size:512" json:"additional_numbers"`
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`
}

// CountryCode is the prefix International adds to Number ("34").
func (l Line) CountryCode() string {
	if l.International != "" && strings.HasSuffix(l.International, l.Number) {
		return strings.TrimSuffix(l.International, l.Number)
	}
	return ""
}

// RuleGroupKind says which calls a rule group acts on.
type RuleGroupKind string

const (
	RuleGroupEmission RuleGroupKind = "emission" // automatic calls placed through the API
	RuleGroupInbound  RuleGroupKind = "inbound"  // calls to the line's number, when Active
)

// RuleGroup selects the call script run on a line's calls.
type RuleGroup struct {
	ID         uint          `gorm:"primaryKey" json:"id"`
	LineNumber string        `gorm:"size:32;uniqueIndex:rule_group_name" json:"line_number"`
	Name       string        `gorm:"size:64;uniqueIndex:rule_group_name" json:"name"`
	Kind       RuleGroupKind `gorm:"size:16" json:"kind"`
	Active     bool          `json:"active"`
	// Script is the name of the call script; empty means the group has
	// no valid rule.
	Script string `gorm:"size:64" json:"script"`
	// Rules (inbound groups) is a JSON array of LineRule; the first that
	// matches a call decides, none: Script.
	Rules     string    `gorm:"type:text" json:"rules"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Ops of the errors PlaceLineCall returns, so a dialect can tell them
// apart beyond their code.
const (
	OpLineUnknown      = "line.unknown"
	OpLineSignature    = "line.signature"
	OpLineOff          = "line.off"
	OpLineSuspended    = "line.suspended"
	OpLineWhen         = "line.when"
	OpLinePhone        = "line.phone"
	OpLineWait         = "line.wait"
	OpLineRetries      = "line.retries"
	OpLineRuleGroup    = "line.rule_group"
	OpLineNoRule       = "line.no_rule"
	OpLineCapacity     = "line.capacity"
	OpLineBalance      = "line.balance" // no balance left (no credit limit)
	OpLineCredit       = "line.credit"  // the credit limit is used up
	maxLineCallRetries = 4
	maxLineCallWait    = 300 * time.Minute
	defaultLineWait    = 5 * time.Minute
	lineRetryGap       = 5 * time.Minute
	maxLineBacklog     = 100 // requests waiting for a free line
)

// LineCallRequest asks for an automatic call on a line.
type LineCallRequest struct {
	Line string // the line's main number
	// Verify judges the request's signature given the line's phone
	// password (the signing scheme is the dialect's).
	Verify    func(password string) bool
	Source    string // client address, for the failed-signature throttle
	Phone     string // destination; "+CC..." or national (the line's country)
	RuleGroup string
	When      time.Time     // zero: now
	Wait      time.Duration // how long to wait for capacity (0: default 5 min)
	Retries   int           // on busy only, 0..4, ≥ 5 min apart
	Vars      map[string]string
}

func lineErr(code, op, msg string) *Error { return &Error{Code: code, Op: op, Message: msg} }

// PlaceLineCall checks a request against its line and rule group and
// starts an origination job that runs the group's script on the answered
// destination.
func (e *Engine) PlaceLineCall(ctx context.Context, req LineCallRequest) (OriginationJob, error) {
	line, err := e.lineFor(ctx, req)
	if err != nil {
		return OriginationJob{}, err
	}
	group, err := e.checkLineCall(ctx, line, req)
	if err != nil {
		return OriginationJob{}, err
	}
	if err := e.checkLineCapacity(ctx, line, req.Wait); err != nil {
		return OriginationJob{}, err
	}
	vars := map[string]string{}
	for k, v := range req.Vars {
		vars[k] = v
	}
	return e.Originate(ctx, OriginationRequest{
		Destination: lineDestination(line, req.Phone), CallerID: line.Number,
		Script: group.Script, Vars: vars, NotBefore: req.When,
		BusyRetries: req.Retries, RetryInterval: lineRetryGap,
		Attributes: map[string]string{"line": line.Number, "rule_group": group.Name},
		Origin:     "line:" + line.Number, MaxConcurrent: line.Capacity, WaitUntil: waitUntil(e.now(), req),
	})
}

// waitUntil is when a request waiting for a free line is given up:
// EsperaMax after its start time.
func waitUntil(now time.Time, req LineCallRequest) time.Time {
	start := now
	if req.When.After(now) {
		start = req.When
	}
	return start.Add(req.Wait)
}

// lineFor finds the line and checks the signature and state.
func (e *Engine) lineFor(ctx context.Context, req LineCallRequest) (Line, error) {
	var line Line
	if err := e.store.First(ctx, &line, Eq("number", req.Line)); err != nil {
		if errors.Is(err, ErrNoRecord) {
			return line, lineErr(ENOTFOUND, OpLineUnknown, "no such line")
		}
		return line, err
	}
	pass, err := e.Credentials().Reveal(line.PhonePassword)
	if err != nil {
		return line, &Error{Code: EINTERNAL, Op: OpLineSignature, Message: "line password", Err: err}
	}
	// Throttled like a login: wrong signatures from one source are slowed
	// down, the owner's right one is never refused.
	v := e.Credentials().Check(ctx, LoginAttempt{Dialect: "line", Principal: line.Number, Source: req.Source, RightFirst: true},
		func() bool { return req.Verify != nil && req.Verify(pass) })
	if v.Outcome != LoginAccepted {
		return line, lineErr(EUNAUTHORIZED, OpLineSignature, "signature does not match")
	}
	switch line.State {
	case LineOff:
		return line, lineErr(ECONFLICT, OpLineOff, "line is off")
	case LineSuspended:
		return line, lineErr(ECONFLICT, OpLineSuspended, "line is suspended")
	}
	return line, checkLineCredit(line)
}

// checkLineCall validates the call data and finds the rule group.
func (e *Engine) checkLineCall(ctx context.Context, line Line, req LineCallRequest) (RuleGroup, error) {
	var g RuleGroup
	switch {
	case !validLinePhone(req.Phone):
		return g, lineErr(EINVALID, OpLinePhone, "phone number")
	case req.Wait < 0 || req.Wait > maxLineCallWait:
		return g, lineErr(EINVALID, OpLineWait, "wait 0-300 minutes")
	case req.Retries < 0 || req.Retries > maxLineCallRetries:
		return g, lineErr(EINVALID, OpLineRetries, "retries 0-4")
	case !req.When.IsZero() && req.When.Before(e.now().Add(-time.Minute)):
		return g, lineErr(EINVALID, OpLineWhen, "date and time in the past")
	}
	g, err := lookup(e.auth, e.auth.ruleGroups, ruleGroupKey{line.Number, req.RuleGroup}, func() (RuleGroup, error) {
		var g RuleGroup
		err := e.store.First(ctx, &g, Eq("line_number", line.Number).Eq("name", req.RuleGroup))
		return g, err
	})
	if err != nil || g.Kind != RuleGroupEmission {
		if err != nil && !errors.Is(err, ErrNoRecord) {
			return g, err
		}
		return g, lineErr(ENOTFOUND, OpLineRuleGroup, "rule group does not exist or is not valid")
	}
	if g.Script == "" {
		return g, lineErr(EINVALID, OpLineNoRule, "no valid rule in the rule group")
	}
	return g, nil
}

// checkLineCapacity refuses a call when the line already has Capacity
// jobs under way and the request will not wait (EsperaMax 0), or when
// maxLineBacklog more already wait for a free line.
func (e *Engine) checkLineCapacity(ctx context.Context, line Line, wait time.Duration) error {
	if line.Capacity <= 0 {
		return nil
	}
	n, err := e.store.Count(ctx, &OriginationJob{}, Eq("origin", "line:"+line.Number).In("status",
		[]OriginationStatus{OriginScheduled, OriginRingingSource, OriginRingingDest, OriginAnswered}))
	if err != nil {
		return err
	}
	limit := int64(line.Capacity)
	if wait > 0 {
		limit += maxLineBacklog
	}
	if n >= limit {
		return lineErr(EUNAVAILABLE, OpLineCapacity, "too many calls on the line")
	}
	return nil
}

// validLinePhone: digits, optionally after a "+", 3 to 20 of them.
func validLinePhone(p string) bool {
	p = strings.TrimPrefix(p, "+")
	if len(p) < 3 || len(p) > 20 {
		return false
	}
	for _, c := range p {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// lineDestination dials "+CC..." as the international number and a
// national number as is (the trunk is in the line's country).
func lineDestination(line Line, phone string) string {
	if strings.HasPrefix(phone, "+") {
		if cc := line.CountryCode(); cc != "" && strings.HasPrefix(phone[1:], cc) {
			return strings.TrimPrefix(phone[1:], cc)
		}
		return "00" + phone[1:]
	}
	return phone
}
