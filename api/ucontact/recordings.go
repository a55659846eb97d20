package ucontact

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/go-chi/chi/v5"
)

// recordFilter is the document's filter object (every value a string;
// numbers are accepted too).
type recordFilter struct {
	CallDateI   string          `json:"calldatei"`
	CallDateF   string          `json:"calldatef"`
	Agent       string          `json:"agent"`
	Campaign    string          `json:"campaign"`
	Source      string          `json:"source"`
	Destination string          `json:"destination"`
	Data        string          `json:"data"`
	Range       string          `json:"range"`
	Rating      json.RawMessage `json:"rating"`
	MinDur      json.RawMessage `json:"mindur"`
	Exclude     string          `json:"exclude"`
	Type        string          `json:"type"`
	Cont        json.RawMessage `json:"cont"`
}

// maxSearchLimit bounds one page.
const maxSearchLimit = 1000

var hourRange = regexp.MustCompile(`^\s*(\d{1,2}(?::\d{2})?)\s*-\s*(\d{1,2}(?::\d{2})?)\s*$`)

func (h *handler) getRecords(w http.ResponseWriter, r *http.Request) {
	if !form(w, r) {
		return
	}
	f := r.PostForm
	last, err1 := atoiDefault(f.Get("lastrow"), 0)
	limit, err2 := atoiDefault(f.Get("searchLimit"), 50)
	if err1 != nil || err2 != nil || last < 0 || limit <= 0 || limit > maxSearchLimit {
		failText(w, http.StatusBadRequest, "lastrow and searchLimit must be numbers (searchLimit 1 to 1000)")
		return
	}
	var rf recordFilter
	if s := strings.TrimSpace(f.Get("filter")); s != "" {
		if err := json.Unmarshal([]byte(s), &rf); err != nil {
			failText(w, http.StatusBadRequest, "filter must be the JSON filter object")
			return
		}
	}
	q, bad := rf.core()
	if bad != "" {
		failText(w, http.StatusBadRequest, bad)
		return
	}
	q.Offset, q.Limit = last, limit
	if rating := text(rf.Rating); rating != "" && rating != "0" {
		writeJSON(w, []any{}) // calls are not rated here: nothing has a rating above 0
		return
	}
	rows, err := h.eng.RecordedCalls(r.Context(), q)
	if err != nil {
		fail(w, err)
		return
	}
	out := make([]recordRow, 0, len(rows))
	for _, rc := range rows {
		out = append(out, newRecordRow(rc))
	}
	writeJSON(w, out)
}

func atoiDefault(s string, def int) (int, error) {
	if strings.TrimSpace(s) == "" {
		return def, nil
	}
	return strconv.Atoi(strings.TrimSpace(s))
}

func (rf recordFilter) core() (core.RecordedCallFilter, string) {
	q := core.RecordedCallFilter{Agent: strings.TrimSpace(rf.Agent), Source: strings.TrimSpace(rf.Source),
		Destination: strings.TrimSpace(rf.Destination), Tag: strings.TrimSpace(rf.Data), Exclude: strings.TrimSpace(rf.Exclude),
		OnlyRecorded: strings.EqualFold(strings.TrimSpace(rf.Type), "record")}
	if c := strings.TrimSpace(rf.Campaign); c != "" {
		q.Campaign = coreCampaign(c)
	}
	var err error
	if s := strings.TrimSpace(rf.CallDateI); s != "" {
		if q.From, err = parseDate(s); err != nil {
			return q, "calldatei must be yyyy-MM-dd HH:mm:ss"
		}
	}
	if s := strings.TrimSpace(rf.CallDateF); s != "" {
		if q.To, err = parseDate(s); err != nil {
			return q, "calldatef must be yyyy-MM-dd HH:mm:ss"
		}
	}
	if s := strings.TrimSpace(rf.Range); s != "" {
		m := hourRange.FindStringSubmatch(s)
		if m == nil {
			return q, "range must be HH:mm-HH:mm"
		}
		q.HourFrom, q.HourTo = clock(m[1]), clock(m[2])
	}
	if q.MinDuration, err = atoiDefault(text(rf.MinDur), 0); err != nil {
		return q, "mindur must be a number of seconds"
	}
	if q.MinCount, err = atoiDefault(text(rf.Cont), 0); err != nil {
		return q, "cont must be a number"
	}
	return q, ""
}

// clock normalises "9" or "9:30" to "09:00" / "09:30".
func clock(s string) string {
	h, m, _ := strings.Cut(s, ":")
	if m == "" {
		m = "00"
	}
	if len(h) == 1 {
		h = "0" + h
	}
	return h + ":" + m
}

// recordRow is one row of the document's getrecords answer, field for
// field and in its order.
type recordRow struct {
	ID             uint64  `json:"id"`
	CallDate       string  `json:"calldate"`
	CLID           string  `json:"clid"`
	Src            string  `json:"src"`
	Dst            string  `json:"dst"`
	DContext       string  `json:"dcontext"`
	Channel        string  `json:"channel"`
	DstChannel     string  `json:"dstchannel"`
	LastApp        string  `json:"lastapp"`
	LastData       string  `json:"lastdata"`
	Duration       int     `json:"duration"`
	BillSec        int     `json:"billsec"`
	Disposition    string  `json:"disposition"`
	AMAFlags       int     `json:"amaflags"`
	AccountCode    string  `json:"accountcode"`
	UserField      *string `json:"userfield"`
	UniqueID       string  `json:"uniqueid"`
	Type           string  `json:"type"`
	GUID           string  `json:"guid"`
	CauseCode      string  `json:"causecode"`
	Campaign       string  `json:"campaign"`
	Direction      string  `json:"direction"`
	Carrier        string  `json:"carrier"`
	LinkedID       string  `json:"linkedid"`
	PeerAccount    string  `json:"peeraccount"`
	Sequence       int     `json:"sequence"`
	ChargedBalance *string `json:"charged_balance"`
	RealBalance    *string `json:"real_balance"`
	Note           *string `json:"note"`
	Contact        *uint64 `json:"contact"`
	FinishTime     string  `json:"finishtime"`
	Rating         int     `json:"rating"`
	DialerBase     *string `json:"dialerbase"`
	ParAndValues   *string `json:"parandvalues"`
	Alternatives   *string `json:"alternatives"`
	Quality        int     `json:"quality"`
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func newRecordRow(rc core.RecordedCall) recordRow {
	c, call := rc.CDR, rc.Call
	camp := wireCampaign(c.Campaign)
	inbound := c.Direction == string(core.CallInbound)
	row := recordRow{ID: c.ID, CallDate: c.Start.Format(dateLayout), CLID: `"` + camp + `" <` + c.Src + `>`, Src: c.Src, Dst: c.Dst,
		DContext: "outbound", Channel: call.ChannelID, DstChannel: call.AgentChannelID, LastApp: "Dial", LastData: c.Dst,
		Duration: c.Duration, BillSec: c.BillSec, Disposition: c.Disposition, AMAFlags: 3, AccountCode: "Outbound",
		UniqueID: c.UniqueID, Type: "call", GUID: call.GUID, CauseCode: strconv.Itoa(call.HangupCause), Campaign: camp,
		Direction: "outbound", Carrier: call.Trunk, LinkedID: call.LinkedID, PeerAccount: c.Agent,
		FinishTime: c.End.Format(dateLayout), Note: strPtr(rc.Comment), DialerBase: strPtr(rc.ListName)}
	if inbound {
		row.DContext, row.LastApp, row.LastData, row.AccountCode, row.Direction, row.Carrier = "inbound", "Queue", c.Queue, "Inbound", "inbound", c.Src
	}
	if len(rc.Recordings) > 0 {
		row.Type = "record"
	}
	if len(rc.Tags) > 0 {
		row.UserField = strPtr(strings.Join(rc.Tags, " "))
	}
	if rc.Lead != nil {
		id := rc.Lead.ID
		row.Contact = &id
		row.ParAndValues = strPtr(pairs(rc.Lead.Attributes))
		row.Alternatives = strPtr(strings.Join(rc.Alternatives, ":"))
	}
	return row
}

// pairs renders lead attributes as the document's Par1=Val1:Par2=Val2.
func pairs(attrs string) string {
	var m map[string]any
	if json.Unmarshal([]byte(attrs), &m) != nil {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		if k != core.AttrTimeZone {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		s, ok := m[k].(string)
		if !ok {
			b, _ := json.Marshal(m[k])
			s = string(b)
		}
		parts = append(parts, k+"="+s)
	}
	return strings.Join(parts, ":")
}

var recordName = regexp.MustCompile(`^([0-9A-Za-z-]{1,40})\.(mp3|gsm|MP3|GSM)$`)

// recordFile serves /records/<guid>.mp3 and /records/<YYYYMMDD>/<guid>.mp3
// (or .gsm): the recording of that GUID (its own or its call's), MP3
// transcoded from the stored file.
func (h *handler) recordFile(w http.ResponseWriter, r *http.Request) {
	folder := chi.URLParam(r, "folder")
	m := recordName.FindStringSubmatch(chi.URLParam(r, "name"))
	if m == nil || folder != "" && !validFolder(folder) {
		http.NotFound(w, r)
		return
	}
	format := strings.ToLower(m[2])
	rec, err := h.eng.RecordingByGUID(r.Context(), m[1], folder)
	if err != nil {
		h.mediaError(w, r, err)
		return
	}
	rc, _, err := h.eng.RecordingAudio(r.Context(), rec.ID, format)
	if err != nil {
		h.mediaError(w, r, err)
		return
	}
	defer rc.Close()
	ct := "audio/mpeg"
	if format == "gsm" {
		ct = "audio/x-gsm"
	}
	w.Header().Set("Content-Type", ct)
	if _, err := io.Copy(w, rc); err != nil {
		h.log.Warn("ucontact: recording copy failed", "guid", m[1], "err", err)
	}
}

func validFolder(s string) bool {
	_, err := time.Parse("20060102", s)
	return len(s) == 8 && err == nil
}

func (h *handler) mediaError(w http.ResponseWriter, r *http.Request, err error) {
	if core.ErrorCode(err) == core.ENOTFOUND || errors.Is(err, core.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Integra-Error", headerSafe(core.ErrorMessage(err)))
	http.Error(w, http.StatusText(statusOf(err)), statusOf(err))
}

// convert makes sure the recording is playable as MP3: the MP3 is
// produced from the stored (GSM) file and checked whole; "1" when done.
func (h *handler) convert(w http.ResponseWriter, r *http.Request) {
	if !form(w, r) {
		return
	}
	guid, folder := strings.TrimSpace(r.PostForm.Get("guid")), strings.TrimSpace(r.PostForm.Get("pasta"))
	if folder == "" {
		folder = strings.TrimSpace(r.PostForm.Get("folder"))
	}
	if folder != "" && !validFolder(folder) {
		failText(w, http.StatusBadRequest, "folder must be YYYYMMDD")
		return
	}
	rec, err := h.eng.RecordingByGUID(r.Context(), guid, folder)
	if err != nil {
		fail(w, err)
		return
	}
	rc, _, err := h.eng.RecordingAudio(r.Context(), rec.ID, "mp3")
	if err != nil {
		fail(w, err)
		return
	}
	defer rc.Close()
	if _, err := io.Copy(io.Discard, rc); err != nil {
		fail(w, core.Internal("convert", err))
		return
	}
	writeText(w, http.StatusOK, "1")
}
