package rest

import (
	"context"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/go-chi/chi/v5"
)

// campaignJSON is one dialer campaign: name, type, operating dates and
// hours, redial rules.
type campaignJSON struct {
	ID          uint       `json:"id"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	State       string     `json:"state"`
	Type        string     `json:"type"`
	DialMode    string     `json:"dialmode"`
	Queue       string     `json:"queue"`
	Schedule    scheduleJS `json:"schedule"`
	Redial      redialJS   `json:"redial"`
}

type scheduleJS struct {
	StartDate string `json:"startdate"`
	EndDate   string `json:"enddate"`
	StartTime string `json:"starttime"`
	EndTime   string `json:"endtime"`
}

type redialJS struct {
	Retries  int `json:"retries"`
	Interval int `json:"interval"` // seconds between attempts
}

var campaignStates = map[string]bool{"Incomplete": true, "Active": true, "Finalized": true, "Stored": true}

func campaignState(c core.Campaign, now time.Time) string {
	switch {
	case !c.Active:
		return "Stored"
	case c.EndDate != nil && c.EndDate.Before(now):
		return "Finalized"
	case c.Queue == "":
		return "Incomplete"
	}
	return "Active"
}

func campaignOut(c core.Campaign, now time.Time) campaignJSON {
	day := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.Format("2006-01-02")
	}
	return campaignJSON{
		ID: c.ID, Name: c.Name, Description: c.Description, State: campaignState(c, now),
		Type: string(c.Type), DialMode: string(c.DialMethod), Queue: c.Queue,
		Schedule: scheduleJS{StartDate: day(c.StartDate), EndDate: day(c.EndDate), StartTime: c.StartTime, EndTime: c.EndTime},
		Redial:   redialJS{Retries: c.MaxRetries, Interval: c.RetryDelay},
	}
}

// listCampaigns: GET /campaigns?state=&order=&order_by=id|name.
func (h *handler) listCampaigns(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state, order, by := param(q.Get("state")), param(q.Get("order")), param(q.Get("order_by"))
	if state != "" && !campaignStates[state] || !oneOf(order, "", "asc", "desc") || !oneOf(by, "", "id", "name") {
		writeError(w, http.StatusBadRequest)
		return
	}
	now := h.eng.Now()
	out := []campaignJSON{}
	camps := h.eng.Campaigns()
	ids := h.externalIDs(r.Context(), camps)
	for _, c := range camps {
		cj := campaignOut(c, now)
		cj.ID = ids(c)
		if state == "" || cj.State == state {
			out = append(out, cj)
		}
	}
	less := func(a, b campaignJSON) bool {
		if by == "name" {
			return strings.ToLower(a.Name) < strings.ToLower(b.Name)
		}
		return a.ID < b.ID
	}
	sort.SliceStable(out, func(i, j int) bool {
		if order == "desc" {
			return less(out[j], out[i])
		}
		return less(out[i], out[j])
	})
	writeJSON(w, http.StatusOK, out)
}

// getCampaign: GET /campaigns/<id>.
func (h *handler) getCampaign(w http.ResponseWriter, r *http.Request) {
	c, ok := h.campaign(w, r)
	if ok {
		cj := campaignOut(c, h.eng.Now())
		cj.ID = h.externalID(r.Context(), c)
		writeJSON(w, http.StatusOK, cj)
	}
}

// campaign resolves {cid}: 400 when it is not a number, 404 when unknown.
// eXpand's campaign ids are kept in the external-id table (the demo's 313);
// a campaign without one answers to its own id.
func (h *handler) campaign(w http.ResponseWriter, r *http.Request) (core.Campaign, bool) {
	cid := chi.URLParam(r, "cid")
	id, err := strconv.ParseUint(cid, 10, 32)
	if err != nil {
		writeError(w, http.StatusBadRequest)
		return core.Campaign{}, false
	}
	x := h.eng.ExternalIDs()
	if internal, err := x.Internal(r.Context(), core.EntityCampaign, Dialect, cid); err == nil {
		id = internal
	} else if ext, err := x.External(r.Context(), core.EntityCampaign, Dialect, id); err == nil && ext != cid {
		id = 0 // that number is another campaign's eXpand id space
	}
	c, ok := h.eng.CampaignByID(uint(id))
	if !ok {
		writeError(w, http.StatusNotFound)
	}
	return c, ok
}

// externalID is the campaign's eXpand id: its external id, else its own.
func (h *handler) externalID(ctx context.Context, c core.Campaign) uint {
	ext, err := h.eng.ExternalIDs().External(ctx, core.EntityCampaign, Dialect, uint64(c.ID))
	if err != nil {
		return c.ID
	}
	return externalOr(ext, c.ID)
}

// externalIDs is externalID for a listing: every campaign's id from one
// read (one per campaign cost a listing a round trip each on MySQL).
func (h *handler) externalIDs(ctx context.Context, camps []core.Campaign) func(core.Campaign) uint {
	internals := make([]uint64, len(camps))
	for i, c := range camps {
		internals[i] = uint64(c.ID)
	}
	ext, err := h.eng.ExternalIDs().Externals(ctx, core.EntityCampaign, Dialect, internals)
	if err != nil {
		h.log.Warn("expandweb3: reading campaign ids", "err", err)
	}
	return func(c core.Campaign) uint { return externalOr(ext[uint64(c.ID)], c.ID) }
}

// externalOr is the numeric external id ext, or the campaign's own id when
// it has none (or not a number).
func externalOr(ext string, own uint) uint {
	if n, err := strconv.ParseUint(ext, 10, 32); err == nil {
		return uint(n)
	}
	return own
}

// param trims the quotes the document's own examples put around values
// (saddtimestamp="2019-02-01").
func param(s string) string {
	return strings.Trim(strings.TrimSpace(s), `"'`)
}

func oneOf(s string, set ...string) bool {
	for _, v := range set {
		if s == v {
			return true
		}
	}
	return false
}
