package ucontact

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/callgate/callgate/core"
)

// blacklistEntry is the document's blacklist object; only phone and
// campaign are used (and required), the rest is accepted and kept as the
// entry's reason.
type blacklistEntry struct {
	Phone    json.RawMessage `json:"phone"`
	Campaign string          `json:"campaign"`
	Username string          `json:"username"`
	Company  string          `json:"company"`
	JobTitle string          `json:"job_title"`
	Name     string          `json:"name"`
}

// phone accepts "12341234" or 12341234.
func (b blacklistEntry) phone() string {
	var s string
	if json.Unmarshal(b.Phone, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(b.Phone, &n) == nil {
		return n.String()
	}
	return ""
}

// maxBulk bounds a bulk request's entries.
const maxBulk = 10000

func (h *handler) blacklist(remove, bulk bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		raw, ok := jsonParam(w, r, "blacklist")
		if !ok {
			return
		}
		entries, err := decodeBlacklist(raw, bulk)
		if err != "" {
			failText(w, http.StatusBadRequest, err)
			return
		}
		var e error
		if remove {
			e = h.eng.UnblockNumbers(r.Context(), entries)
		} else {
			e = h.eng.BlockNumbers(r.Context(), entries)
		}
		if e != nil {
			fail(w, e)
			return
		}
		writeText(w, http.StatusOK, "1")
	}
}

func decodeBlacklist(raw []byte, bulk bool) ([]core.BlockEntry, string) {
	var list []blacklistEntry
	if bulk {
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, "blacklist must be a JSON array of blacklist objects"
		}
	} else {
		var one blacklistEntry
		if err := json.Unmarshal(raw, &one); err != nil {
			return nil, "blacklist must be a JSON object"
		}
		list = []blacklistEntry{one}
	}
	if len(list) == 0 || len(list) > maxBulk {
		return nil, "blacklist must hold between 1 and 10000 entries"
	}
	out := make([]core.BlockEntry, 0, len(list))
	for i, b := range list {
		if strings.TrimSpace(b.phone()) == "" || strings.TrimSpace(b.Campaign) == "" {
			return nil, sprintf("entry %d: phone and campaign are required", i+1)
		}
		camp := coreCampaign(b.Campaign)
		if camp == "*" {
			camp = "" // every campaign
		}
		reason := strings.TrimSpace(strings.Join([]string{b.Name, b.Company, b.JobTitle, b.Username}, " "))
		out = append(out, core.BlockEntry{Phone: b.phone(), Campaign: camp, Reason: "Integra " + reason})
	}
	return out, ""
}

// jsonParam reads a JSON parameter from the named form field, or the body
// itself when it is sent as application/json.
func jsonParam(w http.ResponseWriter, r *http.Request, field string) ([]byte, bool) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			failText(w, http.StatusRequestEntityTooLarge, "body too large")
			return nil, false
		}
		return b, true
	}
	if !form(w, r) {
		return nil, false
	}
	v := r.PostForm.Get(field)
	if strings.TrimSpace(v) == "" {
		failText(w, http.StatusBadRequest, field+" parameter (JSON) required")
		return nil, false
	}
	return []byte(v), true
}
