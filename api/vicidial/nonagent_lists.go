package vicidial

import (
	"fmt"
	"html"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
)

// batchUpdateLead is batch_update_lead: one set of values on the leads of
// lead_ids (comma list), newest lead id first, at most records (1000).
// With no value to set it prints nothing, as the script does.
func (c *naCall) batchUpdateLead() {
	raw, listField := c.p.get("lead_ids"), c.p.get("list_id_field")
	if raw == "" {
		c.dash("ERROR", "NO LEADS DEFINED", c.user+"|")
		return
	}
	if lid, err := strconv.ParseUint(listField, 10, 64); err == nil && lid >= 99 && !c.listAllowed(lid) {
		c.dash("ERROR", "NOT AN ALLOWED LIST ID", c.user+"|"+listField)
		return
	}
	if strings.Contains(c.p.get("list_exists_check"), "Y") && listField != "" {
		lid, _ := strconv.ParseUint(listField, 10, 64)
		if _, err := c.h.eng.FindList(c.ctx, lid); err != nil {
			c.dash("ERROR", "NOT A DEFINED LIST ID, LIST EXISTS CHECK ENABLED", c.user+"|"+listField)
			return
		}
	}
	found := c.batchLeads(raw)
	if len(found) == 0 {
		c.colon("ERROR", "NO MATCHES FOUND IN THE SYSTEM", "|"+c.user+"|"+raw)
		return
	}
	cols := c.updateColumns()
	delete(cols, "phone_number")
	delete(cols, "entry_list_id")
	if len(cols) == 0 {
		return
	}
	changed, ids := 0, make([]string, len(found))
	for i, l := range found {
		ids[i] = strconv.FormatUint(l.ID, 10)
		if ok, err := c.h.eng.UpdateLeadFields(c.ctx, l.ID, cols, ""); err == nil && ok {
			changed++
		}
	}
	c.dash("SUCCESS", "LEADS HAVE BEEN UPDATED", c.user+"|"+strconv.Itoa(changed)+"|"+strconv.Itoa(len(found))+"|"+strings.Join(ids, ","))
}

// batchLeads are the leads of a lead_ids list batch_update_lead updates:
// those in allowed lists, highest lead id first, at most records.
func (c *naCall) batchLeads(raw string) []core.Lead {
	var ids []uint64
	for _, s := range strings.Split(raw, ",") {
		if id, err := strconv.ParseUint(s, 10, 64); err == nil && id > 0 && len(ids) < 10000 {
			ids = append(ids, id)
		}
	}
	limit := 1000
	if n, err := strconv.Atoi(c.p.get("records")); err == nil && n > 0 && n < limit {
		limit = n
	}
	if len(ids) == 0 {
		return nil
	}
	all, err := c.h.eng.FindLeads(c.ctx, core.LeadQuery{IDs: ids})
	if err != nil {
		return nil
	}
	var out []core.Lead
	for i := len(all) - 1; i >= 0 && len(out) < limit; i-- {
		if c.listAllowed(all[i].ListID) {
			out = append(out, all[i])
		}
	}
	return out
}

// leadCallbackInfo is lead_callback_info: the lead's callbacks, oldest
// first, in the script's columns. search_location CURRENT (default) or
// ALL reads the callbacks; ARCHIVE finds none (Callgate keeps no callback
// archive). customer_timezone and customer_time are empty.
func (c *naCall) leadCallbackInfo() {
	leadID, loc := c.p.get("lead_id"), c.p.get("search_location")
	if leadID == "" || len(leadID) >= 12 {
		c.colon("ERROR", "INVALID SEARCH PARAMETERS", c.user+"|"+leadID)
		return
	}
	id, _ := strconv.ParseUint(leadID, 10, 64)
	var cbs []core.Callback
	if loc == "" || loc == "CURRENT" || loc == "ALL" {
		cbs, _ = c.h.eng.LeadCallbacks(c.ctx, id)
	}
	g := c.apiUserGroup()
	var rows [][]string
	for i := len(cbs) - 1; i >= 0; i-- {
		cb := cbs[i]
		if l, err := c.h.eng.FindList(c.ctx, cb.ListID); err == nil && !campaignAllowed(g, l.Campaign) {
			c.colon("ERROR", "LEAD NOT FOUND", "|"+c.user+"|1|")
			return
		}
		rows = append(rows, c.callbackRow(leadID, cb))
	}
	if len(rows) == 0 {
		c.colon("ERROR", "CALLBACK NOT FOUND", c.user+"|"+leadID+"|"+c.p.get("stage")+"|"+loc)
		return
	}
	c.header("lead_id", "callback_type", "recipient", "callback_status", "lead_status", "callback_date", "entry_date", "user",
		"list_id", "campaign_id", "user_group", "customer_timezone", "customer_time", "comments")
	for _, r := range rows {
		c.row(r...)
	}
	c.logRow("SUCCESS", "lead_callback_info", c.user+"|"+leadID+"|"+c.p.get("stage")+"|"+loc)
}

func (c *naCall) callbackRow(leadID string, cb core.Callback) []string {
	recipient, status, group := "ANYONE", cb.Status, ""
	if cb.AgentOnly {
		recipient = "USERONLY"
	}
	if status != "ACTIVE" && status != "LIVE" {
		status = "INACTIVE"
	}
	if cb.Agent != "" {
		if a, err := c.h.eng.FindAgent(c.ctx, cb.Agent); err == nil {
			group = a.UserGroup
		}
	}
	const layout = "2006-01-02 15:04:05"
	return []string{leadID, "CURRENT", recipient, status, cb.LeadStatus, cb.When.In(c.now.Location()).Format(layout),
		cb.CreatedAt.In(c.now.Location()).Format(layout), cb.Agent, strconv.FormatUint(cb.ListID, 10), cb.Campaign, group,
		"", "", cb.Comments}
}

// leadStatusSearch is lead_status_search: the leads of the calls that
// ended with status on date (outbound calls first, then inbound, newest
// first, up to 1000 calls each), or the lead lead_id, each printed as the
// script's ";---------- START OF RECORD n" block of "field => value" lines
// (custom_fields=Y adds the entry list's custom values).
func (c *naCall) leadStatusSearch() {
	status, date, leadID := c.p.get("status"), c.p.get("date"), c.p.get("lead_id")
	byStatus := len(status) > 0 && len(date) == 10
	if !byStatus && len(leadID) < 1 {
		data := c.user + "|" + status + "|" + date + "|" + leadID
		c.line("ERROR", "lead_status_search INVALID SEARCH PARAMETERS", data, "ERROR: lead_status_search INVALID SEARCH PARAMETERS: "+data)
		return
	}
	var ids []uint64
	if byStatus {
		ids = c.leadsOfCalls(status, date)
	} else if id, err := strconv.ParseUint(leadID, 10, 64); err == nil {
		ids = []uint64{id}
	}
	start, n := c.out.Len(), 0
	for _, id := range ids {
		l, err := c.h.eng.Lead(c.ctx, id)
		if err != nil || !c.listAllowed(l.ListID) {
			continue
		}
		n++
		c.out.WriteString(";---------- START OF RECORD " + strconv.Itoa(n) + " ----------\n")
		c.out.WriteString("lead_id => " + strconv.FormatUint(l.ID, 10) + "\n")
		row := leadRow(l)
		for i, name := range leadRowHeader[:31] {
			c.out.WriteString(name + " => " + row[i] + "\n")
		}
		if c.p.get("custom_fields") == "Y" {
			labels, values := c.customColumns(l)
			for i := range labels {
				c.out.WriteString(labels[i] + " => " + values[i] + "\n")
			}
		}
	}
	if n == 0 {
		data := c.user + "|" + leadID + "|" + status + "|" + c.p.get("call_date")
		c.line("ERROR", "lead_status_search NO RESULTS FOUND", data, "ERROR: lead_status_search NO RESULTS FOUND: "+data)
		return
	}
	c.logRow("SUCCESS", "lead_status_search "+c.out.String()[start:], c.user+"|"+leadID+"|"+c.stageName())
}

// leadsOfCalls lists the distinct leads of the calls of date that ended
// with status: outbound first, then inbound ones not already listed.
func (c *naCall) leadsOfCalls(status, date string) []uint64 {
	day, err := time.ParseInLocation("2006-01-02", date, c.now.Location())
	if err != nil {
		return nil
	}
	calls, err := c.h.eng.CallLog(c.ctx, core.CallLogQuery{From: day, To: day.AddDate(0, 0, 1)})
	if err != nil {
		c.h.log.Error("vicidial: lead_status_search", "err", err)
		return nil
	}
	sort.SliceStable(calls, func(i, j int) bool { return calls[i].CreatedAt.After(calls[j].CreatedAt) })
	var ids []uint64
	seen := map[uint64]bool{}
	for _, inbound := range []bool{false, true} {
		taken := 0
		for _, call := range calls {
			if call.Status != status || call.LeadID == 0 || (call.Direction == core.CallInbound) != inbound || taken >= 1000 {
				continue
			}
			taken++
			if !seen[call.LeadID] {
				seen[call.LeadID] = true
				ids = append(ids, call.LeadID)
			}
		}
	}
	return ids
}

func (c *naCall) listID() (uint64, string, bool) {
	raw := c.p.get("list_id")
	id, err := strconv.ParseUint(raw, 10, 64)
	return id, raw, err == nil && id > 0 && len(raw) <= 19
}

// copyCustomFields is update_list's custom_fields_copy (a list id) with
// custom_copy_method APPEND (default), UPDATE or REPLACE; its refusals are
// NOTICEs ("THIS IS AN OPTIONAL FIELD").
func (c *naCall) copyCustomFields(id uint64, raw string) {
	if fid, ok := c.copySource(raw, "NOTICE"); ok {
		c.copyFrom(fid, id, raw, true)
	}
}

// copyAllowed is add_list's check of custom_fields_copy before the list
// is added: its refusals are ERRORs that end the function.
func (c *naCall) copyAllowed(raw string) bool {
	from := c.p.get("custom_fields_copy")
	if len(from) < 2 || len(from) > 14 {
		return true
	}
	_, ok := c.copySource(raw, "ERROR")
	return ok
}

// copyFields is add_list's copy, once the list exists (checked first by
// copyAllowed); add_list reports it in its admin log only.
func (c *naCall) copyFields(id uint64, raw string) {
	from := c.p.get("custom_fields_copy")
	if len(from) < 2 || len(from) > 14 {
		return
	}
	fid, _ := strconv.ParseUint(from, 10, 64)
	c.copyFrom(fid, id, raw, false)
}

// copySource checks custom_fields_copy: the list exists, has fields, and
// the user may modify custom fields; a refusal prints result's line.
func (c *naCall) copySource(raw, result string) (uint64, bool) {
	from := c.p.get("custom_fields_copy")
	if len(from) < 2 || len(from) > 14 {
		return 0, false
	}
	data := "|" + c.user + "|" + raw + "|" + from + "|0"
	fid, _ := strconv.ParseUint(from, 10, 64)
	if _, err := c.h.eng.FindList(c.ctx, fid); err != nil {
		c.colon(result, "CUSTOM FIELDS LIST ID TO COPY FROM DOES NOT EXIST, THIS IS AN OPTIONAL FIELD", data)
		return 0, false
	}
	if fields, err := c.h.eng.ListFields(c.ctx, fid); err != nil || len(fields) == 0 {
		c.colon(result, "CUSTOM FIELDS LIST ID TO COPY FROM HAS NO CUSTOM FIELDS, THIS IS AN OPTIONAL FIELD", data)
		return 0, false
	}
	v, _ := c.h.eng.Settings().Values(c.ctx, Dialect, core.ScopeUser, c.user)
	if v.String(setCustomFieldsModify) != "1" {
		c.colon(result, "USER DOES NOT HAVE PERMISSION TO MODIFY CUSTOM FIELDS, THIS IS AN OPTIONAL FIELD", data)
		return 0, false
	}
	return fid, true
}

// copyFrom copies the fields; notice prints update_list's NOTICE.
func (c *naCall) copyFrom(fid, id uint64, raw string, notice bool) {
	method := c.p.get("custom_copy_method")
	if method != "UPDATE" && method != "REPLACE" {
		method = "APPEND"
	}
	resp := "SUCCESS: Fields copied"
	if _, err := c.h.eng.CopyListFields(c.ctx, fid, id, method); err != nil {
		c.h.log.Warn("vicidial: copy custom fields", "from", fid, "to", id, "err", err)
		resp = "ERROR: Fields not copied"
	}
	if notice {
		c.dash("NOTICE", "COPY CUSTOM FIELDS COMMAND SENT", c.user+"|"+raw+"|"+c.p.get("custom_fields_copy")+"|"+method+"|"+resp+"|")
	}
}

// customFieldCommands are update_list's custom_fields_add and
// custom_fields_delete: they need the user's custom_fields_modify
// setting; their failures are NOTICEs ("THIS IS AN OPTIONAL FIELD").
func (c *naCall) customFieldCommands(id uint64, raw string) {
	add, upd, del := c.p.get("custom_fields_add") == "Y", c.p.get("custom_fields_update") == "Y", c.p.get("custom_fields_delete") == "Y"
	if !add && !upd && !del {
		return
	}
	v, _ := c.h.eng.Settings().Values(c.ctx, Dialect, core.ScopeUser, c.user)
	if v.String(setCustomFieldsModify) != "1" {
		c.colon("NOTICE", "USER DOES NOT HAVE PERMISSION TO MODIFY CUSTOM FIELDS, THIS IS AN OPTIONAL FIELD",
			"|"+c.user+"|"+raw+"|"+c.p.get("custom_fields_copy")+"|0")
		return
	}
	label := c.p.get("field_label")
	if add {
		c.addCustomField(id, raw, label)
	}
	if upd {
		c.updateCustomField(id, raw, label)
	}
	if del {
		c.deleteCustomField(id, raw, label)
	}
}

func (c *naCall) addCustomField(id uint64, raw, label string) {
	name, size, typ, rank := c.p.get("field_name"), c.p.get("field_size"), c.p.get("field_type"), c.p.get("field_rank")
	if label == "" || name == "" || size == "" || typ == "" || rank == "" {
		c.colon("NOTICE", "REQUIRED CUSTOM FIELDS VARIABLES ARE MISSING, FIELD NOT ADDED, THIS IS AN OPTIONAL FIELD",
			"|"+c.user+"|"+raw+"|"+label+"|"+name+"|"+size+"|"+typ+"|"+rank+"|")
		return
	}
	num := func(k string, def int) int {
		if n, err := strconv.Atoi(c.p.get(k)); err == nil {
			return n
		}
		return def
	}
	f := core.ListField{ListID: id, Label: label, Name: name, Description: c.p.get("field_description"), Type: typ,
		Rank: num("field_rank", 0), Order: num("field_order", 1), Size: num("field_size", 0), Max: num("field_max", 0),
		Default: c.p.get("field_default"), Options: c.p.get("field_options"), Required: c.p.get("field_required") == "Y"}
	resp := "SUCCESS: Field added"
	if _, err := c.h.eng.AddListField(c.ctx, f); err != nil {
		c.h.log.Info("vicidial: custom field not added", "list", id, "label", label, "reason", err.Error())
		resp = "ERROR: Field not added"
	}
	c.dash("NOTICE", "ADD CUSTOM FIELD COMMAND SENT", c.user+"|"+raw+"|"+label+"|"+typ+"|"+resp+"|")
}

// updateCustomField is custom_fields_update: the options sent replace
// the field's (--BLANK-- empties description, options and default), the
// others keep their values, as the script's form post does.
func (c *naCall) updateCustomField(id uint64, raw, label string) {
	if label == "" {
		c.colon("NOTICE", "REQUIRED CUSTOM FIELDS VARIABLES ARE MISSING, FIELD NOT UPDATED, THIS IS AN OPTIONAL FIELD", "|"+c.user+"|"+raw+"|"+label+"|")
		return
	}
	fields, _ := c.h.eng.ListFields(c.ctx, id)
	var f *core.ListField
	for i := range fields {
		if fields[i].Label == label {
			f = &fields[i]
		}
	}
	if f == nil {
		c.colon("NOTICE", "FIELD DOES NOT EXIST, FIELD NOT UPDATED, THIS IS AN OPTIONAL FIELD", "|"+c.user+"|"+raw+"|"+label+"|"+
			c.p.get("field_name")+"|"+c.p.get("field_size")+"|"+c.p.get("field_type")+"|"+c.p.get("field_rank")+"|")
		return
	}
	text := func(k string, v *string) {
		switch s := c.p.get(k); s {
		case "":
		case "--BLANK--":
			*v = ""
		default:
			*v = s
		}
	}
	num := func(k string, v *int) {
		if n, err := strconv.Atoi(c.p.get(k)); err == nil {
			*v = n
		}
	}
	text("field_name", &f.Name)
	text("field_description", &f.Description)
	text("field_type", &f.Type)
	text("field_options", &f.Options)
	text("field_default", &f.Default)
	num("field_rank", &f.Rank)
	num("field_order", &f.Order)
	num("field_size", &f.Size)
	num("field_max", &f.Max)
	if r := c.p.get("field_required"); r == "Y" || r == "N" {
		f.Required = r == "Y"
	}
	resp := "SUCCESS: Field updated"
	if _, err := c.h.eng.UpdateListField(c.ctx, *f); err != nil {
		c.h.log.Info("vicidial: custom field not updated", "list", id, "label", label, "reason", err.Error())
		resp = "ERROR: Field not updated"
	}
	c.dash("NOTICE", "UPDATE CUSTOM FIELD COMMAND SENT", c.user+"|"+raw+"|"+label+"|"+f.Type+"|"+resp+"|")
}

func (c *naCall) deleteCustomField(id uint64, raw, label string) {
	if label == "" {
		c.colon("NOTICE", "REQUIRED CUSTOM FIELDS VARIABLES ARE MISSING, FIELD NOT DELETED, THIS IS AN OPTIONAL FIELD",
			"|"+c.user+"|"+raw+"|"+label+"|")
		return
	}
	f, err := c.h.eng.DeleteListField(c.ctx, id, label)
	if core.ErrorCode(err) == core.ENOTFOUND {
		c.colon("NOTICE", "FIELD DOES NOT EXIST, FIELD NOT DELETED, THIS IS AN OPTIONAL FIELD", "|"+c.user+"|"+raw+"|"+label+"|")
		return
	}
	resp := "SUCCESS: Field deleted"
	if err != nil {
		c.h.log.Warn("vicidial: custom field not deleted", "list", id, "label", label, "err", err)
		resp = "ERROR: Field not deleted"
	}
	c.dash("NOTICE", "DELETE CUSTOM FIELD COMMAND SENT", c.user+"|"+raw+"|"+label+"|"+strconv.FormatUint(uint64(f.ID), 10)+"|"+resp+"|")
}

func (c *naCall) listInfo() {
	raw := c.p.get("list_id")
	id, err := strconv.ParseUint(raw, 10, 64)
	if len(raw) < 2 || len(raw) > 14 || err != nil {
		data := raw + "|" + c.p.get("list_name") + "|" + c.p.get("campaign_id")
		c.line("ERROR", "list_info YOU MUST USE ALL REQUIRED FIELDS", data,
			"ERROR: list_info YOU MUST USE ALL REQUIRED FIELDS: |"+c.user+"|"+data)
		return
	}
	l, err := c.h.eng.FindList(c.ctx, id)
	if err != nil {
		c.line("ERROR", "list_info LIST DOES NOT EXIST", raw, "ERROR: list_info LIST DOES NOT EXIST: |"+c.user+"|"+raw)
		return
	}
	cols := []string{"list_id", "list_name", "campaign_id", "active", "list_changedate", "list_lastcalldate", "expiration_date", "resets_today"}
	// Callgate keeps no change or last-call dates nor reset counts: the
	// script's values for a list never changed, called or reset.
	settings, _ := c.h.eng.Settings().Values(c.ctx, Dialect, core.ScopeList, raw)
	row := []string{raw, l.Name, l.Campaign, yn(l.Active), "", "", settings.String("expiration_date"), "0"}
	if c.p.get("leads_counts") == "Y" {
		cols = append(cols, "all_leads_count", "new_leads_count")
		total, _ := c.h.eng.ListLeadCount(c.ctx, id)
		fresh, _ := c.h.eng.ListLeadCount(c.ctx, id, "NEW")
		row = append(row, strconv.FormatInt(total, 10), strconv.FormatInt(fresh, 10))
	}
	// The script always ends the row with a delimiter and the dialable
	// count, empty unless dialable_count=Y.
	dialable := ""
	if c.p.get("dialable_count") == "Y" {
		cols = append(cols, "dialable_count")
		n, _ := c.h.eng.ListDialableCount(c.ctx, id)
		dialable = strconv.FormatInt(n, 10)
	}
	row = append(row, dialable)
	dl := c.delimiter()
	if c.p.get("header") == "YES" {
		c.out.WriteString(strings.Join(cols, dl) + "\n")
	}
	c.out.WriteString(strings.Join(row, dl) + "\n")
	c.logRow("SUCCESS", "list_info LIST INFORMATION SENT", raw)
}

// agentCampaigns is agent_campaigns: the active campaigns the agent's
// user group allows (or campaign_id alone) and the active in-groups those
// campaigns take, as the script lists them.
func (c *naCall) agentCampaigns() {
	agent := c.p.get("agent_user")
	a, err := c.h.eng.FindAgent(c.ctx, agent)
	if err != nil {
		c.line("ERROR", "agent_campaigns AGENT USER DOES NOT EXIST", agent,
			"ERROR: agent_campaigns AGENT USER DOES NOT EXIST: |"+c.user+"|"+agent)
		return
	}
	camps, closers := c.agentCampaignNames(a)
	if len(camps) == 0 {
		data := agent + "|" + c.user + "|"
		c.line("ERROR", "agent_campaigns THIS AGENT USER HAS NO AVAILABLE CAMPAIGNS", data,
			"ERROR: agent_campaigns THIS AGENT USER HAS NO AVAILABLE CAMPAIGNS: "+data)
		return
	}
	var ingroups []string
	for _, q := range c.h.eng.Queues() {
		if !q.Active || !closers[q.Name] || c.p.get("ignore_agentdirect") == "Y" && strings.HasPrefix(q.Name, "AGENTDIRECT") {
			continue
		}
		ingroups = append(ingroups, q.Name)
	}
	sort.Strings(ingroups)
	c.header("user", "allowed_campaigns_list", "allowed_ingroups_list")
	c.row(agent, strings.Join(camps, "-"), strings.Join(ingroups, "-"))
	c.logRow("SUCCESS", "agent_campaigns RESULTS FOUND: 1", c.user+"|"+agent+"|"+strings.Join(camps, "-")+"|"+strings.Join(ingroups, "-"))
}

// agentCampaignNames: the active campaigns a's user group allows (only
// campaign_id when given), sorted as the script's primary key orders them,
// and the in-groups they take.
func (c *naCall) agentCampaignNames(a core.Agent) ([]string, map[string]bool) {
	g, _ := c.h.eng.UserGroup(c.ctx, a.UserGroup)
	only := c.p.get("campaign_id")
	var camps []string
	closers := map[string]bool{}
	for _, camp := range c.h.eng.Campaigns() {
		if !campaignAllowed(g, camp.Name) || !camp.Active || only != "" && camp.Name != only {
			continue
		}
		camps = append(camps, camp.Name)
		for _, q := range strings.Fields(camp.Ingroups) {
			closers[q] = true
		}
	}
	sort.Strings(camps)
	return camps, closers
}

// campaignAllowed reads a user group's allowed_campaigns (" A B - " or
// " -ALL-CAMPAIGNS- - "); a missing group allows all, as an admin's.
func campaignAllowed(g core.UserGroup, camp string) bool {
	if g.Name == "" || strings.Contains(g.AllowedCampaigns, "-ALL-CAMPAIGNS-") {
		return true
	}
	for _, f := range strings.Fields(g.AllowedCampaigns) {
		if f == camp {
			return true
		}
	}
	return false
}

// ingroupList is ingroup_list: like the script, the HTML chooser frame of
// the admin pages (active in-groups by id, each a link that fills the
// parent page's field named by comments), with no API log row.
func (c *naCall) ingroupList() {
	qs := c.h.eng.Queues()
	sort.Slice(qs, func(i, j int) bool { return qs[i].Name < qs[j].Name })
	// comments names the parent page's field: the script reflects it into
	// the page's JavaScript as sent; Callgate keeps only the characters an
	// element id uses (no script injection), and escapes names.
	field := strings.Map(func(r rune) rune {
		if r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return -1
	}, c.p.get("comments"))
	var b strings.Builder
	b.WriteString(chooserHead + "<td width=30>#</td>\n<td colspan=2>Inbound Groups</td>\n<td>Name</td>\n<td>Color</td>\n</tr>\n")
	n := 0
	for _, q := range qs {
		if !q.Active {
			continue
		}
		n++
		bg := `bgcolor="#F6F6F6"`
		if n%2 == 1 {
			bg = `bgcolor="#E6E6E6"`
		}
		fmt.Fprintf(&b, "<tr %s><td width=30><font size=1 face=\"Arial,Helvetica\">%d</td>\n", bg, n)
		name := html.EscapeString(q.Name)
		fmt.Fprintf(&b, "<td colspan=2><a href=\"javascript:choose_file('%s','%s');\"><font size=2 face=\"Arial,Helvetica\">%s</a></td>\n", name, field, name)
		fmt.Fprintf(&b, "<td><font size=2 face=\"Arial,Helvetica\">%s</td>\n", html.EscapeString(q.Description))
		// Callgate keeps no in-group colour: the column's NULL prints empty.
		b.WriteString("<td bgcolor=\"\"><font size=2 face=\"Arial,Helvetica\"> &nbsp; &nbsp; &nbsp; &nbsp; </td></tr>\n")
	}
	b.WriteString("</table></div></body></HTML>\n")
	c.out.WriteString(b.String())
}

// chooserHead opens the script's chooser frames (ingroup_list and the
// other *_list functions of the admin pages).
const chooserHead = "\n<HTML><head><title>NON-AGENT API</title>\n<script language=\"Javascript\">\n" +
	"function choose_file(filename,fieldname)\n\t{\n\tif (filename.length > 0)\n\t\t{\n" +
	"\t\tparent.document.getElementById(fieldname).value = filename;\n" +
	"\t\tdocument.getElementById(\"selectframe\").innerHTML = '';\n" +
	"\t\tdocument.getElementById(\"selectframe\").style.visibility = 'hidden';\n" +
	"\t\tparent.close_chooser();\n\t\t}\n\t}\n" +
	"function close_file()\n\t{\n\tdocument.getElementById(\"selectframe\").innerHTML = '';\n" +
	"\tdocument.getElementById(\"selectframe\").style.visibility = 'hidden';\n\tparent.close_chooser();\n\t}\n" +
	"</script>\n</head>\n\n<body>\n" +
	"<a href=\"javascript:close_file();\"><font size=1 face=\"Arial,Helvetica\">close frame</font></a>\n" +
	"<div id='selectframe' style=\"height:400px;width:710px;overflow:scroll;\">\n" +
	"<table border=0 cellpadding=1 cellspacing=2 width=690 bgcolor=white><tr>\n"

func (c *naCall) userDetails() {
	agent := c.p.get("agent_user")
	data := c.user + "|" + agent
	if len(agent) < 1 || len(agent) >= 100 {
		c.line("ERROR", "user_details INVALID SEARCH PARAMETERS", data, "ERROR: user_details INVALID SEARCH PARAMETERS: "+data)
		return
	}
	a, err := c.h.eng.FindAgent(c.ctx, agent)
	if err != nil {
		c.line("ERROR", "user_details USER NOT FOUND", data, "ERROR: user_details USER NOT FOUND: "+data)
		return
	}
	c.header("user", "full_name", "user_group", "user_level", "active")
	c.row(agent, a.Name, a.UserGroup, strconv.Itoa(a.UserLevel), yn(a.Active))
	c.logRow("SUCCESS", "user_details", data)
}
