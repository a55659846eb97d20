package vicidial

import (
	"sort"
	"strconv"
	"strings"

	"github.com/callgate/callgate/core"
)

// liveAgent is one vicidial_live_agents row as the status exports print it.
type liveAgent struct {
	s                             core.AgentSession
	a                             core.Agent
	status, callerID, lead, phone string
	vendor, subStatus             string
}

func (c *naCall) liveAgent(s core.AgentSession) liveAgent {
	la := liveAgent{s: s, status: vicidialStatus(s)}
	la.a, _ = c.h.eng.FindAgent(c.ctx, s.Username)
	if call, ok := c.h.eng.AgentCall(s.Username); ok {
		la.callerID = c.h.ids.callID(c.ctx, call)
		if call.LeadID != 0 {
			s.LeadID = call.LeadID
		}
		if call.State == core.CallRingingOut || call.State == core.CallDialing {
			la.subStatus = "RING"
		}
	} else if s.State == core.AgentWrapUp {
		la.subStatus = "DISPO"
	}
	if s.LeadID != 0 {
		la.lead = strconv.FormatUint(s.LeadID, 10)
		if l, err := c.h.eng.Lead(c.ctx, s.LeadID); err == nil {
			la.phone, la.vendor = l.PhoneNumber, l.VendorLeadCode
		}
	} else {
		la.lead = "0"
	}
	return la
}

func (c *naCall) agentStatus() {
	agent := c.p.get("agent_user")
	data := c.user + "|" + agent
	if len(agent) < 1 {
		c.colon("ERROR", "INVALID SEARCH PARAMETERS", data)
		return
	}
	if _, err := c.h.eng.FindAgent(c.ctx, agent); err != nil {
		c.colon("ERROR", "AGENT NOT FOUND", data)
		return
	}
	s, ok := c.h.eng.Session(agent)
	if !ok {
		c.colon("ERROR", "AGENT NOT LOGGED IN", data)
		return
	}
	la := c.liveAgent(s)
	head := []string{"status", "callerid", "lead_id", "campaign_id", "calls_today", "full_name", "user_group",
		"user_level", "pause_code", "real_time_sub_status", "phone_number", "vendor_lead_code", "session_id"}
	row := []string{la.status, la.callerID, la.lead, s.Campaign, strconv.Itoa(s.CallsTaken), la.a.Name,
		la.a.UserGroup, strconv.Itoa(la.a.UserLevel), s.PauseCode, la.subStatus, la.phone, la.vendor,
		strconv.Itoa(c.h.eng.ConferenceRoom(s, c.h.opt.ConfExtenBase))}
	if c.p.get("include_ip") == "YES" {
		head, row = append(head, "computer_ip"), append(row, "")
	}
	c.header(head...)
	c.row(row...)
	c.logRow("SUCCESS", "agent_status", data)
}

func (c *naCall) loggedInAgents() {
	camps := pipeSet(c.p.get("campaigns"))
	groups := pipeSet(c.p.get("user_groups"))
	sessions := c.h.eng.Sessions()
	sort.Slice(sessions, func(i, j int) bool { return sessions[i].Username < sessions[j].Username })
	var rows [][]string
	sub := c.p.get("show_sub_status") == "YES"
	for _, s := range sessions {
		la := c.liveAgent(s)
		if camps != nil && !camps[s.Campaign] || groups != nil && !groups[la.a.UserGroup] {
			continue
		}
		row := []string{s.Username, s.Campaign, strconv.Itoa(c.h.eng.ConferenceRoom(s, c.h.opt.ConfExtenBase)),
			la.status, la.lead, la.callerID, strconv.Itoa(s.CallsTaken), la.a.Name, la.a.UserGroup, strconv.Itoa(la.a.UserLevel)}
		if sub {
			row = append(row, s.PauseCode, la.subStatus)
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		c.colon("ERROR", "NO LOGGED IN AGENTS", c.user+"|"+c.p.get("agent_user"))
		return
	}
	head := []string{"user", "campaign_id", "session_id", "status", "lead_id", "callerid", "calls_today",
		"full_name", "user_group", "user_level"}
	if sub {
		head = append(head, "pause_code", "sub_status")
	}
	c.header(head...)
	for _, r := range rows {
		c.row(r...)
	}
	c.logRow("SUCCESS", "logged_in_agents", c.user+"|"+strconv.Itoa(len(rows)))
}

// pipeSet is a pipe list as a set; nil when empty or ---ALL---.
func pipeSet(v string) map[string]bool {
	if v == "" || strings.Contains(v, "---ALL---") {
		return nil
	}
	m := map[string]bool{}
	for _, x := range strings.Split(v, "|") {
		if x != "" {
			m[x] = true
		}
	}
	return m
}

func (c *naCall) campaignsList() {
	one := c.p.get("campaign_id")
	var out []core.Campaign
	for _, camp := range c.h.eng.Campaigns() {
		if one == "" || camp.Name == one {
			out = append(out, camp)
		}
	}
	if len(out) == 0 {
		c.colon("ERROR", "NO CAMPAIGNS FOUND", c.user+"|"+one)
		return
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	c.header("campaign_id", "campaign_name", "active", "user_group", "dial_method", "dial_level", "lead_order",
		"dial_statuses", "dial_timeout", "dial_prefix", "manual_dial_prefix", "three_way_dial_prefix")
	for _, camp := range out {
		ratio := camp.DialRatio
		if ratio == 0 {
			ratio = 1
		}
		settings, _ := c.h.eng.Settings().Values(c.ctx, Dialect, core.ScopeCampaign, camp.Name)
		statuses := vicidialDialStatuses(camp)
		c.row(camp.Name, camp.Description, yn(camp.Active), "---ALL---", dialMethod(camp),
			strconv.FormatFloat(ratio, 'f', 3, 64), settings.String("lead_order"), statuses, strconv.Itoa(camp.DialTimeout),
			camp.DialPrefix, camp.DialPrefix, camp.DialPrefix)
	}
	c.logRow("SUCCESS", "campaigns_list", c.user+"|"+strconv.Itoa(len(out)))
}

func yn(b bool) string {
	if b {
		return "Y"
	}
	return "N"
}

// hopperList is hopper_list: the leads the campaign's dialer calls next,
// in its order (Callgate has no hopper table; see doc.go).
func (c *naCall) hopperList() {
	camp := c.p.get("campaign_id")
	if len(camp) < 1 {
		c.colon("ERROR", "INVALID CAMPAIGN ID", c.user+"|"+camp)
		return
	}
	if _, err := c.h.eng.FindCampaign(c.ctx, camp); err != nil {
		c.colon("ERROR", "CAMPAIGN NOT FOUND", c.user+"|"+camp)
		return
	}
	leads, err := c.h.eng.NextLeads(c.ctx, camp, 1000)
	if err != nil || len(leads) == 0 {
		c.colon("ERROR", "NO LEADS IN HOPPER", c.user+"|"+camp)
		return
	}
	c.header("hopper_order", "priority", "lead_id", "list_id", "phone_number", "phone_code", "state", "status",
		"count", "gmt_offset", "hopper_id", "alt_dial", "source", "vendor_lead_code")
	for i, l := range leads {
		id := strconv.FormatUint(l.ID, 10)
		c.row(strconv.Itoa(i+1), strconv.Itoa(l.Priority), id, strconv.FormatUint(l.ListID, 10), l.PhoneNumber,
			l.PhoneCode, l.State, l.Status, strconv.Itoa(l.CalledCount), l.GMTOffset, id, "NONE", "A", l.VendorLeadCode)
	}
	c.logRow("SUCCESS", "hopper_list", c.user+"|"+camp+"|"+strconv.Itoa(len(leads)))
}
