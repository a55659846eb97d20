package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/go-chi/chi/v5"
)

// contactJSON is a dialer contact as the document shows it (keys sorted as
// eXpand's JSON encoder sorts them).
type contactJSON struct {
	AttemptTimestamp string          `json:"attempttimestamp"`
	Enable           bool            `json:"enable"`
	ID               uint64          `json:"id"`
	IDCall           uint64          `json:"idcall"`
	Info             json.RawMessage `json:"info"`
	LastAttempt      string          `json:"lastattempt"`
	Name             string          `json:"name"`
	NumCall          string          `json:"numcall"`
	State            string          `json:"state"`
	StateLog         []stateLogJSON  `json:"statelog"`
	StateTimestamp   *string         `json:"statetimestamp,omitempty"` // lists only, as in the document
}

type stateLogJSON struct {
	Timestamp  string `json:"timestamp"`
	Transition string `json:"transition"`
}

type listJSON struct {
	RecordsTotal int           `json:"recordsTotal"`
	Data         []contactJSON `json:"data"`
}

const stamp = "2006-01-02 15:04:05"

var (
	stateNames = map[core.ContactState]string{
		core.ContactPending: "Pending", core.ContactCompleted: "Completed",
		core.ContactRejected: "Rejected", core.ContactCanceled: "Canceled",
	}
	stateOfName = map[string]core.ContactState{
		"Pending": core.ContactPending, "Completed": core.ContactCompleted,
		"Rejected": core.ContactRejected, "Canceled": core.ContactCanceled,
	}
	transitions = map[string]string{
		"answered": "Answer", "busy": "Busy", "noanswer": "NoAnswer", "failed": "Failure", "dialing": "Dialing",
	}
)

func contactOut(c core.CampaignContact, withStateTime bool) contactJSON {
	out := contactJSON{
		Enable: c.Enabled, ID: c.Lead.ID, IDCall: c.Lead.ID, Info: json.RawMessage("{}"),
		Name: c.Lead.FirstName, NumCall: c.Lead.PhoneNumber, State: stateNames[c.State], StateLog: []stateLogJSON{},
	}
	if a := strings.TrimSpace(c.Lead.Attributes); strings.HasPrefix(a, "{") && json.Valid([]byte(a)) {
		out.Info = json.RawMessage(a)
	}
	for _, a := range c.Attempts {
		out.StateLog = append(out.StateLog, stateLogJSON{Timestamp: a.At.Local().Format(stamp), Transition: transitions[a.Outcome]})
	}
	if n := len(out.StateLog); n > 0 {
		out.AttemptTimestamp, out.LastAttempt = out.StateLog[n-1].Timestamp, out.StateLog[n-1].Transition
	}
	if withStateTime {
		t := ""
		if !c.StateAt.IsZero() {
			t = c.StateAt.Local().Format(stamp)
		}
		out.StateTimestamp = &t
	}
	return out
}

// contactBody is the POST/PUT body: name, numcall, enable and info (an
// object, or a string holding one, as the document describes it).
type contactBody struct {
	Name    *string         `json:"name"`
	NumCall json.RawMessage `json:"numcall"`
	Enable  json.RawMessage `json:"enable"`
	Info    json.RawMessage `json:"info"`
}

type decoded struct {
	name, phone, info string
	enable            bool
}

var errFormat = errors.New("unknown data format")

func decodeContact(r io.Reader) (decoded, error) {
	var b contactBody
	dec := json.NewDecoder(r)
	if err := dec.Decode(&b); err != nil {
		return decoded{}, err
	}
	if dec.More() {
		return decoded{}, errFormat
	}
	var d decoded
	var err error
	if b.Name == nil || strings.TrimSpace(*b.Name) == "" {
		return d, errFormat
	}
	d.name = strings.TrimSpace(*b.Name)
	if d.phone, err = scalarText(b.NumCall); err != nil || d.phone == "" {
		return d, errFormat
	}
	if d.enable, err = boolOf(b.Enable); err != nil {
		return d, err
	}
	d.info, err = infoOf(b.Info)
	return d, err
}

// scalarText accepts a JSON string or number.
func scalarText(raw json.RawMessage) (string, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s), nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", errFormat
	}
	return n.String(), nil
}

// boolOf: true/false or "true"/"false" (the document quotes 'true'); absent
// means enabled.
func boolOf(raw json.RawMessage) (bool, error) {
	if len(raw) == 0 {
		return true, nil
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return b, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if v, err := strconv.ParseBool(s); err == nil {
			return v, nil
		}
	}
	return false, errFormat
}

// infoOf returns the compact JSON object of info ("" when absent or null).
func infoOf(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if strings.TrimSpace(s) == "" {
			return "", nil
		}
		raw = json.RawMessage(s)
	}
	var obj map[string]any
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return "", errFormat
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return "", errFormat
	}
	return buf.String(), nil
}

// readContact decodes the body or answers 400 (413 when too large).
func readContact(w http.ResponseWriter, r *http.Request) (decoded, bool) {
	d, err := decodeContact(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge)
		} else {
			writeError(w, http.StatusBadRequest)
		}
		return d, false
	}
	return d, true
}

// addContact: POST /campaigns/<id>/contacts → 201 with the contact.
func (h *handler) addContact(w http.ResponseWriter, r *http.Request) {
	camp, ok := h.campaign(w, r)
	if !ok {
		return
	}
	d, ok := readContact(w, r)
	if !ok {
		return
	}
	c, err := h.eng.AddCampaignContact(r.Context(), camp.Name, core.Lead{FirstName: d.name, PhoneNumber: d.phone, Attributes: d.info, SourceID: "expand-rest"}, d.enable)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, contactOut(c, false))
}

// getContact: GET /campaigns/<id>/contacts/<id>.
func (h *handler) getContact(w http.ResponseWriter, r *http.Request) {
	camp, id, ok := h.contactRef(w, r)
	if !ok {
		return
	}
	c, err := h.eng.CampaignContact(r.Context(), camp.Name, id)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, contactOut(c, false))
}

// putContact: PUT /campaigns/<id>/contacts/<id> → 200 with the contact.
func (h *handler) putContact(w http.ResponseWriter, r *http.Request) {
	camp, id, ok := h.contactRef(w, r)
	if !ok {
		return
	}
	d, ok := readContact(w, r)
	if !ok {
		return
	}
	c, err := h.eng.UpdateCampaignContact(r.Context(), camp.Name, id, d.name, d.phone, d.info, d.enable)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, contactOut(c, false))
}

func (h *handler) contactRef(w http.ResponseWriter, r *http.Request) (core.Campaign, uint64, bool) {
	camp, ok := h.campaign(w, r)
	if !ok {
		return camp, 0, false
	}
	id, err := strconv.ParseUint(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id == 0 {
		writeError(w, http.StatusBadRequest)
		return camp, 0, false
	}
	return camp, id, true
}

// listContacts: GET /campaigns/<id>/contacts (start, limit, order,
// order_by=numcall|name, like, state) and .../contacts/activity (also
// sstimestamp/estimestamp, saddtimestamp/eaddtimestamp, order_by
// timestampadd|statetimestamp).
func (h *handler) listContacts(activity bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		camp, ok := h.campaign(w, r)
		if !ok {
			return
		}
		q, err := contactQuery(r.URL.Query(), activity)
		if err != nil {
			writeError(w, http.StatusBadRequest)
			return
		}
		q.Campaign = camp.Name
		total, cs, err := h.eng.CampaignContacts(r.Context(), q)
		if err != nil {
			h.fail(w, err)
			return
		}
		out := listJSON{RecordsTotal: total, Data: make([]contactJSON, 0, len(cs))}
		for _, c := range cs {
			out.Data = append(out.Data, contactOut(c, true))
		}
		writeJSON(w, http.StatusOK, out)
	}
}

var orderColumns = map[string]string{"numcall": "phone", "name": "name", "id": "id", "": "id"}
var activityColumns = map[string]string{"timestampadd": "added", "statetimestamp": "state_at"}

func contactQuery(v url.Values, activity bool) (core.ContactQuery, error) {
	var q core.ContactQuery
	var err error
	if q.Start, err = intParam(v, "start"); err != nil {
		return q, err
	}
	if q.Limit, err = intParam(v, "limit"); err != nil {
		return q, err
	}
	if s := param(v.Get("state")); s != "" {
		if q.State = stateOfName[s]; q.State == "" {
			return q, errFormat
		}
	}
	order, by := param(v.Get("order")), param(v.Get("order_by"))
	col, ok := orderColumns[by]
	if !ok && activity {
		col, ok = activityColumns[by]
	}
	if !ok || !oneOf(order, "", "asc", "desc") {
		return q, errFormat
	}
	q.OrderBy, q.Desc, q.Like = col, order == "desc", param(v.Get("like"))
	if !activity {
		return q, nil
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
		end  bool
	}{{"sstimestamp", &q.StateSince, false}, {"estimestamp", &q.StateUntil, true},
		{"saddtimestamp", &q.AddedSince, false}, {"eaddtimestamp", &q.AddedUntil, true}} {
		if *p.dst, err = timeParam(param(v.Get(p.name)), p.end); err != nil {
			return q, err
		}
	}
	return q, nil
}

func intParam(v url.Values, name string) (int, error) {
	s := param(v.Get(name))
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, errFormat
	}
	return n, nil
}

// timeParam parses "YYYY-MM-DD[ HH:MM:SS]" in local time; a bare end date
// includes that whole day.
func timeParam(s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.ParseInLocation(stamp, s, time.Local); err == nil {
		if end {
			t = t.Add(time.Second)
		}
		return t, nil
	}
	t, err := time.ParseInLocation("2006-01-02", s, time.Local)
	if err != nil {
		return t, errFormat
	}
	if end {
		t = t.AddDate(0, 0, 1)
	}
	return t, nil
}
