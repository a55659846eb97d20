// Package numplan tells where a phone number rings: its time zone and, in
// North America, its state or province. VICIdial reads both from its
// vicidial_phone_codes table (area code → GMT offset, DST rule, state);
// Callgate takes them from libphonenumber's data, which is kept current,
// and from the IANA zone database for daylight saving time.
package numplan

import (
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // zones must resolve on hosts without /usr/share/zoneinfo

	"github.com/nyaruka/phonenumbers"
)

// maxZones is the most zones a geographic prefix spans; libphonenumber
// answers a whole country's zones (dozens) for a number it cannot place.
const maxZones = 3

// Zone is the time zone a number rings in, found from its country code
// (VICIdial's phone_code) and national number. ok is false for a number
// that is not geographic (toll free, unassigned area codes) or malformed.
func Zone(phoneCode, number string) (loc *time.Location, ok bool) {
	num, ok := parse(phoneCode, number)
	if !ok {
		return nil, false
	}
	zones, err := phonenumbers.GetTimezonesForNumber(num)
	if err != nil || len(zones) == 0 || len(zones) > maxZones || zones[0] == phonenumbers.UNKNOWN_TIMEZONE {
		return nil, false
	}
	// A prefix spanning zones (Alaska: Adak and Anchorage) takes the last
	// in name order, which for North America is the populous one.
	sort.Strings(zones)
	loc, err = time.LoadLocation(zones[len(zones)-1])
	return loc, err == nil
}

// tzCodes are the North American zone codes VICIdial's tz_method=TZCODE
// reads from a lead's owner field, with the zone each stands for.
var tzCodes = map[string]string{
	"NST": "America/St_Johns", "AST": "America/Halifax", "EST": "America/New_York",
	"CST": "America/Chicago", "MST": "America/Denver", "PST": "America/Los_Angeles",
	"AKST": "America/Anchorage", "HST": "Pacific/Honolulu",
}

// TZCode is the zone a North American zone code names (EST, CST, MST,
// PST, AKST, HST, AST, NST), for phone code 1 only as in VICIdial.
func TZCode(phoneCode, code string) (*time.Location, bool) {
	name, ok := tzCodes[strings.ToUpper(code)]
	if phoneCode != "1" || !ok {
		return nil, false
	}
	loc, err := time.LoadLocation(name)
	return loc, err == nil
}

// Offset is a zone's offset from GMT at t, in hours, and whether daylight
// saving time is in effect then.
func Offset(loc *time.Location, t time.Time) (hours float64, dst bool) {
	lt := t.In(loc)
	_, off := lt.Zone()
	return float64(off) / 3600, lt.IsDST()
}

// State is the two-letter state or province of a North American number
// (phone code 1), or "" when its area code is not geographic.
func State(phoneCode, number string) string {
	num, ok := parse(phoneCode, number)
	if !ok || phoneCode != "1" {
		return ""
	}
	place, err := phonenumbers.GetGeocodingForNumber(num, "en")
	if err != nil || place == "" {
		return ""
	}
	// Either "City, ST" or a state's or province's whole name.
	if i := strings.LastIndex(place, ", "); i >= 0 && len(place)-i == 4 {
		return place[i+2:]
	}
	return stateCodes[place]
}

func parse(phoneCode, number string) (*phonenumbers.PhoneNumber, bool) {
	if phoneCode == "" || number == "" || strings.Trim(phoneCode+number, "0123456789") != "" || len(number) > 17 {
		return nil, false
	}
	num, err := phonenumbers.Parse("+"+phoneCode+number, "")
	return num, err == nil
}
