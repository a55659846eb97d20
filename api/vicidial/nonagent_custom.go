package vicidial

import (
	"sort"
	"strconv"
	"strings"

	"github.com/callgate/callgate/core"
)

// multiAltPhones is multi_alt_phones (number_code_note entries joined by
// "!"): the lead's further phones. Each entry is echoed as
// "number|code|note" with no line end before the NOTICE, as
// non_agent_api.php's stray print does; parsers of the real script skip it.
func (c *naCall) multiAltPhones(l core.Lead) {
	v := c.p.get("multi_alt_phones")
	if len(v) <= 5 {
		return
	}
	var phones []core.LeadPhone
	for _, entry := range strings.Split(v, "!") {
		f := strings.SplitN(entry, "_", 3)
		for len(f) < 3 {
			f = append(f, "")
		}
		c.out.WriteString(f[0] + "|" + f[1] + "|" + f[2])
		phones = append(phones, core.LeadPhone{Phone: f[0], Label: f[2]})
	}
	n, err := c.h.eng.AddLeadPhones(c.ctx, l.ID, phones)
	if err != nil {
		c.h.log.Warn("vicidial: multi_alt_phones", "lead", l.ID, "err", err)
	}
	c.dash("NOTICE", "MULTI-ALT-PHONE NUMBERS LOADED", strconv.Itoa(n)+"|"+strconv.FormatUint(l.ID, 10)+"|"+c.user)
}

// customFieldsEnabled is system_settings.custom_fields_enabled.
func (c *naCall) customFieldsEnabled() bool {
	v, err := c.h.eng.Settings().Values(c.ctx, Dialect, core.ScopeSystem, "")
	return err == nil && v.String(setCustomFieldsEnabled) == "1"
}

// customValue is a custom field's value as sent, cleaned as VICIdial
// cleans it ("+" is a space; ; and " go; a trailing backslash goes;
// --BLANK-- is empty), and whether it was sent.
func (c *naCall) customValue(label string) (string, bool) {
	v, ok := c.p.raw[label]
	if !ok {
		return "", false
	}
	v = strings.ReplaceAll(v, "+", " ")
	v = strings.NewReplacer(";", "", `"`, "").Replace(v)
	v = strings.TrimSuffix(v, `\`)
	if v == "--BLANK--" {
		v = ""
	}
	return v, true
}

// customFieldsOnInsert is custom_fields=Y on a new lead (add_lead, and
// update_lead's insert): every value field of the list gets the value
// sent, or empty.
func (c *naCall) customFieldsOnInsert(l core.Lead, listID string) {
	if c.p.get("custom_fields") != "Y" {
		return
	}
	phone, id := l.PhoneNumber, strconv.FormatUint(l.ID, 10)
	if !c.customFieldsEnabled() {
		c.dash("NOTICE", "CUSTOM FIELDS NOT ADDED, CUSTOM FIELDS DISABLED", phone+"|"+id+"|Y|0")
		return
	}
	fields, err := c.h.eng.ListFields(c.ctx, l.ListID)
	if err != nil || len(fields) == 0 {
		c.dash("NOTICE", "CUSTOM FIELDS NOT ADDED, NO CUSTOM FIELDS DEFINED FOR THIS LIST", phone+"|"+id+"|"+listID)
		return
	}
	values := map[string]string{}
	for _, f := range fields {
		v, _ := c.customValue(f.Label)
		values[f.Label] = v
	}
	n, err := c.h.eng.SetLeadFieldValues(c.ctx, l.ID, l.ListID, values)
	switch {
	case err != nil:
		c.h.log.Warn("vicidial: custom fields", "lead", l.ID, "err", err)
		c.dash("NOTICE", "CUSTOM FIELDS NOT ADDED, NO FIELDS TO UPDATE DEFINED", phone+"|"+id+"|"+listID)
	case n == 0:
		c.dash("NOTICE", "CUSTOM FIELDS NOT ADDED, NO FIELDS DEFINED", phone+"|"+id+"|"+listID)
	default:
		c.dash("NOTICE", "CUSTOM FIELDS VALUES ADDED", phone+"|"+id+"|"+listID+"|1")
	}
}

// customList is the list whose fields hold a found lead's values:
// force_entry_list_id when sent, else its entry list when set, else its
// list.
func (c *naCall) customList(l core.Lead) uint64 {
	if v, err := strconv.ParseUint(c.p.get("force_entry_list_id"), 10, 64); err == nil && len(c.p.get("force_entry_list_id")) > 1 {
		return v
	}
	if l.EntryListID > 99 {
		return l.EntryListID
	}
	return l.ListID
}

// customFieldsOnUpdate is custom_fields=Y on a found lead: the fields the
// request names are written.
func (c *naCall) customFieldsOnUpdate(l core.Lead) {
	phone := c.p.get("phone_number")
	id, list := strconv.FormatUint(l.ID, 10), strconv.FormatUint(l.ListID, 10)
	cl := c.customList(l)
	fields, err := c.h.eng.ListFields(c.ctx, cl)
	if err != nil || len(fields) == 0 {
		c.dash("NOTICE", "CUSTOM FIELDS NOT ADDED, NO CUSTOM FIELDS DEFINED FOR THIS LIST", phone+"|"+id+"|"+list)
		return
	}
	values := map[string]string{}
	for _, f := range fields {
		if v, ok := c.customValue(f.Label); ok {
			values[f.Label] = v
		}
	}
	if len(values) == 0 {
		return
	}
	n, err := c.h.eng.SetLeadFieldValues(c.ctx, l.ID, cl, values)
	if err != nil {
		c.h.log.Warn("vicidial: custom fields", "lead", l.ID, "err", err)
	}
	c.dash("NOTICE", "CUSTOM FIELDS VALUES UPDATED", phone+"|"+id+"|"+list+"|"+strconv.FormatUint(l.EntryListID, 10)+"|"+
		strconv.FormatUint(cl, 10)+"|"+strconv.Itoa(n))
}

// customColumns are lead_all_info's custom_fields=Y columns: the labels
// and values of the entry list's value fields, when the lead has values.
func (c *naCall) customColumns(l core.Lead) (labels, values []string) {
	entry := l.EntryListID
	if v, err := strconv.ParseUint(c.p.get("force_entry_list_id"), 10, 64); err == nil {
		entry = v
	}
	if c.p.get("custom_fields") != "Y" || entry == 0 {
		return nil, nil
	}
	fields, err := c.h.eng.ListFields(c.ctx, entry)
	if err != nil {
		return nil, nil
	}
	have, err := c.h.eng.LeadFieldValues(c.ctx, l.ID, entry)
	if err != nil || len(have) == 0 {
		return nil, nil
	}
	for _, f := range fields {
		switch f.Type {
		case "DISPLAY", "SCRIPT", "SWITCH", "BUTTON":
			continue
		}
		labels, values = append(labels, f.Label), append(values, have[f.Label])
	}
	return labels, values
}

// listCustomFields is list_custom_fields: each list (or ---ALL---) with
// its custom field labels, space-separated.
func (c *naCall) listCustomFields() {
	// The global list_id filter keeps [-_0-9a-zA-Z] (---ALL---); the lead
	// functions narrow it to digits.
	listID := keep(c.p.raw["list_id"], clsWord)
	if len(listID) < 2 || len(listID) > 14 {
		c.colon("ERROR", "YOU MUST USE ALL REQUIRED FIELDS", "|"+c.user+"|"+listID+"|"+c.p.get("list_name")+"|"+c.p.get("campaign_id"))
		return
	}
	lists, ok := c.customFieldLists(listID)
	if !ok {
		return
	}
	c.header("list_id", "list_name", "campaign_id", "active", "list_changedate", "list_lastcalldate", "custom_fields_list_space_delimited")
	for _, l := range lists {
		fields, _ := c.h.eng.ListFields(c.ctx, l.ID)
		labels := customLabels(fields, c.p.get("custom_order"))
		c.row(strconv.FormatUint(l.ID, 10), l.Name, l.Campaign, yn(l.Active), "", "", strings.Join(labels, " "))
	}
	c.logRow("SUCCESS", "list_custom_fields LIST CUSTOM FIELDS INFORMATION SENT", listID)
}

// customFieldLists are the lists list_custom_fields reports, or false
// after printing the error.
func (c *naCall) customFieldLists(listID string) ([]core.List, bool) {
	g := c.apiUserGroup()
	if listID == "---ALL---" {
		all, err := c.h.eng.Lists(c.ctx)
		if err != nil {
			c.colon("ERROR", "LIST DOES NOT EXIST", "|"+c.user+"|"+listID)
			return nil, false
		}
		var out []core.List
		for _, l := range all {
			if campaignAllowed(g, l.Campaign) && c.listAllowed(l.ID) {
				out = append(out, l)
			}
		}
		return out, true
	}
	id, _ := strconv.ParseUint(listID, 10, 64)
	if !c.listAllowed(id) {
		c.dash("ERROR", "NOT AN ALLOWED LIST ID", listID)
		return nil, false
	}
	l, err := c.h.eng.FindList(c.ctx, id)
	if err != nil || !campaignAllowed(g, l.Campaign) {
		c.colon("ERROR", "LIST DOES NOT EXIST", "|"+c.user+"|"+listID)
		return nil, false
	}
	return []core.List{l}, true
}

// apiUserGroup is the API user's user group (none: every campaign).
func (c *naCall) apiUserGroup() core.UserGroup {
	a, err := c.h.eng.FindAgent(c.ctx, c.user)
	if err != nil || a.UserGroup == "" {
		return core.UserGroup{}
	}
	g, _ := c.h.eng.UserGroup(c.ctx, a.UserGroup)
	return g
}

// customLabels are the field labels in creation order (VICIdial's table
// column order), or sorted with custom_order alpha_up / alpha_down.
func customLabels(fields []core.ListField, order string) []string {
	sort.SliceStable(fields, func(i, j int) bool { return fields[i].ID < fields[j].ID })
	out := make([]string, 0, len(fields))
	for _, f := range fields {
		switch f.Type {
		case "DISPLAY", "SCRIPT", "SWITCH", "BUTTON":
			continue
		}
		out = append(out, f.Label)
	}
	switch order {
	case "alpha_up":
		sort.Strings(out)
	case "alpha_down":
		sort.Sort(sort.Reverse(sort.StringSlice(out)))
	}
	return out
}

// listCustomFieldsChecked runs list_custom_fields' own checks first: the
// system switch, then modify_lists (its refusal has no trailing pipe).
func (c *naCall) listCustomFieldsChecked() {
	if !c.customFieldsEnabled() {
		c.line("ERROR", "CUSTOM LIST FIELDS ARE NOT ENABLED ON THIS SYSTEM", "",
			"ERROR: CUSTOM LIST FIELDS ARE NOT ENABLED ON THIS SYSTEM: |"+c.user+"|"+c.function+"|")
		return
	}
	if !canModifyLists(c.api) {
		c.colon("ERROR", "USER DOES NOT HAVE PERMISSION TO MODIFY LISTS", "|"+c.user+"|0")
		return
	}
	c.listCustomFields()
}
