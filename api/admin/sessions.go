package admin

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/callgate/callgate/core"
)

// Browser sessions. The web pages (package web) call this same API with a
// session cookie instead of the bearer token. A session acts for a
// principal (core.Principal): the admin (everything), a supervisor (its
// user group's queues and campaigns) or an agent (itself). Routes open to
// sessions carry an access rule; every other route stays bearer-only, so a
// session can never provision anything.

// SessionAuth authenticates browser sessions; the web package implements
// it.
type SessionAuth interface {
	// Authenticate returns the principal of the request's session. ok is
	// false when the request carries no session at all; err is set when it
	// carries one that must be refused (expired, or a state-changing
	// request without the session's CSRF token).
	Authenticate(r *http.Request) (p core.Principal, ok bool, err error)
}

// ErrCSRF is what a SessionAuth returns for a state-changing request
// without the session's CSRF token.
var ErrCSRF = errors.New("missing or invalid CSRF token")

type principalKey struct{}

// principalOf is the principal a request acts for (the admin for a bearer
// token).
func principalOf(r *http.Request) core.Principal {
	if p, ok := r.Context().Value(principalKey{}).(core.Principal); ok {
		return p
	}
	return core.Principal{Kind: core.PrincipalAdmin, Name: "admin", Scope: core.Scope{All: true}}
}

func withPrincipal(r *http.Request, p core.Principal) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), principalKey{}, p))
}

// sessionAuth lets a request without an Authorization header in on its
// session; it answers true when it has answered the request itself.
func (a *API) sessionAuth(w http.ResponseWriter, r *http.Request, next http.Handler) bool {
	if a.webAuth == nil || r.Header.Get("Authorization") != "" {
		return false
	}
	p, ok, err := a.webAuth.Authenticate(r)
	switch {
	case errors.Is(err, ErrCSRF):
		writeError(w, http.StatusForbidden, ErrCSRF.Error())
	case err != nil:
		writeError(w, http.StatusUnauthorized, "session expired: log in again")
	case !ok:
		return false
	default:
		next.ServeHTTP(w, withPrincipal(r, p))
	}
	return true
}

// access decides whether a session principal may use one route; nil
// rules (the default) keep a route for the admin.
type access func(r *http.Request, a *API, p core.Principal) error

var errForbidden = &httpError{status: http.StatusForbidden, msg: "not allowed for this session"}

// guard wraps a route's handler with its access rule.
func (a *API) guard(rt route) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p := principalOf(r)
		if p.Kind != core.PrincipalAdmin {
			if rt.access == nil {
				a.fail(w, r, errForbidden)
				return
			}
			if err := rt.access(r, a, p); err != nil {
				a.fail(w, r, err)
				return
			}
		}
		rt.h(w, r)
	}
}

// anySession lets every session in (the handler itself limits what it
// shows to the principal).
func anySession(*http.Request, *API, core.Principal) error { return nil }

// supervisors lets supervisors in (their handlers apply the scope).
func supervisors(_ *http.Request, _ *API, p core.Principal) error {
	if p.Kind != core.PrincipalSupervisor {
		return errForbidden
	}
	return nil
}

// ownAgent: the agent in the path is the session's own agent, or an agent
// in a supervisor's scope.
func ownAgent(r *http.Request, a *API, p core.Principal) error {
	ag, err := a.agentFromPath(r.Context(), r)
	if err != nil {
		return err
	}
	return a.mayActOnAgent(r.Context(), p, ag.Username)
}

// selfOnly: the agent in the path is the session's own agent.
func selfOnly(r *http.Request, a *API, p core.Principal) error {
	if p.Kind != core.PrincipalAgent {
		return errForbidden
	}
	return ownAgent(r, a, p)
}

func (a *API) mayActOnAgent(ctx context.Context, p core.Principal, user string) error {
	switch p.Kind {
	case core.PrincipalAgent:
		if user == p.Name {
			return nil
		}
	case core.PrincipalSupervisor:
		if se, ok := a.eng.(scopeEngine); ok && se.AgentInScope(ctx, p.Scope, user) {
			return nil
		}
	}
	return errForbidden
}

// ownCall: the call in the path is connected to the session's agent (or to
// an agent in a supervisor's scope).
func ownCall(r *http.Request, a *API, p core.Principal) error {
	cc, ok := a.eng.(callController)
	if a.eng == nil || !ok {
		return errNoEngine
	}
	id, err := pathID(r, "id")
	if err != nil {
		return notFound("call")
	}
	c, err := cc.Call(r.Context(), id)
	if err != nil {
		return notFound("call")
	}
	if c.Agent == "" {
		return errForbidden
	}
	return a.mayActOnAgent(r.Context(), p, c.Agent)
}

// scopeEngine is the engine's scope service (core.Engine has it).
type scopeEngine interface {
	AgentInScope(ctx context.Context, s core.Scope, user string) bool
	Wallboard(ctx context.Context, s core.Scope, interval time.Duration) (core.Wallboard, error)
}

// supervisorCall: a supervisor acting on a call of an agent in its scope.
func supervisorCall(r *http.Request, a *API, p core.Principal) error {
	if p.Kind != core.PrincipalSupervisor {
		return errForbidden
	}
	return ownCall(r, a, p)
}

// sessionAccess opens routes of the table to browser sessions.
var sessionAccess = map[string]access{
	"GET /agents/{id}/session":           ownAgent,
	"POST /agents/{id}/login":            selfOnly,
	"POST /agents/{id}/logout":           ownAgent,
	"POST /agents/{id}/pause":            ownAgent,
	"POST /agents/{id}/unpause":          ownAgent,
	"GET /pausecodes":                    anySession,
	"GET /events":                        anySession,
	"POST /calls/{id}/hangup":            ownCall,
	"POST /calls/{id}/hold":              ownCall,
	"POST /calls/{id}/unhold":            ownCall,
	"POST /calls/{id}/transfer":          ownCall,
	"POST /calls/{id}/transfer/complete": ownCall,
	"POST /calls/{id}/transfer/cancel":   ownCall,
	"POST /calls/{id}/conference":        ownCall,
	"POST /calls/{id}/dtmf":              ownCall,
	"POST /calls/{id}/snoop":             supervisorCall,
}

func openToSessions(rt []route) {
	for i := range rt {
		if acc, ok := sessionAccess[rt[i].method+" "+rt[i].path]; ok {
			rt[i].access = acc
		}
	}
}

// eventScope limits a session's event stream: an agent sees its own
// events, a supervisor those of its queues, campaigns and agents.
func (a *API) eventScope(r *http.Request) func(ev core.Event, data []byte) bool {
	p := principalOf(r)
	switch p.Kind {
	case core.PrincipalAdmin:
		return nil
	case core.PrincipalAgent:
		self := eventFilter{agents: map[string]bool{p.Name: true}}
		return self.match
	}
	ctx := r.Context()
	return func(ev core.Event, data []byte) bool {
		var fl eventFields
		_ = json.Unmarshal(data, &fl)
		if p.Scope.Queue(fl.Queue) || p.Scope.Queue(fl.Call.Queue) || p.Scope.Campaign(fl.Campaign) ||
			p.Scope.Campaign(fl.Call.Campaign) || p.Scope.Campaign(fl.Lead.Campaign) || p.Scope.Campaign(fl.Job.Campaign) {
			return true
		}
		for _, u := range []string{ev.Agent, fl.Agent, fl.Call.Agent} {
			if u != "" {
				return a.mayActOnAgent(ctx, p, u) == nil
			}
		}
		return false
	}
}
