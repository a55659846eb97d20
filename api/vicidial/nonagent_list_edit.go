package vicidial

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
)

// listOption is an add_list / update_list option Callgate keeps as a list
// setting of the dialect (core ScopeList; the names are vicidial_lists'
// columns), listed in the order the script checks them.
type listOption struct {
	param, setting string
	// refused is the option's "... IS NOT VALID, THIS IS AN OPTIONAL
	// FIELD" reason for a value, or ""; onAdd says add_list checks it too.
	refused func(c *naCall, v string) string
	onAdd   bool
	// webForm values are URL-decoded when they arrive encoded.
	webForm bool
}

func maxLen(n int, reason string) func(*naCall, string) string {
	return func(_ *naCall, v string) string {
		if len(v) > n {
			return reason
		}
		return ""
	}
}

var tzMethods = []string{"COUNTRY_AND_AREA_CODE", "POSTAL_CODE", "NANPA_PREFIX", "OWNER_TIME_ZONE_CODE"}

var listOptions = []listOption{
	{param: "script", setting: "agent_script_override", onAdd: true, refused: func(*naCall, string) string {
		return "SCRIPT DOES NOT EXIST" // Callgate has no agent scripts (see doc.go)
	}},
	{param: "drop_inbound_group", setting: "drop_inbound_group_override", onAdd: true, refused: func(c *naCall, v string) string {
		if _, err := c.h.eng.FindQueue(c.ctx, v); err != nil {
			return "IN-GROUP DOES NOT EXIST"
		}
		return ""
	}},
	{param: "outbound_cid", setting: "campaign_cid_override", refused: func(_ *naCall, v string) string {
		if len(v) < 6 || len(v) > 18 {
			return "OUTBOUND CID MUST BE FROM 6 TO 18 DIGITS"
		}
		return ""
	}},
	{param: "am_message", setting: "am_message_exten_override", refused: maxLen(100, "ANSWERING MACHINE MESSAGE MUST LESS THAN 101 DIGITS")},
	{param: "reset_time", setting: "reset_time", onAdd: true, refused: func(_ *naCall, v string) string {
		if len(v) < 4 || !resetTimes(v) {
			return "RESET TIME IS NOT VALID"
		}
		return ""
	}},
	{param: "expiration_date", setting: "expiration_date", refused: func(_ *naCall, v string) string {
		if _, err := time.Parse("2006-01-02", v); err != nil {
			return "EXPIRATION DATE IS NOT VALID"
		}
		return ""
	}},
	{param: "web_form_address", setting: "web_form_address", webForm: true},
	{param: "web_form_address_two", setting: "web_form_address_two", webForm: true},
	{param: "web_form_address_three", setting: "web_form_address_three", webForm: true},
	{param: "list_description", setting: "list_description"},
	{param: "tz_method", setting: "time_zone_setting", onAdd: true, refused: func(_ *naCall, v string) string {
		for _, m := range tzMethods {
			if v == m {
				return ""
			}
		}
		return "TIME ZONE METHOD IS NOT VALID"
	}},
	{param: "local_call_time", setting: "local_call_time", onAdd: true, refused: func(_ *naCall, v string) string {
		if _, ok := core.FindCallTime(v); !ok && v != "campaign" {
			return "LOCAL CALL TIME DOES NOT EXIST"
		}
		return ""
	}},
	{param: "xferconf_one", setting: "xferconf_a_number", onAdd: true, refused: maxLen(50, "TRANSFER CONF OVERRIDE ONE IS NOT VALID")},
	{param: "xferconf_two", setting: "xferconf_b_number", onAdd: true, refused: maxLen(50, "TRANSFER CONF OVERRIDE TWO IS NOT VALID")},
	{param: "xferconf_three", setting: "xferconf_c_number", onAdd: true, refused: maxLen(50, "TRANSFER CONF OVERRIDE THREE IS NOT VALID")},
	{param: "xferconf_four", setting: "xferconf_d_number", onAdd: true, refused: maxLen(50, "TRANSFER CONF OVERRIDE FOUR IS NOT VALID")},
	{param: "xferconf_five", setting: "xferconf_e_number", onAdd: true, refused: maxLen(50, "TRANSFER CONF OVERRIDE FIVE IS NOT VALID")},
}

// resetTimes is VICIdial's reset_time: HHMM times joined by dashes.
func resetTimes(v string) bool {
	for _, t := range strings.Split(v, "-") {
		if len(t) != 4 || strings.Trim(t, "0123456789") != "" || t[:2] > "23" || t[2:] > "59" {
			return false
		}
	}
	return true
}

// listSettingChanges reads the options of a request into list settings.
// It prints the first refusal as the script does (an ERROR that ends the
// function) and then reports ok false. --BLANK-- empties an option on
// update_list (expiration_date: back to 2099-12-31).
func (c *naCall) listSettingChanges(adding bool) (map[string]*string, bool) {
	changes := map[string]*string{}
	for _, o := range listOptions {
		v := c.p.get(o.param)
		if v == "" || o.param == "expiration_date" && !adding && len(v) < 10 {
			continue // the script reads expiration_date only from 10 characters
		}
		if o.webForm && strings.Contains(v, "%3A%2F%2F") {
			if d, err := url.QueryUnescape(v); err == nil {
				v = strings.ReplaceAll(d, " ", "+")
			}
		}
		if v == "--BLANK--" && !adding {
			v = ""
		} else if o.refused != nil && (!adding || o.onAdd) {
			if reason := o.refused(c, v); reason != "" {
				c.colon("ERROR", reason+", THIS IS AN OPTIONAL FIELD", "|"+c.user+"|"+v)
				return nil, false
			}
		}
		changes[o.setting] = &v
	}
	return changes, true
}

func (c *naCall) addList() {
	id, raw, ok := c.listID()
	name, camp := c.p.get("list_name"), c.p.get("campaign_id")
	if !ok || len(raw) < 2 || len(raw) > 14 || len(camp) < 1 || len(camp) > 8 || len(name) < 2 || len(name) > 30 {
		c.colon("ERROR", "YOU MUST USE ALL REQUIRED FIELDS", "|"+c.user+"|"+raw+"|"+name+"|"+camp)
		return
	}
	if _, err := c.h.eng.FindCampaign(c.ctx, camp); err != nil {
		c.colon("ERROR", "CAMPAIGN DOES NOT EXIST", "|"+c.user+"|"+camp)
		return
	}
	if _, err := c.h.eng.FindList(c.ctx, id); err == nil {
		c.colon("ERROR", "LIST ALREADY EXISTS", "|"+c.user+"|"+raw)
		return
	}
	changes, ok := c.listSettingChanges(true)
	if !ok || !c.copyAllowed(raw) {
		return
	}
	l := core.List{ID: id, Name: cut("first_name", name), Campaign: camp, Active: c.p.get("active") == "Y"}
	err := c.h.eng.SaveList(c.ctx, l, true)
	if err == nil && len(changes) > 0 {
		_, err = c.h.eng.Settings().Set(c.ctx, Dialect, core.ScopeList, raw, changes)
	}
	if err != nil {
		// The script cannot fail here; Callgate says so when it does.
		c.h.log.Error("vicidial: add_list", "err", err)
		c.colon("ERROR", "LIST HAS NOT BEEN ADDED", "|"+c.user+"|"+raw)
		return
	}
	c.copyFields(id, raw)
	c.dash("SUCCESS", "LIST HAS BEEN ADDED", c.user+"|"+raw+"|"+name+"|"+camp)
}

func (c *naCall) updateList() {
	id, raw, ok := c.listID()
	if !ok || len(raw) < 2 || len(raw) > 14 {
		c.colon("ERROR", "YOU MUST USE ALL REQUIRED FIELDS", "|"+c.user+"|"+raw)
		return
	}
	if !c.listAllowed(id) {
		c.dash("ERROR", "NOT AN ALLOWED LIST ID", raw)
		return
	}
	l, err := c.h.eng.FindList(c.ctx, id)
	if err != nil {
		if c.p.get("insert_if_not_found") == "Y" {
			c.colon("NOTICE", "LIST DOES NOT EXIST, SENDING TO add_list FUNCTION", "|"+c.user+"|"+raw)
			c.function = "add_list"
			c.addList()
			return
		}
		c.colon("ERROR", "LIST DOES NOT EXIST", "|"+c.user+"|"+raw)
		return
	}
	c.customFieldCommands(id, raw)
	if !c.updateListColumns(l, raw) {
		return
	}
	if c.p.get("reset_list") == "Y" {
		if _, err := c.h.eng.ResetList(c.ctx, id); err != nil {
			c.h.log.Warn("vicidial: update_list reset", "list", id, "err", err)
			c.dash("NOTICE", "LIST RESET FAILED, the leads could not be reset", c.user+"|"+raw)
			return
		}
		// The script prints a count it never set: the field is empty.
		c.dash("NOTICE", "LEADS IN LIST HAVE BEEN RESET", c.user+"|"+raw+"|")
	}
	if !c.deleteListAndLeads(id, raw) {
		return
	}
	c.copyCustomFields(id, raw)
}

// updateListColumns is update_list's checks and update: the list's own
// columns (campaign_id, list_name, active) and its settings.
func (c *naCall) updateListColumns(l core.List, raw string) bool {
	refuse := func(reason, v string) bool {
		c.colon("ERROR", reason+", THIS IS AN OPTIONAL FIELD", "|"+c.user+"|"+v)
		return false
	}
	changed := false
	if v := c.p.get("campaign_id"); v != "" {
		if _, err := c.h.eng.FindCampaign(c.ctx, v); err != nil {
			return refuse("CAMPAIGN DOES NOT EXIST", v)
		}
		l.Campaign, changed = v, true
	}
	if v := c.p.get("list_name"); v != "" {
		if len(v) < 6 || len(v) > 30 {
			return refuse("LIST NAME MUST BE FROM 6 TO 30 CHARACTERS", v)
		}
		l.Name, changed = v, true
	}
	if v := c.p.get("active"); v != "" {
		if v != "Y" && v != "N" {
			return refuse("ACTIVE MUST BE Y OR N", v)
		}
		l.Active, changed = v == "Y", true
	}
	settings, ok := c.listSettingChanges(false)
	if !ok {
		return false
	}
	if !changed && len(settings) == 0 {
		c.colon("NOTICE", "NO UPDATES DEFINED", "|"+c.user+"|")
		return true
	}
	err := c.h.eng.SaveList(c.ctx, l, false)
	if err == nil && len(settings) > 0 {
		_, err = c.h.eng.Settings().Set(c.ctx, Dialect, core.ScopeList, raw, settings)
	}
	if err != nil {
		c.h.log.Error("vicidial: update_list", "list", raw, "err", err)
		c.colon("ERROR", "LIST HAS NOT BEEN UPDATED", "|"+c.user+"|"+raw)
		return false
	}
	c.dash("SUCCESS", "LIST HAS BEEN UPDATED", c.user+"|"+raw)
	return true
}

// deleteListAndLeads is update_list's delete_list and delete_leads; both
// need delete_lists (user level 9 in Callgate, see doc.go), delete_leads
// also modify_leads. A refusal ends the function as in the script.
func (c *naCall) deleteListAndLeads(id uint64, raw string) bool {
	mayDelete := c.api.UserLevel >= 9
	if c.p.get("delete_list") == "Y" {
		if !mayDelete {
			c.colon("NOTICE", "USER DOES NOT HAVE PERMISSION TO DELETE LISTS", "|"+c.user+"|0")
			return false
		}
		n := "1"
		if err := c.h.eng.DeleteList(c.ctx, id); err != nil {
			c.h.log.Warn("vicidial: delete_list", "list", id, "err", err)
			n = "0"
		}
		c.dash("NOTICE", "LIST HAS BEEN DELETED", c.user+"|"+raw+"|"+n)
	}
	if c.p.get("delete_leads") == "Y" {
		if !mayDelete || !c.api.ModifyLeads {
			c.colon("NOTICE", "USER DOES NOT HAVE PERMISSION TO DELETE LEADS", "|"+c.user+"|0")
			return false
		}
		n, err := c.h.eng.DeleteListLeads(c.ctx, id)
		if err != nil {
			c.h.log.Warn("vicidial: delete_leads", "list", id, "err", err)
		}
		c.dash("NOTICE", "LEADS IN LIST HAVE BEEN DELETED", c.user+"|"+raw+"|"+strconv.Itoa(n))
	}
	return true
}
