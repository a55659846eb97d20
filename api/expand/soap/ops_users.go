package soap

import (
	"context"
	"errors"
	"strings"

	"github.com/callgate/callgate/core"
)

func init() {
	register("extensionPbx", (*EngineOps).extensionPbx)
	register("getAgentLoggedInfo", (*EngineOps).getAgentLoggedInfo)
	register("getUserByAgent", (*EngineOps).getUserByAgent)
	register("getUserInfo", (*EngineOps).getUserInfo)
}

// The document's error codes of the user operations.
const (
	codeBadParams = "-2"
	codeUnknown   = "-3"
)

// extensionPbx lists the provisioned phones, then any agent endpoint no
// phone covers, each with its channel and caller name (the phone's name,
// else the agent's, else the number, as the document's "321").
func (o *EngineOps) extensionPbx(ctx context.Context, _ Params) (Result, error) {
	phones, err := o.eng.Phones(ctx)
	if err != nil {
		return Result{}, o.engineFault("extensionPbx", err)
	}
	names := map[string]string{}
	for _, a := range o.eng.Agents() {
		if n := extNumber(a.Extension); a.Active && n != "" && names[n] == "" {
			names[n] = a.Name
		}
	}
	d := newXMLDoc("extensions")
	seen := map[string]bool{}
	for _, ph := range phones {
		seen[ph.Extension] = true
		name := firstNonEmpty(ph.Name, names[ph.Extension], ph.Extension)
		d.elem("extensioninfo", true, xattr{"extension", ph.Extension}, xattr{"channel", ph.Endpoint()}, xattr{"calleridName", name})
	}
	for _, a := range o.eng.Agents() {
		n := extNumber(a.Extension)
		if !a.Active || n == "" || seen[n] {
			continue
		}
		seen[n] = true
		d.elem("extensioninfo", true, xattr{"extension", n}, xattr{"channel", a.Extension}, xattr{"calleridName", firstNonEmpty(a.Name, n)})
	}
	return String(d.done("extensions")), nil
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

// findAgent reads a stored agent; found is false for an unknown one, err
// is set only when the store could not answer.
func (o *EngineOps) findAgent(ctx context.Context, user string) (core.Agent, bool, error) {
	a, err := o.eng.FindAgent(ctx, user)
	if errors.Is(err, core.ErrNoRecord) {
		return a, false, nil
	}
	return a, err == nil, err
}

// getAgentLoggedInfo answers the agent's XML when logged in, else "0".
func (o *EngineOps) getAgentLoggedInfo(ctx context.Context, p Params) (Result, error) {
	user := strings.TrimSpace(p.Get("username"))
	if user == "" {
		return String(codeBadParams), nil
	}
	a, ok, err := o.findAgent(ctx, user)
	if err != nil {
		o.log.Warn("expand soap: getAgentLoggedInfo", "err", err)
		return String(codeUnknown), nil
	}
	s, logged := o.eng.Session(user)
	if !ok || !logged {
		return String("0"), nil
	}
	d := newXMLDoc("agentAgent")
	d.elem("user", true, xattr{"nombre", a.Name}, xattr{"email", a.Email}, xattr{"logueado", "1"},
		xattr{"agente", a.Username}, xattr{"nroAgente", a.Number}, xattr{"extension", extNumber(s.Extension)})
	return String(d.done("agentAgent")), nil
}

// getUserByAgent answers the username of an agent number, "" if none.
func (o *EngineOps) getUserByAgent(ctx context.Context, p Params) (Result, error) {
	number := strings.TrimSpace(p.Get("agent"))
	if number == "" {
		return String(codeBadParams), nil
	}
	a, err := o.eng.AgentByNumber(ctx, number)
	switch core.ErrorCode(err) {
	case "":
		return String(a.Username), nil
	case core.ENOTFOUND:
		return String(""), nil
	}
	o.log.Warn("expand soap: getUserByAgent", "err", err)
	return String(codeUnknown), nil
}

// getUserInfo answers a user's XML, "" when there is no such user.
func (o *EngineOps) getUserInfo(ctx context.Context, p Params) (Result, error) {
	user := strings.TrimSpace(p.Get("username"))
	if user == "" {
		return String(codeBadParams), nil
	}
	a, ok, err := o.findAgent(ctx, user)
	if err != nil {
		o.log.Warn("expand soap: getUserInfo", "err", err)
		return String(codeUnknown), nil
	}
	if !ok {
		return String(""), nil
	}
	d := newXMLDoc("userInfo")
	d.elem("user", true, xattr{"nombre", a.Name}, xattr{"email", a.Email}, xattr{"perfil", a.Profile},
		xattr{"supervisor", flag(a.Supervisor)}, xattr{"agente", flag(a.Number != "")}, xattr{"nroAgente", a.Number})
	return String(d.done("userInfo")), nil
}

func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
