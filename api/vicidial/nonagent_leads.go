package vicidial

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/numplan"
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

// newLead builds the lead add_lead (and update_lead's insert) would store.
func (c *naCall) newLead(phone string, listID uint64) core.Lead {
	l := core.Lead{PhoneNumber: phone, ListID: listID, PhoneCode: defaulted(c.p.get("phone_code"), "1"),
		Status: "NEW", User: c.user}
	for col, v := range c.leadColumns() {
		setLeadColumn(&l, col, v)
	}
	l.GMTOffset = cut("gmt_offset", c.gmtOffset(l))
	if c.p.get("lookup_state") == "Y" && l.State == "" {
		l.State = numplan.State(l.PhoneCode, phone)
	}
	if v, err := strconv.ParseUint(c.p.get("entry_list_id"), 10, 64); err == nil {
		l.EntryListID = v
	}
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
	rawList := c.p.get("list_id")
	rawID, _ := strconv.ParseUint(rawList, 10, 64)
	if !c.listAllowed(rawID) {
		c.dash("ERROR", "NOT AN ALLOWED LIST ID", phone+"|"+rawList)
		return
	}
	if strings.Contains(c.p.get("list_exists_check"), "Y") {
		if _, err := c.h.eng.FindList(c.ctx, rawID); err != nil {
			c.dash("ERROR", "NOT A DEFINED LIST ID, LIST EXISTS CHECK ENABLED", phone+"|"+rawList)
			return
		}
	}
	listID := rawList
	if len(listID) < 3 {
		listID = "999"
	}
	lid, _ := strconv.ParseUint(listID, 10, 64)
	list, _ := c.h.eng.FindList(c.ctx, lid)
	c.nanpaNotice()
	if reason := c.phoneInvalid(phone); reason != "" {
		c.dash("ERROR", reason, phone+"|"+user)
		return
	}
	if c.dncRefused(phone) || c.duplicate(phone, listID, lid, list) {
		return
	}
	l := c.newLead(phone, lid)
	l.Campaign, l.Status = list.Campaign, "NEW"
	if l.Gender == "" {
		l.Gender = "U"
	}
	if c.p.get("callback") == "Y" {
		l.Status = "CBHOLD"
	}
	if err := c.h.eng.AddLead(c.ctx, &l, core.AddLeadOptions{}); err != nil {
		c.h.log.Warn("vicidial: add_lead", "err", err)
		c.dash("ERROR", "LEAD HAS NOT BEEN ADDED", phone+"|"+listID+"|"+refusalText(err)+"|"+user)
		return
	}
	id := strconv.FormatUint(l.ID, 10)
	c.line("SUCCESS", "add_lead LEAD HAS BEEN ADDED", phone+"|"+listID+"|"+id+"|"+l.GMTOffset,
		"SUCCESS: add_lead LEAD HAS BEEN ADDED - "+phone+"|"+listID+"|"+id+"|"+l.GMTOffset+"|"+user)
	c.multiAltPhones(l)
	c.customFieldsOnInsert(l, listID)
	c.hopperAfterAdd(l)
	c.callbackAfterAdd(l)
}

func yes(v string) bool { return v == "Y" || v == "YES" }

// nanpaNotice is nanpa_ac_prefix_check=Y (or a NANPA tz_method): Callgate
// has no NANPA prefix table, so VICIdial's answer for an unloaded table
// applies: the options are dropped with a NOTICE before the insert.
func (c *naCall) nanpaNotice() {
	tz := c.p.get("tz_method")
	if c.p.get("nanpa_ac_prefix_check") != "Y" && !strings.Contains(strings.ToUpper(tz), "NANPA") {
		return
	}
	c.p.v["nanpa_ac_prefix_check"] = "N"
	c.dash("NOTICE", "NANPA options disabled, NANPA prefix data not loaded", "0|"+c.user)
}

// phoneInvalid is the phone number validation: its error reason, or "".
// usacan_areacode_check applies the North American numbering rules (ten
// digits, area code NXX not N9X or N11) where VICIdial looks the area code
// up in vicidial_phone_codes.
func (c *naCall) phoneInvalid(phone string) string {
	if len(phone) < 6 || len(phone) > 16 {
		return "INVALID PHONE NUMBER LENGTH"
	}
	if c.p.get("usacan_prefix_check") == "Y" && phone[3] < '2' {
		return "INVALID PHONE NUMBER PREFIX"
	}
	if c.p.get("usacan_areacode_check") == "Y" && !nanpAreaCode(phone) {
		return "INVALID PHONE NUMBER AREACODE"
	}
	return ""
}

func nanpAreaCode(phone string) bool {
	if len(phone) != 10 || strings.Trim(phone, "0123456789") != "" {
		return false
	}
	a, b, cc := phone[0], phone[1], phone[2]
	return a >= '2' && b != '9' && !(b == '1' && cc == '1')
}

// dncRefused runs dnc_check and campaign_dnc_check (Y or AREACODE; the
// campaign is campaign_id, or the one its use_other_campaign_dnc names).
func (c *naCall) dncRefused(phone string) bool {
	if v := c.p.get("dnc_check"); (v == "Y" || v == "AREACODE") && c.h.eng.OnDNC(c.ctx, phone, "") {
		c.dash("ERROR", "PHONE NUMBER IN DNC", phone+"|"+c.user)
		return true
	}
	v, campaign := c.p.get("campaign_dnc_check"), c.p.get("campaign_id")
	if v != "Y" && v != "AREACODE" || campaign == "" {
		return false
	}
	list := campaign
	if c.h.ids != nil {
		if other := c.h.ids.campaignSettings(c.ctx, campaign).UseOtherCampDNC; other != "" {
			list = other
		}
	}
	if c.h.eng.OnDNC(c.ctx, phone, list) {
		c.dash("ERROR", "PHONE NUMBER IN CAMPAIGN DNC", phone+"|"+campaign+"|"+c.user)
		return true
	}
	return false
}

// hopperAfterAdd is add_to_hopper=Y: the lead is made due for its
// campaign's dialer at once (hopper_id is the lead id, see doc.go).
func (c *naCall) hopperAfterAdd(l core.Lead) {
	if c.p.get("add_to_hopper") != "Y" {
		return
	}
	phone, id := l.PhoneNumber, strconv.FormatUint(l.ID, 10)
	if core.HopperState(l) != "" {
		c.dash("NOTICE", "NOT ADDED TO HOPPER, LEAD IS ALREADY IN THE HOPPER", phone+"|"+id+"|"+c.user)
		return
	}
	if c.outsideLocalTime(l, func() {
		c.dash("NOTICE", "NOT ADDED TO HOPPER, OUTSIDE OF LOCAL TIME", phone+"|"+id+"|"+l.GMTOffset+"|0|"+c.user)
	}) {
		return
	}
	prio, _ := strconv.Atoi(c.p.get("hopper_priority"))
	err := c.h.eng.QueueLeadNow(c.ctx, l.ID, prio)
	if errors.Is(err, core.ErrLeadQueued) {
		c.dash("NOTICE", "NOT ADDED TO HOPPER, LEAD IS ALREADY IN THE HOPPER", phone+"|"+id+"|"+c.user)
		return
	}
	if err != nil {
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

// callbackAfterAdd is callback=Y: a scheduled callback for the new lead
// in campaign_id (the request's, as VICIdial's).
func (c *naCall) callbackAfterAdd(l core.Lead) {
	if c.p.get("callback") != "Y" {
		return
	}
	c.newCallback(l.ID, l.ListID, l.PhoneNumber)
}

// newCallback files a callback for a lead and prints its NOTICE.
func (c *naCall) newCallback(leadID, listID uint64, phone string) {
	id, campaign := strconv.FormatUint(leadID, 10), c.p.get("campaign_id")
	camp, err := c.h.eng.FindCampaign(c.ctx, campaign)
	if campaign == "" || err != nil {
		c.dash("NOTICE", "SCHEDULED CALLBACK NOT ADDED, CAMPAIGN NOT VALID", id+"|"+campaign)
		return
	}
	typ, cbUser := c.p.get("callback_type"), c.p.get("callback_user")
	if typ == "USERONLY" {
		if _, err := c.h.eng.FindAgent(c.ctx, cbUser); err != nil {
			c.dash("NOTICE", "SCHEDULED CALLBACK NOT ADDED, USER NOT VALID", id+"|"+campaign+"|"+cbUser+"|"+typ)
			return
		}
	} else {
		typ, cbUser = "ANYONE", ""
	}
	when, shown := c.callbackTime(c.p.get("callback_datetime"))
	status := defaulted(c.p.get("callback_status"), "CALLBK")
	cb := core.Callback{LeadID: leadID, ListID: listID, Campaign: camp.Name, Agent: cbUser, AgentOnly: typ == "USERONLY",
		Phone: phone, When: when, Comments: c.p.get("callback_comments"), LeadStatus: status}
	if err := c.h.eng.ScheduleCallback(c.ctx, &cb); err != nil {
		c.dash("NOTICE", "SCHEDULED CALLBACK NOT ADDED", id+"|"+campaign+"|"+refusalText(err))
		return
	}
	c.dash("NOTICE", "SCHEDULED CALLBACK ADDED", id+"|"+campaign+"|"+shown+"|"+typ+"|"+cbUser+"|"+status)
}

// callbackTime reads callback_datetime: NOW, nDAYS (n days from now), or
// a date and time; it returns the time and the text VICIdial prints. A
// value it cannot read is now (VICIdial would store a zero date).
func (c *naCall) callbackTime(v string) (time.Time, string) {
	const layout = "2006-01-02 15:04:05"
	up := strings.ToUpper(v)
	switch {
	case v == "NOW":
		return c.now, c.now.Format(layout)
	case len(up) > 4 && strings.HasSuffix(up, "DAYS") && up[len(up)-5] >= '0' && up[len(up)-5] <= '9':
		n, _ := strconv.Atoi(keep(v, clsDigits))
		t := c.now.AddDate(0, 0, n)
		return t, t.Format(layout)
	}
	s := strings.ReplaceAll(v, "+", " ")
	for _, l := range []string{layout, "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(l, s, c.now.Location()); err == nil {
			return t, v
		}
	}
	return c.now, v
}
