package vicidial

import (
	"strconv"
	"strings"

	"github.com/callgate/callgate/core"
)

// searchQueries are update_lead's searches in the script's order: by
// lead_id, then vendor_lead_code, then phone_number, as search_method
// names them (by substring), each tried only when the ones before found
// nothing. false when the method names no search with a usable value.
func (c *naCall) searchQueries(method, leadID, vendor, phone string) ([]core.LeadQuery, bool) {
	scope := c.searchScope()
	var qs []core.LeadQuery
	if strings.Contains(method, "LEAD_ID") && leadID != "" {
		id, _ := strconv.ParseUint(leadID, 10, 64)
		q := scope
		q.IDs = []uint64{id}
		qs = append(qs, q)
	}
	if strings.Contains(method, "VENDOR_LEAD_CODE") && vendor != "" {
		q := scope
		q.VendorCode = vendor
		qs = append(qs, q)
	}
	if strings.Contains(method, "PHONE_NUMBER") && len(phone) > 5 && len(phone) < 19 {
		q := scope
		q.Phone = phone
		qs = append(qs, q)
	}
	return qs, len(qs) > 0
}

// searchScope is search_location: LIST (list_id), CAMPAIGN (the lists of
// list_id's campaign) or SYSTEM, which it is when list_id is not a list
// number of 3 digits or more.
func (c *naCall) searchScope() core.LeadQuery {
	var q core.LeadQuery
	loc, raw := c.p.get("search_location"), c.p.get("list_id")
	lid, _ := strconv.ParseUint(raw, 10, 64)
	if len(loc) < 4 || lid < 99 || len(raw) < 3 {
		return q
	}
	if strings.Contains(loc, "CAMPAIGN") {
		if l, err := c.h.eng.FindList(c.ctx, lid); err == nil {
			if ids, err := c.h.eng.ListsOfCampaign(c.ctx, l.Campaign); err == nil && len(ids) > 0 {
				q.ListIDs = ids
			}
		}
	}
	if strings.Contains(loc, "LIST") {
		q.ListIDs = []uint64{lid}
	}
	return q
}

// noMatch answers a search that found nothing: insert_if_not_found=Y adds
// the lead.
func (c *naCall) noMatch(ident, phone string) {
	if c.p.get("insert_if_not_found") != "Y" || c.p.get("no_update") == "Y" {
		result := "ERROR"
		if c.p.get("no_update") == "Y" {
			result = "NOTICE"
		}
		c.colon(result, "NO MATCHES FOUND IN THE SYSTEM", ident)
		return
	}
	c.colon("NOTICE", "NO MATCHES FOUND IN THE SYSTEM", ident)
	listID := c.p.get("list_id")
	if v := c.p.get("list_id_field"); v != "" {
		listID = v
	}
	lid, _ := strconv.ParseUint(listID, 10, 64)
	code := defaulted(c.p.get("phone_code"), "1")
	if len(phone) < 6 || len(phone) > 18 || strings.Contains(phone, ",") || len(listID) < 3 {
		c.dash("ERROR", "INVALID DATA FOR LEAD INSERTION", c.user+"|"+phone+"|"+code+"|"+listID+"|Y")
		return
	}
	if lid >= 99 && !c.listAllowed(lid) {
		c.dash("ERROR", "NOT AN ALLOWED LIST ID, INSERT", phone+"|"+listID)
		return
	}
	l := c.newLead(phone, lid)
	if list, err := c.h.eng.FindList(c.ctx, lid); err == nil {
		l.Campaign = list.Campaign
	}
	if err := c.h.eng.AddLead(c.ctx, &l, core.AddLeadOptions{}); err != nil {
		c.dash("ERROR", "INVALID DATA FOR LEAD INSERTION", c.user+"|"+phone+"|"+code+"|"+listID+"|Y")
		return
	}
	c.dash("SUCCESS", "LEAD HAS BEEN ADDED", phone+"|"+listID+"|"+strconv.FormatUint(l.ID, 10)+"|"+l.GMTOffset+"|"+c.user)
	c.multiAltPhones(l)
	c.customFieldsOnInsert(l, listID)
	c.hopperAfterAdd(l)
}

// leadRow is a lead's vicidial_list columns in lead_all_info's order.
func leadRow(l core.Lead) []string {
	last := ""
	if l.LastCalledAt != nil {
		last = l.LastCalledAt.Format("2006-01-02 15:04:05")
	}
	list := strconv.FormatUint(l.ListID, 10)
	return []string{l.Status, l.User, l.VendorLeadCode, l.SourceID, list, l.GMTOffset, l.PhoneCode, l.PhoneNumber,
		l.Title, l.FirstName, l.MiddleInitial, l.LastName, l.Address1, l.Address2, l.Address3, l.City, l.State,
		l.Province, l.PostalCode, l.CountryCode, l.Gender, l.DateOfBirth, l.AltPhone, l.Email, l.SecurityPhrase,
		l.Comments, strconv.Itoa(l.CalledCount), last, strconv.Itoa(l.Rank), l.Owner, strconv.FormatUint(l.EntryListID, 10),
		strconv.FormatUint(l.ID, 10)}
}

var leadRowHeader = []string{"status", "user", "vendor_lead_code", "source_id", "list_id", "gmt_offset_now",
	"phone_code", "phone_number", "title", "first_name", "middle_initial", "last_name", "address1", "address2",
	"address3", "city", "state", "province", "postal_code", "country_code", "gender", "date_of_birth", "alt_phone",
	"email", "security_phrase", "comments", "called_count", "last_local_call_time", "rank", "owner",
	"entry_list_id", "lead_id"}

// leadAllInfo is lead_all_info: the lead (lead_id) or the leads with a
// phone number, newest first, each with its header when header=YES (the
// script prints it per lead) and, with custom_fields=Y, its entry list's
// custom values.
func (c *naCall) leadAllInfo() {
	leadID, phone := c.p.get("lead_id"), c.p.get("phone_number")
	ident := c.user + "|" + leadID + "|" + phone
	q := core.LeadQuery{Limit: 1000}
	if len(phone) >= 6 && len(phone) <= 19 {
		q.Phone = phone
	}
	if leadID != "" {
		id, _ := strconv.ParseUint(leadID, 10, 64)
		q = core.LeadQuery{IDs: []uint64{id}, Limit: 1}
	}
	var found []core.Lead
	if len(q.IDs) > 0 || q.Phone != "" {
		found, _ = c.h.eng.FindLeads(c.ctx, q)
	}
	if len(found) == 0 {
		c.colon("ERROR", "LEAD NOT FOUND", ident)
		return
	}
	printed := false
	for i := len(found) - 1; i >= 0; i-- {
		l := found[i]
		if !c.listAllowed(l.ListID) {
			c.colon("ERROR", "LIST NOT FOUND", ident)
			continue
		}
		labels, values := c.customColumns(l)
		c.header(append(append([]string{}, leadRowHeader...), labels...)...)
		c.row(append(leadRow(l), values...)...)
		printed = true
	}
	if printed {
		c.logRow("SUCCESS", "lead_all_info", ident+"|"+defaulted(c.p.get("stage"), "pipe"))
	}
}

// leadFieldInfo is lead_field_info: one column of a lead, or with
// custom_fields=Y one of its custom values (of its entry list, or list_id's),
// printed bare with no line end as the script echoes it.
func (c *naCall) leadFieldInfo() {
	leadID, field := c.p.get("lead_id"), c.p.get("field_name")
	if leadID == "" || len(leadID) >= 12 || field == "" {
		c.colon("ERROR", "INVALID SEARCH PARAMETERS", c.user+"|"+leadID+"|"+field)
		return
	}
	id, _ := strconv.ParseUint(leadID, 10, 64)
	l, err := c.h.eng.Lead(c.ctx, id)
	if err != nil {
		c.colon("ERROR", "LEAD NOT FOUND", c.user+"|"+leadID)
		return
	}
	list := strconv.FormatUint(l.ListID, 10)
	if li, err := c.h.eng.FindList(c.ctx, l.ListID); err != nil || !campaignAllowed(c.apiUserGroup(), li.Campaign) {
		c.colon("ERROR", "LIST NOT FOUND", c.user+"|"+leadID+"|"+list)
		return
	}
	v, ok := c.fieldValue(l, field)
	if !ok {
		c.colon("ERROR", "LIST FIELD NOT FOUND", c.user+"|"+leadID)
		return
	}
	c.out.WriteString(v)
	c.logRow("SUCCESS", "lead_field_info "+v, c.user+"|"+leadID+"|"+c.p.get("stage"))
}

// fieldValue is a lead's column by vicidial_list name, or its custom
// value with custom_fields=Y.
func (c *naCall) fieldValue(l core.Lead, field string) (string, bool) {
	if c.p.get("custom_fields") == "Y" {
		entry := l.EntryListID
		if raw := c.p.get("list_id"); len(raw) > 1 {
			entry, _ = strconv.ParseUint(raw, 10, 64)
		}
		fields, _ := c.h.eng.ListFields(c.ctx, entry)
		values, _ := c.h.eng.LeadFieldValues(c.ctx, l.ID, entry)
		for _, f := range fields {
			if f.Label == field && len(values) > 0 {
				return values[field], true
			}
		}
		return "", false
	}
	switch field {
	case "entry_date":
		return l.EntryDate.Format("2006-01-02 15:04:05"), true
	case "modify_date":
		return l.ModifyDate.Format("2006-01-02 15:04:05"), true
	}
	for i, h := range leadRowHeader {
		if h == field {
			return leadRow(l)[i], true
		}
	}
	return "", false
}

// addDNC and deleteDNC edit the system DNC list (campaign_id
// SYSTEM_INTERNAL) or a campaign's, with the script's lines. campaign_id is
// required, as in the script.
func (c *naCall) addDNC() {
	phone, camp, ok := c.dncRequest()
	if !ok {
		return
	}
	data := phone + "|" + camp
	if c.h.eng.OnDNC(c.ctx, phone, c.campaignKey(camp)) {
		c.line("ERROR", "add_dnc_phone DNC NUMBER ALREADY EXISTS", data, "ERROR: add_dnc_phone DNC NUMBER ALREADY EXISTS: |"+c.user+"|"+data)
		return
	}
	if err := c.h.eng.AddDNC(c.ctx, phone, c.campaignKey(camp), "non_agent_api "+c.user); err != nil {
		// The script cannot fail here; Callgate says so when its store does.
		c.h.log.Error("vicidial: add_dnc_phone", "err", err)
		c.line("ERROR", "add_dnc_phone DNC NUMBER HAS NOT BEEN ADDED", data, "ERROR: add_dnc_phone DNC NUMBER HAS NOT BEEN ADDED: |"+c.user+"|"+data)
		return
	}
	c.line("SUCCESS", "add_dnc_phone DNC NUMBER HAS BEEN ADDED", data, "SUCCESS: add_dnc_phone DNC NUMBER HAS BEEN ADDED - "+c.user+"|"+data)
}

func (c *naCall) deleteDNC() {
	phone, camp, ok := c.dncRequest()
	if !ok {
		return
	}
	data := phone + "|" + camp
	removed, err := c.h.eng.RemoveDNC(c.ctx, phone, c.campaignKey(camp))
	switch {
	case err != nil:
		c.h.log.Error("vicidial: delete_dnc_phone", "err", err)
		c.line("ERROR", "delete_dnc_phone DNC NUMBER HAS NOT BEEN DELETED", data, "ERROR: delete_dnc_phone DNC NUMBER HAS NOT BEEN DELETED: |"+c.user+"|"+data)
	case !removed:
		c.line("ERROR", "delete_dnc_phone DNC NUMBER DOES NOT EXIST", data, "ERROR: delete_dnc_phone DNC NUMBER DOES NOT EXIST: |"+c.user+"|"+data)
	default:
		c.line("SUCCESS", "delete_dnc_phone DNC NUMBER HAS BEEN DELETED", data, "SUCCESS: delete_dnc_phone DNC NUMBER HAS BEEN DELETED - "+c.user+"|"+data)
	}
}

// dncRequest reads phone_number and campaign_id, answering the script's
// required-fields error when either is missing or too short.
func (c *naCall) dncRequest() (phone, camp string, ok bool) {
	phone, camp = c.p.get("phone_number"), c.p.get("campaign_id")
	if len(phone) < 6 || len(camp) < 1 || len(phone) > 18 {
		data := phone + "|" + camp
		c.line("ERROR", c.function+" YOU MUST USE ALL REQUIRED FIELDS", data,
			"ERROR: "+c.function+" YOU MUST USE ALL REQUIRED FIELDS: |"+c.user+"|"+data)
		return "", "", false
	}
	return phone, camp, true
}

// campaignKey is the core's DNC list for campaign_id: "" is the system's.
func (c *naCall) campaignKey(list string) string {
	if list == "SYSTEM_INTERNAL" {
		return ""
	}
	return list
}
