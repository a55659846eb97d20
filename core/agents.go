package core

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// LoginOptions tune an agent login.
type LoginOptions struct {
	// Extension overrides the agent's endpoint for this login.
	Extension string
	Campaign  string
	// Queues are in-groups selected at login on top of static membership.
	Queues []string
	// Timeout logs the agent out after this much inactivity (ECCP).
	Timeout time.Duration
	// Persistent overrides the agent's persistent flag for this login.
	Persistent *bool
	// Paused overrides the campaign's LoginPaused setting.
	Paused *bool
}

// AgentByUsername returns a provisioned agent.
func (e *Engine) AgentByUsername(ctx context.Context, user string) (_ Agent, err error) {
	e.lock()
	defer e.settle(ctx, &err)
	a, ok := e.agents[user]
	if !ok {
		return Agent{}, fmt.Errorf("%w: %s", ErrUnknownAgent, user)
	}
	return *a, nil
}

// AgentByNumber finds an agent by its agent number (eXpand nroAgente).
func (e *Engine) AgentByNumber(ctx context.Context, number string) (_ Agent, err error) {
	e.lock()
	defer e.settle(ctx, &err)
	for _, u := range sortedKeys(e.agents) {
		if e.agents[u].Number == number {
			return *e.agents[u], nil
		}
	}
	return Agent{}, fmt.Errorf("%w: %s", ErrUnknownAgent, number)
}

// AgentByInterface finds an agent by its ECCP name ("Agent/9000", "SIP/1064").
func (e *Engine) AgentByInterface(ctx context.Context, name string) (_ Agent, err error) {
	e.lock()
	defer e.settle(ctx, &err)
	for _, u := range sortedKeys(e.agents) {
		if e.agents[u].Interface() == name {
			return *e.agents[u], nil
		}
	}
	return Agent{}, fmt.Errorf("%w: %s", ErrUnknownAgent, name)
}

// AgentByExtension finds the agent whose endpoint is ext.
func (e *Engine) AgentByExtension(ctx context.Context, ext string) (_ Agent, err error) {
	e.lock()
	defer e.settle(ctx, &err)
	for _, u := range sortedKeys(e.agents) {
		if strings.EqualFold(e.agents[u].Extension, ext) {
			return *e.agents[u], nil
		}
	}
	return Agent{}, fmt.Errorf("%w: %s", ErrUnknownAgent, ext)
}

// Agents lists the provisioned agents ordered by username.
func (e *Engine) Agents() []Agent {
	e.lock()
	defer e.unlock()
	out := make([]Agent, 0, len(e.agents))
	for _, u := range sortedKeys(e.agents) {
		out = append(out, *e.agents[u])
	}
	return out
}

// Session returns a copy of a logged-in agent's live state.
func (e *Engine) Session(user string) (AgentSession, bool) {
	e.lock()
	defer e.unlock()
	s, ok := e.sessions[user]
	if !ok {
		return AgentSession{}, false
	}
	return *s, true
}

// Sessions lists the logged-in agents ordered by username.
func (e *Engine) Sessions() []AgentSession {
	e.lock()
	defer e.unlock()
	out := make([]AgentSession, 0, len(e.sessions))
	for _, u := range sortedKeys(e.sessions) {
		out = append(out, *e.sessions[u])
	}
	return out
}

// AgentQueues lists the queues an agent takes calls from: static membership
// plus the in-groups selected for the session.
func (e *Engine) AgentQueues(user string) []string {
	e.lock()
	defer e.unlock()
	return e.agentQueuesLocked(user)
}

func (e *Engine) agentQueuesLocked(user string) []string {
	var out []string
	for _, q := range sortedKeys(e.members) {
		for _, m := range e.members[q] {
			if m.Agent == user {
				out = append(out, q)
				break
			}
		}
	}
	if s := e.sessions[user]; s != nil {
		for _, q := range strings.Fields(s.InboundQueue) {
			if !slices.Contains(out, q) {
				out = append(out, q)
			}
		}
	}
	return out
}

// Login logs an agent in. On-hook agents are available at once; a
// persistent agent's extension is called first and the agent is available
// once it answers (AgentLoggedIn), or AgentLoginFailed is published.
func (e *Engine) Login(ctx context.Context, user string, opt LoginOptions) error {
	e.lock()
	if err := e.loginLocked(ctx, user, opt); err != nil {
		e.unlock()
		return err
	}
	if err := e.unlockWait(ctx); err != nil {
		return fmt.Errorf("login %s: %w", user, err)
	}
	return nil
}

func (e *Engine) loginLocked(ctx context.Context, user string, opt LoginOptions) error {
	a, ok := e.agents[user]
	if !ok || !a.Active {
		return fmt.Errorf("%w: %s", ErrUnknownAgent, user)
	}
	if _, ok := e.sessions[user]; ok {
		return fmt.Errorf("%w: %s", ErrAlreadyLoggedIn, user)
	}
	campaign := opt.Campaign
	if campaign == "" {
		campaign = a.Campaign
	}
	if campaign != "" {
		if _, ok := e.campaigns[campaign]; !ok {
			return fmt.Errorf("%w: %s", ErrUnknownCampaign, campaign)
		}
	}
	for _, q := range opt.Queues {
		if _, ok := e.queues[q]; !ok {
			return fmt.Errorf("%w: %s", ErrUnknownQueue, q)
		}
	}
	ext := opt.Extension
	if ext == "" {
		ext = a.Extension
	}
	persistent := a.Persistent
	if opt.Persistent != nil {
		persistent = *opt.Persistent
	}
	now := e.now()
	s := &AgentSession{
		AgentID: a.ID, Username: user, State: AgentLoggingIn, Campaign: campaign, Extension: ext,
		LoginAt: now, StateSince: now, InboundQueue: strings.Join(opt.Queues, " "),
		IdleTimeout: int(opt.Timeout / time.Second), LastPing: &now,
	}
	if camp := e.campaigns[campaign]; camp != nil && camp.LoginPaused {
		s.PendingPause = true
	}
	if opt.Paused != nil {
		s.PendingPause = *opt.Paused
	}
	e.sessions[user] = s
	if !persistent {
		e.completeLoginLocked(ctx, s)
		return nil
	}
	if ext == "" {
		delete(e.sessions, user)
		return fmt.Errorf("%w: agent %s has no extension", ErrInvalid, user)
	}
	chID := e.newChanID("agentlogin")
	e.chans[chID] = &chanRef{id: chID, role: rolePersistent, agent: user}
	s.ChannelID, s.ChannelName = chID, ""
	e.saveSession(ctx, s)
	e.pxOriginate(OriginateRequest{
		ChannelID: chID, Endpoint: ext, CallerIDNum: "callgate", CallerIDName: "Agent login",
		Timeout: e.opt.DefaultRingTimeout * 2, AppArgs: []string{"agentlogin", user},
	}).reported().onFail(func(err error) {
		if e.sessions[user] != s || e.chans[chID] == nil {
			return
		}
		delete(e.chans, chID)
		e.dropSessionLocked(context.Background(), s)
		e.publish(AgentLoginFailed{Agent: user, Interface: a.Interface(), Reason: err.Error()}, user)
	})
	return nil
}

func (e *Engine) completeLoginLocked(ctx context.Context, s *AgentSession) {
	a := e.agents[s.Username]
	// A new login is a new chance for a phone that was unreachable.
	e.phoneReachableLocked(s.Username)
	s.State = AgentAvailable
	s.StateSince = e.now()
	e.saveSession(ctx, s)
	e.queueLog(ctx, QueueLogEntry{Agent: s.Username, Event: QLLogin, Data1: s.Extension, Data2: s.Campaign})
	e.publish(AgentLoggedIn{Agent: s.Username, Number: a.Number, Interface: a.Interface(), Extension: s.Extension, Campaign: s.Campaign}, s.Username)
	e.publish(QueueMembershipChanged{Agent: s.Username, Interface: a.Interface(), Queues: e.agentQueuesLocked(s.Username), Login: true}, s.Username)
	if s.PendingPause {
		s.PendingPause = false
		_ = e.pauseLocked(ctx, s.Username, nil, "")
	}
	e.dispatchAllLocked(ctx)
}

func (e *Engine) dropSessionLocked(ctx context.Context, s *AgentSession) {
	delete(e.sessions, s.Username)
	e.deleteSession(ctx, *s)
}

// Logout logs an agent out. While on a call the logout is deferred until
// the call (and its wrap-up) ends: deferred is true then.
func (e *Engine) Logout(ctx context.Context, user, reason string) (deferred bool, err error) {
	e.lock()
	defer e.settle(ctx, &err)
	s, ok := e.sessions[user]
	if !ok {
		if _, known := e.agents[user]; !known {
			return false, fmt.Errorf("%w: %s", ErrUnknownAgent, user)
		}
		return false, fmt.Errorf("%w: %s", ErrNotLoggedIn, user)
	}
	if s.CallID != 0 {
		s.PendingLogout = true
		e.saveSession(ctx, s)
		return true, nil
	}
	e.logoutLocked(ctx, user, reason)
	return false, nil
}

func (e *Engine) logoutLocked(ctx context.Context, user, reason string) {
	s, ok := e.sessions[user]
	if !ok {
		return
	}
	a := e.agents[user]
	now := e.now()
	if s.OnHold {
		e.endHoldLocked(ctx, s, now)
	}
	if s.Paused {
		e.endPauseLocked(ctx, s, now)
	}
	if s.ChannelID != "" {
		ch := s.ChannelID
		delete(e.chans, ch)
		e.pxHangup(ch, CauseNormal)
	}
	if s.BridgeID != "" {
		e.pxDestroyBridge(s.BridgeID)
	}
	// Withdraw ringing offers to this agent.
	for _, c := range e.calls {
		if ch, ok := c.offers[user]; ok {
			e.cancelOfferLocked(ctx, c, user, ch)
		}
	}
	e.dropSessionLocked(ctx, s)
	e.phoneReachableLocked(user)
	e.queueLog(ctx, QueueLogEntry{Agent: user, Event: QLLogout, Data1: s.Extension, Data2: fmt.Sprint(int(now.Sub(s.LoginAt).Seconds())), Data3: reason})
	name := user
	if a != nil {
		name = a.Interface()
	}
	e.publish(AgentLoggedOut{Agent: user, Interface: name, Reason: reason}, user)
}

// Pause puts an agent on a break. A paused agent is offered no call; the
// current call, if any, goes on.
func (e *Engine) Pause(ctx context.Context, user, code string) (err error) {
	e.lock()
	defer e.settle(ctx, &err)
	var pc *PauseCode
	if code != "" {
		pc = e.pauses[code]
		if pc == nil {
			return fmt.Errorf("%w: %s", ErrUnknownPause, code)
		}
	}
	return e.pauseLocked(ctx, user, pc, code)
}

// PauseByID starts a break by its numeric id (ECCP break id).
func (e *Engine) PauseByID(ctx context.Context, user string, id uint) (err error) {
	e.lock()
	defer e.settle(ctx, &err)
	pc := e.pauseByID[id]
	if pc == nil || !pc.Active {
		return fmt.Errorf("%w: %d", ErrUnknownPause, id)
	}
	return e.pauseLocked(ctx, user, pc, pc.Code)
}

func (e *Engine) pauseLocked(ctx context.Context, user string, pc *PauseCode, code string) error {
	s, ok := e.sessions[user]
	if !ok {
		return e.notLoggedIn(user)
	}
	if s.Paused {
		if s.PauseCode == code {
			return fmt.Errorf("%w: %s", ErrAlreadyPaused, user)
		}
		// Switching breaks closes the open one first.
		e.endPauseLocked(ctx, s, e.now())
	}
	now := e.now()
	s.Paused = true
	s.PauseCode = code
	s.PauseID = 0
	name := ""
	if pc != nil {
		s.PauseID = pc.ID
		name = pc.Name
	}
	s.PausedAt = &now
	e.saveSession(ctx, s)
	e.queueLog(ctx, QueueLogEntry{Agent: user, Event: QLPause, Data1: code, Data2: name})
	a := e.agents[user]
	e.publish(AgentPauseStarted{Agent: user, Interface: a.Interface(), PauseID: s.PauseID, PauseCode: code, PauseName: name, Start: now}, user)
	return nil
}

// SetPauseCode sets or changes the code of the current pause (VICIdial
// pause_code after PAUSE).
func (e *Engine) SetPauseCode(ctx context.Context, user, code string) (err error) {
	e.lock()
	defer e.settle(ctx, &err)
	s, ok := e.sessions[user]
	if !ok {
		return e.notLoggedIn(user)
	}
	if !s.Paused {
		return fmt.Errorf("%w: %s", ErrNotPaused, user)
	}
	s.PauseCode = code
	if pc := e.pauses[code]; pc != nil {
		s.PauseID = pc.ID
	}
	e.saveSession(ctx, s)
	e.queueLog(ctx, QueueLogEntry{Agent: user, Event: QLPause, Data1: code, Data2: "code"})
	return nil
}

// Unpause ends the agent's break.
func (e *Engine) Unpause(ctx context.Context, user string) (err error) {
	e.lock()
	defer e.settle(ctx, &err)
	s, ok := e.sessions[user]
	if !ok {
		return e.notLoggedIn(user)
	}
	if !s.Paused {
		if s.PendingPause {
			s.PendingPause = false
			e.saveSession(ctx, s)
			return nil
		}
		return fmt.Errorf("%w: %s", ErrNotPaused, user)
	}
	e.endPauseLocked(ctx, s, e.now())
	e.saveSession(ctx, s)
	e.dispatchAllLocked(ctx)
	return nil
}

func (e *Engine) endPauseLocked(ctx context.Context, s *AgentSession, now time.Time) {
	start := now
	if s.PausedAt != nil {
		start = *s.PausedAt
	}
	name := ""
	if pc := e.pauseByID[s.PauseID]; pc != nil {
		name = pc.Name
	}
	ev := AgentPauseEnded{Agent: s.Username, Interface: e.agents[s.Username].Interface(), PauseID: s.PauseID, PauseCode: s.PauseCode, PauseName: name, Start: start, End: now}
	s.Paused, s.PauseCode, s.PauseID, s.PausedAt = false, "", 0, nil
	e.queueLog(ctx, QueueLogEntry{Agent: s.Username, Event: QLUnpause, Data1: ev.PauseCode, Data2: fmt.Sprint(int(now.Sub(start).Seconds()))})
	e.publish(ev, s.Username)
}

func (e *Engine) endHoldLocked(ctx context.Context, s *AgentSession, now time.Time) {
	start := now
	if s.HoldAt != nil {
		start = *s.HoldAt
	}
	s.OnHold, s.HoldAt = false, nil
	e.publish(AgentPauseEnded{Agent: s.Username, Interface: e.agents[s.Username].Interface(), Hold: true, Start: start, End: now}, s.Username)
}

// Ping refreshes an agent's inactivity timer.
func (e *Engine) Ping(ctx context.Context, user string) (err error) {
	e.lock()
	defer e.settle(ctx, &err)
	s, ok := e.sessions[user]
	if !ok {
		return e.notLoggedIn(user)
	}
	now := e.now()
	s.LastPing = &now
	return nil
}

// SetAgentQueues replaces the in-groups selected for the session.
func (e *Engine) SetAgentQueues(ctx context.Context, user string, queues []string, blended bool) (err error) {
	e.lock()
	defer e.settle(ctx, &err)
	s, ok := e.sessions[user]
	if !ok {
		return e.notLoggedIn(user)
	}
	for _, q := range queues {
		if _, ok := e.queues[q]; !ok {
			return fmt.Errorf("%w: %s", ErrUnknownQueue, q)
		}
	}
	s.InboundQueue = strings.Join(queues, " ")
	s.Blended = blended
	e.saveSession(ctx, s)
	a := e.agents[user]
	e.publish(QueueMembershipChanged{Agent: user, Interface: a.Interface(), Queues: e.agentQueuesLocked(user)}, user)
	e.dispatchAllLocked(ctx)
	return nil
}

func (e *Engine) notLoggedIn(user string) error {
	if _, ok := e.agents[user]; !ok {
		return fmt.Errorf("%w: %s", ErrUnknownAgent, user)
	}
	return fmt.Errorf("%w: %s", ErrNotLoggedIn, user)
}

// setState moves an agent's main state and publishes the change.
func (e *Engine) setState(ctx context.Context, s *AgentSession, st AgentState) {
	if s.State == st {
		return
	}
	from := s.State
	s.State = st
	s.StateSince = e.now()
	e.saveSession(ctx, s)
	e.publish(AgentStateChanged{Agent: s.Username, From: from, To: st}, s.Username)
}

// afterCallLocked runs when an agent's call is over: wrap-up, then the
// deferred pause/logout, then available.
func (e *Engine) afterCallLocked(ctx context.Context, user string, wrap time.Duration) {
	s, ok := e.sessions[user]
	if !ok {
		return
	}
	now := e.now()
	s.CallID = 0
	s.LastCallEnd = &now
	if s.OnHold {
		e.endHoldLocked(ctx, s, now)
	}
	if s.PendingLogout {
		e.logoutLocked(ctx, user, "deferred")
		return
	}
	if wrap > 0 {
		until := now.Add(wrap)
		s.WrapUntil = &until
		e.setState(ctx, s, AgentWrapUp)
		e.queueLog(ctx, QueueLogEntry{Agent: user, Event: QLWrapUpStart, Data1: fmt.Sprint(int(wrap.Seconds()))})
		e.clock.AfterFunc(wrap, func() {
			e.lock()
			defer e.unlock()
			if e.stopped {
				return
			}
			if s2, ok := e.sessions[user]; ok && s2 == s && s.State == AgentWrapUp && s.WrapUntil != nil && s.WrapUntil.Equal(until) {
				e.endWrapLocked(context.Background(), s)
			}
		})
		return
	}
	e.endWrapLocked(ctx, s)
}

func (e *Engine) endWrapLocked(ctx context.Context, s *AgentSession) {
	if s.State == AgentWrapUp {
		e.queueLog(ctx, QueueLogEntry{Agent: s.Username, Event: QLWrapUpEnd})
	}
	s.WrapUntil = nil
	if s.PendingLogout {
		e.logoutLocked(ctx, s.Username, "deferred")
		return
	}
	if s.PendingPause {
		code := s.PendingCode
		s.PendingPause, s.PendingCode = false, ""
		_ = e.pauseLocked(ctx, s.Username, e.pauses[code], code)
	}
	e.setState(ctx, s, AgentAvailable)
	e.dispatchAllLocked(ctx)
}

// EndWrapUp ends an agent's wrap-up early (disposition submitted).
func (e *Engine) EndWrapUp(ctx context.Context, user string) (err error) {
	e.lock()
	defer e.settle(ctx, &err)
	s, ok := e.sessions[user]
	if !ok {
		return e.notLoggedIn(user)
	}
	if s.State == AgentWrapUp {
		e.endWrapLocked(ctx, s)
	}
	return nil
}

// PauseAfterCall asks for a pause once the current call ends (VICIdial
// "pause after dispo").
func (e *Engine) PauseAfterCall(ctx context.Context, user, code string) (err error) {
	e.lock()
	defer e.settle(ctx, &err)
	s, ok := e.sessions[user]
	if !ok {
		return e.notLoggedIn(user)
	}
	if s.CallID == 0 && s.State != AgentWrapUp {
		return e.pauseLocked(ctx, user, e.pauses[code], code)
	}
	s.PendingPause, s.PendingCode = true, code
	e.saveSession(ctx, s)
	return nil
}
