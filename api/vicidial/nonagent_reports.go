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
	from, to, ok := c.dispoPeriod()
	camps, queues := c.statsGroups()
	var statuses []string
	if s := c.p.get("statuses"); s != "" {
		statuses = strings.Split(s, "-")
	}
	var stats []core.CallGroupStats
	if ok {
		var err error
		if stats, err = c.h.eng.CallStatusStats(c.ctx, from, to, camps, queues, statuses); err != nil {
			c.h.log.Error("vicidial: call_status_stats", "err", err)
		}
	}
	for _, g := range stats {
		hours := make([]string, 24)
		for h, n := range g.Hours {
			hours[h] = twoDigits(h) + "-" + strconv.Itoa(n)
		}
		sort.SliceStable(g.Statuses, func(i, j int) bool { return natLess(g.Statuses[i].Status, g.Statuses[j].Status) })
		st := make([]string, len(g.Statuses))
		for i, s := range g.Statuses {
			st[i] = s.Status + "-" + strconv.Itoa(s.Count)
		}
		c.raw(g.Group + "|" + strconv.Itoa(g.Total) + "|" + strconv.Itoa(g.Answered) + "|" + strings.Join(hours, ",") + "|" + strings.Join(st, ",") + "|")
	}
	c.logRow("SUCCESS", "call_status_stats", c.user+"|"+from.Format("2006-01-02 15:04:05")+"|"+strconv.Itoa(len(stats)))
}

// statsGroups are call_status_stats' rows, each kind in natural order: the
// campaigns asked (ALLCAMPAIGNS or ---ALL---: every campaign), and the
// in-groups asked or, without ingroups, those the campaigns take.
func (c *naCall) statsGroups() (camps, queues []string) {
	list := c.p.get("campaigns")
	all := dashFilter(list, "ALLCAMPAIGNS") == nil
	seen := map[string]bool{}
	for _, camp := range c.h.eng.Campaigns() {
		if all {
			camps = append(camps, camp.Name)
		}
	}
	if !all {
		camps = uniq(strings.Split(list, "-"))
	}
	if v := c.p.get("ingroups"); v != "" {
		queues = uniq(strings.Split(v, "-"))
	} else {
		for _, camp := range c.h.eng.Campaigns() {
			if !all && !contains(camps, camp.Name) {
				continue
			}
			for _, q := range strings.Fields(camp.Ingroups) {
				if !seen[q] {
					seen[q] = true
					queues = append(queues, q)
				}
			}
		}
	}
	sort.SliceStable(camps, func(i, j int) bool { return natLess(camps[i], camps[j]) })
	sort.SliceStable(queues, func(i, j int) bool { return natLess(queues[i], queues[j]) })
	return camps, queues
}

func uniq(list []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, x := range list {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// callDispoReport is call_dispo_report: calls per outbound campaign, per
// in-group and per DID between query_date query_time and end_date
// end_time, optionally broken down by status, as the script's plain-text
// CSV (its last line has no line end).
func (c *naCall) callDispoReport() {
	camps, ingroups, dids := c.p.get("campaigns"), c.p.get("ingroups"), c.p.get("did_ids")+c.p.get("did_patterns")
	if len(camps) < 2 && len(ingroups) < 2 && len(dids) < 1 {
		c.line("ERROR", "call_dispo_report INVALID OR MISSING CAMPAIGNS, INGROUPS, OR DIDS", "",
			"ERROR: call_dispo_report INVALID OR MISSING CAMPAIGNS, INGROUPS, OR DIDS - "+c.source+"\nERROR: Invalid Source: |"+c.source+"|")
		return
	}
	from, to, ok := c.dispoPeriod()
	if !ok {
		// The script's query finds nothing in a reversed or unreadable period.
		c.contentType = "text/plain;charset=UTF-8"
		c.out.WriteString("CAMPAIGN,TOTAL CALLS\nTOTAL,0")
		return
	}
	calls, err := c.h.eng.CallLog(c.ctx, core.CallLogQuery{From: from, To: to.Add(time.Second)})
	if err != nil {
		c.h.log.Error("vicidial: call_dispo_report", "err", err)
	}
	r := newDispoReport(c.p.get("status_breakdown") != "", c.p.get("show_percentages") != "" && c.p.get("status_breakdown") != "")
	statuses, users := dashFilter(c.p.get("statuses"), "ALLSTATUSES"), c.dispoUsers()
	for _, call := range calls {
		if statuses != nil && !statuses[call.Status] || users != nil && !users[call.Agent] {
			continue
		}
		switch {
		case call.Direction != core.CallInbound && len(camps) > 0 && inDashList(camps, call.Campaign, "ALLCAMPAIGNS"):
			r.add(&r.outbound, call.Campaign, call.Status)
		case call.Direction == core.CallInbound && len(ingroups) > 0 && inDashList(ingroups, call.Queue, "ALLGROUPS"):
			r.add(&r.inbound, call.Queue, call.Status)
		case call.Direction == core.CallInbound && len(ingroups) == 0 && len(dids) > 0 &&
			(inDashList(c.p.get("did_ids"), call.DID, "ALLDIDS") || inDashList(c.p.get("did_patterns"), call.DID, "ALLPATTERNS")):
			r.add(&r.dids, call.DID, call.Status)
		}
	}
	c.contentType = "text/plain;charset=UTF-8"
	c.out.WriteString(r.String())
	c.logRow("SUCCESS", "call_dispo_report", c.user+"|"+from.Format("2006-01-02 15:04:05")+"|"+to.Format("2006-01-02 15:04:05"))
}

// dispoPeriod is the script's period: query_date (today) query_time
// (00:00:00) to end_date (query_date) end_time (23:59:59).
func (c *naCall) dispoPeriod() (time.Time, time.Time, bool) {
	qd := defaulted(c.p.get("query_date"), c.now.Format("2006-01-02"))
	qt := defaulted(c.p.get("query_time"), "00:00:00")
	ed := defaulted(c.p.get("end_date"), qd)
	et := defaulted(c.p.get("end_time"), "23:59:59")
	from, err1 := time.ParseInLocation("2006-01-02 15:04:05", qd+" "+qt, c.now.Location())
	to, err2 := time.ParseInLocation("2006-01-02 15:04:05", ed+" "+et, c.now.Location())
	return from, to, err1 == nil && err2 == nil && !to.Before(from)
}

// dispoUsers is users plus the members of user_groups (nil: everyone).
func (c *naCall) dispoUsers() map[string]bool {
	users := dashFilter(c.p.get("users"), "ALLUSERS")
	groups := dashFilter(c.p.get("user_groups"), "ALLGROUPS")
	if c.p.get("users") != "" && users == nil || c.p.get("user_groups") != "" && groups == nil {
		return nil
	}
	if groups != nil {
		if users == nil {
			users = map[string]bool{}
		}
		for g := range groups {
			members, _ := c.h.eng.AgentsOfGroup(c.ctx, g)
			for _, a := range members {
				users[a.Username] = true
			}
		}
	}
	return users
}

// dashFilter reads a dash list; nil when empty or when it selects all.
func dashFilter(v, all string) map[string]bool {
	if v == "" || strings.Contains(v, "---ALL---") {
		return nil
	}
	m := map[string]bool{}
	for _, x := range strings.Split(v, "-") {
		if x == all {
			return nil
		}
		m[x] = true
	}
	return m
}

func inDashList(v, name, all string) bool {
	f := dashFilter(v, all)
	return f == nil || f[name]
}

// dispoReport accumulates call_dispo_report's counts in the script's
// orders: rows by name, status columns by first appearance in the header,
// while each row's values follow natural case-insensitive status order
// (the script's uksort; the two orders differ when statuses appear out of
// order, as in VICIdial).
type dispoReport struct {
	breakdown, pct          bool
	outbound, inbound, dids map[string]map[string]int
	statuses                []string
	total                   int
	grand                   map[string]int
}

func newDispoReport(breakdown, pct bool) *dispoReport {
	return &dispoReport{breakdown: breakdown, pct: pct, grand: map[string]int{}}
}

func (r *dispoReport) add(m *map[string]map[string]int, key, status string) {
	if *m == nil {
		*m = map[string]map[string]int{}
	}
	if (*m)[key] == nil {
		(*m)[key] = map[string]int{}
	}
	(*m)[key][""]++
	(*m)[key][status]++
	r.total++
	r.grand[status]++
}

func (r *dispoReport) String() string {
	r.statuses = r.appearance()
	var b strings.Builder
	b.WriteString("CAMPAIGN,TOTAL CALLS")
	if r.breakdown {
		for _, s := range r.statuses {
			b.WriteString("," + s)
		}
	}
	b.WriteString("\n")
	for _, m := range []map[string]map[string]int{r.outbound, r.inbound, r.dids} {
		for _, k := range sortedKeys(m) {
			b.WriteString(k + "," + strconv.Itoa(m[k][""]))
			if r.breakdown {
				r.values(&b, m[k], m[k][""])
			}
			b.WriteString("\n")
		}
	}
	b.WriteString("TOTAL," + strconv.Itoa(r.total))
	if r.breakdown {
		r.values(&b, r.grand, r.total)
	}
	return b.String()
}

// appearance is the order the script meets statuses in: its queries
// return outbound, then inbound, then DID rows, each by name and status.
func (r *dispoReport) appearance() []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range []map[string]map[string]int{r.outbound, r.inbound, r.dids} {
		for _, k := range sortedKeys(m) {
			var sts []string
			for s := range m[k] {
				if s != "" && !seen[s] {
					sts = append(sts, s)
				}
			}
			sort.Strings(sts)
			for _, s := range sts {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return out
}

func sortedKeys(m map[string]map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// values prints ",n" (and " (p%)") per status in natural case order.
func (r *dispoReport) values(b *strings.Builder, counts map[string]int, total int) {
	names := append([]string(nil), r.statuses...)
	sort.SliceStable(names, func(i, j int) bool { return natLess(names[i], names[j]) })
	for _, s := range names {
		n := counts[s]
		b.WriteString("," + strconv.Itoa(n))
		if r.pct && total > 0 {
			fmt.Fprintf(b, " (%.1f%%)", 100*float64(n)/float64(total))
		}
	}
}

// natLess is PHP's strnatcasecmp order, for the status codes it sorts
// (letters and digits): digit runs compare as numbers.
func natLess(a, b string) bool {
	a, b = strings.ToLower(a), strings.ToLower(b)
	for a != "" && b != "" {
		da, db := digitRun(a), digitRun(b)
		if da > 0 && db > 0 {
			na, _ := strconv.Atoi(a[:da])
			nb, _ := strconv.Atoi(b[:db])
			if na != nb {
				return na < nb
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func digitRun(s string) int {
	n := 0
	for n < len(s) && n < 9 && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
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
