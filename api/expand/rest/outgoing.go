package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/go-chi/chi/v5"
)

// Pending outgoing calls (external/outgoingcalls/call): core callbacks with
// details (core/pending_calls.go).

type outgoingJSON struct {
	ID         uint64          `json:"id"`
	Queue      string          `json:"queue"`
	Phone      []string        `json:"phone"`
	Contact    string          `json:"contact"`
	Subject    string          `json:"subject"`
	CallDate   string          `json:"calldate"`
	Expiration int             `json:"expiration"`
	Agent      string          `json:"agent"`
	Status     string          `json:"status"`
	Link       json.RawMessage `json:"link"`
}

type callIDJSON struct {
	CallID uint64 `json:"callid"`
}

const callDate = "2006-01-02 15:04"

var pendingStates = map[core.PendingCallState]string{
	core.PendingCallPending: "PENDING", core.PendingCallCompleted: "COMPLETED",
	core.PendingCallCanceled: "CANCELED", core.PendingCallExpired: "EXPIRED",
}

func outgoingOut(pc core.PendingCall) outgoingJSON {
	out := outgoingJSON{ID: pc.Callback.ID, Queue: pc.Detail.Queue, Phone: pc.Phones, Contact: pc.Detail.Contact,
		Subject: pc.Detail.Subject, CallDate: pc.Callback.When.Local().Format(callDate), Expiration: pc.Detail.Expiration,
		Agent: pc.Callback.Agent, Status: pendingStates[pc.State], Link: json.RawMessage("{}")}
	if out.Phone == nil {
		out.Phone = []string{}
	}
	if pc.Detail.Link != "" {
		out.Link = json.RawMessage(pc.Detail.Link)
	}
	return out
}

func (h *handler) routeOutgoing(r chi.Router) {
	r.Get("/", h.listOutgoing)
	r.Post("/", h.addOutgoing)
	r.Get("/{id}", h.outgoing(h.getOutgoing))
	r.Put("/{id}", h.outgoing(h.putOutgoing))
	r.Delete("/{id}", h.outgoing(h.cancelOutgoing))
}

// outgoingBody is the document's body; phone may be a list or one string.
type outgoingBody struct {
	Queue      string          `json:"queue"`
	Phone      json.RawMessage `json:"phone"`
	Contact    string          `json:"contact"`
	Subject    string          `json:"subject"`
	CallDate   string          `json:"calldate"`
	Expiration *int            `json:"expiration"`
	Agent      string          `json:"agent"`
	Link       json.RawMessage `json:"link"`
}

func decodeOutgoing(body []byte) (core.PendingCallRequest, error) {
	var b outgoingBody
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&b); err != nil || dec.More() {
		return core.PendingCallRequest{}, errFormat
	}
	req := core.PendingCallRequest{Queue: strings.TrimSpace(b.Queue), Contact: b.Contact, Subject: b.Subject, Agent: strings.TrimSpace(b.Agent)}
	if json.Unmarshal(b.Phone, &req.Phones) != nil {
		one, err := scalarText(b.Phone)
		if err != nil {
			return req, errFormat
		}
		req.Phones = []string{one}
	}
	when, err := parseCallDate(b.CallDate)
	if err != nil {
		return req, err
	}
	req.When = when
	if b.Expiration != nil {
		req.Expiration = *b.Expiration
	}
	if req.Link, err = infoOf(b.Link); err != nil {
		return req, err
	}
	return req, nil
}

// parseCallDate: "YYYY-MM-DD HH:MM[:SS]" or ISO 8601, local time.
func parseCallDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{callDate, stamp, "2006-01-02T15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, errFormat
}

func readOutgoing(w http.ResponseWriter, r *http.Request) (core.PendingCallRequest, bool) {
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r.Body); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge)
			return core.PendingCallRequest{}, false
		}
		writeError(w, http.StatusBadRequest)
		return core.PendingCallRequest{}, false
	}
	req, err := decodeOutgoing(buf.Bytes())
	if err != nil {
		writeError(w, http.StatusBadRequest)
		return req, false
	}
	return req, true
}

// addOutgoing: POST → 201 {"callid": n}.
func (h *handler) addOutgoing(w http.ResponseWriter, r *http.Request) {
	req, ok := readOutgoing(w, r)
	if !ok {
		return
	}
	pc, err := h.eng.AddPendingCall(r.Context(), req)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, callIDJSON{CallID: pc.Callback.ID})
}

// listOutgoing: GET with queue, phone, startdate, enddate, agent, status.
func (h *handler) listOutgoing(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	q := core.PendingCallQuery{Queue: param(v.Get("queue")), Phone: param(v.Get("phone")), Agent: param(v.Get("agent"))}
	if s := param(v.Get("status")); s != "" {
		for state, name := range pendingStates {
			if name == strings.ToUpper(s) {
				q.State = state
			}
		}
		if q.State == "" {
			writeError(w, http.StatusBadRequest)
			return
		}
	}
	var err error
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"startdate", &q.Since}, {"enddate", &q.Until}} {
		if s := param(v.Get(p.name)); s != "" {
			if *p.dst, err = parseCallDate(s); err != nil {
				if *p.dst, err = timeParam(s, p.name == "enddate"); err != nil {
					writeError(w, http.StatusBadRequest)
					return
				}
			}
		}
	}
	pcs, err := h.eng.PendingCalls(r.Context(), q)
	if err != nil {
		h.fail(w, err)
		return
	}
	out := dataJSON[outgoingJSON]{Data: make([]outgoingJSON, 0, len(pcs))}
	for _, pc := range pcs {
		out.Data = append(out.Data, outgoingOut(pc))
	}
	writeJSON(w, http.StatusOK, out)
}

type outgoingFunc func(w http.ResponseWriter, r *http.Request, id uint64) (any, error)

func (h *handler) outgoing(fn outgoingFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseUint(chi.URLParam(r, "id"), 10, 64)
		if err != nil || id == 0 {
			writeError(w, http.StatusBadRequest)
			return
		}
		out, err := fn(w, r, id)
		if errors.Is(err, errAnswered) {
			return
		}
		if err != nil {
			h.fail(w, err)
			return
		}
		if s, ok := out.(string); ok {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte(s))
			return
		}
		writeJSON(w, http.StatusOK, out)
	}
}

func (h *handler) getOutgoing(_ http.ResponseWriter, r *http.Request, id uint64) (any, error) {
	pc, err := h.eng.PendingCall(r.Context(), id)
	return outgoingOut(pc), err
}

func (h *handler) putOutgoing(w http.ResponseWriter, r *http.Request, id uint64) (any, error) {
	req, ok := readOutgoing(w, r)
	if !ok {
		return nil, errAnswered
	}
	_, err := h.eng.UpdatePendingCall(r.Context(), id, req)
	return callIDJSON{CallID: id}, err
}

// cancelOutgoing: DEL answers "ok" (a JSON string), as the document shows.
func (h *handler) cancelOutgoing(_ http.ResponseWriter, r *http.Request, id uint64) (any, error) {
	return `"ok"`, h.eng.CancelPendingCall(r.Context(), id)
}
