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

// outsideLocalTime is hopper_local_call_time_check=Y: the lead's campaign
// hours (Callgate's local_call_time) read on the lead's clock. It prints
// the script's NOTICE and reports true when the lead may not be called now.
func (c *naCall) outsideLocalTime(l core.Lead) bool {
	if c.p.get("hopper_local_call_time_check") != "Y" {
		return false
	}
	camp, err := c.h.eng.FindCampaign(c.ctx, l.Campaign)
	if err != nil {
		return false
	}
	gmt, _ := strconv.ParseFloat(l.GMTOffset, 64)
	if camp.CallTime().DialableAt(c.now, gmt) {
		return false
	}
	c.dash("NOTICE", "NOT ADDED TO HOPPER, OUTSIDE OF LOCAL TIME",
		l.PhoneNumber+"|"+strconv.FormatUint(l.ID, 10)+"|"+l.GMTOffset+"|0|"+c.user)
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
