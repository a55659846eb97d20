package admin

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/callgate/callgate/core"
)

type okBody struct {
	OK bool `json:"ok"`
}

type loginInput struct {
	Extension  string   `json:"extension,omitempty"`
	Campaign   string   `json:"campaign,omitempty"`
	Queues     []string `json:"queues,omitempty"`
	Timeout    int      `json:"timeout,omitempty"` // seconds of inactivity before logout
	Persistent *bool    `json:"persistent,omitempty"`
	// Paused overrides the campaign's login_paused setting.
	Paused *bool `json:"paused,omitempty"`
}

type logoutInput struct {
	Reason string `json:"reason,omitempty"`
}

type logoutResult struct {
	OK       bool `json:"ok"`
	Deferred bool `json:"deferred"` // applied when the current call ends
}

type pauseInput struct {
	Code    string `json:"code,omitempty"`
	PauseID uint   `json:"pause_id,omitempty"`
}

type dialInput struct {
	Agent        string `json:"agent"` // username of a logged-in agent
	Phone        string `json:"phone"`
	PhoneCode    string `json:"phone_code,omitempty"`
	Campaign     string `json:"campaign,omitempty"`
	LeadID       uint64 `json:"lead_id,omitempty"`
	CallerIDNum  string `json:"caller_id_num,omitempty"`
	CallerIDName string `json:"caller_id_name,omitempty"`
	DialPrefix   string `json:"dial_prefix,omitempty"`
	Timeout      int    `json:"timeout,omitempty"` // seconds
	SkipDNC      bool   `json:"skip_dnc,omitempty"`
}

type hangupInput struct {
	Cause int `json:"cause,omitempty"` // Q.850, 16 when omitted
}

var errNoEngine = &httpError{status: http.StatusServiceUnavailable, msg: "engine not running"}

func sortStrings(s []string) { slices.Sort(s) }

func (a *API) agentFromPath(ctx context.Context, r *http.Request) (core.Agent, error) {
	var ag core.Agent
	id, err := pathID(r, "id")
	if err != nil {
		return ag, notFound("agent")
	}
	if err := a.rec.Get(ctx, &ag, core.ByID(id)); err != nil {
		if errors.Is(err, core.ErrNoRecord) {
			return ag, notFound("agent")
		}
		return ag, err
	}
	return ag, nil
}

// live runs fn for the agent named in the path, then answers with its
// session (or fn's own result when it writes one).
func (a *API) live(w http.ResponseWriter, r *http.Request, body any, fn func(ctx context.Context, user string) (any, error)) {
	ctx := r.Context()
	if a.eng == nil {
		a.fail(w, r, errNoEngine)
		return
	}
	ag, err := a.agentFromPath(ctx, r)
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
	out, err := fn(ctx, ag.Username)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if out == nil {
		s, ok := a.eng.Session(ag.Username)
		if !ok {
			writeJSON(w, http.StatusOK, okBody{OK: true})
			return
		}
		out = s
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) login(w http.ResponseWriter, r *http.Request) {
	var in loginInput
	a.live(w, r, &in, func(ctx context.Context, user string) (any, error) {
		if in.Timeout < 0 {
			return nil, badRequest("timeout must not be negative")
		}
		return nil, a.eng.Login(ctx, user, core.LoginOptions{
			Extension: in.Extension, Campaign: in.Campaign, Queues: in.Queues,
			Timeout: time.Duration(in.Timeout) * time.Second, Persistent: in.Persistent, Paused: in.Paused,
		})
	})
}

func (a *API) logout(w http.ResponseWriter, r *http.Request) {
	var in logoutInput
	a.live(w, r, &in, func(ctx context.Context, user string) (any, error) {
		reason := in.Reason
		if reason == "" {
			reason = "admin"
		}
		deferred, err := a.eng.Logout(ctx, user, reason)
		if err != nil {
			return nil, err
		}
		return logoutResult{OK: true, Deferred: deferred}, nil
	})
}

func (a *API) pause(w http.ResponseWriter, r *http.Request) {
	var in pauseInput
	a.live(w, r, &in, func(ctx context.Context, user string) (any, error) {
		switch {
		case in.PauseID != 0:
			return nil, a.eng.PauseByID(ctx, user, in.PauseID)
		default:
			return nil, a.eng.Pause(ctx, user, in.Code)
		}
	})
}

func (a *API) unpause(w http.ResponseWriter, r *http.Request) {
	a.live(w, r, nil, func(ctx context.Context, user string) (any, error) {
		return nil, a.eng.Unpause(ctx, user)
	})
}

func (a *API) agentSession(w http.ResponseWriter, r *http.Request) {
	if a.eng == nil {
		a.fail(w, r, errNoEngine)
		return
	}
	ag, err := a.agentFromPath(r.Context(), r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	s, ok := a.eng.Session(ag.Username)
	if !ok {
		writeError(w, http.StatusNotFound, "agent not logged in")
		return
	}
	writeJSON(w, http.StatusOK, s)
}

func (a *API) sessions(w http.ResponseWriter, r *http.Request) {
	if a.eng == nil {
		a.fail(w, r, errNoEngine)
		return
	}
	out := a.eng.Sessions()
	if out == nil {
		out = []core.AgentSession{}
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) activeCalls(w http.ResponseWriter, r *http.Request) {
	if a.eng == nil {
		a.fail(w, r, errNoEngine)
		return
	}
	out := a.eng.ActiveCalls()
	if out == nil {
		out = []core.Call{}
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) hangupCall(w http.ResponseWriter, r *http.Request) {
	if a.eng == nil {
		a.fail(w, r, errNoEngine)
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		a.fail(w, r, notFound("call"))
		return
	}
	var in hangupInput
	if err := decodeOptional(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := a.eng.HangupCall(r.Context(), id, core.HangupCause(in.Cause)); err != nil {
		if errors.Is(err, core.ErrCallNotFound) {
			err = notFound("live call")
		}
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, okBody{OK: true})
}

// dial places a manual call for a logged-in agent (agent leg first, then
// the customer), as VICIdial's external_dial does.
func (a *API) dial(w http.ResponseWriter, r *http.Request) {
	if a.eng == nil {
		a.fail(w, r, errNoEngine)
		return
	}
	var in dialInput
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := required("agent", in.Agent, "phone", in.Phone); err != nil {
		a.fail(w, r, err)
		return
	}
	if in.Timeout < 0 {
		a.fail(w, r, badRequest("timeout must not be negative"))
		return
	}
	c, err := a.eng.Dial(r.Context(), core.DialRequest{
		Agent: in.Agent, Phone: in.Phone, PhoneCode: in.PhoneCode, Campaign: in.Campaign, LeadID: in.LeadID,
		CallerIDNum: in.CallerIDNum, CallerIDName: in.CallerIDName, DialPrefix: in.DialPrefix,
		Timeout: time.Duration(in.Timeout) * time.Second, SkipDNC: in.SkipDNC,
	})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, c)
}

func (a *API) reloadNow(w http.ResponseWriter, r *http.Request) {
	if a.eng == nil {
		a.fail(w, r, errNoEngine)
		return
	}
	if err := a.eng.Reload(r.Context()); err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, okBody{OK: true})
}
