package core

import (
	"context"
	"strings"
)

// Who a browser session acts for, and what it may see. The web pages log
// people in with credentials the engine already holds (an agent's own
// password, a supervisor's API user of dialect "web", the admin token), and
// every request of the session is then limited to the principal's scope.

// PrincipalKind is the role of a web session.
type PrincipalKind string

const (
	PrincipalAdmin      PrincipalKind = "admin"      // the admin token: everything
	PrincipalSupervisor PrincipalKind = "supervisor" // an API user of dialect "web": its user group's queues and campaigns
	PrincipalAgent      PrincipalKind = "agent"      // an agent: itself only
)

// WebDialect is the APIUser dialect of supervisors' web logins.
const WebDialect = "web"

// Principal is the identity of a web session.
type Principal struct {
	Kind    PrincipalKind `json:"kind"`
	Name    string        `json:"name"`               // agent or supervisor username; "admin" for the token
	AgentID uint          `json:"agent_id,omitempty"` // agents
	Group   string        `json:"group,omitempty"`    // supervisors' user group
	Scope   Scope         `json:"-"`
}

// Scope is the set of campaigns and queues a principal may see and act on.
type Scope struct {
	All       bool
	Campaigns map[string]bool
	Queues    map[string]bool
}

// Campaign reports whether the campaign is in scope.
func (s Scope) Campaign(name string) bool { return s.All || (name != "" && s.Campaigns[name]) }

// Queue reports whether the queue is in scope.
func (s Scope) Queue(name string) bool { return s.All || (name != "" && s.Queues[name]) }

// GroupScope is the scope of a user group: the campaigns its
// allowed_campaigns names (" TESTCAMP SALES - ", or " -ALL-CAMPAIGNS- - "
// for all), and the queues those campaigns use or that belong to them.
func (e *Engine) GroupScope(ctx context.Context, group string) (Scope, error) {
	g, err := e.UserGroup(ctx, group)
	if err != nil {
		if err == ErrNoRecord {
			return Scope{}, Errorf(ENOTFOUND, "user group %s does not exist", group)
		}
		return Scope{}, err
	}
	if strings.Contains(g.AllowedCampaigns, "-ALL-CAMPAIGNS-") {
		return Scope{All: true}, nil
	}
	s := Scope{Campaigns: map[string]bool{}, Queues: map[string]bool{}}
	for _, f := range strings.Fields(g.AllowedCampaigns) {
		if f != "-" {
			s.Campaigns[f] = true
		}
	}
	for _, c := range e.Campaigns() {
		if s.Campaigns[c.Name] && c.Queue != "" {
			s.Queues[c.Queue] = true
		}
	}
	for _, q := range e.Queues() {
		if s.Campaigns[q.Campaign] {
			s.Queues[q.Name] = true
		}
	}
	return s, nil
}

// AgentInScope reports whether an agent belongs to the scope: its live
// campaign, its provisioned campaign or one of its queues is in it.
func (e *Engine) AgentInScope(ctx context.Context, s Scope, user string) bool {
	if s.All {
		return true
	}
	// Memory first: event streams ask this for every event with an agent.
	if sess, ok := e.Session(user); ok && s.Campaign(sess.Campaign) {
		return true
	}
	for _, q := range e.AgentQueues(user) {
		if s.Queue(q) {
			return true
		}
	}
	for _, q := range e.Queues() {
		if !s.Queue(q.Name) {
			continue
		}
		for _, m := range e.QueueMembers(q.Name) {
			if m.Agent == user {
				return true
			}
		}
	}
	ag, err := e.FindAgent(ctx, user)
	return err == nil && s.Campaign(ag.Campaign)
}

// WebLoginRequest is one login attempt of the web pages.
type WebLoginRequest struct {
	Kind   PrincipalKind // agent or supervisor
	User   string
	Secret string
	Source string // client address (login throttling)
}

// WebLogin checks a web login with the engine's credentials and login
// throttle. Agents log in with their own password; supervisors are API
// users of dialect "web" whose scopes name their user group
// ("group:AGENTS"). The answer never tells an unknown user from a wrong
// password.
func (e *Engine) WebLogin(ctx context.Context, req WebLoginRequest) (Principal, LoginVerdict, error) {
	var p Principal
	var ok func() bool
	switch req.Kind {
	case PrincipalAgent:
		ag, err := e.FindAgent(ctx, req.User)
		ok = func() bool { return e.creds.Verify(ag.Password, req.Secret) && err == nil && ag.Active }
		p = Principal{Kind: PrincipalAgent, Name: ag.Username, AgentID: ag.ID, Scope: Scope{}}
	case PrincipalSupervisor:
		u, err := e.APIUser(ctx, WebDialect, req.User)
		ok = func() bool { return e.creds.Verify(u.Secret, req.Secret) && err == nil && u.Active }
		p = Principal{Kind: PrincipalSupervisor, Name: u.Username, Group: scopeValue(u.Scopes, "group")}
	default:
		return p, LoginVerdict{}, Errorf(EINVALID, "unknown role %q", req.Kind)
	}
	v := e.creds.Check(ctx, LoginAttempt{Dialect: WebDialect, Principal: req.User, Source: req.Source}, ok)
	if v.Outcome != LoginAccepted {
		return Principal{}, v, nil
	}
	if p.Kind == PrincipalSupervisor {
		if p.Group == "" {
			return Principal{}, LoginVerdict{Outcome: LoginRejected}, Errorf(EUNAUTHORIZED, "supervisor %s has no user group (scope group:NAME)", p.Name)
		}
		s, err := e.GroupScope(ctx, p.Group)
		if err != nil {
			return Principal{}, LoginVerdict{Outcome: LoginRejected}, err
		}
		p.Scope = s
	}
	return p, v, nil
}

// scopeValue is the value of "key:value" in a comma list of scopes.
func scopeValue(scopes, key string) string {
	for _, s := range strings.Split(scopes, ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(s), key+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
