package ucontact

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/callgate/callgate/core"
)

// agentCall places the two-step call and answers its GUID, or "0".
// withData passes the data (a JSON object's members, or the text as
// "data") as call variables and the form to the agent's screen.
func (h *handler) agentCall(withData bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !form(w, r) {
			return
		}
		f := func(k string) string { return strings.TrimSpace(r.PostForm.Get(k)) }
		req := core.PhoneCallRequest{Agent: f("agent"), Campaign: coreCampaign(f("outqueue")), Destination: f("destination"), CallerID: f("callerid")}
		if req.Agent == "" || req.Destination == "" {
			failText(w, http.StatusBadRequest, "agent and destination required")
			return
		}
		if tech, phone := f("tech"), f("phone"); phone != "" {
			if tech == "" {
				tech = "SIP"
			}
			req.Endpoint = tech + "/" + phone
		}
		if withData {
			req.Vars = callData(r.PostForm.Get("data"))
			req.Form = f("form")
		}
		call, err := h.eng.CallFromAgentPhone(r.Context(), req)
		if err != nil {
			fail(w, err)
			return
		}
		writeText(w, http.StatusOK, call.GUID)
	}
}

// callData turns a JSON object into variables (its members, text as
// they are); anything else is one variable "data".
func callData(s string) map[string]string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var obj map[string]any
	if json.Unmarshal([]byte(s), &obj) == nil && len(obj) <= 64 {
		out := map[string]string{"data": s}
		for k, v := range obj {
			switch t := v.(type) {
			case string:
				out[k] = t
			default:
				b, _ := json.Marshal(t)
				out[k] = string(b)
			}
		}
		return out
	}
	return map[string]string{"data": s}
}

func (h *handler) hangupPhone(w http.ResponseWriter, r *http.Request) {
	if !form(w, r) {
		return
	}
	if err := h.eng.HangupAgentPhone(r.Context(), r.PostForm.Get("phone")); err != nil {
		fail(w, err)
		return
	}
	writeText(w, http.StatusOK, "1")
}

// tagRecord answers empty, as the document's asynchronous request; an
// error still carries its status and reason.
func (h *handler) tagRecord(w http.ResponseWriter, r *http.Request) {
	if !form(w, r) {
		return
	}
	if err := h.eng.TagCall(r.Context(), strings.TrimSpace(r.PostForm.Get("guid")), r.PostForm.Get("phone"), r.PostForm.Get("data")); err != nil {
		w.Header().Set("Integra-Error", headerSafe(core.ErrorMessage(err)))
		w.WriteHeader(statusOf(err))
		return
	}
	w.WriteHeader(http.StatusOK)
}
