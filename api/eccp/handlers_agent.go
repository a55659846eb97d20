package eccp

import (
	"context"
	"errors"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
)

// noPBX is dialerd's answer when Asterisk is unreachable.
func (ss *session) noPBX() *elem {
	if ss.srv.eng.Ready() {
		return nil
	}
	return topFailure(500, "No AMI connection")
}

// agentOf returns the agent named by an already-checked agent_number.
func (ss *session) agentOf(ctx context.Context, cmd *elem) core.Agent {
	a, _ := ss.srv.agentByName(ctx, cmd.str("agent_number"))
	return a
}

func statusFailure(cmd, status string, code int, msg string) *elem {
	root, body := nested(cmd)
	body.addText("status", status)
	if msg != "" {
		addFailure(body, code, msg)
	}
	return root
}

var (
	digitsRE        = regexp.MustCompile(`^\d+$`)
	leadingDigitsRE = regexp.MustCompile(`^\d+`)
)

// endpointFor turns an ECCP extension number into the endpoint the core
// rings: the agent's own endpoint when it is that extension, else the
// endpoint provisioned for the extension (dialerd reads FreePBX's devices;
// the core's phones and agents' endpoints play that part). false when no
// device has that extension: dialerd then refuses the login.
func (s *Server) endpointFor(ctx context.Context, a core.Agent, ext string) (string, bool) {
	if !digitsRE.MatchString(ext) {
		return "", false
	}
	if i := strings.IndexByte(a.Extension, '/'); i > 0 && a.Extension[i+1:] == ext {
		return a.Extension, true
	}
	ep, err := s.eng.EndpointForExtension(ctx, ext)
	return ep, err == nil
}

func hLoginAgent(ss *session, ctx context.Context, cmd *elem) *elem {
	if r := ss.noPBX(); r != nil {
		return r
	}
	if !cmd.has("agent_number") || !cmd.has("extension") {
		return topFailure(400, "Bad request")
	}
	var timeout time.Duration
	if cmd.has("timeout") {
		t := cmd.str("timeout")
		if !leadingDigitsRE.MatchString(t) || phpInt(t) <= 0 {
			return topFailure(400, "Bad request")
		}
		timeout = time.Duration(phpInt(t)) * time.Second
	}
	name, ext := cmd.str("agent_number"), cmd.str("extension")
	a, ok := ss.srv.agentByName(ctx, name)
	if !ok {
		return statusFailure("loginagent", "logged-out", 404, "Specified agent not found")
	}
	endpoint, ok := ss.srv.endpointFor(ctx, a, ext)
	if !ok {
		return statusFailure("loginagent", "logged-out", 404, "Specified extension not found")
	}
	if !ss.hashOK(cmd, a) {
		return statusFailure("loginagent", "logged-out", 401, "Unauthorized agent")
	}
	if sess, ok := ss.srv.eng.Session(a.Username); ok {
		if strings.EqualFold(sess.Extension, endpoint) {
			st := "logged-in"
			if sess.State == core.AgentLoggingIn {
				st = "logging"
			}
			return statusFailure("loginagent", st, 0, "")
		}
		return statusFailure("loginagent", "logged-out", 409, "Specified agent already connected to extension: "+sess.Extension)
	}
	err := ss.srv.eng.Login(ctx, a.Username, core.LoginOptions{Extension: endpoint, Timeout: timeout})
	if err != nil {
		ss.srv.log.Warn("loginagent failed", "agent", name, "err", err)
		return statusFailure("loginagent", "logged-out", 500, "Failed to start login process on Asterisk")
	}
	return statusFailure("loginagent", "logging", 0, "")
}

func hLogoutAgent(ss *session, ctx context.Context, cmd *elem) *elem {
	if r := ss.noPBX(); r != nil {
		return r
	}
	if !cmd.has("agent_number") {
		return topFailure(400, "Bad request")
	}
	a, ok := ss.srv.agentByName(ctx, cmd.str("agent_number"))
	if !ok {
		return statusFailure("logoutagent", "logged-out", 404, "Specified agent not found")
	}
	if !ss.hashOK(cmd, a) {
		return statusFailure("logoutagent", "logged-out", 401, "Unauthorized agent")
	}
	deferred, err := ss.srv.eng.Logout(ctx, a.Username, "eccp logoutagent")
	if err != nil && !errors.Is(err, core.ErrNotLoggedIn) && !errors.Is(err, core.ErrUnknownAgent) {
		ss.srv.log.Warn("logoutagent", "agent", a.Username, "err", err)
	}
	if deferred {
		// dialerd logs the agent off at once, hanging up the call it is on
		// (Agentlogoff, or a hangup of the client channel); the engine would
		// wait for the call to end, so end it: the logout follows.
		if err := ss.srv.eng.Hangup(ctx, a.Username); err != nil && !errors.Is(err, core.ErrNoCall) {
			ss.srv.log.Warn("logoutagent: hanging up the agent's call", "agent", a.Username, "err", err)
		}
	}
	return statusFailure("logoutagent", "logged-out", 0, "")
}

// loggedInSession is the agent's session if it finished logging in.
func (ss *session) loggedInSession(a core.Agent) (core.AgentSession, bool) {
	s, ok := ss.srv.eng.Session(a.Username)
	if !ok || s.State == core.AgentLoggingIn {
		return s, false
	}
	return s, true
}

func hPauseAgent(ss *session, ctx context.Context, cmd *elem) *elem {
	if r := ss.noPBX(); r != nil {
		return r
	}
	if !cmd.has("pause_type") {
		return topFailure(400, "Bad request")
	}
	id := phpInt(cmd.str("pause_type"))
	pc, err := ss.srv.eng.PauseCode(ctx, uint(max(id, 0)))
	if err != nil || !eccpBreak(pc) {
		return nestedFailure("pauseagent", 404, "Break ID not found or not active")
	}
	a := ss.agentOf(ctx, cmd)
	sess, ok := ss.loggedInSession(a)
	if !ok {
		return nestedFailure("pauseagent", 417, "Agent currently not logged in")
	}
	if sess.Paused {
		if sess.PauseID != pc.ID {
			return nestedFailure("pauseagent", 417, "Agent already in incompatible break")
		}
		return success("pauseagent")
	}
	if err := ss.srv.eng.PauseByID(ctx, a.Username, pc.ID); err != nil {
		ss.srv.log.Warn("pauseagent", "agent", a.Username, "err", err)
		return engineFailure("pauseagent", err,
			text{is: core.ErrNotLoggedIn, msg: "Agent currently not logged in (collision)"},
			text{is: core.ErrAlreadyPaused, msg: "Agent already in break (collision)"},
			text{is: core.ErrUnknownAgent, msg: "Agent not found or not logged in through ECCP (collision)"},
			text{code: core.EUNAVAILABLE, msg: "No AMI connection"},
			text{n: 500, msg: "Unable to start agent break"})
	}
	ss.syncEvents()
	return success("pauseagent")
}

func hPingAgent(ss *session, ctx context.Context, cmd *elem) *elem {
	a := ss.agentOf(ctx, cmd)
	if err := ss.srv.eng.Ping(ctx, a.Username); err != nil && errors.Is(err, core.ErrUnknownAgent) {
		return nestedFailure("pingagent", 404, "Specified agent not found")
	}
	return success("pingagent")
}

func hUnpauseAgent(ss *session, ctx context.Context, cmd *elem) *elem {
	if r := ss.noPBX(); r != nil {
		return r
	}
	a := ss.agentOf(ctx, cmd)
	sess, ok := ss.loggedInSession(a)
	if !ok {
		return nestedFailure("unpauseagent", 417, "Agent currently not logged in")
	}
	if !sess.Paused {
		return success("unpauseagent")
	}
	if err := ss.srv.eng.Unpause(ctx, a.Username); err != nil && !errors.Is(err, core.ErrNotPaused) {
		// Only a missing agent is Issabel's 404; a store or PBX failure is
		// the dialer failing (500), a lost login the 417.
		ss.srv.log.Warn("unpauseagent", "agent", a.Username, "err", err)
		return engineFailure("unpauseagent", err, unpauseTexts...)
	}
	ss.syncEvents()
	return success("unpauseagent")
}

func hGetAgentStatus(ss *session, ctx context.Context, cmd *elem) *elem {
	if r := ss.noPBX(); r != nil {
		return r
	}
	if !cmd.has("agent_number") {
		return topFailure(400, "Bad request")
	}
	a, ok := ss.srv.agentByName(ctx, cmd.str("agent_number"))
	if !ok {
		return statusFailure("getagentstatus", "offline", 404, "Invalid agent number")
	}
	root, body := nested("getagentstatus")
	ss.srv.agentStatus(ctx, body, a, false)
	return root
}

// agentList reads agents/agent_number*, checking format then existence.
func (ss *session) agentList(ctx context.Context, cmdName string, cmd *elem) ([]core.Agent, []string, *elem) {
	var names []string
	for _, n := range cmd.child("agents").children("agent_number") {
		if !validAgentName(n.text) {
			return nil, nil, nestedFailure(cmdName, 417, "Invalid agent number")
		}
		names = append(names, n.text)
	}
	var out []core.Agent
	for _, n := range names {
		a, ok := ss.srv.agentByName(ctx, n)
		if !ok {
			return nil, nil, nestedFailure(cmdName, 404, "Specified agent not found")
		}
		out = append(out, a)
	}
	return out, names, nil
}

func hGetMultipleAgentStatus(ss *session, ctx context.Context, cmd *elem) *elem {
	if r := ss.noPBX(); r != nil {
		return r
	}
	if !cmd.has("agents") {
		return topFailure(400, "Bad request")
	}
	agents, names, fail := ss.agentList(ctx, "getmultipleagentstatus", cmd)
	if fail != nil {
		return fail
	}
	root, body := nested("getmultipleagentstatus")
	list := body.add("agents")
	for i, a := range agents {
		ae := list.add("agent")
		ae.addText("agent_number", names[i])
		ss.srv.agentStatus(ctx, ae, a, false)
	}
	return root
}

func hMixMonitorMute(ss *session, ctx context.Context, cmd *elem) *elem {
	if r := ss.noPBX(); r != nil {
		return r
	}
	var timeout time.Duration
	if cmd.has("timeout") {
		t := phpInt(cmd.str("timeout"))
		if t <= 0 {
			return nestedFailure("mixmonitormute", 417, "Invalid timeout")
		}
		timeout = time.Duration(t) * time.Second
	}
	a := ss.agentOf(ctx, cmd)
	call, ok := ss.srv.eng.AgentCall(a.Username)
	if !ok {
		return nestedFailure("mixmonitormute", 417, "Agent not in call")
	}
	if err := ss.srv.eng.MuteRecording(ctx, a.Username, true); err != nil {
		ss.srv.log.Warn("mixmonitormute", "agent", a.Username, "err", err)
		return engineFailure("mixmonitormute", err, append(notInCall, text{n: 500, msg: "Cannot mute agent call"})...)
	}
	if timeout > 0 {
		eng, user, id := ss.srv.eng, a.Username, call.ID
		time.AfterFunc(timeout, func() {
			if c, ok := eng.AgentCall(user); ok && c.ID == id {
				_ = eng.MuteRecording(context.Background(), user, false)
			}
		})
	}
	return success("mixmonitormute")
}

func hMixMonitorUnmute(ss *session, ctx context.Context, cmd *elem) *elem {
	if r := ss.noPBX(); r != nil {
		return r
	}
	a := ss.agentOf(ctx, cmd)
	if _, ok := ss.srv.eng.AgentCall(a.Username); !ok {
		return nestedFailure("mixmonitorunmute", 417, "Agent not in call")
	}
	if err := ss.srv.eng.MuteRecording(ctx, a.Username, false); err != nil {
		ss.srv.log.Warn("mixmonitorunmute", "agent", a.Username, "err", err)
		return engineFailure("mixmonitorunmute", err, append(notInCall, text{n: 500, msg: "Cannot unmute agent call"})...)
	}
	return success("mixmonitorunmute")
}

func hHangup(ss *session, ctx context.Context, cmd *elem) *elem {
	if r := ss.noPBX(); r != nil {
		return r
	}
	a := ss.agentOf(ctx, cmd)
	if err := ss.srv.eng.Hangup(ctx, a.Username); err != nil {
		ss.srv.log.Warn("hangup", "agent", a.Username, "err", err)
		return engineFailure("hangup", err, append(notInCall, text{n: 500, msg: "Cannot hangup agent call"})...)
	}
	return success("hangup")
}

var (
	timeRE = regexp.MustCompile(`^\d{2}:\d{2}:\d{2}$`)
)

func hScheduleCall(ss *session, ctx context.Context, cmd *elem) *elem {
	if r := ss.noPBX(); r != nil {
		return r
	}
	const name = "schedulecall"
	var explicitCall int64 = -1
	if cmd.has("campaign_type") && cmd.has("call_id") {
		if cmd.str("campaign_type") != "outgoing" {
			return topFailure(400, "Bad request")
		}
		explicitCall = phpInt(cmd.str("call_id"))
	}
	a := ss.agentOf(ctx, cmd)
	if _, ok := ss.loggedInSession(a); !ok {
		return nestedFailure(name, 417, "Agent currently not logged in")
	}
	sameAgent := cmd.has("sameagent") && phpInt(cmd.str("sameagent")) != 0
	newPhone, hasNewPhone := cmd.str("newphone"), cmd.has("newphone")
	newName, hasNewName := cmd.str("newcontactname"), cmd.has("newcontactname")
	var sched *elem
	if cmd.has("schedule") {
		sched = cmd.child("schedule")
		for _, k := range []string{"date_init", "date_end", "time_init", "time_end"} {
			if !sched.has(k) {
				return nestedFailure(name, 400, "Bad request: incomplete schedule")
			}
		}
	}
	if sameAgent && sched == nil {
		return nestedFailure(name, 400, "Bad request: same-agent requires schedule")
	}
	if hasNewPhone && !digitsRE.MatchString(newPhone) {
		return nestedFailure(name, 400, "Bad request: invalid new phone")
	}
	var dInit, dEnd, tInit, tEnd string
	if sched != nil {
		dInit, dEnd, tInit, tEnd = sched.str("date_init"), sched.str("date_end"), sched.str("time_init"), sched.str("time_end")
		switch {
		case !parseDate(dInit):
			return nestedFailure(name, 400, "Bad request: invalid date_init")
		case !parseDate(dEnd):
			return nestedFailure(name, 400, "Bad request: invalid date_end")
		case !timeRE.MatchString(tInit):
			return nestedFailure(name, 400, "Bad request: invalid time_init")
		case !timeRE.MatchString(tEnd):
			return nestedFailure(name, 400, "Bad request: invalid time_end")
		}
		if dInit > dEnd {
			dInit, dEnd = dEnd, dInit
		}
		if dInit < ss.srv.now().Local().Format(dateFmt) {
			return nestedFailure(name, 400, "Bad request: date_init before current date")
		}
	}
	var call core.Call
	found := false
	if explicitCall >= 0 {
		if c, err := ss.srv.eng.Call(ctx, uint64(max(explicitCall, 0))); err == nil {
			call, found = c, true
		}
	}
	if !found {
		call, found = ss.srv.eng.AgentCall(a.Username)
	}
	if !found || callType(call) != "outgoing" {
		return nestedFailure(name, 417, "Not in outgoing call")
	}
	camp, _ := ss.srv.campaignByName(call.Campaign)
	if sched != nil {
		if (camp.StartDate != nil && dInit < camp.StartDate.Local().Format(dateFmt)) ||
			(camp.EndDate != nil && dEnd > camp.EndDate.Local().Format(dateFmt)) {
			return nestedFailure(name, 417, "Supplied date range outside campaign range")
		}
		if tInit < hmsOr(camp.StartTime, "00:00:00") || tEnd > hmsOr(camp.EndTime, "23:59:59") {
			return nestedFailure(name, 417, "Supplied time range outside campaign range")
		}
	}
	phone := call.Phone
	if hasNewPhone {
		phone = newPhone
	}
	when := ss.srv.now()
	if sched != nil {
		if t, err := time.ParseInLocation(dateTimeFmt, dInit+" "+tInit, time.Local); err == nil {
			when = t
		}
	}
	cb := &core.Callback{
		LeadID: call.LeadID, ListID: call.ListID, Campaign: call.Campaign, Phone: phone, When: when,
		SourceCall: call.ID, Comments: scheduleComment(dEnd, tEnd, hasNewName, newName),
	}
	if sameAgent {
		cb.Agent, cb.AgentOnly = a.Username, true
	}
	schedule := ss.srv.eng.ScheduleCallback
	if sched != nil {
		schedule = ss.srv.eng.ScheduleCallbackOnce
	}
	if err := schedule(ctx, cb); err != nil {
		if errors.Is(err, core.ErrDuplicate) {
			return nestedFailure(name, 417, "Found duplicate scheduled call")
		}
		ss.srv.log.Error("schedulecall", "agent", a.Username, "err", err)
		return engineFailure(name, err, text{n: 500, msg: "Failed to insert scheduled call"})
	}
	return success(name)
}

// scheduleComment keeps what the core's callback has no column for.
func scheduleComment(dEnd, tEnd string, hasName bool, name string) string {
	var parts []string
	if dEnd != "" {
		parts = append(parts, "until "+dEnd+" "+tEnd)
	}
	if hasName {
		parts = append(parts, "contact: "+name)
	}
	s := strings.Join(parts, "; ")
	if len(s) > 255 {
		s = s[:255]
	}
	return s
}

func transfer(ss *session, ctx context.Context, cmd *elem, name string, kind core.TransferKind) *elem {
	if r := ss.noPBX(); r != nil {
		return r
	}
	if !cmd.has("extension") || !digitsRE.MatchString(cmd.str("extension")) {
		return topFailure(400, "Bad request")
	}
	a := ss.agentOf(ctx, cmd)
	if _, ok := ss.srv.eng.AgentCall(a.Username); !ok {
		if kind == core.TransferAttended {
			// dialerd has no call info for the agent and says so this way.
			return nestedFailure(name, 404, "Specified agent not found")
		}
		return nestedFailure(name, 417, "Agent not in call")
	}
	err := ss.srv.eng.Transfer(ctx, a.Username, core.TransferRequest{Kind: kind, Target: cmd.str("extension")})
	if err != nil {
		ss.srv.log.Warn(name, "agent", a.Username, "err", err)
		return engineFailure(name, err, append(notInCall, text{n: 500, msg: "Unable to transfer call"})...)
	}
	return success(name)
}

func hTransferCall(ss *session, ctx context.Context, cmd *elem) *elem {
	return transfer(ss, ctx, cmd, "transfercall", core.TransferBlind)
}

func hAtxferCall(ss *session, ctx context.Context, cmd *elem) *elem {
	return transfer(ss, ctx, cmd, "atxfercall", core.TransferAttended)
}

func hHold(ss *session, ctx context.Context, cmd *elem) *elem {
	a := ss.agentOf(ctx, cmd)
	sess, ok := ss.loggedInSession(a)
	if !ok {
		return nestedFailure("hold", 417, "Agent currently not logged in")
	}
	if _, ok := ss.srv.eng.AgentCall(a.Username); !ok {
		return nestedFailure("hold", 417, "Agent not in call")
	}
	if sess.OnHold {
		return nestedFailure("hold", 417, "Agent already in hold")
	}
	if err := ss.srv.eng.HoldCall(ctx, a.Username); err != nil {
		ss.srv.log.Warn("hold", "agent", a.Username, "err", err)
		return engineFailure("hold", err,
			text{is: core.ErrAlreadyOnHold, msg: "Agent already in hold"},
			text{is: core.ErrNoCall, msg: "Agent not in call"},
			text{is: core.ErrNotLoggedIn, msg: "Agent currently not logged in"},
			text{is: core.ErrUnknownAgent, msg: "Agent not found or not logged in through ECCP"},
			text{n: 500, msg: "Unable to start agent hold"})
	}
	ss.syncEvents()
	return success("hold")
}

func hUnhold(ss *session, ctx context.Context, cmd *elem) *elem {
	if r := ss.noPBX(); r != nil {
		return r
	}
	a := ss.agentOf(ctx, cmd)
	sess, ok := ss.loggedInSession(a)
	if !ok {
		return nestedFailure("unhold", 417, "Agent currently not logged in")
	}
	if _, ok := ss.srv.eng.AgentCall(a.Username); !ok {
		return nestedFailure("unhold", 417, "Agent not in call")
	}
	if !sess.OnHold {
		return success("unhold")
	}
	// dialerd answers unhold at once and sends pauseend when Asterisk
	// reports the call back from hold: the response goes first.
	ss.holdEvents()
	if err := ss.srv.eng.UnholdCall(ctx, a.Username); err != nil && !errors.Is(err, core.ErrNotOnHold) {
		// The customer still hears music: never <success/>. Issabel's
		// unhold has no failure text of its own beyond these.
		ss.srv.log.Warn("unhold", "agent", a.Username, "err", err)
		return engineFailure("unhold", err,
			text{is: core.ErrNoCall, msg: "Agent not in call"},
			text{is: core.ErrNotLoggedIn, msg: "Agent currently not logged in"},
			text{is: core.ErrUnknownAgent, msg: "Specified agent not found"})
	}
	// Wait until the fan-out has taken the pauseend (kept back by the
	// hold), so it follows the response without another request between.
	ss.syncEvents()
	return success("unhold")
}

func hGetAgentQueues(ss *session, ctx context.Context, cmd *elem) *elem {
	if r := ss.noPBX(); r != nil {
		return r
	}
	if !cmd.has("agent_number") {
		return topFailure(400, "Bad request")
	}
	a, ok := ss.srv.agentByName(ctx, cmd.str("agent_number"))
	if !ok {
		return nestedFailure("getagentqueues", 404, "Specified agent not found")
	}
	root, body := nested("getagentqueues")
	qs := body.add("queues")
	for _, q := range ss.srv.eng.AgentQueues(a.Username) {
		qs.addText("queue", q)
	}
	return root
}

func hGetMultipleAgentQueues(ss *session, ctx context.Context, cmd *elem) *elem {
	if r := ss.noPBX(); r != nil {
		return r
	}
	if !cmd.has("agents") {
		return topFailure(400, "Bad request")
	}
	agents, names, fail := ss.agentList(ctx, "getmultipleagentqueues", cmd)
	if fail != nil {
		return fail
	}
	root, body := nested("getmultipleagentqueues")
	list := body.add("agents")
	seen := map[string]bool{}
	for i, a := range agents {
		// dialerd keys its list by agent, so a repeated agent appears once.
		if seen[names[i]] {
			continue
		}
		seen[names[i]] = true
		ae := list.add("agent")
		ae.addText("agent_number", names[i])
		qs := ae.add("queues")
		for _, q := range ss.srv.eng.AgentQueues(a.Username) {
			qs.addText("queue", q)
		}
	}
	return root
}

// chanVarNames are the variables getchanvars reports: the port can read a
// variable by name but not list a channel's variables.
var chanVarNames = []string{
	"CALLERID(num)", "CALLERID(name)", "CHANNEL(uniqueid)", "CHANNEL(linkedid)", "CDR(accountcode)",
	"DIALEDPEERNUMBER", "QUEUENAME", "MEMBERINTERFACE", "CALLGATE_CALL", "CALLGATE_CAMPAIGN", "CALLGATE_LEAD",
}

func hGetChanVars(ss *session, ctx context.Context, cmd *elem) *elem {
	if r := ss.noPBX(); r != nil {
		return r
	}
	a := ss.agentOf(ctx, cmd)
	if _, ok := ss.loggedInSession(a); !ok {
		return nestedFailure("getchanvars", 417, "Agent currently not logged in")
	}
	call, ok := ss.srv.eng.AgentCall(a.Username)
	if !ok {
		return nestedFailure("getchanvars", 417, "Agent not in call")
	}
	vars, err := ss.srv.eng.ChannelVars(ctx, a.Username, chanVarNames...)
	if err != nil {
		if errors.Is(err, core.ErrNoCall) {
			return nestedFailure("getchanvars", 417, "Agent not in call")
		}
		return topFailure(500, "No AMI connection")
	}
	root, body := nested("getchanvars")
	body.addText("clientchannel", remoteChannel(call))
	cv := body.add("chanvars")
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		e := cv.add("chanvar")
		e.addText("label", k)
		e.addText("value", vars[k])
	}
	return root
}
