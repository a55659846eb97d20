package eccp

import (
	"context"
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
	eng, lim := ss.srv.eng, ss.srv.throttle
	if eng.LoginBlocked(ctx, "eccp", user, lim) {
		ss.srv.log.Warn("ECCP login refused: too many failures", "user", user, "peer", ss.peer)
		return nestedFailure("login", 401, "Invalid username or password")
	}
	if !ss.srv.checkClient(ctx, user, pass) {
		eng.LoginFailed(ctx, "eccp", user, ss.peer, lim.Window)
		ss.srv.log.Info("ECCP login failed", "user", user, "peer", ss.peer)
		return nestedFailure("login", 401, "Invalid username or password")
	}
	eng.LoginSucceeded(ctx, "eccp", user)
	cookie := newCookie()
	ss.mu.Lock()
	ss.user, ss.cookie = user, cookie
	ss.mu.Unlock()
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
