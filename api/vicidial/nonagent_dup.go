package vicidial

import (
	"strconv"
	"strings"

	"github.com/callgate/callgate/core"
)

// dupCheck is one duplicate_check option: what it compares (phone, phone
// or alt_phone, title and alt_phone, names and phone) and where (the list,
// the lists of the list's campaign, the system).
type dupCheck struct {
	key, kind, scope string
}

// dupChecks run in non_agent_api.php's order; every option the value
// names runs, the first duplicate found ends the request.
var dupChecks = []dupCheck{
	{"DUPLIST", "PHONE", "LIST"}, {"DUPCAMP", "PHONE", "CAMP"}, {"DUPSYS", "PHONE", "SYS"},
	{"DUPPHONEALTLIST", "PHONEALT", "LIST"}, {"DUPPHONEALTCAMP", "PHONEALT", "CAMP"}, {"DUPPHONEALTSYS", "PHONEALT", "SYS"},
	{"DUPTITLEALTPHONELIST", "TITLEALT", "LIST"}, {"DUPTITLEALTPHONECAMP", "TITLEALT", "CAMP"}, {"DUPTITLEALTPHONESYS", "TITLEALT", "SYS"},
	{"DUPNAMEPHONELIST", "NAMEPHONE", "LIST"}, {"DUPNAMEPHONECAMP", "NAMEPHONE", "CAMP"}, {"DUPNAMEPHONESYS", "NAMEPHONE", "SYS"},
}

// dupDays are the nDAY suffixes in the order VICIdial tests them: the
// last one the value contains wins ("21DAY" also contains "1DAY").
var dupDays = []struct {
	suffix string
	days   int
}{{"1DAY", 1}, {"2DAY", 2}, {"3DAY", 3}, {"7DAY", 7}, {"14DAY", 14}, {"15DAY", 15}, {"21DAY", 21}, {"28DAY", 28},
	{"30DAY", 30}, {"60DAY", 60}, {"90DAY", 90}, {"180DAY", 180}, {"360DAY", 360}}

func dupWindow(check string) int {
	n := 0
	for _, d := range dupDays {
		if strings.Contains(check, d.suffix) {
			n = d.days
		}
	}
	return n
}

var dupScopeText = map[string]string{"LIST": "IN LIST", "CAMP": "IN CAMPAIGN LISTS", "SYS": "IN SYSTEM"}

// duplicate runs duplicate_check and prints the error when the lead is
// already loaded.
func (c *naCall) duplicate(phone, listID string, lid uint64, list core.List) bool {
	check := strings.ToUpper(c.p.get("duplicate_check"))
	if check == "" {
		return false
	}
	base := core.LeadQuery{Limit: 1}
	if days := dupWindow(check); days > 0 {
		base.EnteredAfter = c.now.AddDate(0, 0, -days)
	}
	for _, d := range dupChecks {
		if !strings.Contains(check, d.key) {
			continue
		}
		q, ok := c.dupScope(base, d.scope, lid, list)
		if !ok {
			continue
		}
		if found, typ, ok := c.findDuplicate(q, d.kind, phone); ok {
			c.dash("ERROR", c.dupReason(d), c.dupData(d, phone, listID, found, typ))
			return true
		}
	}
	return false
}

// dupScope narrows the query to the check's lists. A CAMP check of a list
// with no campaign lists finds nothing (VICIdial's empty IN()).
func (c *naCall) dupScope(q core.LeadQuery, scope string, lid uint64, list core.List) (core.LeadQuery, bool) {
	switch scope {
	case "LIST":
		q.ListIDs = []uint64{lid}
	case "CAMP":
		if list.ID == 0 {
			return q, false
		}
		ids, err := c.h.eng.ListsOfCampaign(c.ctx, list.Campaign)
		if err != nil || len(ids) == 0 {
			return q, false
		}
		q.ListIDs = ids
	}
	return q, true
}

// findDuplicate looks for the first lead matching the check's fields.
func (c *naCall) findDuplicate(q core.LeadQuery, kind, phone string) (core.Lead, string, bool) {
	title, first, last := c.p.get("title"), c.p.get("first_name"), c.p.get("last_name")
	var queries []core.LeadQuery
	switch kind {
	case "PHONE":
		q.Phone = phone
		queries = append(queries, q)
	case "PHONEALT":
		byAlt := q
		q.Phone, byAlt.AltPhone = phone, phone
		queries = append(queries, q, byAlt)
	case "TITLEALT":
		// An empty alt_phone never matches: the store cannot narrow on it.
		if c.p.get("alt_phone") == "" {
			return core.Lead{}, "", false
		}
		q.Title, q.AltPhone = &title, c.p.get("alt_phone")
		queries = append(queries, q)
	case "NAMEPHONE":
		q.Phone, q.FirstName, q.LastName = phone, &first, &last
		queries = append(queries, q)
	}
	var best core.Lead
	for _, q := range queries {
		found, err := c.h.eng.FindLeads(c.ctx, q)
		if err == nil && len(found) > 0 && (best.ID == 0 || found[0].ID < best.ID) {
			best = found[0]
		}
	}
	if best.ID == 0 {
		return best, "", false
	}
	typ := "ALT"
	if best.PhoneNumber == phone {
		typ = "PHONE"
	}
	return best, typ, true
}

func (c *naCall) dupReason(d dupCheck) string {
	what := "DUPLICATE PHONE NUMBER "
	switch d.kind {
	case "TITLEALT":
		what = "DUPLICATE TITLE ALT_PHONE "
	case "NAMEPHONE":
		what = "DUPLICATE NAME PHONE "
	}
	return what + dupScopeText[d.scope]
}

func (c *naCall) dupData(d dupCheck, phone, listID string, found core.Lead, typ string) string {
	data := phone + "|" + listID
	switch d.kind {
	case "TITLEALT":
		data = c.p.get("title") + "|" + c.p.get("alt_phone") + "|" + listID
	case "NAMEPHONE":
		data = c.p.get("first_name") + "|" + c.p.get("last_name") + "|" + phone + "|" + listID
	}
	data += "|" + strconv.FormatUint(found.ID, 10)
	if d.scope != "LIST" {
		data += "|" + strconv.FormatUint(found.ListID, 10)
	}
	if d.kind == "PHONEALT" {
		data += "|" + typ
	}
	return data
}
