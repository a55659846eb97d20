package vicidial

import (
	"strconv"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/numplan"
)

// leadZone is lookup_gmt_api: the zone of a phone by the request's
// tz_method. TZCODE reads owner as a zone code; POSTAL would read a
// postal-code table Callgate does not have, so, as the script does when
// that table has no row, both fall back to the phone's area code.
func (c *naCall) leadZone(phoneCode, phone, method, owner string) (*time.Location, bool) {
	if method == "TZCODE" && len(owner) > 1 {
		if loc, ok := numplan.TZCode(phoneCode, owner); ok {
			return loc, true
		}
	}
	return numplan.Zone(phoneCode, phone)
}

// vicidialGMT prints an offset as lookup_gmt_api returns it: the table's
// standard offset as text ("-5.00"), or, in daylight saving time, that
// offset plus one as a PHP number ("-4", "-2.5").
func vicidialGMT(loc *time.Location, now time.Time) string {
	h, dst := numplan.Offset(loc, now)
	if dst {
		return strconv.FormatFloat(h, 'f', -1, 64)
	}
	return strconv.FormatFloat(h, 'f', 2, 64)
}

// gmtOffset is the offset a new lead gets: its phone's zone now; for a
// number with no known zone, gmt_offset_now when sent, else the server's
// (VICIdial leaves it empty; see doc.go).
func (c *naCall) gmtOffset(l core.Lead) string {
	if loc, ok := c.leadZone(l.PhoneCode, l.PhoneNumber, strings.ToUpper(c.p.get("tz_method")), l.Owner); ok {
		return vicidialGMT(loc, c.now)
	}
	if g := c.p.get("gmt_offset_now"); g != "" {
		return g
	}
	_, off := c.now.Zone()
	return strconv.FormatFloat(float64(off)/3600, 'f', 2, 64)
}

// leadCallTime is the window a lead may be called in: its list's
// local_call_time, or with "campaign" (the default) its campaign's hours
// (Callgate's local_call_time). ok is false when the campaign is unknown.
func (c *naCall) leadCallTime(l core.Lead) (core.CallTime, bool) {
	camp, err := c.h.eng.FindCampaign(c.ctx, l.Campaign)
	if err != nil {
		return core.CallTime{}, false
	}
	v, _ := c.h.eng.Settings().Values(c.ctx, Dialect, core.ScopeList, strconv.FormatUint(l.ListID, 10))
	if ct, ok := core.FindCallTime(v.String("local_call_time")); ok {
		return ct, true
	}
	return camp.CallTime(), true
}

// outsideLocalTime is hopper_local_call_time_check=Y: the lead's call time
// (leadCallTime) read on the lead's clock. It reports true when the lead
// may not be called now; outside prints the script's line for that.
func (c *naCall) outsideLocalTime(l core.Lead, outside func()) bool {
	if c.p.get("hopper_local_call_time_check") != "Y" {
		return false
	}
	ct, ok := c.leadCallTime(l)
	gmt, _ := strconv.ParseFloat(l.GMTOffset, 64)
	if !ok || ct.DialableAt(c.now, gmt) {
		return false
	}
	outside()
	return true
}

// checkPhoneNumber is check_phone_number: the call time named
// local_call_time must exist, then add_lead's phone and DNC checks with
// the script's lines, then one "METHOD: dialable|gmt#" field per tz_method
// asked (AREACODE, POSTAL, TZCODE) and the PHONE field.
func (c *naCall) checkPhoneNumber() {
	ct, ok := core.FindCallTime(c.p.get("local_call_time"))
	if !ok {
		c.colon("ERROR", "THIS IS NOT A VALID CALL TIME", "|"+c.user+"|"+c.p.get("local_call_time")+"|")
		return
	}
	phone, code := c.p.get("phone_number"), defaulted(c.p.get("phone_code"), "1")
	method := strings.ToUpper(defaulted(c.p.get("tz_method"), "AREACODE"))
	if c.p.get("nanpa_ac_prefix_check") == "Y" || strings.Contains(method, "NANPA") {
		// The script stops here when its NANPA table is not loaded.
		c.dash("ERROR", "NANPA options disabled, NANPA prefix data not loaded", "0|"+c.user)
		return
	}
	if reason := c.phoneInvalid(phone); reason != "" {
		c.dash("ERROR", reason, phone+"|"+c.user)
		return
	}
	if c.dncRefused(phone) {
		return
	}
	postal, state, owner := c.p.get("postal_code"), c.p.get("state"), c.p.get("owner")
	var b strings.Builder
	field := func(name string, run bool, tzMethod string) {
		dialable, gmt := "0", ""
		if run {
			if loc, ok := c.leadZone(code, phone, tzMethod, owner); ok {
				gmt = vicidialGMT(loc, c.now)
			}
			// An unknown zone is read as GMT, as dialable_gmt reads "".
			off, _ := strconv.ParseFloat(gmt, 64)
			if ct.DialableAt(c.now, off) {
				dialable = "1"
			}
		}
		b.WriteString(name + ": " + dialable + "|" + gmt + "#")
	}
	if strings.Contains(method, "AREACODE") {
		field("AREACODE", true, "")
	}
	if strings.Contains(method, "POSTAL") {
		field("POSTAL", len(postal) == 5, "POSTAL")
	}
	if strings.Contains(method, "TZCODE") {
		field("TZCODE", len(owner) > 0 && len(owner) < 7, "TZCODE")
	}
	b.WriteString("PHONE: " + phone + "|" + code + "|" + postal + "|" + state + "|" + owner + "|")
	c.line("NOTICE", b.String(), "", b.String())
}
