package eccp

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
)

// This file maps core records onto ECCP's vocabulary: campaigns and calls
// are numbered, typed incoming/outgoing, and times are local
// "yyyy-mm-dd hh:mm:ss" strings.

const (
	dateTimeFmt = "2006-01-02 15:04:05"
	dateFmt     = "2006-01-02"
)

func fmtTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.Local().Format(dateTimeFmt)
}

// shortTime drops today's date, as dialerd does for status timestamps.
func (s *Server) shortTime(t *time.Time) string {
	v := fmtTime(t)
	return strings.TrimPrefix(v, s.now().Local().Format(dateFmt)+" ")
}

func campaignType(c core.Campaign) string {
	if c.Type == core.CampaignInbound {
		return "incoming"
	}
	return "outgoing"
}

func callType(c core.Call) string {
	if c.Direction == core.CallInbound {
		return "incoming"
	}
	return "outgoing"
}

// campaignStatus is dialerd's A/I/T estatus spelt out.
func (s *Server) campaignStatus(c core.Campaign) string {
	if c.EndDate != nil && c.EndDate.Before(startOfDay(s.now())) {
		return "finished"
	}
	if c.Active {
		return "active"
	}
	return "inactive"
}

func startOfDay(t time.Time) time.Time {
	y, m, d := t.Local().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.Local)
}

func (s *Server) campaignByID(id int64, typ string) (core.Campaign, bool) {
	for _, c := range s.eng.Campaigns() {
		if int64(c.ID) == id && (typ == "" || campaignType(c) == typ) {
			return c, true
		}
	}
	return core.Campaign{}, false
}

func (s *Server) campaignByName(name string) (core.Campaign, bool) {
	if name == "" {
		return core.Campaign{}, false
	}
	return s.eng.Campaign(name)
}

// campaignID is the ECCP id of a call's campaign, "" when it has none.
func (s *Server) campaignID(name string) string {
	if c, ok := s.campaignByName(name); ok {
		return strconv.FormatUint(uint64(c.ID), 10)
	}
	return ""
}

// callQueue is the queue a call went through: its own, or its campaign's.
// The engine's virtual queue of an outbound campaign without one
// ("campaign:NAME") is not an Asterisk queue and means the campaign's.
func (s *Server) callQueue(c core.Call) string {
	if c.Queue != "" && !strings.HasPrefix(c.Queue, "campaign:") {
		return c.Queue
	}
	if cp, ok := s.campaignByName(c.Campaign); ok {
		return cp.Queue
	}
	return ""
}

// callStatus is the call's status column: dialerd's outgoing states, or
// the Spanish states of incoming calls, for the core's outcome.
func callStatus(c core.Call) string {
	o := core.OutcomeOf(c)
	if c.Direction == core.CallInbound {
		if w, ok := incomingWords[o]; ok {
			return w
		}
	}
	return outgoingWords[o]
}

var outgoingWords = map[core.Outcome]string{
	core.OutcomeDialing: "Placing", core.OutcomeRinging: "Ringing", core.OutcomeQueued: "OnQueue",
	core.OutcomeOnHold: "OnHold", core.OutcomeTalking: "Success", core.OutcomeCompleted: "Success",
	core.OutcomeAbandoned: "Abandoned", core.OutcomeNoAnswer: "NoAnswer", core.OutcomeFailed: "Failure",
}

var incomingWords = map[core.Outcome]string{
	core.OutcomeQueued: "en-cola", core.OutcomeOnHold: "hold", core.OutcomeTalking: "activa",
	core.OutcomeCompleted: "terminada", core.OutcomeAbandoned: "abandonada",
	core.OutcomeNoAnswer: "abandonada", core.OutcomeFailed: "abandonada",
}

func callDuration(c core.Call) string {
	if c.ConnectedAt == nil || c.EndedAt == nil {
		return ""
	}
	return strconv.Itoa(int(c.EndedAt.Sub(*c.ConnectedAt).Seconds()))
}

// agentNameOf is the ECCP name of the agent with that username.
func (s *Server) agentNameOf(ctx context.Context, user string) string {
	if user == "" {
		return ""
	}
	a, err := s.eng.AgentByUsername(ctx, user)
	if err != nil {
		return ""
	}
	return a.Interface()
}

// remoteChannel names the customer leg.
func remoteChannel(c core.Call) string {
	if c.ChannelID != "" {
		return c.ChannelID
	}
	return c.Trunk
}

// kv is an ordered field list; empty values are left out like NULL columns.
type kv struct{ k, v string }

func addFields(parent *elem, fields []kv) {
	for _, f := range fields {
		if f.v != "" {
			parent.addText(f.k, f.v)
		}
	}
}

// orderedAttrs decodes a JSON object keeping key order.
func orderedAttrs(raw string) []kv {
	raw = strings.TrimSpace(raw)
	if raw == "" || raw[0] != '{' {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	var out []kv
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return out
		}
		key, _ := kt.(string)
		var v any
		if err := dec.Decode(&v); err != nil {
			return out
		}
		var sv string
		switch x := v.(type) {
		case nil:
		case string:
			sv = x
		case json.Number:
			sv = x.String()
		case bool:
			sv = strconv.FormatBool(x)
		default:
			b, _ := json.Marshal(x)
			sv = string(b)
		}
		out = append(out, kv{key, sv})
	}
	return out
}

// leadAttributes are a contact's fields as ECCP call attributes: the
// lead's free attributes if it has any, else its main columns.
func leadAttributes(l core.Lead) []kv {
	if a := orderedAttrs(l.Attributes); len(a) > 0 {
		return a
	}
	var out []kv
	for _, f := range []kv{
		{"first_name", l.FirstName}, {"last_name", l.LastName}, {"phone", l.PhoneNumber},
		{"address", l.Address1}, {"city", l.City}, {"email", l.Email}, {"comments", l.Comments},
	} {
		if f.v != "" {
			out = append(out, f)
		}
	}
	return out
}

// callInfo fills getcallinfo (and agentlinked) in dialerd's column order.
// The caller appends what the event adds.
func (s *Server) callInfo(ctx context.Context, parent *elem, c core.Call) {
	typ := callType(c)
	agent := s.agentNameOf(ctx, c.Agent)
	var lead *core.Lead
	if c.LeadID != 0 {
		if l, err := s.eng.Lead(ctx, c.LeadID); err == nil {
			lead = &l
		}
	}
	if typ == "outgoing" {
		failCause, failTxt := "", ""
		if c.Failure != "" {
			failCause, failTxt = strconv.Itoa(c.HangupCause), c.Failure
		}
		retries := strconv.Itoa(c.Retries)
		addFields(parent, []kv{
			{"calltype", typ}, {"call_id", strconv.FormatUint(c.ID, 10)},
			{"campaign_id", s.campaignID(c.Campaign)}, {"phone", c.Phone}, {"status", callStatus(c)},
			{"uniqueid", c.UniqueID}, {"duration", callDuration(c)},
			{"datetime_originate", fmtTime(c.OriginateAt)}, {"datetime_originateresponse", fmtTime(c.AnsweredAt)},
			{"datetime_join", fmtTime(c.QueuedAt)}, {"datetime_linkstart", fmtTime(c.ConnectedAt)},
			{"datetime_linkend", linkEnd(c)}, {"retries", retries},
			{"failure_cause", failCause}, {"failure_cause_txt", failTxt},
			{"agent_number", agent}, {"trunk", c.Trunk},
		})
		attrs := parent.add("call_attributes")
		if lead != nil {
			for i, a := range leadAttributes(*lead) {
				at := attrs.add("attribute")
				at.addText("label", a.k)
				at.addText("value", a.v)
				at.addInt("order", int64(i))
			}
		}
	} else {
		addFields(parent, []kv{
			{"calltype", typ}, {"call_id", strconv.FormatUint(c.ID, 10)},
			{"campaign_id", s.campaignID(c.Campaign)}, {"phone", c.Phone}, {"status", callStatus(c)},
			{"uniqueid", c.UniqueID}, {"duration", callDuration(c)},
			{"datetime_join", fmtTime(c.QueuedAt)}, {"datetime_linkstart", fmtTime(c.ConnectedAt)},
			{"datetime_linkend", linkEnd(c)}, {"trunk", c.Trunk}, {"queue", s.callQueue(c)},
			{"agent_number", agent},
		})
		attrs := parent.add("call_attributes")
		if lead != nil {
			for i, a := range callContactAttributes(*lead) {
				at := attrs.add("attribute")
				at.addText("label", a.k)
				at.addText("value", a.v)
				at.addInt("order", int64(i+1))
			}
		}
		mc := parent.add("matching_contacts")
		if c.Phone != "" {
			if leads, err := s.eng.LeadsWithPhone(ctx, c.Phone, 50); err == nil {
				for _, l := range leads {
					ct := mc.add("contact").setAttr("id", strconv.FormatUint(l.ID, 10))
					for i, a := range contactAttributes(l) {
						at := ct.add("attribute")
						at.addText("label", a.k)
						at.addText("value", a.v)
						at.addInt("order", int64(i+1))
					}
				}
			}
		}
	}
	s.callSurvey(ctx, parent.add("call_survey"), c.ID)
}

func linkEnd(c core.Call) string {
	if c.ConnectedAt == nil {
		return ""
	}
	return fmtTime(c.EndedAt)
}

// contactAttributes are the fixed contact columns of an incoming call.
func contactAttributes(l core.Lead) []kv {
	return []kv{
		{"first_name", l.FirstName}, {"last_name", l.LastName}, {"phone", l.PhoneNumber},
		{"cedula_ruc", l.VendorLeadCode},
	}
}

// callContactAttributes are the call_attributes of an incoming call with a
// matched contact: dialerd reads the contact's four columns plus its
// origen as contact_source (matching_contacts lists only the four). The
// core keeps the origin in the lead's source id; Issabel's column defaults
// to "crm".
func callContactAttributes(l core.Lead) []kv {
	src := l.SourceID
	if src == "" {
		src = "crm"
	}
	return append(contactAttributes(l), kv{"contact_source", src})
}

// callSurvey lists the form values collected for a call.
func (s *Server) callSurvey(ctx context.Context, parent *elem, callID uint64) {
	rows, err := s.eng.CallFormData(ctx, callID)
	if err != nil || len(rows) == 0 {
		return
	}
	var form *elem
	var formID uint
	for _, r := range rows {
		if form == nil || r.Field.FormID != formID {
			formID = r.Field.FormID
			form = parent.add("form").setAttr("id", strconv.FormatUint(uint64(formID), 10))
		}
		fe := form.add("field").setAttr("id", strconv.FormatUint(uint64(r.Field.ID), 10))
		fe.addText("label", r.Field.Label)
		fe.addText("value", r.Value)
	}
}

var extRE = regexp.MustCompile(`^\w+/(\d+)-?`)

// agentStatus writes the status block shared by getagentstatus (nested
// pauseinfo/callinfo) and getcampaignstatus/queuemembership (flattened).
func (s *Server) agentStatus(ctx context.Context, parent *elem, a core.Agent, flattened bool) {
	sess, logged := s.eng.Session(a.Username)
	if !logged {
		parent.addText("status", "offline")
		return
	}
	call, onCall := s.eng.AgentCall(a.Username)
	loggedIn := sess.State != core.AgentLoggingIn
	status := "offline"
	switch {
	case onCall:
		status = "oncall"
	case sess.Paused || sess.OnHold:
		status = "paused"
	case loggedIn:
		status = "online"
	}
	parent.addText("status", status)
	if sess.Extension != "" {
		parent.addText("channel", sess.Extension)
		if m := extRE.FindStringSubmatch(sess.Extension); m != nil {
			parent.addText("extension", m[1])
		}
	}
	if onCall {
		name := "remote_channel"
		if flattened {
			name = "callchannel"
		}
		if rc := remoteChannel(call); rc != "" {
			parent.addText(name, rc)
		}
	}
	if loggedIn {
		parent.addText("onhold", boolDigit(sess.OnHold))
	}
	if sess.Paused && sess.PauseID != 0 {
		pi := parent
		if !flattened {
			pi = parent.add("pauseinfo")
		}
		pi.addText("pauseid", strconv.FormatUint(uint64(sess.PauseID), 10))
		if name := s.pauseName(ctx, sess.PauseID); name != "" {
			pi.addText("pausename", name)
		}
		if sess.PausedAt != nil {
			pi.addText("pausestart", s.shortTime(sess.PausedAt))
		}
	}
	if onCall {
		ci := parent
		if !flattened {
			ci = parent.add("callinfo")
		}
		s.callSummary(ci, call)
	}
}

// callSummary is dialerd's _agregarCallInfo.
func (s *Server) callSummary(parent *elem, c core.Call) {
	addFields(parent, []kv{
		{"calltype", callType(c)}, {"callid", strconv.FormatUint(c.ID, 10)},
		{"campaign_id", s.campaignID(c.Campaign)}, {"queuenumber", s.callQueue(c)},
		{"callnumber", c.Phone},
	})
	parent.addText("callstatus", liveCallStatus(c))
	// dialerd stamps dialstart/dialend when it originates the call
	// (OriginateResponse); an incoming call has neither.
	dialStart, dialEnd := "", ""
	if c.Direction != core.CallInbound {
		dialStart, dialEnd = s.shortTime(c.OriginateAt), s.shortTime(c.AnsweredAt)
	}
	addFields(parent, []kv{
		{"trunk", c.Trunk},
		{"dialstart", dialStart}, {"dialend", dialEnd},
		{"queuestart", s.shortTime(c.QueuedAt)}, {"linkstart", s.shortTime(c.ConnectedAt)},
	})
}

// liveCallStatus is dialerd's in-memory call status (Llamada::status),
// which agent status replies print: the English words for both directions
// (Success, OnHold, OnQueue), never the Spanish database states of
// incoming calls.
func liveCallStatus(c core.Call) string {
	return outgoingWords[core.OutcomeOf(c)]
}

func boolDigit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func (s *Server) pauseName(ctx context.Context, id uint) string {
	p, err := s.eng.PauseCode(ctx, id)
	if err != nil {
		return ""
	}
	return p.Name
}

// agentsOfQueue lists the agents serving a queue, members first.
func (s *Server) agentsOfQueue(queue string) []core.Agent {
	seen := map[string]bool{}
	var out []core.Agent
	all := s.eng.Agents()
	byUser := map[string]core.Agent{}
	for _, a := range all {
		byUser[a.Username] = a
	}
	for _, m := range s.eng.QueueMembers(queue) {
		if a, ok := byUser[m.Agent]; ok && a.Active && !seen[a.Username] {
			seen[a.Username] = true
			out = append(out, a)
		}
	}
	for _, sess := range s.eng.Sessions() {
		if seen[sess.Username] {
			continue
		}
		for _, q := range s.eng.AgentQueues(sess.Username) {
			if q == queue {
				if a, ok := byUser[sess.Username]; ok {
					seen[a.Username] = true
					out = append(out, a)
				}
				break
			}
		}
	}
	return out
}

// statusAgents are the agents of a campaign or queue status report: the
// queue's agents, plus agents logged in to the campaign.
func (s *Server) statusAgents(queue, campaign string) []core.Agent {
	var out []core.Agent
	seen := map[string]bool{}
	if queue != "" {
		for _, a := range s.agentsOfQueue(queue) {
			seen[a.Username] = true
			out = append(out, a)
		}
	}
	if campaign != "" {
		for _, sess := range s.eng.Sessions() {
			if sess.Campaign != campaign || seen[sess.Username] {
				continue
			}
			if a, err := s.eng.AgentByUsername(context.Background(), sess.Username); err == nil {
				seen[a.Username] = true
				out = append(out, a)
			}
		}
	}
	return out
}

// logID is the id of the latest queue-log row of a call among events: the
// closest thing to dialerd's call_progress_log id.
func (s *Server) logID(ctx context.Context, callID uint64, events ...string) string {
	if callID == 0 {
		return ""
	}
	row, err := s.eng.LastCallEvent(ctx, callID, events...)
	if err != nil {
		return ""
	}
	return u64(row.ID)
}

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

func parseDate(s string) bool {
	return dateRE.MatchString(s)
}

func dayRange(start, end string) (time.Time, time.Time, error) {
	a, err := time.ParseInLocation(dateFmt, start, time.Local)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	b, err := time.ParseInLocation(dateFmt, end, time.Local)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	return a, b.Add(24*time.Hour - time.Second), nil
}

func itoa(v int) string { return strconv.Itoa(v) }

func u64(v uint64) string { return strconv.FormatUint(v, 10) }
