package vicidial

import (
	"strconv"
	"strings"

	"github.com/callgate/callgate/core"
)

// leadSearch is lead_search as the script runs it: by lead_ids (LEAD_ID
// with a lead_id), else by the comma lists vendor_lead_code, else
// phone_number (search_method by substring, PHONE_NUMBER when shorter than
// 6 characters), within search_location, highest lead id first, at most
// records (1000). It prints one row per phone number and then per vendor
// code asked: "key|matches|lead ids joined by -".
func (c *naCall) leadSearch() {
	method := c.p.get("search_method")
	if len(method) < 6 {
		method = "PHONE_NUMBER"
	}
	leadID, vendor, phone := c.p.get("lead_id"), c.p.get("vendor_lead_code"), c.p.get("phone_number")
	byLead := strings.Contains(method, "LEAD_ID") && leadID != ""
	byVendor := strings.Contains(method, "VENDOR_LEAD_CODE") && vendor != ""
	byPhone := strings.Contains(method, "PHONE_NUMBER") && len(phone) > 5
	if !byLead && !byVendor && !byPhone {
		c.dash("ERROR", "NO VALID SEARCH METHOD", c.user+"|"+method+"|"+leadID+"("+b01(byLead)+")|"+vendor+"("+b01(byVendor)+")|"+
			phone+"("+b01(byPhone)+")")
		return
	}
	listID := c.p.get("list_id")
	if lid, err := strconv.ParseUint(listID, 10, 64); err == nil && lid >= 99 && !c.listAllowed(lid) {
		c.dash("ERROR", "NOT AN ALLOWED LIST ID", phone+"|"+listID)
		return
	}
	var vendors, phones []string
	if byVendor {
		vendors = nonEmpty(strings.Split(vendor, ","), func(s string) bool { return s != "" })
	}
	if byPhone {
		phones = nonEmpty(strings.Split(phone, ","), func(s string) bool { return len(s) > 5 && len(s) < 19 })
	}
	keys, ids := c.searchKeys(byLead, vendors, phones)
	if len(keys) == 0 {
		c.colon("ERROR", "NO MATCHES FOUND IN THE SYSTEM", "|"+c.user+"|"+leadID+"|"+vendor+"|"+phone)
		return
	}
	if c.p.get("header") == "YES" {
		// The script's delimiter variable is unset in this function: the
		// header's names run together.
		c.raw("search_keyrecords_foundlead_ids")
	}
	for _, asked := range append(phones, vendors...) {
		var match []string
		for i, k := range keys {
			if k == asked {
				match = append(match, ids[i])
			}
		}
		c.raw(asked + "|" + strconv.Itoa(len(match)) + "|" + strings.Join(match, "-"))
	}
	c.logRow("SUCCESS", "lead_search LEADS FOUND IN THE SYSTEM", leadID+"|"+vendor+"|"+phone+"|"+strconv.Itoa(len(keys)))
}

func b01(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func nonEmpty(in []string, keep func(string) bool) []string {
	var out []string
	for _, s := range in {
		if keep(s) {
			out = append(out, s)
		}
	}
	return out
}

// searchKeys runs lead_search's searches in order until one finds leads;
// each found lead gives its search key (lead id, vendor code or phone) and
// its id. The lead id search reads lead_ids, as the script's does.
func (c *naCall) searchKeys(byLead bool, vendors, phones []string) (keys, ids []string) {
	limit := 1000
	if n, err := strconv.Atoi(c.p.get("records")); err == nil && n > 0 {
		limit = n
	}
	scope := c.searchScope()
	run := func(q core.LeadQuery, key func(core.Lead) string) {
		q.Limit = maxLeadSearch
		found, err := c.h.eng.FindLeads(c.ctx, q)
		if err != nil {
			return
		}
		for i := len(found) - 1; i >= 0 && len(keys) < limit; i-- {
			keys, ids = append(keys, key(found[i])), append(ids, strconv.FormatUint(found[i].ID, 10))
		}
	}
	if byLead {
		var lids []uint64
		for _, s := range strings.Split(c.p.get("lead_ids"), ",") {
			if id, err := strconv.ParseUint(s, 10, 64); err == nil && len(lids) < maxLeadSearch {
				lids = append(lids, id)
			}
		}
		if len(lids) > 0 {
			q := scope
			q.IDs = lids
			run(q, func(l core.Lead) string { return strconv.FormatUint(l.ID, 10) })
		}
	}
	if len(keys) == 0 {
		for _, v := range vendors {
			q := scope
			q.VendorCode = v
			run(q, func(l core.Lead) string { return l.VendorLeadCode })
		}
	}
	if len(keys) > 0 {
		return keys, ids
	}
	for _, p := range phones {
		q := scope
		q.Phone = p
		run(q, func(l core.Lead) string { return l.PhoneNumber })
	}
	return keys, ids
}

// maxLeadSearch bounds one lead_search query.
const maxLeadSearch = 10000
