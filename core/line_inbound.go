package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Inbound calls to a line: a call whose dialed number is a line's main or
// additional number is judged, before it is answered, by the line's active
// inbound rule group. Its rules match the caller's number and the date and
// time; the first that matches decides: run a call script on the answered
// call, end it (answer and hang up) or reject it (never answered). No rule
// matching falls back to the group's own script, else to the ordinary
// routing of the dialed number. The lookups are made before the event takes
// the engine lock (prefetch); the decision and its effects under it.

// Rule actions.
const (
	RuleScript = "script"
	RuleEnd    = "end"
	RuleReject = "reject"
)

// LineRule is one rule of a rule group.
type LineRule struct {
	// Callers: "X" a hidden caller, "600*" a prefix, "*" or an exact
	// number; none: any caller.
	Callers []string `json:"callers,omitempty"`
	Days    []int    `json:"days,omitempty"`  // ISO weekdays 1 (Monday) to 7; none: every day
	Dates   []string `json:"dates,omitempty"` // YYYY-MM-DD; none: any date
	// From (inclusive) and To (exclusive) are HH:MM, the gateway's local
	// time; To before From crosses midnight; both empty: all day.
	From   string `json:"from,omitempty"`
	To     string `json:"to,omitempty"`
	Action string `json:"action"`
	Script string `json:"script,omitempty"`
}

var (
	callerPattern = regexp.MustCompile(`^(X|\*|\+?[0-9]{1,20}\*?)$`)
	clockTime     = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
)

const maxLineRules = 100

// ParseLineRules decodes and validates a rule group's rules (empty: none).
func ParseLineRules(s string) ([]LineRule, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var rules []LineRule
	if err := json.Unmarshal([]byte(s), &rules); err != nil {
		return nil, Errorf(EINVALID, "rules are not a JSON array of rules")
	}
	if len(rules) > maxLineRules {
		return nil, Errorf(EINVALID, "a rule group has at most %d rules", maxLineRules)
	}
	for i, r := range rules {
		if err := checkLineRule(r); err != nil {
			return nil, Errorf(EINVALID, "rule %d: %s", i+1, err.Error())
		}
	}
	return rules, nil
}

func checkLineRule(r LineRule) error {
	for _, c := range r.Callers {
		if !callerPattern.MatchString(c) {
			return fmt.Errorf("caller pattern %q (X, *, digits, digits*)", truncate(c, 24))
		}
	}
	for _, d := range r.Days {
		if d < 1 || d > 7 {
			return errors.New("days are 1 (Monday) to 7 (Sunday)")
		}
	}
	for _, d := range r.Dates {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return fmt.Errorf("date %q is not YYYY-MM-DD", truncate(d, 24))
		}
	}
	if (r.From == "") != (r.To == "") || (r.From != "" && (!clockTime.MatchString(r.From) || !clockTime.MatchString(r.To))) {
		return errors.New("from and to are both HH:MM, or both empty")
	}
	switch {
	case r.Action == RuleScript && r.Script == "":
		return errors.New("a script action names its script")
	case r.Action != RuleScript && r.Action != RuleEnd && r.Action != RuleReject:
		return errors.New("action is script, end or reject")
	}
	return nil
}

// matches: the rule applies to caller at t.
func (r LineRule) matches(caller string, t time.Time) bool {
	return r.matchesCaller(caller) && r.matchesDay(t) && r.matchesTime(t)
}

func (r LineRule) matchesCaller(caller string) bool {
	if len(r.Callers) == 0 {
		return true
	}
	hidden := caller == "" || !isDigits(strings.TrimPrefix(caller, "+"))
	for _, p := range r.Callers {
		switch {
		case p == "X":
			if hidden {
				return true
			}
		case p == "*":
			return true
		case strings.HasSuffix(p, "*"):
			if !hidden && strings.HasPrefix(caller, strings.TrimSuffix(p, "*")) {
				return true
			}
		case p == caller:
			return true
		}
	}
	return false
}

func (r LineRule) matchesDay(t time.Time) bool {
	day := int(t.Weekday())
	if day == 0 {
		day = 7
	}
	okDay := len(r.Days) == 0
	for _, d := range r.Days {
		okDay = okDay || d == day
	}
	okDate := len(r.Dates) == 0
	for _, d := range r.Dates {
		okDate = okDate || d == t.Format(time.DateOnly)
	}
	return okDay && okDate
}

func (r LineRule) matchesTime(t time.Time) bool {
	if r.From == "" {
		return true
	}
	now := t.Format("15:04")
	if r.From <= r.To {
		return now >= r.From && now < r.To
	}
	return now >= r.From || now < r.To // crosses midnight
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// lineRoute is the decision for an inbound call to a line.
type lineRoute struct {
	line   Line
	group  string
	action string
	script string
}

// lineRouteFor finds the line a dialed number reaches and applies its
// active inbound rule group (store reads: called before the lock).
func (e *Engine) lineRouteFor(ctx context.Context, dialed, caller string) *lineRoute {
	line, ok := e.lineByNumber(ctx, dialed)
	if !ok {
		return nil
	}
	if line.State != LineOn {
		return &lineRoute{line: line, action: RuleReject}
	}
	var groups []RuleGroup
	q := Eq("line_number", line.Number).Eq("kind", RuleGroupInbound).Eq("active", true).Asc("id")
	if err := e.store.Find(ctx, &groups, q); err != nil || len(groups) == 0 {
		return nil
	}
	g := groups[0]
	rules, err := ParseLineRules(g.Rules)
	if err != nil {
		e.log.Warn("engine: rule group has invalid rules", "line", line.Number, "group", g.Name, "err", err)
	}
	now := e.now().Local()
	for _, r := range rules {
		if r.matches(caller, now) {
			return &lineRoute{line: line, group: g.Name, action: r.Action, script: r.Script}
		}
	}
	if g.Script != "" {
		return &lineRoute{line: line, group: g.Name, action: RuleScript, script: g.Script}
	}
	return nil
}

// lineByNumber is the line whose main or additional number is n.
func (e *Engine) lineByNumber(ctx context.Context, n string) (Line, bool) {
	var line Line
	if n == "" || !e.mayBeLine(ctx, n) {
		return line, false
	}
	if err := e.store.First(ctx, &line, Eq("number", n)); err == nil {
		return line, true
	}
	var lines []Line
	if err := e.store.Find(ctx, &lines, All.Gt("additional_numbers", "").Asc("id")); err != nil {
		return line, false
	}
	for _, l := range lines {
		for _, a := range strings.Split(l.AdditionalNumbers, ",") {
			if strings.TrimSpace(a) == n {
				return l, true
			}
		}
	}
	return line, false
}

// mayBeLine is false when n is surely no line's number (from memory, see
// authCache): most calls reach numbers that are no line's, and the two
// queries of lineByNumber are then skipped. On a failed read it is true.
func (e *Engine) mayBeLine(ctx context.Context, n string) bool {
	if e.auth.ttl == 0 {
		return true // a store that reports no writes: nothing is kept
	}
	nums, err := lookup(e.auth, e.auth.lineNumbers, struct{}{}, func() (map[string]bool, error) {
		var lines []Line
		if err := e.store.Find(ctx, &lines, All); err != nil {
			return nil, err
		}
		nums := map[string]bool{}
		for _, l := range lines {
			nums[l.Number] = true
			for _, a := range strings.Split(l.AdditionalNumbers, ",") {
				if a = strings.TrimSpace(a); a != "" {
					nums[a] = true
				}
			}
		}
		return nums, nil
	})
	return err != nil || nums[n]
}

// lineInboundLocked applies the line's decision to a new inbound channel;
// false when the dialed number is no line's (ordinary routing).
func (e *Engine) lineInboundLocked(ctx context.Context, ev TelEvent, dialed string) bool {
	d := e.pre.line
	if d == nil {
		return false
	}
	if d.action == RuleReject {
		e.pxHangup(ev.ChannelID, CauseRejected)
		return true
	}
	now := e.now()
	uid := ev.UniqueID
	if uid == "" {
		uid = ev.ChannelID
	}
	attrs, _ := json.Marshal(map[string]string{"line": d.line.Number, "rule_group": d.group})
	c := &liveCall{Call: Call{
		GUID: newGUID(), UniqueID: uid, LinkedID: ev.LinkedID, Node: ev.Node, Direction: CallInbound,
		State: CallConnected, Phone: ev.CallerID, CallerID: ev.CallerID, DID: dialed, ChannelID: ev.ChannelID,
		ChannelName: ev.Name, CreatedAt: now, AnsweredAt: &now, ConnectedAt: &now, Attributes: string(attrs),
	}}
	c.init()
	if c.LinkedID == "" {
		c.LinkedID = uid
	}
	e.persistCall(ctx, &c.Call)
	e.calls[c.ID] = c
	e.chans[ev.ChannelID] = &chanRef{id: ev.ChannelID, role: roleCustomer, callID: c.ID, answered: true, name: ev.Name}
	e.pxAnswer(ev.ChannelID).warned()
	if d.action == RuleEnd {
		e.endCallLocked(ctx, c, HangupBySystem, CauseNormal)
		return true
	}
	vars := map[string]string{"_NUMLLAMANTE": ev.CallerID, "_NUMINFOCALLER": d.line.Number, "_NUMLLAMADO": dialed}
	e.runScriptLocked(c, d.script, vars)
	return true
}

// runScriptLocked hands an answered call to the script runner, outside the
// lock; with no runner, or a script that cannot start, the call ends.
func (e *Engine) runScriptLocked(c *liveCall, script string, vars map[string]string) {
	runner := e.scripts
	id, ch := c.ID, c.ChannelID
	e.do("script "+script, []string{chKey(ch)}, func(ctx context.Context) error {
		if runner == nil {
			return Errorf(EUNAVAILABLE, "no call-script runner for script %s", script)
		}
		return runner.StartScript(ctx, id, script, vars)
	}).onFail(func(err error) {
		e.log.Warn("engine: inbound script not started", "call", id, "script", script, "err", err)
		if cc := e.calls[id]; cc == c {
			e.endCallLocked(context.Background(), cc, HangupBySystem, CauseFailure)
		}
	})
}
