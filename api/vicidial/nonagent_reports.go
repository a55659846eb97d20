package vicidial

import (
	"fmt"
	"math"
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

// agentStatsExport is agent_stats_export: per agent (per campaign and
// agent with group_by_campaign=YES) the script's 20 figures over the
// period, from the queue log: sessions, calls, talk and pause time; the
// rest of the logged-in time is waiting (Callgate's queue log keeps no
// separate dispo or dead time: 0).
func (c *naCall) agentStatsExport() {
	agent, camp := c.p.get("agent_user"), c.p.get("campaign_id")
	start, end := c.p.get("datetime_start"), c.p.get("datetime_end")
	data := c.user + "|" + agent + "|" + start + "|" + end + "|" + camp
	from, err1 := time.ParseInLocation("2006-01-02 15:04:05", start, c.now.Location())
	to, err2 := time.ParseInLocation("2006-01-02 15:04:05", end, c.now.Location())
	if len(start) != 19 || len(end) != 19 || err1 != nil || err2 != nil || len(agent) > 20 || len(camp) > 8 {
		c.line("ERROR", "agent_stats_export INVALID SEARCH PARAMETERS", data, "ERROR: agent_stats_export INVALID SEARCH PARAMETERS: "+data)
		return
	}
	stats := c.agentStats(from, to, agent, camp)
	if len(stats) == 0 {
		c.line("ERROR", "agent_stats_export NO RECORDS FOUND", data, "ERROR: agent_stats_export NO RECORDS FOUND - "+data)
		return
	}
	byCamp := c.p.get("group_by_campaign") == "YES"
	cols := []string{"user", "full_name", "user_group", "calls", "login_time", "total_talk_time", "avg_talk_time", "avg_wait_time",
		"pct_of_queue", "pause_time", "sessions", "avg_session", "pauses", "avg_pause_time", "pause_pct", "pauses_per_session",
		"wait_time", "talk_time", "dispo_time", "dead_time"}
	if byCamp {
		cols = append([]string{"campaign_id"}, cols...)
	}
	c.header(cols...)
	total := 0
	for _, st := range stats {
		total += st.calls
	}
	for _, st := range stats {
		row := st.row(c.timeFormat(), total)
		if byCamp {
			row = append([]string{st.campaign}, row...)
		}
		c.row(row...)
	}
	c.logRow("SUCCESS", "agent_stats_export AGENTS FOUND: "+strconv.Itoa(len(stats)),
		c.user+"|"+agent+"|"+c.p.get("lead_id")+"|"+c.p.get("date")+"|"+c.stageName())
}

// agentStat is one agent's figures over the period.
type agentStat struct {
	user, name, group, campaign           string
	calls, sessions, pauses               int
	login, talk, pause, wait, dispo, dead int
}

// agentStats gathers the agents with activity in the period, sorted by
// campaign (the agent's) then user, as the script orders its rows.
func (c *naCall) agentStats(from, to time.Time, agent, camp string) []agentStat {
	sums, err := c.h.eng.AgentSummaries(c.ctx, from, to)
	if err != nil {
		c.h.log.Error("vicidial: agent_stats_export", "err", err)
		return nil
	}
	var out []agentStat
	for _, s := range sums {
		if agent != "" && s.Agent.Username != agent || camp != "" && s.Agent.Campaign != camp {
			continue
		}
		act, err := c.h.eng.AgentActivity(c.ctx, s.Agent.Username, from, to.Add(time.Second))
		if err != nil || act.Logins+act.Pauses == 0 && len(s.Calls) == 0 && s.LoginSeconds == 0 {
			continue
		}
		// Calls and talk time from the stored calls (they hold every call,
		// the queue log only those that went through a queue).
		talk := 0
		for _, call := range s.Calls {
			if call.ConnectedAt != nil && call.EndedAt != nil {
				talk += int(call.EndedAt.Sub(*call.ConnectedAt).Seconds())
			}
		}
		st := agentStat{user: s.Agent.Username, name: s.Agent.Name, group: s.Agent.UserGroup, campaign: s.Agent.Campaign,
			calls: len(s.Calls), sessions: max(act.Logins, 1), pauses: act.Pauses, login: int(s.LoginSeconds),
			talk: talk, pause: act.PauseSeconds}
		st.login = max(st.login, st.talk+st.pause)
		st.wait = st.login - st.talk - st.pause
		out = append(out, st)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].campaign != out[j].campaign && c.p.get("group_by_campaign") == "YES" {
			return out[i].campaign < out[j].campaign
		}
		return out[i].user < out[j].user
	})
	return out
}

// row prints the script's figures: times through sec_convert, the
// percentages with one decimal and a % sign; pause_time stays seconds.
func (st agentStat) row(format string, totalCalls int) []string {
	div := func(a, b int) float64 {
		if b == 0 || a == 0 {
			return 0
		}
		return float64(a) / float64(b)
	}
	pctPause := 100.0
	if st.pauses > 0 && st.login > 0 {
		pctPause = div(st.pause, st.login) * 100
	}
	cust, wait, talk, dispo, dead := st.talk-st.dead, st.wait, st.talk, st.dispo, st.dead
	if st.calls < 1 {
		cust, wait, talk, dispo, dead = 0, 0, 0, 0, 0
	}
	sc := func(sec float64) string { return secConvert(sec, format) }
	return []string{st.user, st.name, st.group, strconv.Itoa(st.calls), sc(float64(st.login)), sc(float64(cust)),
		sc(math.Round(div(cust, st.calls))), sc(math.Round(div(st.wait, st.calls))), phpRound1(div(st.calls, totalCalls)*100) + "%",
		strconv.Itoa(st.pause), strconv.Itoa(st.sessions), sc(math.Round(div(st.login, st.sessions))), strconv.Itoa(st.pauses),
		sc(math.Round(div(st.pause, st.pauses))), phpRound1(pctPause) + "%", strconv.FormatFloat(math.Round(div(st.pauses, st.sessions)), 'f', -1, 64),
		sc(float64(wait)), sc(float64(talk)), sc(float64(dispo)), sc(float64(dead))}
}

// timeFormat is the script's time_format, HF by default.
func (c *naCall) timeFormat() string { return defaulted(c.p.get("time_format"), "HF") }

// secConvert is VICIdial's sec_convert: H and HF print H:MM:SS, M prints
// M:SS, anything else plain seconds; under a second it prints 0:00:00 (H,
// HF), 0 (S) or 0:00 (anything else), as the PHP does.
func secConvert(sec float64, format string) string {
	s := int64(math.Round(sec))
	if s < 1 {
		switch format {
		case "HF", "H":
			return "0:00:00"
		case "S":
			return "0"
		}
		return "0:00"
	}
	switch format {
	case "HF", "H":
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s%3600/60, s%60)
	case "M":
		return fmt.Sprintf("%d:%02d", s/60, s%60)
	}
	return strconv.FormatInt(s, 10)
}

// phpRound1 prints round($x, 1) as PHP echoes a float: no trailing ".0".
func phpRound1(x float64) string {
	return strconv.FormatFloat(math.Round(x*10)/10, 'f', -1, 64)
}
