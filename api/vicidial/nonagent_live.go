package vicidial

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
)

func parseDay(s string, now time.Time) (time.Time, error) {
	return time.ParseInLocation("2006-01-02", s, now.Location())
}

// recordingLookup is recording_lookup: the search must add up to two
// points (agent_user 1, lead_id 2, date 1, uniqueid 2, extension 1).
func (c *naCall) recordingLookup() {
	agent, leadID, date, uid := c.p.get("agent_user"), c.p.get("lead_id"), c.p.get("date"), c.p.get("uniqueid")
	data := c.user + "|" + agent + "|" + leadID + "|" + date + "|" + uid
	var q core.RecordingQuery
	points := 0
	if agent != "" {
		q.Agent, points = agent, points+1
	}
	if id, err := strconv.ParseUint(leadID, 10, 64); err == nil && id > 0 {
		q.LeadID, points = id, points+2
	}
	if date != "" {
		if _, err := parseDay(date, c.now); err != nil {
			points = -10
		}
		q.Day, points = date, points+1
	}
	if uid != "" {
		id, err := c.h.eng.ExternalIDs().Internal(c.ctx, core.EntityCall, Dialect, uid)
		if err != nil {
			id, _ = strconv.ParseUint(uid, 10, 64)
		}
		q.CallID, points = id, points+2
		if id == 0 {
			q.CallID = ^uint64(0) // matches nothing
		}
	}
	if points < 2 {
		c.colon("ERROR", "INVALID SEARCH PARAMETERS", data)
		return
	}
	recs, err := c.h.eng.FindRecordings(c.ctx, q)
	if err != nil || len(recs) == 0 {
		c.dash("ERROR", "NO RECORDINGS FOUND", data)
		return
	}
	c.header("start_time", "user", "recording_id", "lead_id", "location")
	for _, r := range recs {
		row := []string{r.Start.In(c.now.Location()).Format("2006-01-02 15:04:05"), r.Agent,
			strconv.FormatUint(r.ID, 10), strconv.FormatUint(r.LeadID, 10)}
		if c.p.get("duration") == "Y" {
			row = append(row, strconv.Itoa(r.Length))
		}
		c.row(append(row, recordingLocation(r))...)
	}
	c.logRow("SUCCESS", "recording_lookup", data)
}

// recordingLocation is where the audio is: the archived media key, else
// the PBX file.
func recordingLocation(r core.Recording) string {
	if r.MediaFile != "" {
		return r.MediaFile
	}
	return r.File
}

// liveCounts are the script's figures over a set of vicidial_live_agents
// rows.
type liveCounts struct{ agents, inCalls, waiting, paused, dead, dispo, dial int }

// count classifies one agent as the script does: READY or PAUSED with a
// lead still to disposition is DISPO; INCALL whose call is gone is DEAD,
// held (parked) is PARK, a manual call not yet answered is DIAL.
func (n *liveCounts) count(s core.AgentSession, live map[uint64]core.Call) {
	st := vicidialStatus(s)
	switch {
	case s.State == core.AgentWrapUp:
		st = "DISPO"
	case st == "INCALL":
		call, ok := live[s.CallID]
		switch {
		case !ok:
			st = "DEAD"
		case s.OnHold:
			st = "PARK"
		case call.ConnectedAt == nil && call.Direction != core.CallInbound:
			st = "DIAL"
		}
	}
	n.agents++
	switch st {
	case "DEAD":
		n.dead++
	case "DISPO":
		n.dispo++
	case "PAUSED":
		n.paused++
	case "INCALL", "DIAL", "QUEUE", "PARK":
		n.inCalls++
		if st == "DIAL" {
			n.dial++
		}
	case "READY":
		n.waiting++
	}
}

func (c *naCall) liveCalls() map[uint64]core.Call {
	m := map[uint64]core.Call{}
	for _, call := range c.h.eng.ActiveCalls() {
		m[call.ID] = call
	}
	return m
}

// inGroupStatus is in_group_status: one row over the in-groups asked
// (pipe-separated, printed space-separated): their calls, those waiting,
// and the agents taking any of them by state.
func (c *naCall) inGroupStatus() {
	raw := c.p.get("in_groups")
	if len(raw) < 1 || len(raw) >= 10000 {
		data := c.user + "|" + raw
		c.line("ERROR", "in_group_status INVALID SEARCH PARAMETERS", data, "ERROR: in_group_status INVALID SEARCH PARAMETERS: "+data)
		return
	}
	want := map[string]bool{}
	for _, g := range strings.Split(raw, "|") {
		want[g] = true
	}
	calls, waiting := 0, 0
	for q := range want {
		waiting += len(c.h.eng.Waiting(q))
	}
	live := c.liveCalls()
	for _, call := range live {
		if want[call.Queue] && call.Direction == core.CallInbound {
			calls++
		}
	}
	var n liveCounts
	for _, s := range c.h.eng.Sessions() {
		for _, q := range c.h.eng.AgentQueues(s.Username) {
			if want[q] {
				n.count(s, live)
				break
			}
		}
	}
	c.header("ingroups", "total_calls", "calls_waiting", "agents_logged_in", "agents_in_calls", "agents_waiting",
		"agents_paused", "agents_in_dispo", "agents_in_dial")
	c.row(strings.ReplaceAll(raw, "|", " "), strconv.Itoa(calls), strconv.Itoa(waiting), strconv.Itoa(n.agents),
		strconv.Itoa(n.inCalls), strconv.Itoa(n.waiting), strconv.Itoa(n.paused), strconv.Itoa(n.dispo), strconv.Itoa(n.dial))
	c.logRow("SUCCESS", "in_group_status CALLS FOUND: "+strconv.Itoa(n.agents), c.user+"|"+raw+"|"+c.stageName())
}

// blindMonitor is blind_monitor: the supervisor's phone (phone_login) is
// called and put on the call of the agent whose session is session_id,
// through the engine's snoop (MONITOR listens, BARGE talks to both,
// WHISPER talks to the agent only).
func (c *naCall) blindMonitor() {
	phone, session := c.p.get("phone_login"), c.p.get("session_id")
	m, okStage := monitorMode(c.p.get("stage"))
	var agent string
	for _, s := range c.h.eng.Sessions() {
		if strconv.Itoa(c.h.eng.ConferenceRoom(s, c.h.opt.ConfExtenBase)) == session {
			agent = s.Username
		}
	}
	if len(session) != 7 || agent == "" || !okStage {
		c.dash("ERROR", "INVALID SESSION ID", session+"|"+c.p.get("server_ip")+"|"+c.user)
		return
	}
	endpoint, number, ok := c.phoneEndpoint(phone)
	if !ok {
		c.dash("ERROR", "INVALID PHONE LOGIN", phone+"|"+c.user)
		return
	}
	if err := c.h.eng.Snoop(c.ctx, endpoint, agent, m.mode); err != nil {
		// Callgate joins the agent's call, not an empty conference: with
		// no call there is nothing to monitor (see doc.go).
		c.dash("ERROR", "INVALID SESSION ID", session+"|"+c.p.get("server_ip")+"|"+c.user)
		return
	}
	dial := dialString(defaulted(c.h.opt.ServerIP, "127.0.0.1")) + m.prefix + session
	c.dash("SUCCESS", "HAS BEEN LAUNCHED", phone+"|"+dial+"|"+number+"|"+session+"|"+strconv.FormatInt(c.now.Unix(), 10)+"|"+c.user)
}

// monitorMode reads blind_monitor's stage as the script does, by
// substring in its order: MONITOR (or empty) listens, BARGE and BARGESWAP
// barge (SWAP only turns the originate around in VICIdial, which a snoop
// has no use for), WHISPER whispers to the agent. HIJACK, "not
// functional" in VICIdial, is not served.
func monitorMode(stage string) (m struct{ mode, prefix string }, ok bool) {
	if stage == "" || strings.Contains(stage, "MONITOR") {
		m, ok = struct{ mode, prefix string }{"listen", "4"}, true
	}
	if strings.Contains(stage, "BARGE") {
		m, ok = struct{ mode, prefix string }{"barge", "6"}, true
	}
	if strings.Contains(stage, "HIJACK") {
		ok = false
	}
	if strings.Contains(stage, "WHISPER") {
		m, ok = struct{ mode, prefix string }{"whisper", "47378221"}, true
	}
	return m, ok
}

// phoneEndpoint is the endpoint and dialplan number of the phone with that
// login: a provisioned phone, else an agent's own phone.
func (c *naCall) phoneEndpoint(login string) (endpoint, number string, ok bool) {
	if p, err := c.h.eng.PhoneByLogin(c.ctx, login); err == nil && p.Active {
		return p.Endpoint(), defaulted(p.DialplanNumber, p.Extension), true
	}
	if a, err := c.h.eng.AgentByPhoneLogin(c.ctx, login); err == nil && a.Extension != "" {
		return a.Extension, a.Number, true
	}
	return "", "", false
}

// dialString is the server IP zero-padded with * separators:
// 10.10.10.17 → 010*010*010*017*.
func dialString(ip string) string {
	var b strings.Builder
	for _, part := range strings.Split(ip, ".") {
		n, _ := strconv.Atoi(part)
		fmt.Fprintf(&b, "%03d*", n)
	}
	return b.String()
}

// callidInfo is callid_info: a call named by its VICIdial call id (the id
// the agent API and agent_status print), live or ended.
// callidInfo is callid_info: a call found by its VICIdial call id, with the
// customer's talk seconds (detail=YES: the log row too).
func (c *naCall) callidInfo() {
	cid := c.p.get("call_id")
	if len(cid) < 18 || len(cid) >= 40 || !hasAnyPrefix(cid, "Y", "J", "V", "M", "DC", "S", "LP", "VH", "XL") {
		data := c.user + "|" + cid
		c.line("ERROR", "callid_info INVALID SEARCH PARAMETERS", data, "ERROR: callid_info INVALID SEARCH PARAMETERS: "+data)
		return
	}
	call, ok := c.callByVicidialID(cid)
	if !ok {
		data := c.user + "|" + c.p.get("agent_user")
		c.line("ERROR", "callid_info CALL NOT FOUND", data, "ERROR: callid_info CALL NOT FOUND: "+data)
		return
	}
	custSec := 0
	if call.ConnectedAt != nil {
		end := c.now
		if call.EndedAt != nil {
			end = *call.EndedAt
		}
		custSec = int(end.Sub(*call.ConnectedAt).Seconds())
	}
	detail := c.p.get("detail") == "YES"
	if detail {
		c.header("call_id", "custtime", "call_date", "phone", "call_type", "campaign_id", "list_id", "status", "user")
	} else {
		c.header("call_id", "custtime")
	}
	start := c.out.Len()
	if !detail {
		c.row(cid, strconv.Itoa(custSec))
	} else {
		c.row(cid, strconv.Itoa(custSec), c.stamp(call.CreatedAt), call.Phone, callidType(cid), c.callGroup(call),
			c.leadList(call.LeadID), call.Status, call.Agent)
	}
	// The script logs the printed row as the reason.
	c.logRow("SUCCESS", "callid_info "+c.out.String()[start:], c.user+"|"+cid+"|"+c.stageName())
}

// callidType is the script's call_type, read off the call id's prefix.
func callidType(cid string) string {
	switch {
	case hasAnyPrefix(cid, "Y", "J", "LP", "VH"):
		return "INBOUND"
	case strings.HasPrefix(cid, "V"):
		return "OUTBOUND_AUTO"
	case strings.HasPrefix(cid, "M"):
		return "OUTBOUND_MANUAL"
	}
	return "OUTBOUND_OTHER"
}

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// callByVicidialID finds a live or ended call by the id the VICIdial APIs
// gave it.
func (c *naCall) callByVicidialID(cid string) (core.Call, bool) {
	if call, ok := c.h.ids.callByID(c.ctx, cid, c.h.eng.ActiveCalls()); ok {
		return call, true
	}
	id, err := c.h.eng.ExternalIDs().Internal(c.ctx, core.EntityCall, Dialect, cid)
	if err != nil {
		return core.Call{}, false
	}
	call, err := c.h.eng.Call(c.ctx, id)
	return call, err == nil
}

// callGroup is vicidial_log's campaign_id: the in-group of an inbound call.
func (c *naCall) callGroup(call core.Call) string {
	if call.Direction == core.CallInbound {
		return call.Queue
	}
	return call.Campaign
}

// leadList is the list of the call's lead ("" without one).
func (c *naCall) leadList(id uint64) string {
	if id == 0 {
		return ""
	}
	l, err := c.h.eng.Lead(c.ctx, id)
	if err != nil {
		return ""
	}
	return strconv.FormatUint(l.ListID, 10)
}

// stageName is the script's $stage after its delimiter choice.
func (c *naCall) stageName() string {
	switch s := c.p.get("stage"); s {
	case "csv", "tab":
		return s
	}
	return "pipe"
}

// userGroupStatus is user_group_status: one row over the user groups asked
// (pipe-separated, printed space-separated): callers waiting in every
// queue, and the groups' logged-in agents by state.
func (c *naCall) userGroupStatus() {
	raw := c.p.get("user_groups")
	if len(raw) < 1 || len(raw) >= 10000 {
		data := c.user + "|" + raw
		c.line("ERROR", "user_group_status INVALID SEARCH PARAMETERS", data, "ERROR: user_group_status INVALID SEARCH PARAMETERS: "+data)
		return
	}
	want := map[string]bool{}
	for _, g := range strings.Split(raw, "|") {
		want[g] = true
	}
	waiting := 0
	for _, q := range c.h.eng.Queues() {
		waiting += len(c.h.eng.Waiting(q.Name))
	}
	live := c.liveCalls()
	var n liveCounts
	for _, s := range c.h.eng.Sessions() {
		if a, err := c.h.eng.FindAgent(c.ctx, s.Username); err == nil && want[a.UserGroup] {
			n.count(s, live)
		}
	}
	c.header("usergroups", "calls_waiting", "agents_logged_in", "agents_in_calls", "agents_waiting", "agents_paused",
		"agents_in_dead_calls", "agents_in_dispo", "agents_in_dial")
	c.row(strings.ReplaceAll(raw, "|", " "), strconv.Itoa(waiting), strconv.Itoa(n.agents), strconv.Itoa(n.inCalls),
		strconv.Itoa(n.waiting), strconv.Itoa(n.paused), strconv.Itoa(n.dead), strconv.Itoa(n.dispo), strconv.Itoa(n.dial))
	c.logRow("SUCCESS", "user_group_status AGENTS FOUND: "+strconv.Itoa(n.agents), c.user+"|"+raw+"|"+c.stageName())
}
