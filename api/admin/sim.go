package admin

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

type simInboundInput struct {
	CallerID string `json:"caller_id"`
	// DID is the number dialed; Queue sends the call straight to a queue.
	DID   string `json:"did,omitempty"`
	Queue string `json:"queue,omitempty"`
}

type simDTMFInput struct {
	Digits string `json:"digits"`
}

type simBehaviorInput struct {
	// Endpoint is exact ("PJSIP/1064") or a prefix ending in '*' ("SIP/*").
	Endpoint string `json:"endpoint"`
	Outcome  string `json:"outcome"` // answer, busy, noanswer, congestion, fail
	AfterMS  int    `json:"after_ms,omitempty"`
}

// simChannel is the JSON view of a simulated channel.
type simChannel struct {
	ID        string            `json:"id"`
	Name      string            `json:"name"`
	State     string            `json:"state"`
	CallerID  string            `json:"caller_id"`
	Dialed    string            `json:"dialed"`
	Endpoint  string            `json:"endpoint,omitempty"`
	Outbound  bool              `json:"outbound"`
	InApp     bool              `json:"in_app"`
	Bridge    string            `json:"bridge,omitempty"`
	Held      bool              `json:"held"`
	MOH       string            `json:"moh,omitempty"`
	Vars      map[string]string `json:"vars,omitempty"`
	DTMFSent  string            `json:"dtmf_sent,omitempty"`
	HungUp    bool              `json:"hung_up"`
	Cause     int               `json:"cause,omitempty"`
	HangupBy  string            `json:"hangup_by,omitempty"`
	Created   time.Time         `json:"created"`
	Continued string            `json:"continued,omitempty"`
}

func toSimChannel(c sim.ChannelState) simChannel {
	return simChannel{
		ID: c.ID, Name: c.Name, State: c.State, CallerID: c.CallerID, Dialed: c.Dialed, Endpoint: c.Endpoint,
		Outbound: c.Outbound, InApp: c.InApp, Bridge: c.Bridge, Held: c.Held, MOH: c.MOH, Vars: c.Vars,
		DTMFSent: c.DTMFSent, HungUp: c.HungUp, Cause: int(c.Cause), HangupBy: c.HangupBy, Created: c.Created,
		Continued: c.Continued,
	}
}

func (a *API) simInbound(w http.ResponseWriter, r *http.Request) {
	var in simInboundInput
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := required("caller_id", in.CallerID); err != nil {
		a.fail(w, r, err)
		return
	}
	dialed := in.DID
	switch {
	case in.DID != "" && in.Queue != "":
		a.fail(w, r, badRequest("give either %q or %q", "did", "queue"))
		return
	case in.Queue != "":
		// The engine routes a dialed queue name straight to that queue
		// when no DID route matches it.
		var q core.Queue
		if err := a.rec.Get(r.Context(), &q, core.Eq("name", in.Queue)); err != nil {
			if errors.Is(err, core.ErrNoRecord) {
				err = notFound("queue")
			}
			a.fail(w, r, err)
			return
		}
		dialed = q.Name
	case in.DID == "":
		a.fail(w, r, badRequest("missing required field %q (or %q)", "did", "queue"))
		return
	}
	id := a.sim.InjectInbound(in.CallerID, dialed)
	c, ok := a.sim.Channel(id)
	if !ok {
		writeJSON(w, http.StatusCreated, simChannel{ID: id, CallerID: in.CallerID, Dialed: dialed})
		return
	}
	writeJSON(w, http.StatusCreated, toSimChannel(c))
}

func (a *API) simChannels(w http.ResponseWriter, r *http.Request) {
	out, err := a.sim.Channels(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if out == nil {
		out = []core.ChannelInfo{}
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) simChannel(w http.ResponseWriter, r *http.Request) {
	c, ok := a.sim.Channel(chi.URLParam(r, "channelID"))
	if !ok {
		a.fail(w, r, notFound("channel"))
		return
	}
	writeJSON(w, http.StatusOK, toSimChannel(c))
}

// simErr turns the simulator's refusals into client errors.
func simErr(err error) error {
	if err == nil || errors.Is(err, core.ErrNotFound) {
		return err
	}
	if strings.HasPrefix(err.Error(), "sim: ") {
		return &httpError{status: http.StatusConflict, msg: strings.TrimPrefix(err.Error(), "sim: ")}
	}
	return err
}

func (a *API) simAnswer(w http.ResponseWriter, r *http.Request) {
	if err := simErr(a.sim.FarAnswer(chi.URLParam(r, "channelID"))); err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, okBody{OK: true})
}

func (a *API) simDTMF(w http.ResponseWriter, r *http.Request) {
	var in simDTMFInput
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := required("digits", in.Digits); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := simErr(a.sim.InjectDTMF(chi.URLParam(r, "channelID"), in.Digits)); err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, okBody{OK: true})
}

func (a *API) simHangup(w http.ResponseWriter, r *http.Request) {
	var in hangupInput
	if err := decodeOptional(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := simErr(a.sim.FarHangup(chi.URLParam(r, "channelID"), core.HangupCause(in.Cause))); err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, okBody{OK: true})
}

var simOutcomes = map[string]sim.Outcome{
	"answer": sim.Answer, "busy": sim.Busy, "noanswer": sim.NoAnswer, "congestion": sim.Congestion, "fail": sim.Fail, "refuse": sim.Refuse,
}

func (a *API) simBehavior(w http.ResponseWriter, r *http.Request) {
	var in simBehaviorInput
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := required("endpoint", in.Endpoint, "outcome", in.Outcome); err != nil {
		a.fail(w, r, err)
		return
	}
	o, ok := simOutcomes[strings.ToLower(in.Outcome)]
	if !ok {
		a.fail(w, r, oneOf("outcome", in.Outcome, "answer", "busy", "noanswer", "congestion", "fail", "refuse"))
		return
	}
	if in.AfterMS < 0 {
		a.fail(w, r, badRequest("after_ms must not be negative"))
		return
	}
	a.sim.SetBehavior(in.Endpoint, sim.Behavior{Outcome: o, After: time.Duration(in.AfterMS) * time.Millisecond})
	writeJSON(w, http.StatusOK, okBody{OK: true})
}
