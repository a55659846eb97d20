package eccp

import (
	"context"

	"github.com/callgate/callgate/core"
)

func hGetRequestList(ss *session, ctx context.Context, cmd *elem) *elem {
	root, body := nested("getrequestlist")
	list := body.add("requests")
	for _, r := range requests {
		list.addText("request", r.name)
	}
	return root
}

func hLogin(ss *session, ctx context.Context, cmd *elem) *elem {
	if !cmd.has("username") || !cmd.has("password") {
		return topFailure(400, "Bad request")
	}
	user, pass := cmd.str("username"), cmd.str("password")
	// The client account is shared by every console, so failures are
	// delayed per (user, peer address): a console failing elsewhere never
	// stops the others. Unknown user, wrong password and a delayed attempt
	// get the same answer, the one dialerd gives.
	v := ss.srv.eng.Credentials().Check(ctx, core.LoginAttempt{Dialect: "eccp", Principal: user, Source: ss.peer},
		func() bool { return ss.srv.checkClient(ctx, user, pass) })
	switch v.Outcome {
	case core.LoginDelayed:
		ss.srv.log.Warn("ECCP login delayed after failures", "user", user, "peer", ss.peer, "retry_at", v.RetryAt)
		return nestedFailure("login", 401, "Invalid username or password")
	case core.LoginRejected:
		ss.srv.log.Info("ECCP login failed", "user", user, "peer", ss.peer)
		return nestedFailure("login", 401, "Invalid username or password")
	}
	cookie := newCookie()
	ss.mu.Lock()
	resume := ss.resume
	ss.resume = nil
	ss.mu.Unlock()
	if resume != nil {
		ss.loginResumed(ctx, user, cookie, resume)
	} else {
		ss.mu.Lock()
		ss.user, ss.cookie = user, cookie
		ss.mu.Unlock()
	}
	root, body := nested("login")
	body.add("success")
	body.addText("app_cookie", cookie)
	return root
}

func hLogout(ss *session, ctx context.Context, cmd *elem) *elem {
	ss.mu.Lock()
	ss.user, ss.cookie = "", ""
	ss.mu.Unlock()
	return success("logout")
}

func hFilterByAgent(ss *session, ctx context.Context, cmd *elem) *elem {
	if !cmd.has("agent_number") {
		return topFailure(400, "Bad request")
	}
	name := cmd.str("agent_number")
	if name == "any" {
		name = ""
	} else if !validAgentName(name) {
		return nestedFailure("filterbyagent", 417, "Invalid agent number")
	}
	ss.mu.Lock()
	ss.filter = name
	ss.mu.Unlock()
	return success("filterbyagent")
}

func hCallProgress(ss *session, ctx context.Context, cmd *elem) *elem {
	on := phpInt(cmd.str("enable")) != 0
	ss.mu.Lock()
	ss.progress = on
	ss.mu.Unlock()
	return success("callprogress")
}

func hDumpStatus(ss *session, ctx context.Context, cmd *elem) *elem {
	e := ss.srv.eng
	for _, s := range e.Sessions() {
		ss.srv.log.Info("dumpstatus: agent", "agent", s.Username, "state", s.State, "paused", s.Paused,
			"pause_code", s.PauseCode, "on_hold", s.OnHold, "call", s.CallID, "extension", s.Extension)
	}
	for _, c := range e.ActiveCalls() {
		ss.srv.log.Info("dumpstatus: call", "call", c.ID, "state", c.State, "agent", c.Agent,
			"campaign", c.Campaign, "queue", c.Queue)
	}
	ss.srv.log.Info("dumpstatus: eccp", "sessions", ss.srv.SessionCount())
	return success("dumpstatus")
}

func hRefreshAgents(ss *session, ctx context.Context, cmd *elem) *elem {
	if err := ss.srv.eng.Reload(ctx); err != nil {
		// The agents were not reloaded: never answer <success/>.
		ss.srv.log.Error("refreshagents: reload failed", "err", err)
		return engineFailure("refreshagents", err, refreshAgentsTexts...)
	}
	return success("refreshagents")
}
