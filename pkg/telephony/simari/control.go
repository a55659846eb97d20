package simari

import (
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/go-chi/chi/v5"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

// The control API plays the world outside Asterisk: callers, agents'
// phones and the network. It takes and answers JSON; errors are
// {"message": "..."} with 400 (bad input), 404 (unknown channel) or 409
// (the channel is not in a state where that can happen).
//
//	POST /control/inbound                 {"caller_id","dialed","args"?} -> 201 {"channel_id"}
//	                                      (409 while no websocket has the application)
//	POST /control/channels/{id}/answer    the far end of a ringing originated channel answers
//	POST /control/channels/{id}/hangup    {"cause"?} the far end hangs up (default 16)
//	POST /control/channels/{id}/dtmf      {"digits"} the far end presses keys
//	GET  /control/channels/{id}           what the PBX knows of a channel, hung up or not
//	PUT  /control/behaviors               {"endpoint","outcome","after_ms"?} how originated
//	                                      calls to an endpoint (or "PJSIP/*" prefix) end
//	DELETE /control/behaviors?endpoint=   forget a rule
//	PUT  /control/default-behavior        {"outcome","after_ms"?} for endpoints without a rule
//	POST /control/text                    {"from","to","body"} an incoming text message
//	GET  /control/texts                   text messages the application sent
//	POST /control/restart                 Asterisk restarts: websocket dropped, every
//	                                      channel, bridge and recording in progress gone
func (s *Server) controlRoutes(r chi.Router) {
	r.Post("/inbound", s.ctlInbound)
	r.Post("/channels/{id}/answer", s.ctlAnswer)
	r.Post("/channels/{id}/hangup", s.ctlHangup)
	r.Post("/channels/{id}/dtmf", s.ctlDTMF)
	r.Get("/channels/{id}", s.ctlChannel)
	r.Put("/behaviors", s.ctlBehavior)
	r.Delete("/behaviors", s.ctlClearBehavior)
	r.Put("/default-behavior", s.ctlDefaultBehavior)
	r.Post("/text", s.ctlText)
	r.Get("/texts", s.ctlTexts)
	r.Post("/restart", s.ctlRestart)
}

// Limits of the control API's fields.
const (
	maxField    = 128
	maxDigits   = 64
	maxArgs     = 16
	maxTextBody = 4096
	maxAfter    = 24 * time.Hour
)

// Inbound is the body of POST /control/inbound.
type Inbound struct {
	CallerID string   `json:"caller_id"`
	Dialed   string   `json:"dialed"`
	Args     []string `json:"args,omitempty"` // default ["inbound", dialed]
}

// ChannelView is the answer of GET /control/channels/{id}.
type ChannelView struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	State     string   `json:"state"`
	CallerID  string   `json:"caller_id"`
	Dialed    string   `json:"dialed"`
	Endpoint  string   `json:"endpoint,omitempty"`
	InApp     bool     `json:"in_app"`
	Args      []string `json:"args"`
	Bridge    string   `json:"bridge,omitempty"`
	Held      bool     `json:"held"`
	MOH       string   `json:"moh,omitempty"`
	DTMFSent  string   `json:"dtmf_sent"`
	SnoopOf   string   `json:"snoop_of,omitempty"`
	Continued string   `json:"continued,omitempty"`
	HungUp    bool     `json:"hung_up"`
	Cause     int      `json:"cause,omitempty"`
	HangupBy  string   `json:"hangup_by,omitempty"`
}

// Behavior is the body of PUT /control/behaviors and /control/default-behavior.
type Behavior struct {
	Endpoint string `json:"endpoint,omitempty"`
	Outcome  string `json:"outcome"` // answer, busy, noanswer, congestion, fail, refuse
	AfterMS  int64  `json:"after_ms,omitempty"`
}

// Text is an incoming or sent text message.
type Text struct {
	From string `json:"from"`
	To   string `json:"to"`
	Body string `json:"body"`
}

// printable reports whether s is a bounded single line of printable text.
func printable(s string, limit int) bool {
	if len(s) > limit {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

func (s *Server) ctlInbound(w http.ResponseWriter, r *http.Request) {
	var in Inbound
	if err := decodeStrict(r.Body, &in); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if in.Dialed == "" || !printable(in.Dialed, maxField) || !printable(in.CallerID, maxField) {
		writeError(w, http.StatusBadRequest, "dialed is required; caller_id and dialed are printable, at most 128 bytes")
		return
	}
	if len(in.Args) > maxArgs {
		writeError(w, http.StatusBadRequest, "at most 16 args")
		return
	}
	for _, a := range in.Args {
		if !printable(a, maxField) || strings.Contains(a, ",") {
			writeError(w, http.StatusBadRequest, "args are printable, without commas, at most 128 bytes")
			return
		}
	}
	if !s.registered(s.cfg.App) {
		// Asterisk's Stasis() fails for an application nobody listens to
		// and the dialplan hangs the call up: refuse, creating nothing.
		writeError(w, http.StatusConflict, "Application "+s.cfg.App+" is not registered: Stasis() would fail and the call be hung up")
		return
	}
	id := s.pbx.InjectInbound(in.CallerID, in.Dialed, in.Args...)
	writeJSON(w, http.StatusCreated, map[string]string{"channel_id": id})
}

// liveChannel answers 404 unless the channel exists and is not hung up.
func (s *Server) liveChannel(w http.ResponseWriter, id string) bool {
	if c, ok := s.pbx.Channel(id); !ok || c.HungUp {
		writeError(w, http.StatusNotFound, "Channel not found")
		return false
	}
	return true
}

func (s *Server) ctlAnswer(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	if !s.liveChannel(w, id) {
		return
	}
	if err := s.pbx.FarAnswer(id); err != nil {
		writeError(w, http.StatusConflict, strings.TrimPrefix(err.Error(), "sim: "))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) ctlHangup(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Cause int `json:"cause"`
	}
	if err := decodeStrict(r.Body, &in); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if in.Cause == 0 {
		in.Cause = int(core.CauseNormal)
	}
	if in.Cause < 1 || in.Cause > 127 {
		writeError(w, http.StatusBadRequest, "cause is a Q.850 cause, 1 to 127")
		return
	}
	id := chi.URLParam(r, "id")
	if !s.liveChannel(w, id) {
		return
	}
	if err := s.pbx.FarHangup(id, core.HangupCause(in.Cause)); err != nil {
		fail(w, "Channel", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func validDigits(d string) bool {
	if d == "" || len(d) > maxDigits {
		return false
	}
	for _, r := range d {
		if !strings.ContainsRune("0123456789*#ABCD", r) {
			return false
		}
	}
	return true
}

func (s *Server) ctlDTMF(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Digits string `json:"digits"`
	}
	if err := decodeStrict(r.Body, &in); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if !validDigits(in.Digits) {
		writeError(w, http.StatusBadRequest, "digits are 1 to 64 of 0-9 * # A-D")
		return
	}
	id := chi.URLParam(r, "id")
	if !s.liveChannel(w, id) {
		return
	}
	if err := s.pbx.InjectDTMF(id, in.Digits); err != nil {
		fail(w, "Channel", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) ctlChannel(w http.ResponseWriter, r *http.Request) {
	c, ok := s.pbx.Channel(chi.URLParam(r, "id"))
	if !ok {
		writeError(w, http.StatusNotFound, "Channel not found")
		return
	}
	args := c.Args
	if args == nil {
		args = []string{}
	}
	writeJSON(w, http.StatusOK, ChannelView{
		ID: c.ID, Name: c.Name, State: c.State, CallerID: c.CallerID, Dialed: c.Dialed, Endpoint: c.Endpoint,
		InApp: c.InApp, Args: args, Bridge: c.Bridge, Held: c.Held, MOH: c.MOH, DTMFSent: c.DTMFSent,
		SnoopOf: c.SnoopOf, Continued: c.Continued, HungUp: c.HungUp, Cause: int(c.Cause), HangupBy: c.HangupBy,
	})
}

var outcomes = map[string]sim.Outcome{
	"answer": sim.Answer, "busy": sim.Busy, "noanswer": sim.NoAnswer,
	"congestion": sim.Congestion, "fail": sim.Fail, "refuse": sim.Refuse,
}

// readBehavior decodes and checks a behavior; needEndpoint for rules.
func readBehavior(w http.ResponseWriter, r *http.Request, needEndpoint bool) (Behavior, sim.Behavior, bool) {
	var in Behavior
	if err := decodeStrict(r.Body, &in); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return in, sim.Behavior{}, false
	}
	o, ok := outcomes[in.Outcome]
	if !ok {
		writeError(w, http.StatusBadRequest, "outcome is one of answer, busy, noanswer, congestion, fail, refuse")
		return in, sim.Behavior{}, false
	}
	after := time.Duration(in.AfterMS) * time.Millisecond
	if in.AfterMS < 0 || after > maxAfter {
		writeError(w, http.StatusBadRequest, "after_ms is 0 to 86400000")
		return in, sim.Behavior{}, false
	}
	if needEndpoint && (in.Endpoint == "" || !printable(in.Endpoint, maxField)) {
		writeError(w, http.StatusBadRequest, "endpoint is required, printable, at most 128 bytes")
		return in, sim.Behavior{}, false
	}
	return in, sim.Behavior{Outcome: o, After: after}, true
}

func (s *Server) ctlBehavior(w http.ResponseWriter, r *http.Request) {
	in, b, ok := readBehavior(w, r, true)
	if !ok {
		return
	}
	s.pbx.SetBehavior(in.Endpoint, b)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) ctlClearBehavior(w http.ResponseWriter, r *http.Request) {
	ep := r.URL.Query().Get("endpoint")
	if ep == "" {
		writeError(w, http.StatusBadRequest, "endpoint is required")
		return
	}
	s.pbx.ClearBehavior(ep)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) ctlDefaultBehavior(w http.ResponseWriter, r *http.Request) {
	_, b, ok := readBehavior(w, r, false)
	if !ok {
		return
	}
	s.pbx.SetDefaultBehavior(b)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) ctlText(w http.ResponseWriter, r *http.Request) {
	var in Text
	if err := decodeStrict(r.Body, &in); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if in.From == "" || in.To == "" || !printable(in.From, maxField) || !printable(in.To, maxField) || len(in.Body) > maxTextBody {
		writeError(w, http.StatusBadRequest, "from and to are required, printable, at most 128 bytes; body at most 4096 bytes")
		return
	}
	s.pbx.InjectText(in.From, in.To, in.Body)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) ctlTexts(w http.ResponseWriter, _ *http.Request) {
	sent := s.pbx.Texts()
	out := make([]Text, 0, len(sent))
	for _, t := range sent {
		out = append(out, Text{From: t.From, To: t.To, Body: t.Body})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) ctlRestart(w http.ResponseWriter, _ *http.Request) {
	s.pbx.Restart()
	w.WriteHeader(http.StatusNoContent)
}
