package admin

import (
	"context"
	"net/http"

	"github.com/callgate/callgate/core"
)

// Native call control: /calls/{id}/... drives a live call connected to an
// agent through the engine's agent call services (core/control.go). The
// call id is resolved to its agent, and the action is refused (409) unless
// that agent's current call is this call, so an id never acts on another
// call. Every answer reflects what the engine did: an action the PBX
// refused is an error, never "ok".

// callController is the engine's call control (core.Engine has it).
type callController interface {
	Call(ctx context.Context, id uint64) (core.Call, error)
	AgentCall(user string) (core.Call, bool)
	CallHeld(user string) (held, parked bool)
	TransferState(user string) (kind, target string)
	CurrentRecording(user string) (core.Recording, bool)
	HoldCall(ctx context.Context, user string) error
	UnholdCall(ctx context.Context, user string) error
	Park(ctx context.Context, user string) error
	Grab(ctx context.Context, user string) error
	SendDTMF(ctx context.Context, user, digits string) error
	Transfer(ctx context.Context, user string, req core.TransferRequest) error
	CompleteTransfer(ctx context.Context, user string) error
	CancelTransfer(ctx context.Context, user string) error
	StartRecording(ctx context.Context, user string) (core.Recording, error)
	StopRecording(ctx context.Context, user string) (core.Recording, error)
	MuteRecording(ctx context.Context, user string, mute bool) error
	Play(ctx context.Context, user, media string) (string, error)
	ControlPlayback(ctx context.Context, user string, op core.PlaybackOp) error
	Snoop(ctx context.Context, supervisorEndpoint, user, mode string) error
}

// callState is the answer of every call-control action: the call as the
// engine holds it after the action.
type callState struct {
	OK             bool            `json:"ok"`
	Call           core.Call       `json:"call"`
	Held           bool            `json:"held"`
	Parked         bool            `json:"parked"`
	TransferKind   string          `json:"transfer_kind,omitempty"`   // pending attended/conference transfer
	TransferTarget string          `json:"transfer_target,omitempty"` // its target
	Recording      *core.Recording `json:"recording,omitempty"`       // current recording
	Playback       string          `json:"playback,omitempty"`        // id of a playback just started
}

type transferInput struct {
	// Kind: blind, attended, queue or conference.
	Kind     string `json:"kind"`
	Target   string `json:"target,omitempty"` // number or extension
	Agent    string `json:"agent,omitempty"`  // logged-in agent username
	Queue    string `json:"queue,omitempty"`
	CallerID string `json:"caller_id,omitempty"`
}

type conferenceInput struct {
	Target   string `json:"target,omitempty"`
	Agent    string `json:"agent,omitempty"`
	Queue    string `json:"queue,omitempty"`
	CallerID string `json:"caller_id,omitempty"`
}

type dtmfInput struct {
	Digits string `json:"digits"`
}

type muteInput struct {
	Mute *bool `json:"mute"`
}

type playInput struct {
	Media string `json:"media"` // sound:, tone: or recording: URI (sound: when no scheme)
}

type playbackControlInput struct {
	Op string `json:"op"` // stop, pause, unpause, restart
}

type snoopInput struct {
	// Endpoint is the supervisor's phone (SIP/2000, PJSIP/sup...).
	Endpoint string `json:"endpoint"`
	Mode     string `json:"mode,omitempty"` // listen (default), whisper, barge
}

func (a *API) callControlRoutes() []route {
	r := func(path, summary string, body any, h http.HandlerFunc, doc string) route {
		return route{method: "POST", path: "/calls/{id}/" + path, tag: "call control", summary: summary, body: body, resp: callState{}, h: h, doc: doc}
	}
	opt := func(rt route) route { rt.optional = true; return rt }
	return []route{
		r("hold", "Put the call's customer on hold (music on hold)", nil, a.act(func(ctx context.Context, cc callController, u string, _ *callState) error { return cc.HoldCall(ctx, u) }), ""),
		r("unhold", "Take the call's customer off hold", nil, a.act(func(ctx context.Context, cc callController, u string, _ *callState) error {
			return cc.UnholdCall(ctx, u)
		}), ""),
		r("park", "Park the call's customer (the agent is free to talk elsewhere)", nil, a.act(func(ctx context.Context, cc callController, u string, _ *callState) error { return cc.Park(ctx, u) }), ""),
		r("grab", "Take a parked customer back", nil, a.act(func(ctx context.Context, cc callController, u string, _ *callState) error { return cc.Grab(ctx, u) }), ""),
		r("transfer", "Transfer the call (blind, attended, queue or conference)", transferInput{}, a.transfer,
			"blind and queue release the agent at once; attended and conference ring the target first, then /transfer/complete or /transfer/cancel. Target: target (number/extension), agent (username) or queue."),
		r("transfer/complete", "Complete a pending attended transfer or leave a conference", nil, a.act(func(ctx context.Context, cc callController, u string, _ *callState) error {
			return cc.CompleteTransfer(ctx, u)
		}), "409 when no transfer is pending."),
		r("transfer/cancel", "Cancel a pending attended transfer or conference (hang up the third party)", nil, a.act(func(ctx context.Context, cc callController, u string, _ *callState) error {
			return cc.CancelTransfer(ctx, u)
		}), "409 when no transfer is pending."),
		r("conference", "Add a third party to the call (three-way; the agent stays)", conferenceInput{}, a.conference,
			"The third party rings; /transfer/complete makes the agent leave the others talking, /transfer/cancel drops the third party."),
		r("recording/start", "Start recording the call", nil, a.act(func(ctx context.Context, cc callController, u string, st *callState) error {
			rec, err := cc.StartRecording(ctx, u)
			st.Recording = &rec
			return err
		}), ""),
		r("recording/stop", "Stop recording the call", nil, a.act(func(ctx context.Context, cc callController, u string, st *callState) error {
			rec, err := cc.StopRecording(ctx, u)
			st.Recording = &rec
			return err
		}), ""),
		opt(r("recording/mute", "Mute (or with mute false unmute) the call's recording", muteInput{}, a.muteRecording, "Body optional; mute defaults to true.")),
		r("dtmf", "Send DTMF digits to the call's customer", dtmfInput{}, a.dtmf, "digits: 0-9, *, #, A-D, at most 64."),
		r("playback", "Play media into the call", playInput{}, a.play, "media: sound:NAME, tone:NAME or recording:NAME (sound: when no scheme)."),
		r("playback/control", "Stop, pause, unpause or restart the call's playback", playbackControlInput{}, a.controlPlayback, ""),
		r("snoop", "Listen to, whisper to or barge into the call from a supervisor's phone", snoopInput{}, a.snoop,
			"The supervisor's endpoint rings; once answered it hears the agent's call (listen), talks to the agent only (whisper) or to both (barge)."),
	}
}

// controlled resolves the call in the path to the agent connected to it.
func (a *API) controlled(r *http.Request) (callController, string, error) {
	cc, ok := a.eng.(callController)
	if a.eng == nil || !ok {
		return nil, "", errNoEngine
	}
	id, err := pathID(r, "id")
	if err != nil {
		return nil, "", notFound("call")
	}
	c, err := cc.Call(r.Context(), uint64(id))
	if err != nil {
		return nil, "", err
	}
	if c.EndedAt != nil {
		return nil, "", &httpError{status: http.StatusConflict, msg: "call has ended"}
	}
	if c.Agent == "" {
		return nil, "", &httpError{status: http.StatusConflict, msg: "call is not connected to an agent"}
	}
	if cur, ok := cc.AgentCall(c.Agent); !ok || cur.ID != c.ID {
		return nil, "", &httpError{status: http.StatusConflict, msg: "call is not connected to an agent"}
	}
	return cc, c.Agent, nil
}

// act decodes body (if any), runs fn for the call's agent and answers with
// the call's state after it.
func (a *API) act(fn func(ctx context.Context, cc callController, user string, st *callState) error) http.HandlerFunc {
	return a.actWith(nil, fn)
}

func (a *API) actWith(body any, fn func(ctx context.Context, cc callController, user string, st *callState) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		cc, user, err := a.controlled(r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		if body != nil {
			if err := decodeOptional(w, r, body); err != nil {
				a.fail(w, r, err)
				return
			}
		}
		st := callState{}
		id, _ := pathID(r, "id")
		if err := fn(r.Context(), cc, user, &st); err != nil {
			a.fail(w, r, err)
			return
		}
		a.fillState(r.Context(), cc, user, uint64(id), &st)
		writeJSON(w, http.StatusOK, st)
	}
}

// fillState reads the call back: from the agent while it still has it,
// else (blind transfer, park elsewhere) from the engine's record.
func (a *API) fillState(ctx context.Context, cc callController, user string, id uint64, st *callState) {
	st.OK = true
	if cur, ok := cc.AgentCall(user); ok && cur.ID == id {
		st.Call = cur
		st.Held, st.Parked = cc.CallHeld(user)
		st.TransferKind, st.TransferTarget = cc.TransferState(user)
		if rec, ok := cc.CurrentRecording(user); ok {
			st.Recording = &rec
		}
		return
	}
	if c, err := cc.Call(ctx, id); err == nil {
		st.Call = c
	}
}

func (a *API) transfer(w http.ResponseWriter, r *http.Request) {
	var in transferInput
	a.actWith(&in, func(ctx context.Context, cc callController, u string, _ *callState) error {
		kind := core.TransferKind(in.Kind)
		switch kind {
		case core.TransferBlind, core.TransferAttended, core.TransferConference:
			if in.Target == "" && in.Agent == "" && in.Queue == "" {
				return badRequest("missing %q, %q or %q", "target", "agent", "queue")
			}
		case core.TransferQueue:
			if in.Queue == "" {
				return badRequest("missing required field %q", "queue")
			}
		case "":
			return badRequest("missing required field %q", "kind")
		default:
			return badRequest("kind must be one of blind, attended, queue, conference")
		}
		return cc.Transfer(ctx, u, core.TransferRequest{Kind: kind, Target: in.Target, Agent: in.Agent, Queue: in.Queue, CallerID: in.CallerID})
	})(w, r)
}

func (a *API) conference(w http.ResponseWriter, r *http.Request) {
	var in conferenceInput
	a.actWith(&in, func(ctx context.Context, cc callController, u string, _ *callState) error {
		if in.Target == "" && in.Agent == "" && in.Queue == "" {
			return badRequest("missing %q, %q or %q", "target", "agent", "queue")
		}
		return cc.Transfer(ctx, u, core.TransferRequest{Kind: core.TransferConference, Target: in.Target, Agent: in.Agent, Queue: in.Queue, CallerID: in.CallerID})
	})(w, r)
}

func (a *API) muteRecording(w http.ResponseWriter, r *http.Request) {
	var in muteInput
	a.actWith(&in, func(ctx context.Context, cc callController, u string, _ *callState) error {
		mute := in.Mute == nil || *in.Mute
		return cc.MuteRecording(ctx, u, mute)
	})(w, r)
}

const maxDTMF = 64

func validDTMF(s string) bool {
	if s == "" || len(s) > maxDTMF {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c == '*' || c == '#' || c >= 'A' && c <= 'D' || c >= 'a' && c <= 'd') {
			return false
		}
	}
	return true
}

func (a *API) dtmf(w http.ResponseWriter, r *http.Request) {
	var in dtmfInput
	a.actWith(&in, func(ctx context.Context, cc callController, u string, _ *callState) error {
		if !validDTMF(in.Digits) {
			return badRequest("digits must be 1 to %d of 0-9 * # A-D", maxDTMF)
		}
		return cc.SendDTMF(ctx, u, in.Digits)
	})(w, r)
}

func (a *API) play(w http.ResponseWriter, r *http.Request) {
	var in playInput
	a.actWith(&in, func(ctx context.Context, cc callController, u string, st *callState) error {
		if err := required("media", in.Media); err != nil {
			return err
		}
		id, err := cc.Play(ctx, u, in.Media)
		st.Playback = id
		return err
	})(w, r)
}

func (a *API) controlPlayback(w http.ResponseWriter, r *http.Request) {
	var in playbackControlInput
	a.actWith(&in, func(ctx context.Context, cc callController, u string, _ *callState) error {
		if err := oneOf("op", in.Op, "stop", "pause", "unpause", "restart"); err != nil {
			return err
		}
		return cc.ControlPlayback(ctx, u, core.PlaybackOp(in.Op))
	})(w, r)
}

func (a *API) snoop(w http.ResponseWriter, r *http.Request) {
	var in snoopInput
	a.actWith(&in, func(ctx context.Context, cc callController, u string, _ *callState) error {
		if err := required("endpoint", in.Endpoint); err != nil {
			return err
		}
		if in.Mode == "" {
			in.Mode = "listen"
		}
		if err := oneOf("mode", in.Mode, "listen", "whisper", "barge"); err != nil {
			return err
		}
		return cc.Snoop(ctx, in.Endpoint, u, in.Mode)
	})(w, r)
}
