package vicidial

import (
	"strconv"
	"strings"

	"github.com/callgate/callgate/core"
)

// updateLead is update_lead: find leads by search_method within
// search_location, then update, delete, report (no_update) or insert.
func (c *naCall) updateLead() {
	leadID, vendor, phone := c.p.get("lead_id"), c.p.get("vendor_lead_code"), c.p.get("phone_number")
	method := c.p.get("search_method")
	if len(method) < 6 {
		method = "LEAD_ID"
	}
	queries, ok := c.searchQueries(method, leadID, vendor, phone)
	if !ok {
		c.dash("ERROR", "NO VALID SEARCH METHOD", c.user+"|"+method+"|"+leadID+"|"+vendor+"|"+phone)
		return
	}
	listID := c.p.get("list_id")
	if lid, err := strconv.ParseUint(listID, 10, 64); err == nil && lid >= 99 && !c.listAllowed(lid) {
		c.dash("ERROR", "NOT AN ALLOWED LIST ID, SEARCH", phone+"|"+listID)
		return
	}
	if v := c.p.get("list_id_field"); strings.Contains(c.p.get("list_exists_check"), "Y") && v != "" {
		id, _ := strconv.ParseUint(v, 10, 64)
		if _, err := c.h.eng.FindList(c.ctx, id); err != nil {
			c.dash("ERROR", "NOT A DEFINED LIST ID, LIST EXISTS CHECK ENABLED", phone+"|"+v)
			return
		}
	}
	found := c.searchLeads(queries)
	ident := "|" + c.user + "|" + leadID + "|" + vendor + "|" + phone
	if len(found) == 0 {
		c.noMatch(ident, phone)
		return
	}
	for _, l := range found {
		if l.ListID >= 99 && !c.listAllowed(l.ListID) {
			c.dash("ERROR", "NOT AN ALLOWED LIST ID, RESULTS", strconv.FormatUint(l.ListID, 10))
			return
		}
		c.updateOne(l)
	}
	// The hopper sections run once, for the first lead found;
	// remove_from_hopper=Y turns add_to_hopper off, as in the script.
	if c.p.get("no_update") == "Y" || c.p.get("delete_lead") == "Y" {
		return
	}
	if c.p.get("remove_from_hopper") == "Y" {
		c.removeFromHopper(found[0])
	} else if c.p.get("add_to_hopper") == "Y" {
		if l, err := c.h.eng.Lead(c.ctx, found[0].ID); err == nil {
			c.hopperAfterAdd(l)
		}
	}
}

// removeFromHopper is remove_from_hopper=Y: a lead waiting at the head of
// its campaign's dialer is taken back out; one on its call stays.
func (c *naCall) removeFromHopper(l core.Lead) {
	phone, id := l.PhoneNumber, strconv.FormatUint(l.ID, 10)
	state, removed, err := c.h.eng.UnqueueLead(c.ctx, l.ID)
	switch {
	case err == nil && state == "":
		c.dash("NOTICE", "NOT REMOVED FROM HOPPER, LEAD IS NOT IN THE HOPPER", phone+"|"+id+"|"+c.user)
	case removed:
		c.dash("NOTICE", "REMOVED FROM HOPPER", phone+"|"+id+"|"+state+"|"+c.user)
	default:
		if err != nil {
			c.h.log.Warn("vicidial: remove_from_hopper", "lead", l.ID, "err", err)
		}
		c.dash("NOTICE", "NOT REMOVED FROM HOPPER", phone+"|"+id+"|"+state+"|"+c.user)
	}
}

// searchLeads runs the searches until one finds leads: the most recently
// entered first, at most records (default 1).
func (c *naCall) searchLeads(queries []core.LeadQuery) []core.Lead {
	limit := 1
	if n, err := strconv.Atoi(c.p.get("records")); err == nil && n > 1 {
		limit = n
	}
	for _, q := range queries {
		q.Limit, q.NewestFirst = limit, true
		if found, err := c.h.eng.FindLeads(c.ctx, q); err == nil && len(found) > 0 {
			return found
		}
	}
	return nil
}

func (c *naCall) updateOne(l core.Lead) {
	id := strconv.FormatUint(l.ID, 10)
	if c.p.get("no_update") == "Y" {
		c.colon("NOTICE", "LEADS FOUND IN THE SYSTEM", "|"+c.user+"|"+id+"|"+l.VendorLeadCode+"|"+l.PhoneNumber+"|"+
			strconv.FormatUint(l.ListID, 10)+"|"+strconv.FormatUint(l.EntryListID, 10))
		return
	}
	if c.p.get("delete_cf_data") == "Y" {
		c.deleteCustomData(l)
	}
	if c.p.get("delete_lead") == "Y" {
		c.deleteFoundLead(l)
		return
	}
	if !c.applyUpdate(l) {
		return
	}
	switch c.p.get("callback") {
	case "Y":
		c.callbackOnUpdate(l)
	case "REMOVE":
		n, err := c.h.eng.RemoveLeadCallbacks(c.ctx, l.ID)
		if err != nil {
			c.h.log.Warn("vicidial: remove callbacks", "lead", l.ID, "err", err)
		}
		c.dash("NOTICE", "SCHEDULED CALLBACK DELETED", c.user+"|"+id+"|"+strconv.FormatInt(n, 10)+"|0")
	}
	if c.p.get("custom_fields") == "Y" {
		c.customFieldsOnUpdate(l)
	}
}

// deleteCustomData is delete_cf_data=Y: the lead's custom values go and
// its entry list is cleared.
func (c *naCall) deleteCustomData(l core.Lead) {
	cl := l.EntryListID
	if v, err := strconv.ParseUint(c.p.get("entry_list_id"), 10, 64); err == nil && v > 0 {
		cl = v
	}
	n, err := c.h.eng.DeleteLeadFieldValues(c.ctx, l.ID, cl)
	rows := "1"
	if err != nil {
		c.h.log.Warn("vicidial: delete custom data", "lead", l.ID, "err", err)
		rows = "0"
	}
	c.dash("NOTICE", "CUSTOM FIELDS DATA HAS BEEN DELETED", c.user+"|"+strconv.FormatUint(l.ID, 10)+"|"+
		strconv.FormatUint(cl, 10)+"|"+rows+"|"+strconv.FormatInt(n, 10))
}

// deleteFoundLead is delete_lead=Y. Callgate deletes the lead's callbacks
// and custom values with it (no callback archive: the archive count is 0).
func (c *naCall) deleteFoundLead(l core.Lead) {
	id := strconv.FormatUint(l.ID, 10)
	var values map[string]string
	if c.p.get("custom_fields") == "Y" {
		values, _ = c.h.eng.LeadFieldValues(c.ctx, l.ID, c.customList(l))
	}
	cbs, err := c.h.eng.DeleteLead(c.ctx, l.ID)
	if err != nil {
		c.dash("ERROR", "LEAD HAS NOT BEEN DELETED", c.user+"|"+id+"|"+refusalText(err))
		return
	}
	n := strconv.FormatInt(cbs, 10)
	c.dash("SUCCESS", "LEAD HAS BEEN DELETED "+n+"|0", c.user+"|"+id+"|1|0|0|")
	if len(values) > 0 {
		c.dash("NOTICE", "CUSTOM FIELDS ENTRY DELETED", c.p.get("phone_number")+"|"+id+"|"+strconv.FormatUint(l.ListID, 10)+"|"+
			strconv.FormatUint(l.EntryListID, 10)+"|"+strconv.FormatUint(c.customList(l), 10)+"|1")
	}
}

// callbackOnUpdate is callback=Y on a found lead: its callback changes
// (the fields sent), or a new one is filed.
func (c *naCall) callbackOnUpdate(l core.Lead) {
	id := strconv.FormatUint(l.ID, 10)
	if cbs, _ := c.h.eng.LeadCallbacks(c.ctx, l.ID); len(cbs) == 0 {
		c.newCallback(l.ID, l.ListID, l.PhoneNumber)
		return
	}
	ch, shown := c.callbackChange()
	if ch.Empty() {
		c.dash("NOTICE", "SCHEDULED CALLBACK NOT UPDATED, NO FIELDS SPECIFIED", id+"|")
		return
	}
	if _, err := c.h.eng.RescheduleLeadCallback(c.ctx, l.ID, ch); err != nil {
		c.dash("NOTICE", "SCHEDULED CALLBACK NOT UPDATED", id+"|"+refusalText(err))
		return
	}
	c.dash("NOTICE", "SCHEDULED CALLBACK UPDATED", id+"|"+c.p.get("campaign_id")+"|"+shown+"|"+c.p.get("callback_type")+"|"+
		c.p.get("callback_user")+"|"+c.p.get("callback_status"))
}

// callbackChange is the callback fields update_lead sends.
func (c *naCall) callbackChange() (core.CallbackChange, string) {
	var ch core.CallbackChange
	shown := ""
	str := func(k string) *string {
		if v := c.p.get(k); v != "" {
			return &v
		}
		return nil
	}
	if v := c.p.get("callback_datetime"); v != "" {
		t, s := c.callbackTime(v)
		ch.When, shown = &t, s
	}
	ch.Campaign, ch.LeadStatus, ch.Comments, ch.Agent = str("campaign_id"), str("callback_status"), str("callback_comments"), str("callback_user")
	if v, err := strconv.ParseUint(c.p.get("list_id_field"), 10, 64); err == nil {
		ch.ListID = &v
	}
	if t := c.p.get("callback_type"); t != "" {
		only := t == "USERONLY"
		ch.AgentOnly = &only
	}
	return ch, shown
}

// applyUpdate writes the request's fields to one lead; with no field to
// write it prints nothing (VICIdial's empty update). It returns false when
// the update failed.
func (c *naCall) applyUpdate(l core.Lead) bool {
	id := strconv.FormatUint(l.ID, 10)
	cols := c.updateColumns()
	if len(cols) == 0 {
		return true
	}
	changed, err := c.h.eng.UpdateLeadFields(c.ctx, l.ID, cols, "")
	if err != nil {
		c.dash("ERROR", "LEAD HAS NOT BEEN UPDATED", c.user+"|"+id+"|"+refusalText(err))
		return false
	}
	rows := "0"
	if changed {
		rows = "1"
	}
	c.dash("SUCCESS", "LEAD HAS BEEN UPDATED", c.user+"|"+id+"|"+rows+"|||")
	return true
}

// updateColumns are the lead columns update_lead sets.
func (c *naCall) updateColumns() map[string]any {
	cols := c.leadColumns()
	if v := c.p.get("update_phone_number"); v == "Y" && len(c.p.get("phone_number")) >= 6 {
		cols["phone_number"] = cut("phone_number", c.p.get("phone_number"))
	}
	str := map[string]string{"status": "status", "user_field": "user", "phone_code": "phone_code"}
	for param, col := range str {
		if v := c.p.get(param); v != "" {
			cols[col] = cut(col, v)
		}
	}
	if v := c.p.get("called_count"); v != "" {
		n, _ := strconv.Atoi(v)
		cols["called_count"] = n
	}
	if v := c.p.get("reset_lead"); v == "Y" {
		cols["called_count"], cols["status"], cols["next_attempt_at"] = 0, "NEW", nil
	}
	if v, err := strconv.ParseUint(c.p.get("entry_list_id"), 10, 64); err == nil && c.p.get("custom_fields") != "Y" {
		cols["entry_list_id"] = v
	}
	if v := c.p.get("list_id_field"); v != "" {
		if n, err := strconv.ParseUint(v, 10, 64); err == nil {
			cols["list_id"] = n
			if list, err := c.h.eng.FindList(c.ctx, n); err == nil {
				cols["campaign"] = list.Campaign
			}
		}
	}
	return cols
}
