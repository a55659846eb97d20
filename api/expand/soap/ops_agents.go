package soap

import (
	"context"
	"slices"
	"strings"

	"github.com/callgate/callgate/core"
)

func init() {
	register("loginAgent", (*EngineOps).loginAgent)
	register("logoutAgent", (*EngineOps).logoutAgent)
	register("pauseAgent", (*EngineOps).pauseAgent)
	register("unpauseAgent", (*EngineOps).unpauseAgent)
}

// boolResult answers TRUE when the engine did it, FALSE when it refused
// (unknown agent, not logged in, unknown pause...), and a fault when it
// could not be asked: FALSE would then claim a refusal that never happened.
func (o *EngineOps) boolResult(op string, err error) (Result, error) {
	switch core.ErrorCode(err) {
	case "":
		return Bool(true), nil
	case core.ENOTFOUND, core.EINVALID, core.ECONFLICT, core.EUNAUTHORIZED:
		return Bool(false), nil
	}
	return Result{}, o.engineFault(op, err)
}

// loginAgent logs the agent in at the extension, into all its queues.
func (o *EngineOps) loginAgent(ctx context.Context, p Params) (Result, error) {
	user := strings.TrimSpace(p.Get("agent"))
	endpoint, err := o.endpointOf(ctx, strings.TrimSpace(p.Get("extension")))
	if err != nil || user == "" {
		return o.boolResult("loginAgent", core.Errorf(core.EINVALID, "unknown extension"))
	}
	return o.boolResult("loginAgent", o.eng.Login(ctx, user, core.LoginOptions{Extension: endpoint}))
}

// endpointOf finds the PBX endpoint of an extension number: a provisioned
// phone, else an agent's own endpoint with that number. "SIP/803" is
// taken as written.
func (o *EngineOps) endpointOf(ctx context.Context, ext string) (string, error) {
	if ext == "" {
		return "", core.Errorf(core.EINVALID, "no extension")
	}
	if strings.Contains(ext, "/") {
		return ext, nil
	}
	phones, err := o.eng.Phones(ctx)
	if err != nil {
		return "", err
	}
	for _, ph := range phones {
		if ph.Extension == ext {
			return ph.Endpoint(), nil
		}
	}
	for _, a := range o.eng.Agents() {
		if extNumber(a.Extension) == ext {
			return a.Extension, nil
		}
	}
	return "", core.Errorf(core.ENOTFOUND, "unknown extension %s", ext)
}

// extNumber is the number part of an endpoint ("SIP/101" → "101").
func extNumber(endpoint string) string {
	if i := strings.LastIndexByte(endpoint, '/'); i >= 0 {
		endpoint = endpoint[i+1:]
	}
	if i := strings.IndexByte(endpoint, '@'); i >= 0 {
		endpoint = endpoint[:i]
	}
	return endpoint
}

// logoutAgent logs the agent out of every queue. An agent on a call is
// logged out when the call ends (TRUE: the engine has taken the order).
func (o *EngineOps) logoutAgent(ctx context.Context, p Params) (Result, error) {
	_, err := o.eng.Logout(ctx, strings.TrimSpace(p.Get("agent")), "expand logoutAgent")
	return o.boolResult("logoutAgent", err)
}

// pauseAgent starts a break with the pause whose code (DTMF) or name is
// pauseDTMF, or a break without reason. The engine pauses an agent in all
// its queues at once, so a queues list is checked (each must be one of the
// agent's) and then means all of them.
func (o *EngineOps) pauseAgent(ctx context.Context, p Params) (Result, error) {
	user := strings.TrimSpace(p.Get("agent"))
	if !o.ownsQueues(user, p.Get("queues")) {
		return Bool(false), nil
	}
	code, ok := o.pauseCode(p.Get("pauseDTMF"))
	if !ok {
		return Bool(false), nil
	}
	return o.boolResult("pauseAgent", o.eng.Pause(ctx, user, code))
}

// unpauseAgent ends the agent's break (in every queue; see pauseAgent).
func (o *EngineOps) unpauseAgent(ctx context.Context, p Params) (Result, error) {
	user := strings.TrimSpace(p.Get("agent"))
	if !o.ownsQueues(user, p.Get("queues")) {
		return Bool(false), nil
	}
	return o.boolResult("unpauseAgent", o.eng.Unpause(ctx, user))
}

// ownsQueues is whether every queue in the list (comma, space or "|"
// separated; empty: all) is one of the agent's.
func (o *EngineOps) ownsQueues(user, list string) bool {
	names := strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' || r == '|' })
	if len(names) == 0 {
		return true
	}
	mine := o.eng.AgentQueues(user)
	for _, q := range names {
		if !slices.Contains(mine, q) {
			return false
		}
	}
	return true
}

// pauseCode resolves pauseDTMF: a pause code, or a pause name in any case.
func (o *EngineOps) pauseCode(v string) (string, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", true
	}
	codes := o.eng.PauseCodes()
	for _, pc := range codes {
		if pc.Code == v {
			return pc.Code, true
		}
	}
	for _, pc := range codes {
		if strings.EqualFold(pc.Name, v) {
			return pc.Code, true
		}
	}
	return "", false
}
