package eccp

import (
	"context"
	"errors"
	"html"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
)

func hGetQueueScript(ss *session, ctx context.Context, cmd *elem) *elem {
	if !cmd.has("queue") {
		return topFailure(400, "Bad request")
	}
	name := strconv.FormatInt(phpInt(cmd.str("queue")), 10)
	q, ok := ss.srv.eng.Queue(name)
	if !ok {
		return nestedFailure("getqueuescript", 404, "Queue not found in incoming queues")
	}
	root, body := nested("getqueuescript")
	body.addText("script", q.Script)
	return root
}

// offsetLimit reads optional offset/limit; offset without limit is an error.
func offsetLimit(cmd *elem) (offset, limit int, has bool, bad bool) {
	offset, limit = 0, -1
	if cmd.has("limit") {
		limit = int(phpInt(cmd.str("limit")))
		has = true
	}
	if cmd.has("offset") {
		offset = int(phpInt(cmd.str("offset")))
		if !has {
			return 0, 0, false, true
		}
	}
	return offset, limit, has, false
}

func page[T any](xs []T, offset, limit int, has bool) []T {
	if !has {
		return xs
	}
	if offset < 0 {
		offset = 0
	}
	if offset >= len(xs) {
		return nil
	}
	xs = xs[offset:]
	if limit >= 0 && limit < len(xs) {
		xs = xs[:limit]
	}
	return xs
}

func hGetCampaignList(ss *session, ctx context.Context, cmd *elem) *elem {
	typ := ""
	if cmd.has("campaign_type") {
		typ = cmd.str("campaign_type")
		if typ != "incoming" && typ != "outgoing" {
			return topFailure(400, "Bad request - invalid campaign type")
		}
	}
	filter, hasFilter := cmd.str("filtername"), cmd.has("filtername")
	status := ""
	if cmd.has("status") {
		status = cmd.str("status")
		if status != "active" && status != "inactive" && status != "finished" {
			return topFailure(400, "Bad request - invalid status")
		}
	}
	start, end := "", ""
	if cmd.has("datetime_start") {
		if start = cmd.str("datetime_start"); !parseDate(start) {
			return topFailure(400, "Bad request - invalid start date")
		}
	}
	if cmd.has("datetime_end") {
		if end = cmd.str("datetime_end"); !parseDate(end) {
			return topFailure(400, "Bad request - invalid end date")
		}
	}
	if start != "" && end != "" && end < start {
		start, end = end, start
	}
	offset, limit, hasLimit, bad := offsetLimit(cmd)
	if bad {
		return topFailure(400, "Bad request - offset without limit")
	}
	var list []core.Campaign
	for _, c := range ss.srv.eng.Campaigns() {
		if typ != "" && campaignType(c) != typ {
			continue
		}
		if hasFilter && !strings.Contains(strings.ToLower(c.Name), strings.ToLower(filter)) {
			continue
		}
		if status != "" && ss.srv.campaignStatus(c) != status {
			continue
		}
		init := campaignStart(c)
		if start != "" && init < start {
			continue
		}
		if end != "" && init >= end {
			continue
		}
		list = append(list, c)
	}
	sort.Slice(list, func(i, j int) bool {
		ti, tj := campaignType(list[i]), campaignType(list[j])
		if ti != tj {
			return ti < tj
		}
		return list[i].ID < list[j].ID
	})
	list = page(list, offset, limit, hasLimit)
	root, body := nested("getcampaignlist")
	cs := body.add("campaigns")
	for _, c := range list {
		e := cs.add("campaign")
		e.addText("id", u64(uint64(c.ID)))
		e.addText("type", campaignType(c))
		e.addText("name", c.Name)
		e.addText("status", ss.srv.campaignStatus(c))
	}
	return root
}

// campaignStart is datetime_init: the start date, or the creation date.
func campaignStart(c core.Campaign) string {
	if c.StartDate != nil {
		return c.StartDate.Local().Format(dateTimeFmt)
	}
	return c.CreatedAt.Local().Format(dateTimeFmt)
}

func hGetIncomingQueueList(ss *session, ctx context.Context, cmd *elem) *elem {
	offset, limit, hasLimit, bad := offsetLimit(cmd)
	if bad {
		return topFailure(400, "Bad request - offset without limit")
	}
	qs := ss.srv.eng.Queues()
	if !ss.srv.showAll(ctx) {
		qs = slices.DeleteFunc(qs, func(q core.Queue) bool { return !ss.srv.eccpQueue(q.Name) })
	}
	sort.Slice(qs, func(i, j int) bool { return qs[i].ID < qs[j].ID })
	qs = page(qs, offset, limit, hasLimit)
	root, body := nested("getincomingqueuelist")
	list := body.add("queues")
	for _, q := range qs {
		e := list.add("queue")
		e.addText("id", u64(uint64(q.ID)))
		e.addText("queue", q.Name)
		st := "inactive"
		if q.Active {
			st = "active"
		}
		e.addText("status", st)
	}
	return root
}

// campaignCalls loads the calls of a campaign (by name), optionally since.
func (s *Server) campaignCalls(ctx context.Context, f core.CallFilter) []core.Call {
	calls, err := s.eng.FindCalls(ctx, f)
	if err != nil {
		s.log.Error("reading calls", "err", err)
	}
	return calls
}

func hGetCampaignQueueWait(ss *session, ctx context.Context, cmd *elem) *elem {
	if !cmd.has("campaign_id") || !cmd.has("campaign_type") {
		return topFailure(400, "Bad request")
	}
	typ := cmd.str("campaign_type")
	if typ != "incoming" && typ != "outgoing" {
		return topFailure(400, "Bad request")
	}
	var hist [7]int
	abandoned := 0
	if c, ok := ss.srv.campaignByID(phpInt(cmd.str("campaign_id")), typ); ok {
		for _, call := range ss.srv.campaignCalls(ctx, core.CallFilter{Campaign: c.Name}) {
			if call.Abandoned {
				abandoned++
				continue
			}
			if call.ConnectedAt == nil {
				continue
			}
			wait := 0
			if call.QueuedAt != nil {
				wait = int(call.ConnectedAt.Sub(*call.QueuedAt).Seconds())
			}
			i := wait / 5
			if wait >= 30 || i > 6 {
				i = 6
			}
			if i < 0 {
				i = 0
			}
			hist[i]++
		}
	}
	root, body := nested("getcampaignqueuewait")
	h := body.add("histogram")
	for i, n := range hist {
		iv := h.add("interval")
		iv.addInt("lower", int64(i*5))
		if i != len(hist)-1 {
			iv.addInt("upper", int64(i*5+4))
		}
		iv.addInt("count", int64(n))
	}
	body.addInt("abandoned", int64(abandoned))
	return root
}

func hmsOr(hhmm, def string) string {
	switch len(hhmm) {
	case 5:
		return hhmm + ":00"
	case 8:
		return hhmm
	}
	return def
}

func dateOr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Local().Format(dateFmt)
}

func hGetCampaignInfo(ss *session, ctx context.Context, cmd *elem) *elem {
	if !cmd.has("campaign_id") {
		return topFailure(400, "Bad request")
	}
	typ := "outgoing"
	if cmd.has("campaign_type") {
		typ = cmd.str("campaign_type")
	}
	if typ != "incoming" && typ != "outgoing" {
		return topFailure(400, "Bad request")
	}
	c, ok := ss.srv.campaignByID(phpInt(cmd.str("campaign_id")), typ)
	if !ok {
		return nestedFailure("getcampaigninfo", 404, "Campaign not found")
	}
	forms, err := ss.srv.campaignForms(ctx, c)
	if err != nil {
		return nestedFailure("getcampaigninfo", 500, "Cannot read campaign info (formfields)")
	}
	root, body := nested("getcampaigninfo")
	body.addText("name", c.Name)
	body.addText("type", typ)
	start := c.StartDate
	if start == nil {
		start = &c.CreatedAt
	}
	body.addText("startdate", dateOr(start))
	body.addText("enddate", dateOr(c.EndDate))
	body.addText("working_time_starttime", hmsOr(c.StartTime, "00:00:00"))
	body.addText("working_time_endtime", hmsOr(c.EndTime, "23:59:59"))
	body.addText("queue", c.Queue)
	if typ == "outgoing" {
		body.addInt("retries", int64(c.MaxRetries))
		if c.Trunk != "" {
			body.addText("trunk", c.Trunk)
		}
		body.addText("context", "from-internal")
		maxchan := int64(c.DialRatio)
		body.addInt("maxchan", maxchan)
	}
	body.addText("status", ss.srv.campaignStatus(c))
	body.addText("script", html.UnescapeString(c.Script))
	body.add("urltemplate")
	body.add("urlopentype")
	fs := body.add("forms")
	for _, f := range forms {
		writeForm(fs, f)
	}
	return root
}

type formInfo = core.FormSpec

// campaignForms reads the campaign's forms that have fields, in the order
// the campaign lists them.
func (s *Server) campaignForms(ctx context.Context, c core.Campaign) ([]formInfo, error) {
	var ids []uint
	for _, p := range strings.Split(c.FormIDs, ",") {
		if v := phpInt(p); v > 0 {
			ids = append(ids, uint(v))
		}
	}
	return s.readForms(ctx, ids)
}

func (s *Server) readForms(ctx context.Context, ids []uint) ([]formInfo, error) {
	return s.eng.Forms(ctx, ids)
}

func listOptions(opts string) []string {
	opts = strings.TrimSuffix(opts, ",")
	return strings.Split(opts, ",")
}

func writeForm(parent *elem, fi formInfo) {
	fe := parent.add("form").setAttr("id", u64(uint64(fi.Form.ID)))
	if fi.Form.Name != "" {
		fe.setAttr("name", fi.Form.Name)
	}
	if fi.Form.Description != "" {
		fe.setAttr("description", fi.Form.Description)
	}
	st := "I"
	if fi.Form.Active {
		st = "A"
	}
	fe.setAttr("status", st)
	for _, f := range fi.Fields {
		fl := fe.add("field").setAttr("order", itoa(f.Order)).setAttr("id", u64(uint64(f.ID)))
		fl.addText("label", f.Label)
		fl.addText("type", f.Type)
		if f.Type != "LABEL" && f.Type != "DATE" {
			fl.addInt("maxsize", 250)
		}
		if f.Type == "LIST" {
			o := fl.add("options")
			for _, v := range listOptions(f.Options) {
				o.addText("value", v)
			}
		} else if def := strings.TrimSpace(f.Options); def != "" {
			fl.addText("default_value", def)
		}
	}
}

func hGetCallInfo(ss *session, ctx context.Context, cmd *elem) *elem {
	typ := "outgoing"
	if cmd.has("campaign_type") {
		typ = cmd.str("campaign_type")
	}
	if typ != "incoming" && typ != "outgoing" {
		return topFailure(400, "Bad request")
	}
	if !cmd.has("campaign_id") && typ != "incoming" {
		return topFailure(400, "Bad request")
	}
	if !cmd.has("call_id") {
		return topFailure(400, "Bad request")
	}
	c, err := ss.srv.eng.Call(ctx, uint64(max(phpInt(cmd.str("call_id")), 0)))
	found := err == nil && callType(c) == typ
	if found && typ == "outgoing" && ss.srv.campaignID(c.Campaign) != strconv.FormatInt(phpInt(cmd.str("campaign_id")), 10) {
		found = false
	}
	if err != nil && !errors.Is(err, core.ErrCallNotFound) {
		return nestedFailure("getcallinfo", 500, "Cannot read call info")
	}
	if !found {
		return nestedFailure("getcallinfo", 404, "Call not found")
	}
	root, body := nested("getcallinfo")
	ss.srv.callInfo(ctx, body, c)
	return root
}

func hSetContact(ss *session, ctx context.Context, cmd *elem) *elem {
	if !cmd.has("call_id") || !cmd.has("contact_id") {
		return topFailure(400, "Bad request")
	}
	callID := uint64(max(phpInt(cmd.str("call_id")), 0))
	contactID := uint64(max(phpInt(cmd.str("contact_id")), 0))
	c, err := ss.srv.eng.Call(ctx, callID)
	if err != nil || callType(c) != "incoming" {
		return nestedFailure("setcontact", 404, "Call ID not found")
	}
	if ss.srv.agentNameOf(ctx, c.Agent) != cmd.str("agent_number") {
		return nestedFailure("setcontact", 401, "Unauthorized agent")
	}
	if _, err := ss.srv.eng.Lead(ctx, contactID); err != nil {
		return nestedFailure("setcontact", 404, "Contact ID not found")
	}
	if err := ss.srv.eng.SetCallLead(ctx, c.ID, contactID); err != nil {
		ss.srv.log.Error("setcontact: update failed", "call", c.ID, "err", err)
	}
	return success("setcontact")
}

func hSaveFormData(ss *session, ctx context.Context, cmd *elem) *elem {
	typ := "outgoing"
	if cmd.has("campaign_type") {
		typ = cmd.str("campaign_type")
	}
	if typ != "incoming" && typ != "outgoing" {
		return topFailure(400, "Bad request")
	}
	if !cmd.has("call_id") || !cmd.has("forms") {
		return topFailure(400, "Bad request")
	}
	callID := uint64(max(phpInt(cmd.str("call_id")), 0))
	type fv struct {
		field uint
		value string
	}
	type fdata struct {
		id     uint
		values []fv
	}
	var data []fdata
	seen := map[uint]bool{}
	for _, f := range cmd.child("forms").children("form") {
		v, _ := f.attr("id")
		id := uint(max(phpInt(v), 0))
		if seen[id] {
			return topFailure(400, "Bad request")
		}
		seen[id] = true
		d := fdata{id: id}
		idx := map[uint]int{}
		for _, fl := range f.children("field") {
			fv0, _ := fl.attr("id")
			fid := uint(max(phpInt(fv0), 0))
			// A repeated field id keeps its first position, last value.
			if i, ok := idx[fid]; ok {
				d.values[i].value = fl.text
				continue
			}
			idx[fid] = len(d.values)
			d.values = append(d.values, fv{fid, fl.text})
		}
		data = append(data, d)
	}
	c, err := ss.srv.eng.Call(ctx, callID)
	if err != nil || callType(c) != typ || ss.srv.agentNameOf(ctx, c.Agent) != cmd.str("agent_number") {
		return nestedFailure("saveformdata", 401, "Unauthorized agent")
	}
	var entries []core.FormEntry
	for _, d := range data {
		for _, v := range d.values {
			entries = append(entries, core.FormEntry{FormID: d.id, FieldID: v.field, Value: v.value})
		}
	}
	if err := ss.srv.eng.SaveFormData(ctx, callID, entries); err != nil {
		var fe *core.FormError
		if !errors.As(err, &fe) {
			ss.srv.log.Error("saveformdata: write failed", "call", callID, "err", err)
			return nestedFailure("saveformdata", 500, "Unable to check previous form value")
		}
		where := itoa(int(fe.FormID)) + " - " + itoa(int(fe.FieldID))
		switch fe.Reason {
		case core.FormUnreadable:
			return nestedFailure("saveformdata", 500, "Cannot read form information")
		case core.FormUnknown:
			return nestedFailure("saveformdata", 404, "Form ID not found: "+itoa(int(fe.FormID)))
		case core.FormFieldUnknown:
			return nestedFailure("saveformdata", 404, "Field ID not found in form: "+where)
		case core.FormValueTooLong:
			return nestedFailure("saveformdata", 413, "Form value too large: "+where)
		case core.FormBadDate:
			return nestedFailure("saveformdata", 406, "Date format not acceptable, must be yyyy-mm-dd or yyyy-mm-dd hh:mm:ss: "+where)
		default:
			return nestedFailure("saveformdata", 406, "Value not in list of accepted values: "+where)
		}
	}
	return success("saveformdata")
}

func hGetPauses(ss *session, ctx context.Context, cmd *elem) *elem {
	pcs, err := ss.srv.eng.AllPauseCodes(ctx)
	if err != nil {
		ss.srv.log.Error("getpauses", "err", err)
	}
	root, body := nested("getpauses")
	for _, p := range pcs {
		// dialerd lists its break table whole, inactive breaks included,
		// with the table's status letter (A active, I inactive).
		if !breakType(p) {
			continue
		}
		status := "A"
		if !p.Active {
			status = "I"
		}
		e := body.add("pause").setAttr("id", u64(uint64(p.ID)))
		e.addText("name", p.Name)
		e.addText("status", status)
		e.addText("type", "B")
		e.addText("description", p.Description)
	}
	return root
}

// eccpBreak reports whether a pause code is an ECCP break: an active
// break-type code with no campaign. Issabel's break table has no campaign
// column, so campaign-scoped codes (VICIdial pause codes) are not offered to
// an ECCP console; inactive breaks are left out too, since pauseagent
// refuses them anyway.
func eccpBreak(p core.PauseCode) bool {
	return p.Active && breakType(p)
}

// breakType reports whether a pause code belongs in ECCP's break table:
// a break-type code with no campaign, active or not.
func breakType(p core.PauseCode) bool {
	return p.Campaign == "" && (p.Type == "" || p.Type == "B")
}

// statusCounts counts a campaign's calls by ECCP status.
// statusWords are the statuscount elements of a campaign or queue status,
// in dialerd's order, with the core outcomes each one counts.
var (
	outgoingCounts = []statusCount{
		{"Placing", []core.Outcome{core.OutcomeDialing}}, {"Ringing", []core.Outcome{core.OutcomeRinging}},
		{"OnQueue", []core.Outcome{core.OutcomeQueued}}, {"Success", []core.Outcome{core.OutcomeTalking, core.OutcomeCompleted}},
		{"OnHold", []core.Outcome{core.OutcomeOnHold}}, {"Failure", []core.Outcome{core.OutcomeFailed}},
		{"ShortCall", nil}, {"NoAnswer", []core.Outcome{core.OutcomeNoAnswer}}, {"Abandoned", []core.Outcome{core.OutcomeAbandoned}},
	}
	incomingCounts = []statusCount{
		{"OnQueue", []core.Outcome{core.OutcomeQueued}}, {"Success", []core.Outcome{core.OutcomeTalking}},
		{"OnHold", []core.Outcome{core.OutcomeOnHold}},
		{"Abandoned", []core.Outcome{core.OutcomeAbandoned, core.OutcomeNoAnswer, core.OutcomeFailed}},
		{"Finished", []core.Outcome{core.OutcomeCompleted}}, {"LostTrack", nil},
	}
)

type statusCount struct {
	name     string
	outcomes []core.Outcome
}

// statusBlock renders the core's campaign activity report f selects.
func (ss *session) statusBlock(ctx context.Context, body *elem, f core.CallFilter, outgoing bool, queue, campaign string) {
	act, err := ss.srv.eng.CampaignActivity(ctx, f)
	if err != nil {
		ss.srv.log.Error("campaign activity", "err", err)
	}
	order := incomingCounts
	if outgoing {
		order = append([]statusCount{{"Pending", nil}}, outgoingCounts...)
	}
	counts := make([]int64, len(order))
	var total int64
	for i, sc := range order {
		if sc.name == "Pending" && outgoing {
			counts[i] = act.Pending
		}
		for _, o := range sc.outcomes {
			counts[i] += act.ByOutcome[o]
		}
		total += counts[i]
	}
	sc := body.add("statuscount")
	sc.addInt("total", total)
	for i, k := range order {
		sc.addInt(strings.ToLower(k.name), counts[i])
	}
	agents := body.add("agents")
	for _, a := range ss.srv.statusAgents(queue, campaign) {
		ae := agents.add("agent")
		ae.addText("agentchannel", a.Interface())
		ss.srv.agentStatus(ctx, ae, a, true)
	}
	active := body.add("activecalls")
	for _, c := range ss.srv.eng.ActiveCalls() {
		if c.ConnectedAt != nil || c.State == core.CallDone || outgoing != (callType(c) == "outgoing") {
			continue
		}
		if campaign != "" && c.Campaign != campaign {
			continue
		}
		if campaign == "" && (c.Campaign != "" || ss.srv.callQueue(c) != queue) {
			continue
		}
		ss.srv.callSummary(active.add("activecall"), c)
	}
	stats := body.add("stats")
	stats.addInt("total_sec", act.TalkSeconds)
	stats.addInt("max_duration", act.LongestTalk)
}

func hGetCampaignStatus(ss *session, ctx context.Context, cmd *elem) *elem {
	if !cmd.has("campaign_id") {
		return topFailure(400, "Bad request")
	}
	typ := "outgoing"
	if cmd.has("campaign_type") {
		typ = cmd.str("campaign_type")
	}
	var since *time.Time
	if cmd.has("datetime_start") {
		d := cmd.str("datetime_start")
		if !parseDate(d) {
			return topFailure(400, "Bad request - invalid start date")
		}
		if t, err := time.ParseInLocation(dateFmt, d, time.Local); err == nil {
			since = &t
		}
	}
	if typ != "incoming" && typ != "outgoing" {
		return topFailure(400, "Bad request")
	}
	c, ok := ss.srv.campaignByID(phpInt(cmd.str("campaign_id")), typ)
	if !ok {
		return nestedFailure("getcampaignstatus", 404, "Campaign not found")
	}
	q := core.CallFilter{Campaign: c.Name}
	if since != nil {
		q.Since = *since
	}
	root, body := nested("getcampaignstatus")
	ss.statusBlock(ctx, body, q, typ == "outgoing", c.Queue, c.Name)
	return root
}

func hGetIncomingQueueStatus(ss *session, ctx context.Context, cmd *elem) *elem {
	if !cmd.has("queue") {
		return topFailure(400, "Bad request")
	}
	var since *time.Time
	if cmd.has("datetime_start") {
		d := cmd.str("datetime_start")
		if !parseDate(d) {
			return topFailure(400, "Bad request - invalid start date")
		}
		if t, err := time.ParseInLocation(dateFmt, d, time.Local); err == nil {
			since = &t
		}
	}
	name := cmd.str("queue")
	if _, ok := ss.srv.eng.Queue(name); !ok {
		return nestedFailure("getincomingqueuestatus", 404, "Queue not found")
	}
	inbound := true
	q := core.CallFilter{Queue: name, Inbound: &inbound}
	if since != nil {
		q.Since = *since
	}
	root, body := nested("getincomingqueuestatus")
	ss.statusBlock(ctx, body, q, false, name, "")
	return root
}

func hGetAgentActivitySummary(ss *session, ctx context.Context, cmd *elem) *elem {
	today := ss.srv.now().Local().Format(dateFmt)
	start, end := today, today
	if cmd.has("datetime_start") {
		if start = cmd.str("datetime_start"); !parseDate(start) {
			return topFailure(400, "Bad request - invalid start date")
		}
	}
	if cmd.has("datetime_end") {
		if end = cmd.str("datetime_end"); !parseDate(end) {
			return topFailure(400, "Bad request - invalid end date")
		}
	}
	if end < start {
		start, end = end, start
	}
	from, to, err := dayRange(start, end)
	root, body := nested("getagentactivitysummary")
	list := body.add("agents")
	var sums []core.AgentSummary
	if err == nil {
		sums, err = ss.srv.eng.AgentSummaries(ctx, from, to)
		if err != nil {
			ss.srv.log.Error("getagentactivitysummary", "err", err)
		}
	}
	if sums == nil {
		// No usable period: every agent, with nothing in it.
		agents := ss.srv.eng.Agents()
		sort.Slice(agents, func(i, j int) bool { return agents[i].ID < agents[j].ID })
		for _, a := range agents {
			if a.Active {
				sums = append(sums, core.AgentSummary{Agent: a})
			}
		}
	}
	showAll := ss.srv.showAll(ctx)
	for _, sum := range sums {
		a := sum.Agent
		if !showAll && !eccpAgent(a) {
			continue
		}
		ae := list.add("agent")
		ae.addText("agentchannel", a.Interface())
		ae.addText("agentname", a.Name)
		lastLogin, lastLogout, lastPause, lastUnpause := sum.LastLogin, sum.LastLogout, sum.LastPause, sum.LastUnpause
		ae.addInt("logintime", sum.LoginSeconds)
		type qsum struct {
			queue      string
			sec, calls int64
		}
		byType := map[string][]*qsum{}
		for _, c := range sum.Calls {
			t := callType(c)
			q := ss.srv.callQueue(c)
			var s *qsum
			for _, x := range byType[t] {
				if x.queue == q {
					s = x
				}
			}
			if s == nil {
				s = &qsum{queue: q}
				byType[t] = append(byType[t], s)
			}
			s.calls++
			s.sec += phpInt(callDuration(c))
		}
		cs := ae.add("callsummary")
		for _, t := range []string{"incoming", "outgoing"} {
			te := cs.add(t)
			for _, s := range byType[t] {
				qe := te.add("queue").setAttr("id", s.queue)
				qe.addInt("sec_calls", s.sec)
				qe.addInt("num_calls", s.calls)
			}
		}
		if lastLogin != nil {
			ae.addText("lastsessionstart", fmtTime(lastLogin))
			if lastLogout != nil {
				ae.addText("lastsessionend", fmtTime(lastLogout))
			}
		}
		if lastPause != nil {
			ae.addText("lastpausestart", fmtTime(lastPause))
			if lastUnpause != nil {
				ae.addText("lastpauseend", fmtTime(lastUnpause))
			}
		}
	}
	return root
}

// progressStatus maps queue-log rows of a call onto ECCP call-progress
// states.
func progressStatus(r core.QueueLogEntry) string {
	switch r.Event {
	case core.QLDialOut:
		return "Dialing"
	case core.QLDialResult:
		switch r.Data1 {
		case "ANSWER":
			return "Ringing"
		case "NOANSWER", "NO ANSWER":
			return "NoAnswer"
		}
		return "Failure"
	case core.QLEnterQueue:
		return "OnQueue"
	case core.QLConnect:
		return "Success"
	case core.QLHold:
		return "OnHold"
	case core.QLUnhold:
		return "OffHold"
	case core.QLAbandon, core.QLExitTimeout:
		return "Abandoned"
	case core.QLCompleteAgent, core.QLCompleteCaller, core.QLTransfer:
		return "Hangup"
	case core.QLSystemHangup:
		// A call cut by a gateway or PBX failure: dialerd has no state of
		// its own for it, so it ends as the row it replaces would have,
		// never without a closing entry.
		if r.CutWhileWaiting() {
			return "Abandoned"
		}
		return "Hangup"
	}
	return ""
}

func hCampaignLog(ss *session, ctx context.Context, cmd *elem) *elem {
	today := ss.srv.now().Local().Format(dateFmt)
	start, end := today, today
	if cmd.has("datetime_start") {
		if start = cmd.str("datetime_start"); !parseDate(start) {
			return topFailure(400, "Bad request - invalid start date")
		}
	}
	if cmd.has("datetime_end") {
		if end = cmd.str("datetime_end"); !parseDate(end) {
			return topFailure(400, "Bad request - invalid end date")
		}
	}
	if end < start {
		start, end = end, start
	}
	if !cmd.has("campaign_type") {
		return topFailure(400, "Bad request")
	}
	typ := cmd.str("campaign_type")
	if typ != "incoming" && typ != "outgoing" {
		return topFailure(400, "Bad request")
	}
	hasCampaign, hasQueue := cmd.has("campaign_id"), cmd.has("queue")
	if typ == "outgoing" && !hasCampaign {
		return topFailure(400, "Bad request")
	}
	if typ == "incoming" && !hasCampaign && !hasQueue {
		return topFailure(400, "Bad request")
	}
	lastN, idBefore := int64(-1), int64(0)
	if cmd.has("last_n") {
		lastN = phpInt(cmd.str("last_n"))
		if cmd.has("idbefore") {
			idBefore = phpInt(cmd.str("idbefore"))
		}
	}
	root, body := nested("campaignlog")
	list := body.add("logentries")
	from, to, err := dayRange(start, end)
	if err != nil {
		return root
	}
	inbound := typ == "incoming"
	q := core.CallFilter{Inbound: &inbound}
	if hasCampaign {
		c, ok := ss.srv.campaignByID(phpInt(cmd.str("campaign_id")), typ)
		if !ok {
			return root
		}
		q.Campaign = c.Name
	} else {
		q.Queue = cmd.str("queue")
	}
	calls := ss.srv.campaignCalls(ctx, q)
	if len(calls) == 0 {
		return root
	}
	byID := map[uint64]core.Call{}
	ids := make([]uint64, 0, len(calls))
	for _, c := range calls {
		byID[c.ID] = c
		ids = append(ids, c.ID)
	}
	rows, err := ss.srv.eng.CallEvents(ctx, ids, from, to, uint64(max(idBefore, 0)))
	if err != nil {
		ss.srv.log.Error("campaignlog", "err", err)
		return root
	}
	var kept []core.QueueLogEntry
	for _, r := range rows {
		if progressStatus(r) != "" {
			kept = append(kept, r)
		}
	}
	if lastN >= 0 && int64(len(kept)) > lastN {
		kept = kept[int64(len(kept))-lastN:]
	}
	for _, r := range kept {
		c := byID[r.CallID]
		status := progressStatus(r)
		e := list.add("logentry")
		fields := []kv{
			{"id", u64(r.ID)}, {"datetime_entry", fmtTime(&r.Time)}, {"phone", c.Phone},
			{"queue", ss.srv.callQueue(c)}, {"campaign_type", typ}, {"campaign_id", ss.srv.campaignID(c.Campaign)},
			{"call_id", u64(c.ID)}, {"new_status", status}, {"retry", itoa(c.Retries)},
			{"uniqueid", c.UniqueID}, {"trunk", c.Trunk},
		}
		if status == "Hangup" {
			fields = append(fields, kv{"duration", callDuration(c)})
		}
		if status == "Success" || status == "Hangup" || status == "OnHold" || status == "OffHold" {
			fields = append(fields, kv{"agentchannel", ss.srv.agentNameOf(ctx, r.Agent)})
		}
		addFields(e, fields)
	}
	return root
}
