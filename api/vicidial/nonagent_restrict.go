package vicidial

import (
	"strings"

	"github.com/callgate/callgate/core"
)

// listRestricted are the functions api_list_restrict narrows to the lists
// of the user group's allowed campaigns.
var listRestricted = map[string]bool{"add_lead": true, "update_lead": true, "batch_update_lead": true,
	"update_list": true, "list_info": true, "list_custom_fields": true, "lead_search": true}

// listRestriction reads the API user's api_list_restrict setting and, when
// it is on for this function, its user group. It answers VICIdial's
// "user_group DOES NOT EXIST" line and false when the group is unknown.
func (c *naCall) listRestriction() bool {
	if !listRestricted[c.function] {
		return true
	}
	v, err := c.h.eng.Settings().Values(c.ctx, Dialect, core.ScopeUser, c.user)
	if err != nil {
		c.h.log.Warn("vicidial: api_list_restrict", "user", c.user, "err", err)
	}
	if v.String(setAPIListRestrict) != "1" {
		return true
	}
	group := ""
	if a, err := c.h.eng.FindAgent(c.ctx, c.user); err == nil {
		group = a.UserGroup
	}
	g, err := c.h.eng.UserGroup(c.ctx, group)
	if group == "" || err != nil {
		c.line("ERROR", "user_group DOES NOT EXIST", "", "ERROR: user_group DOES NOT EXIST: |"+c.user+"|"+group+"|")
		return false
	}
	c.restrict = &g
	return true
}

// campaignsAll is VICIdial's test for "every campaign" (/-ALL/i).
func campaignsAll(g core.UserGroup) bool {
	return strings.Contains(strings.ToUpper(g.AllowedCampaigns), "-ALL")
}

// listAllowed is VICIdial's " $list_id " in allowed_lists: with
// api_list_restrict on, the list must exist and belong to a campaign of
// the user group (any campaign with -ALL-CAMPAIGNS-).
func (c *naCall) listAllowed(id uint64) bool {
	if c.restrict == nil {
		return true
	}
	l, err := c.h.eng.FindList(c.ctx, id)
	if err != nil {
		return false
	}
	if campaignsAll(*c.restrict) {
		return true
	}
	for _, f := range strings.Fields(strings.ReplaceAll(c.restrict.AllowedCampaigns, " -", " ")) {
		if f == l.Campaign && f != "" {
			return true
		}
	}
	return false
}
