package vicidial

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
)

// didLogExport is did_log_export: the day's inbound calls to a DID.
func (c *naCall) didLogExport() {
	did, date := c.p.get("phone_number"), c.p.get("date")
	day, err := parseDay(date, c.now)
	if len(did) < 1 || len(did) > 20 || strings.Contains(did, ",") || err != nil {
		c.colon("ERROR", "INVALID SEARCH PARAMETERS", c.user+"|"+did+"|"+date)
		return
	}
	calls, err := c.h.eng.CallLog(c.ctx, core.CallLogQuery{From: day, To: day.AddDate(0, 0, 1), DID: did})
	if err != nil || len(calls) == 0 {
		// The real script prints its recording_lookup data template here.
		c.dash("ERROR", "NO RECORDS FOUND", c.user+"|||"+date)
		return
	}
	c.header("did_number", "call_date", "caller_id_number", "length_in_sec")
	for _, call := range calls {
		length := 0
		if call.QueuedAt != nil && call.EndedAt != nil {
			length = int(call.EndedAt.Sub(call.CreatedAt).Seconds())
		}
		// VICIdial's rows carry caller id then date, opposite to its own
		// header (a bug kept since 2010 that parsers learned).
		c.row(did, call.Phone, c.stamp(call.CreatedAt), strconv.Itoa(length))
	}
	c.logRow("SUCCESS", "did_log_export", c.user+"|"+did+"|"+date)
}

func (c *naCall) stamp(t time.Time) string {
	return t.In(c.now.Location()).Format("2006-01-02 15:04:05")
}

// phoneNumberLog is phone_number_log: every call placed to the numbers.
func (c *naCall) phoneNumberLog() {
	raw := c.p.get("phone_number")
	var phones []string
	for _, p := range strings.Split(raw, ",") {
		if len(p) > 3 {
			phones = append(phones, p)
		}
	}
	if len(raw) <= 3 || len(phones) == 0 {
		data := c.user + "|" + raw + "|" + c.p.get("date")
		c.line("ERROR", "phone_number_log NO VALID PHONE NUMBERS DEFINED", data, "ERROR: phone_number_log NO VALID PHONE NUMBERS DEFINED: "+data)
		return
	}
	typ := c.p.get("type")
	if typ != "IN" && typ != "ALL" {
		typ = "OUT"
	}
	calls, err := c.h.eng.CallLog(c.ctx, core.CallLogQuery{From: time.Unix(0, 0), To: c.now.AddDate(0, 0, 1), Phones: phones})
	if err != nil {
		c.h.log.Error("vicidial: phone_number_log", "err", err)
	}
	// The script's order: per phone asked, its outbound calls then its
	// inbound ones, newest first; detail=LAST keeps the newest of each.
	sort.SliceStable(calls, func(i, j int) bool { return calls[i].CreatedAt.After(calls[j].CreatedAt) })
	var rows [][]string
	for _, phone := range phones {
		for _, dir := range []core.CallDirection{core.CallOutbound, core.CallInbound} {
			if dir == core.CallOutbound && typ == "IN" || dir == core.CallInbound && typ == "OUT" {
				continue
			}
			for _, call := range calls {
				if call.Phone != phone || (call.Direction == core.CallInbound) != (dir == core.CallInbound) {
					continue
				}
				rows = append(rows, c.phoneLogRow(phone, call))
				if c.p.get("detail") == "LAST" {
					break
				}
			}
		}
	}
	if len(rows) == 0 {
		data := c.user + "|" + raw + "|" + c.p.get("lead_id") + "|" + c.p.get("date")
		c.line("NOTICE", "phone_number_log NO RECORDS FOUND FOR THIS PHONE NUMBER", data,
			"NOTICE: phone_number_log NO RECORDS FOUND FOR THIS PHONE NUMBER - "+data)
		return
	}
	c.header("phone_number", "call_date", "list_id", "length_in_sec", "lead_status", "hangup_reason", "call_status", "source_id", "user")
	for _, r := range rows {
		c.row(r...)
	}
	c.logRow("SUCCESS", "phone_number_log RECORDS FOUND: "+strconv.Itoa(len(rows)),
		c.user+"|"+c.p.get("agent_user")+"|"+c.p.get("lead_id")+"|"+c.p.get("date")+"|"+c.stageName())
}

// phoneLogRow is one vicidial_log / vicidial_closer_log row with the
// lead's current status and source.
func (c *naCall) phoneLogRow(phone string, call core.Call) []string {
	length, leadStatus, source := 0, "", ""
	if call.ConnectedAt != nil && call.EndedAt != nil {
		length = int(call.EndedAt.Sub(*call.ConnectedAt).Seconds())
	}
	if l, err := c.h.eng.Lead(c.ctx, call.LeadID); err == nil {
		leadStatus, source = l.Status, l.SourceID
	}
	// term_reason: CALLER, AGENT or SYSTEM (NONE while unknown).
	reason := strings.ToUpper(defaulted(call.HangupBy, "none"))
	return []string{phone, c.stamp(call.CreatedAt), strconv.FormatUint(call.ListID, 10), strconv.Itoa(length), leadStatus,
		reason, call.Status, source, call.Agent}
}

// dashList reads a dash list where ---ALL--- or ALL<what> selects all.
func dashList(v string, all []string) []string {
	if strings.Contains(v, "---ALL---") || strings.HasPrefix(v, "ALL") {
		return all
	}
	var out []string
	for _, x := range strings.Split(v, "-") {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

func (c *naCall) reportDay() (time.Time, bool) {
	d := c.p.get("query_date")
	if d == "" {
		y, m, dd := c.now.Date()
		return time.Date(y, m, dd, 0, 0, 0, 0, c.now.Location()), true
	}
	day, err := parseDay(d, c.now)
	return day, err == nil
}

// callStatusStats is call_status_stats: per campaign and in-group, total,
// human-answered, calls per hour and per status (trailing pipe).
func (c *naCall) callStatusStats() {
	if c.p.get("campaigns") == "" {
		c.dash("ERROR", "INVALID OR MISSING CAMPAIGNS", c.source)
		c.line("ERROR", "Invalid Source", c.source, "ERROR: Invalid Source: |"+c.source+"|")
		return
	}
	day, ok := c.reportDay()
	if !ok {
		c.dash("ERROR", "INVALID QUERY DATE", c.p.get("query_date")+"|"+c.user)
		return
	}
	var camps, queues []string
	for _, camp := range c.h.eng.Campaigns() {
		camps = append(camps, camp.Name)
	}
	for _, q := range c.h.eng.Queues() {
		queues = append(queues, q.Name)
	}
	var statuses []string
	if s := c.p.get("statuses"); s != "" {
		statuses = dashList(s, nil)
	}
	stats, err := c.h.eng.CallStatusStats(c.ctx, day, dashList(c.p.get("campaigns"), camps), dashList(c.p.get("ingroups"), queues), statuses)
	if err != nil {
		c.dash("ERROR", "REPORT FAILED", c.user+"|"+refusalText(err))
		return
	}
	for _, g := range stats {
		hours := make([]string, 24)
		for h, n := range g.Hours {
			hours[h] = twoDigits(h) + "-" + strconv.Itoa(n)
		}
		st := make([]string, len(g.Statuses))
		for i, s := range g.Statuses {
			st[i] = s.Status + "-" + strconv.Itoa(s.Count)
		}
		c.raw(g.Group + "|" + strconv.Itoa(g.Total) + "|" + strconv.Itoa(g.Answered) + "|" + strings.Join(hours, ",") + "|" + strings.Join(st, ",") + "|")
	}
	c.logRow("SUCCESS", "call_status_stats", c.user+"|"+day.Format("2006-01-02")+"|"+strconv.Itoa(len(stats)))
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// callDispoReport is call_dispo_report: per status, the day's total and
// its split per agent.
func (c *naCall) callDispoReport() {
	day, ok := c.reportDay()
	if !ok {
		c.dash("ERROR", "INVALID QUERY DATE", c.p.get("query_date")+"|"+c.user)
		return
	}
	var camps []string
	if v := c.p.get("campaigns"); v != "" {
		camps = dashList(v, nil)
	}
	counts, err := c.h.eng.DispositionCounts(c.ctx, day, day.AddDate(0, 0, 1), camps)
	if err != nil || len(counts) == 0 {
		c.dash("ERROR", "NO RECORDS FOUND", c.user+"|"+day.Format("2006-01-02"))
		return
	}
	statuses := make([]string, 0, len(counts))
	for s := range counts {
		statuses = append(statuses, s)
	}
	sort.Strings(statuses)
	c.header("status", "total", "agents")
	for _, s := range statuses {
		agents := make([]string, 0, len(counts[s]))
		total := 0
		for a, n := range counts[s] {
			agents = append(agents, a+"-"+strconv.Itoa(n))
			total += n
		}
		sort.Strings(agents)
		c.row(s, strconv.Itoa(total), strings.Join(agents, ","))
	}
	c.logRow("SUCCESS", "call_dispo_report", c.user+"|"+day.Format("2006-01-02"))
}

// agentStatsExport is agent_stats_export: per agent, calls, login and
// talk time between datetime_start and datetime_end.
func (c *naCall) agentStatsExport() {
	start, end := c.p.get("datetime_start"), c.p.get("datetime_end")
	from, err1 := time.ParseInLocation("2006-01-02 15:04:05", start, c.now.Location())
	to, err2 := time.ParseInLocation("2006-01-02 15:04:05", end, c.now.Location())
	if err1 != nil || err2 != nil || !to.After(from) {
		c.colon("ERROR", "INVALID TIME PARAMETERS", c.user+"|"+start+"|"+end)
		return
	}
	sums, err := c.h.eng.AgentSummaries(c.ctx, from, to)
	if err != nil {
		c.dash("ERROR", "REPORT FAILED", c.user+"|"+refusalText(err))
		return
	}
	only := c.p.get("agent_user")
	var rows [][]string
	for _, s := range sums {
		if only != "" && s.Agent.Username != only || len(s.Calls) == 0 && s.LastLogin == nil {
			continue
		}
		talk := 0
		for _, call := range s.Calls {
			if call.ConnectedAt != nil && call.EndedAt != nil {
				talk += int(call.EndedAt.Sub(*call.ConnectedAt).Seconds())
			}
		}
		avg := 0
		if len(s.Calls) > 0 {
			avg = talk / len(s.Calls)
		}
		rows = append(rows, []string{s.Agent.Username, s.Agent.Name, s.Agent.UserGroup, strconv.Itoa(len(s.Calls)),
			strconv.FormatInt(s.LoginSeconds, 10), strconv.Itoa(talk), strconv.Itoa(avg)})
	}
	if len(rows) == 0 {
		c.dash("ERROR", "NO RECORDS FOUND", c.user+"|"+start+"|"+end)
		return
	}
	c.header("user", "full_name", "user_group", "calls", "login_time_sec", "talk_time_sec", "avg_talk_time_sec")
	for _, r := range rows {
		c.row(r...)
	}
	c.logRow("SUCCESS", "agent_stats_export", c.user+"|"+start+"|"+end)
}
