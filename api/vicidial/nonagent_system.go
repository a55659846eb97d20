package vicidial

import (
	"strconv"
	"strings"
)

// serverRefresh is server_refresh: VICIdial flags every telephony server to
// rebuild its Asterisk configuration; Callgate generates no Asterisk
// configuration, so its equivalent is the engine reading its catalog
// (queues, campaigns, agents, routes) back from the store at once, the one
// engine counted as the one server refreshed (see doc.go).
func (c *naCall) serverRefresh() {
	if !strings.Contains(c.p.get("stage"), "REFRESH") {
		c.colon("ERROR", "YOU MUST USE ALL REQUIRED FIELDS", "|"+c.user+"|"+c.p.get("alias_id")+"|"+c.p.get("alias_name")+"|"+c.p.get("phone_logins"))
		return
	}
	n := 1
	if err := c.h.eng.Reload(c.ctx); err != nil {
		c.h.log.Warn("vicidial: server_refresh", "err", err)
		n = 0
	}
	c.dash("SUCCESS", "SERVER REFRESH HAS BEEN TRIGGERED", c.user+"|"+strconv.Itoa(n))
}

// leadDearchive is lead_dearchive: Callgate keeps no lead archive (a lead
// is in the leads table or nowhere), so a valid lead_id is always the
// script's ARCHIVED LEAD NOT FOUND.
func (c *naCall) leadDearchive() {
	id := c.p.get("lead_id")
	if len(id) < 1 || len(id) > 11 {
		c.line("ERROR", "lead_dearchive INVALID SEARCH PARAMETERS", c.user+"|"+id,
			"ERROR: lead_dearchive INVALID SEARCH PARAMETERS: "+c.user+"|"+id)
		return
	}
	data := c.user + "|" + id + "|" + c.p.get("stage") + "|" + c.p.get("search_location")
	c.line("ERROR", "lead_dearchive ARCHIVED LEAD NOT FOUND", data, "ERROR: lead_dearchive ARCHIVED LEAD NOT FOUND: "+data)
}
