package ucontact

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
)

// dialerObject is the document's Respool / callschedule / DialerTask
// object (every field optional at decoding; the core checks what it needs).
type dialerObject struct {
	CallDate     *string         `json:"calldate"`
	CallDate2    *string         `json:"callDate"`
	Campaign     string          `json:"campaign"`
	Destination  json.RawMessage `json:"destination"`
	DialerBase   string          `json:"dialerbase"`
	Status       *int            `json:"status"`
	Data         string          `json:"data"`
	Alternatives string          `json:"alternatives"`
	Contact      *uint64         `json:"contact"`
	Retries      int             `json:"retries"`
	Priority     int             `json:"priority"`
	AgentPhone   json.RawMessage `json:"agentphone"`
	Agent        string          `json:"agent"`
	Source       string          `json:"source"`
	Bulk         bool            `json:"bulk"`
	Automatic    bool            `json:"automatic"`
}

// text reads a JSON string or number.
func text(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

func (o dialerObject) contact() (core.Contact, string) {
	data, err := core.ParseContactData(o.Data)
	if err != nil {
		return core.Contact{}, "data must be Par1=Val1:Par2=Val2"
	}
	c := core.Contact{Campaign: coreCampaign(o.Campaign), Phone: text(o.Destination), Data: data,
		Priority: o.Priority, Retries: o.Retries, Agent: text(o.AgentPhone), Source: o.Source}
	if c.Agent == "" {
		c.Agent = strings.TrimSpace(o.Agent)
	}
	if o.Contact != nil {
		c.LeadID = *o.Contact
	}
	for _, a := range strings.Split(o.Alternatives, ":") {
		if a = strings.TrimSpace(a); a != "" {
			c.Alternatives = append(c.Alternatives, a)
		}
	}
	if c.Alternatives == nil {
		c.Alternatives = []string{}
	}
	if c.Campaign == "" {
		return c, "campaign required"
	}
	if c.Phone == "" {
		return c, "destination required"
	}
	return c, ""
}

func (h *handler) decodeObject(w http.ResponseWriter, r *http.Request, field string) (dialerObject, core.Contact, bool) {
	var o dialerObject
	raw, ok := jsonParam(w, r, field)
	if !ok {
		return o, core.Contact{}, false
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		failText(w, http.StatusBadRequest, field+" must be a JSON object")
		return o, core.Contact{}, false
	}
	c, bad := o.contact()
	if bad != "" {
		failText(w, http.StatusBadRequest, bad)
		return o, c, false
	}
	return o, c, true
}

func (h *handler) respool(w http.ResponseWriter, r *http.Request) {
	_, c, ok := h.decodeObject(w, r, "callspool")
	if !ok {
		return
	}
	if _, err := h.eng.PoolContact(r.Context(), c); err != nil {
		fail(w, err)
		return
	}
	writeText(w, http.StatusOK, "1")
}

func (h *handler) scheduleDialerCall(w http.ResponseWriter, r *http.Request) {
	o, c, ok := h.decodeObject(w, r, "callschedule")
	if !ok {
		return
	}
	when, ok := objectDate(w, o)
	if !ok {
		return
	}
	if when == nil {
		failText(w, http.StatusBadRequest, "calldate required")
		return
	}
	if _, err := h.eng.ScheduleContact(r.Context(), c, *when); err != nil {
		fail(w, err)
		return
	}
	writeText(w, http.StatusOK, "1")
}

func objectDate(w http.ResponseWriter, o dialerObject) (*time.Time, bool) {
	s := o.CallDate
	if s == nil {
		s = o.CallDate2
	}
	if s == nil || strings.TrimSpace(*s) == "" || strings.EqualFold(strings.TrimSpace(*s), "null") {
		return nil, true
	}
	t, err := parseDate(*s)
	if err != nil {
		failText(w, http.StatusBadRequest, "calldate must be yyyy-MM-dd HH:mm:ss")
		return nil, false
	}
	return &t, true
}

// dialerTask runs the document's four modes: a date schedules the call;
// without one, automatic schedules it now with priority 1 (ahead of the
// pool), bulk adds it to the dialer's pool, and neither schedules it now
// (the manual call of the moment, placed by the dialer at once).
func (h *handler) dialerTask(w http.ResponseWriter, r *http.Request) {
	o, c, ok := h.decodeObject(w, r, "call")
	if !ok {
		return
	}
	when, ok := objectDate(w, o)
	if !ok {
		return
	}
	var err error
	switch {
	case when != nil:
		_, err = h.eng.ScheduleContact(r.Context(), c, *when)
	case o.Bulk && !o.Automatic:
		_, err = h.eng.PoolContact(r.Context(), c)
	default:
		if o.Automatic {
			c.Priority = 1
		}
		_, err = h.eng.ScheduleContact(r.Context(), c, h.eng.Now())
	}
	if err != nil {
		fail(w, err)
		return
	}
	writeText(w, http.StatusOK, "1")
}

func (h *handler) removeContact(w http.ResponseWriter, r *http.Request) {
	if !form(w, r) {
		return
	}
	if _, err := h.eng.RemoveContact(r.Context(), coreCampaign(r.PostForm.Get("campaign")), r.PostForm.Get("number")); err != nil {
		fail(w, err)
		return
	}
	writeText(w, http.StatusOK, "1")
}

func (h *handler) removeSchedule(w http.ResponseWriter, r *http.Request) {
	if !form(w, r) {
		return
	}
	from, err1 := parseDate(r.PostForm.Get("from"))
	to, err2 := parseDate(r.PostForm.Get("to"))
	if err1 != nil || err2 != nil {
		failText(w, http.StatusBadRequest, "from and to must be YYYY-MM-DD hh:mm:ss")
		return
	}
	if _, err := h.eng.RemoveScheduledCalls(r.Context(), coreCampaign(r.PostForm.Get("campaign")), r.PostForm.Get("destination"), from, to); err != nil {
		fail(w, err)
		return
	}
	writeText(w, http.StatusOK, "1")
}

// uploadBase accepts the file and answers 1 once its import is recorded;
// the lines are imported in the background (admin API /api/v1/imports).
func (h *handler) uploadBase(withTZ bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !form(w, r) {
			return
		}
		f := r.PostForm
		content, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(f.Get("fileb64")), ""))
		if err != nil || len(bytes.TrimSpace(content)) == 0 {
			failText(w, http.StatusBadRequest, "fileb64 must be the file in base64")
			return
		}
		req := core.ImportRequest{Campaign: coreCampaign(f.Get("campaign")), CampaignName: coreCampaign, FileName: f.Get("filename"), Username: f.Get("username"), Content: content}
		if req.Campaign == "" {
			failText(w, http.StatusBadRequest, "campaign required")
			return
		}
		if c := strings.TrimSpace(f.Get("cant")); c != "" {
			if req.Declared, err = strconv.Atoi(c); err != nil {
				failText(w, http.StatusBadRequest, "cant must be a number")
				return
			}
		}
		if withTZ {
			if req.TimeZone = strings.TrimSpace(f.Get("timezone")); req.TimeZone == "" {
				failText(w, http.StatusBadRequest, "timezone required")
				return
			}
		}
		job, err := h.eng.ImportContacts(r.Context(), req)
		if err != nil {
			fail(w, err)
			return
		}
		w.Header().Set("Integra-Import", strconv.FormatUint(job.ID, 10))
		writeText(w, http.StatusOK, "1")
	}
}
