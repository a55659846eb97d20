package rest

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/go-chi/chi/v5"
)

// Dynamic forms (external/dynamicforms/<form>/entries[/<idcall>]): the
// values agents saved in the core's forms, one entry per call.

type formEntryJSON struct {
	ID             string                     `json:"_id"`
	Agent          formAgentJSON              `json:"agent"`
	AudioFilename  string                     `json:"audio_filename"`
	CallChunk      string                     `json:"call_chunk"`
	Data           map[string][]formValueJSON `json:"data"`
	DynamicFormID  uint                       `json:"dynamic_form_id"`
	Extension      string                     `json:"extension"`
	IncomingCallID uint64                     `json:"incomingcall_id"`
	LastModified   string                     `json:"last_modified_timestamp"`
	Queue          string                     `json:"queue"`
	SessionID      string                     `json:"session_id"`
	Timestamp      string                     `json:"timestamp"`
	UniqueID       string                     `json:"uniqueid"`
}

type formAgentJSON struct {
	Number   int    `json:"number"`
	Username string `json:"username"`
}

type formValueJSON struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

const isoMicro = "2006-01-02T15:04:05.000000-07:00"

func formEntryOut(r core.FormRecord) formEntryJSON {
	num, _ := strconv.Atoi(r.Agent.Number)
	out := formEntryJSON{
		ID:    fmt.Sprintf("%08x%016x", r.Form.ID, r.Call.ID),
		Agent: formAgentJSON{Number: num, Username: r.Call.Agent}, AudioFilename: r.Call.Recording, CallChunk: r.Call.GUID,
		Data: map[string][]formValueJSON{}, DynamicFormID: r.Form.ID, Extension: r.Agent.Extension, IncomingCallID: r.Call.ID,
		LastModified: r.Modified.Local().Format(isoMicro), Queue: r.Call.Queue, SessionID: r.Call.LinkedID,
		Timestamp: r.First.Local().Format(isoMicro), UniqueID: r.Call.UniqueID,
	}
	for _, a := range r.Answers {
		out.Data[a.Field.Label] = append(out.Data[a.Field.Label], formValueJSON{Label: a.Field.Label, Value: a.Value})
	}
	return out
}

func (h *handler) routeForms(r chi.Router) {
	r.Get("/{form}/entries", h.formEntries)
	r.Get("/{form}/entries/{idcall}", h.formEntry)
}

// formEntries: GET with start_date / end_date (ISO 8601).
func (h *handler) formEntries(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	var since, until time.Time
	var err error
	for _, p := range []struct {
		name string
		dst  *time.Time
		end  bool
	}{{"start_date", &since, false}, {"end_date", &until, true}} {
		if s := param(v.Get(p.name)); s != "" {
			if *p.dst, err = parseCallDate(s); err != nil {
				if *p.dst, err = timeParam(s, p.end); err != nil {
					writeError(w, http.StatusBadRequest)
					return
				}
			}
		}
	}
	recs, err := h.eng.FormRecords(r.Context(), chi.URLParam(r, "form"), since, until, 0)
	if err != nil {
		h.fail(w, err)
		return
	}
	out := make([]formEntryJSON, 0, len(recs))
	for _, rec := range recs {
		out = append(out, formEntryOut(rec))
	}
	writeJSON(w, http.StatusOK, out)
}

// formEntry: GET one call's entry; 404 when the call has none in the form.
func (h *handler) formEntry(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseUint(chi.URLParam(r, "idcall"), 10, 64)
	if err != nil || id == 0 {
		writeError(w, http.StatusBadRequest)
		return
	}
	recs, err := h.eng.FormRecords(r.Context(), chi.URLParam(r, "form"), time.Time{}, time.Time{}, id)
	if err != nil {
		h.fail(w, err)
		return
	}
	if len(recs) == 0 {
		writeError(w, http.StatusNotFound)
		return
	}
	writeJSON(w, http.StatusOK, formEntryOut(recs[0]))
}
