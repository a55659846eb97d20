package core

import (
	"strconv"
	"strings"
	"time"
)

// CallTime is a named daily window of the callee's local time in which a
// lead may be called (VICIdial's vicidial_call_times): Start is inclusive
// and Stop exclusive, both as HHMM (2400 is the end of the day).
type CallTime struct {
	ID    string `json:"call_time_id"`
	Name  string `json:"call_time_name"`
	Start int    `json:"start"`
	Stop  int    `json:"stop"`
}

// callTimes are the windows every VICIdial installation defines, so that
// requests naming them (check_phone_number's local_call_time) work as
// written against Callgate.
var callTimes = []CallTime{
	{"24hours", "default 24 hours calling", 0, 2400},
	{"9am-9pm", "default 9am to 9pm calling", 900, 2100},
	{"9am-5pm", "default 9am to 5pm calling", 900, 1700},
	{"12pm-5pm", "default 12pm to 5pm calling", 1200, 1700},
	{"12pm-9pm", "default 12pm to 9pm calling", 1200, 2100},
	{"5pm-9pm", "default 5pm to 9pm calling", 1700, 2100},
}

// FindCallTime is the call time named id.
func FindCallTime(id string) (CallTime, bool) {
	for _, ct := range callTimes {
		if ct.ID == id {
			return ct, true
		}
	}
	return CallTime{}, false
}

// CallTime is the window a campaign's leads are called in: its start and
// end time read on the lead's clock, all day when it has none.
func (c Campaign) CallTime() CallTime {
	start, ok1 := hhmm(c.StartTime)
	stop, ok2 := hhmm(c.EndTime)
	if !ok1 || !ok2 {
		return callTimes[0]
	}
	return CallTime{ID: c.Name, Name: "campaign " + c.Name + " hours", Start: start, Stop: stop}
}

// hhmm reads "15:04" as 1504.
func hhmm(s string) (int, bool) {
	h, m, ok := strings.Cut(s, ":")
	hi, err1 := strconv.Atoi(h)
	mi, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hi < 0 || hi > 24 || mi < 0 || mi > 59 {
		return 0, false
	}
	return hi*100 + mi, true
}

// DialableAt tells whether a callee gmtOffset hours from GMT may be called
// at now (VICIdial's dialable_gmt, without state or holiday rules). A
// window whose stop is before its start runs over midnight.
func (ct CallTime) DialableAt(now time.Time, gmtOffset float64) bool {
	local := now.UTC().Add(time.Duration(gmtOffset * float64(time.Hour)))
	hm := local.Hour()*100 + local.Minute()
	if ct.Start <= ct.Stop {
		return hm >= ct.Start && hm < ct.Stop
	}
	return hm >= ct.Start || hm < ct.Stop
}
