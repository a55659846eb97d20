package vicidial

import (
	"strconv"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
)

// naLeadFields maps non_agent_api.php's lead variables to lead columns.
var naLeadFields = []struct{ param, column string }{
	{"vendor_lead_code", "vendor_lead_code"}, {"source_id", "source_id"}, {"gmt_offset_now", "gmt_offset"},
	{"title", "title"}, {"first_name", "first_name"}, {"middle_initial", "middle_initial"}, {"last_name", "last_name"},
	{"address1", "address1"}, {"address2", "address2"}, {"address3", "address3"}, {"city", "city"}, {"state", "state"},
	{"province", "province"}, {"postal_code", "postal_code"}, {"country_code", "country_code"}, {"gender", "gender"},
	{"date_of_birth", "date_of_birth"}, {"alt_phone", "alt_phone"}, {"email", "email"},
	{"security_phrase", "security_phrase"}, {"comments", "comments"}, {"owner", "owner"},
}

// leadLimits are the vicidial_list column sizes: a longer value is cut as
// MySQL's non-strict mode (VICIdial's) stores it.
var leadLimits = map[string]int{
	"vendor_lead_code": 20, "source_id": 50, "gmt_offset": 6, "title": 4, "first_name": 30, "middle_initial": 1,
	"last_name": 30, "address1": 100, "address2": 100, "address3": 100, "city": 50, "state": 2, "province": 50,
	"postal_code": 10, "country_code": 3, "gender": 1, "date_of_birth": 10, "alt_phone": 12, "email": 70,
	"security_phrase": 100, "comments": 255, "owner": 20, "phone_number": 18, "phone_code": 10, "status": 6, "user": 20,
}

func cut(col, v string) string {
	if n := leadLimits[col]; n > 0 && len(v) > n {
		return v[:n]
	}
	return v
}

// leadColumns returns the lead columns the request sets; --BLANK-- empties
// a column.
func (c *naCall) leadColumns() map[string]any {
	cols := map[string]any{}
	for _, f := range naLeadFields {
		v, ok := c.p.v[f.param]
		if !ok || v == "" {
			continue
		}
		if v == "--BLANK--" {
			v = ""
		}
		cols[f.column] = cut(f.column, v)
	}
	if v := c.p.get("rank"); v != "" {
		n, _ := strconv.Atoi(v)
		cols["rank"] = n
	}
	return cols
}

func setLeadColumn(l *core.Lead, col string, v any) {
	s, _ := v.(string)
	switch col {
	case "vendor_lead_code":
		l.VendorLeadCode = s
	case "source_id":
		l.SourceID = s
	case "gmt_offset":
		l.GMTOffset = s
	case "title":
		l.Title = s
	case "first_name":
		l.FirstName = s
	case "middle_initial":
		l.MiddleInitial = s
	case "last_name":
		l.LastName = s
	case "address1":
		l.Address1 = s
	case "address2":
		l.Address2 = s
	case "address3":
		l.Address3 = s
	case "city":
		l.City = s
	case "state":
		l.State = s
	case "province":
		l.Province = s
	case "postal_code":
		l.PostalCode = s
	case "country_code":
		l.CountryCode = s
	case "gender":
		l.Gender = s
	case "date_of_birth":
		l.DateOfBirth = s
	case "alt_phone":
		l.AltPhone = s
	case "email":
		l.Email = s
	case "security_phrase":
		l.SecurityPhrase = s
	case "comments":
		l.Comments = s
	case "owner":
		l.Owner = s
	case "rank":
		l.Rank, _ = v.(int)
	}
}

// gmtOffset is the offset a new lead gets: gmt_offset_now when sent, else
// the server's (VICIdial looks the phone's area code up; see doc.go).
func (c *naCall) gmtOffset() string {
	if g := c.p.get("gmt_offset_now"); g != "" {
		return g
	}
	_, off := c.now.Zone()
	return strconv.FormatFloat(float64(off)/3600, 'f', 2, 64)
}

// newLead builds the lead add_lead (and update_lead's insert) would store.
func (c *naCall) newLead(phone string, listID uint64) core.Lead {
	l := core.Lead{PhoneNumber: phone, ListID: listID, PhoneCode: defaulted(c.p.get("phone_code"), "1"),
		Status: "NEW", User: c.user}
	for col, v := range c.leadColumns() {
		setLeadColumn(&l, col, v)
	}
	l.GMTOffset = cut("gmt_offset", c.gmtOffset())
	if s := c.p.get("status"); s != "" {
		l.Status = cut("status", s)
	}
	return l
}

func defaulted(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func (c *naCall) addLead() {
	phone, user := c.p.get("phone_number"), c.user
	listID := defaulted(c.p.get("list_id"), "999")
	lid, _ := strconv.ParseUint(listID, 10, 64)
	list, listErr := c.h.eng.FindList(c.ctx, lid)
	if c.p.get("list_exists_check") == "Y" && listErr != nil {
		c.dash("ERROR", "NOT A DEFINED LIST ID, LIST EXISTS CHECK ENABLED", phone+"|"+listID)
		return
	}
	if len(phone) < 6 || len(phone) > 16 || strings.Contains(phone, ",") {
		c.dash("ERROR", "INVALID PHONE NUMBER LENGTH", phone+"|"+user)
		return
	}
	campaign := c.p.get("campaign_id")
	if campaign == "" {
		campaign = list.Campaign
	}
	if yes(c.p.get("dnc_check")) && c.h.eng.OnDNC(c.ctx, phone, "") {
		c.dash("ERROR", "PHONE NUMBER IN DNC", phone+"|"+user)
		return
	}
	if yes(c.p.get("campaign_dnc_check")) && campaign != "" && c.h.eng.OnDNC(c.ctx, phone, campaign) {
		c.dash("ERROR", "PHONE NUMBER IN CAMPAIGN DNC", phone+"|"+campaign+"|"+user)
		return
	}
	if c.duplicate(phone, listID, lid, list.Campaign) {
		return
	}
	l := c.newLead(phone, lid)
	l.Campaign = list.Campaign
	if err := c.h.eng.AddLead(c.ctx, &l, core.AddLeadOptions{}); err != nil {
		c.h.log.Warn("vicidial: add_lead", "err", err)
		c.dash("ERROR", "LEAD HAS NOT BEEN ADDED", phone+"|"+listID+"||"+user)
		return
	}
	id := strconv.FormatUint(l.ID, 10)
	c.line("SUCCESS", "add_lead LEAD HAS BEEN ADDED", phone+"|"+listID+"|"+id+"|"+l.GMTOffset,
		"SUCCESS: add_lead LEAD HAS BEEN ADDED - "+phone+"|"+listID+"|"+id+"|"+l.GMTOffset+"|"+user)
	c.hopperAfterAdd(l)
	c.callbackAfterAdd(l, campaign)
}

func yes(v string) bool { return v == "Y" || v == "YES" }

// duplicate runs duplicate_check (DUPLIST, DUPCAMP, DUPSYS) and prints the
// error when the phone is already loaded.
func (c *naCall) duplicate(phone, listID string, lid uint64, campaign string) bool {
	check := c.p.get("duplicate_check")
	q := core.LeadQuery{Phone: phone, Limit: 1}
	reason := ""
	switch {
	case strings.HasPrefix(check, "DUPLIST"):
		q.ListIDs, reason = []uint64{lid}, "DUPLICATE PHONE NUMBER IN LIST"
	case strings.HasPrefix(check, "DUPCAMP"):
		ids, _ := c.h.eng.ListsOfCampaign(c.ctx, campaign)
		if campaign == "" || len(ids) == 0 {
			ids = []uint64{lid}
		}
		q.ListIDs, reason = ids, "DUPLICATE PHONE NUMBER IN CAMPAIGN LISTS"
	case strings.HasPrefix(check, "DUPSYS"):
		reason = "DUPLICATE PHONE NUMBER IN SYSTEM"
	default:
		return false
	}
	found, err := c.h.eng.FindLeads(c.ctx, q)
	if err != nil || len(found) == 0 {
		return false
	}
	data := phone + "|" + listID + "|" + strconv.FormatUint(found[0].ID, 10)
	if !strings.HasPrefix(check, "DUPLIST") {
		data += "|" + strconv.FormatUint(found[0].ListID, 10)
	}
	c.dash("ERROR", reason, data)
	return true
}

// hopperAfterAdd is add_to_hopper=Y: the lead is made due for its
// campaign's dialer at once (hopper_id is the lead id, see doc.go).
func (c *naCall) hopperAfterAdd(l core.Lead) {
	if c.p.get("add_to_hopper") != "Y" {
		return
	}
	phone, id := l.PhoneNumber, strconv.FormatUint(l.ID, 10)
	prio, _ := strconv.Atoi(c.p.get("hopper_priority"))
	if err := c.h.eng.QueueLeadNow(c.ctx, l.ID, prio); err != nil {
		c.dash("NOTICE", "NOT ADDED TO HOPPER", phone+"|"+id+"|"+refusalText(err)+"|"+c.user)
		return
	}
	c.dash("NOTICE", "ADDED TO HOPPER", phone+"|"+id+"|"+id+"|"+c.user)
}

// refusalText is the engine's reason in place of VICIdial's SQL text: safe
// to show, never SQL.
func refusalText(err error) string {
	if core.ErrorCode(err) == core.EINTERNAL {
		return "internal error"
	}
	if e, ok := err.(*core.Error); ok && e.Message != "" {
		return e.Message
	}
	return core.ErrorCode(err)
}

// callbackAfterAdd is callback=Y: a scheduled callback for the new lead.
func (c *naCall) callbackAfterAdd(l core.Lead, campaign string) {
	if c.p.get("callback") != "Y" {
		return
	}
	id := strconv.FormatUint(l.ID, 10)
	camp, err := c.h.eng.FindCampaign(c.ctx, campaign)
	if campaign == "" || err != nil {
		c.dash("NOTICE", "SCHEDULED CALLBACK NOT ADDED, CAMPAIGN NOT VALID", id+"|"+campaign)
		return
	}
	typ := defaulted(c.p.get("callback_type"), "ANYONE")
	cbUser := c.p.get("callback_user")
	if typ == "USERONLY" {
		if _, err := c.h.eng.FindAgent(c.ctx, cbUser); err != nil {
			c.dash("NOTICE", "SCHEDULED CALLBACK NOT ADDED, USER NOT VALID", id+"|"+campaign+"|"+cbUser+"|"+typ)
			return
		}
	} else {
		cbUser = ""
	}
	when := c.callbackTime(c.p.get("callback_datetime"))
	status := defaulted(c.p.get("callback_status"), "CALLBK")
	cb := core.Callback{LeadID: l.ID, ListID: l.ListID, Campaign: camp.Name, Agent: cbUser, AgentOnly: typ == "USERONLY",
		Phone: l.PhoneNumber, When: when, Comments: c.p.get("callback_comments")}
	if err := c.h.eng.ScheduleCallback(c.ctx, &cb); err != nil {
		c.dash("NOTICE", "SCHEDULED CALLBACK NOT ADDED, CAMPAIGN NOT VALID", id+"|"+campaign)
		return
	}
	c.dash("NOTICE", "SCHEDULED CALLBACK ADDED", id+"|"+campaign+"|"+when.Format("2006-01-02 15:04:05")+"|"+typ+"|"+cbUser+"|"+status)
}

// callbackTime reads callback_datetime: NOW, "YYYY-MM-DD HH:MM:SS" or
// "YYYY-MM-DD+HH:MM:SS"; anything else is now, as VICIdial's empty date.
func (c *naCall) callbackTime(v string) time.Time {
	v = strings.ReplaceAll(v, "+", " ")
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, c.now.Location()); err == nil {
			return t
		}
	}
	return c.now
}
