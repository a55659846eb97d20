package core

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// handleTel applies one PBX event (engine lock held).
func (e *Engine) handleTel(ctx context.Context, ev TelEvent) {
	e.noteChannelNameLocked(ev)
	if r := e.chans[ev.ChannelID]; r != nil && r.pending && ev.ChannelID != "" {
		// The originate of this channel has not returned yet: its outcome
		// is decided first (see effect.hold).
		r.deferred = append(r.deferred, ev)
		return
	}
	switch ev.Type {
	case TelConnected:
		e.reconcileLocked(ctx)
		e.publish(PBXConnection{Node: ev.Node, Connected: true}, "")
	case TelDisconnected:
		e.publish(PBXConnection{Node: ev.Node, Connected: false}, "")
	case TelStasisStart:
		if r := e.chans[ev.ChannelID]; r != nil {
			e.channelAnsweredLocked(ctx, r, ev)
			return
		}
		if len(ev.Args) > 0 && ev.Args[0] == "inbound" {
			e.inboundLocked(ctx, ev, inboundDialed(ev))
			return
		}
		if len(ev.Args) > 0 && ev.Args[0] == "snoop" {
			return
		}
		if len(ev.Args) > 1 && ev.Args[0] == "agent" {
			e.agentDialInLocked(ctx, ev, ev.Args[1])
			return
		}
		// A channel we know nothing about: not ours to keep.
		e.log.Info("engine: unexpected channel in application", "channel", ev.ChannelID, "args", ev.Args)
	case TelAnswered:
		// Nothing to do yet: Asterisk may report an originated channel Up
		// before it enters the application, and refuses to bridge it until
		// then (422). Every answered originated channel enters the
		// application, and its StasisStart (above) is where the engine acts.
	case TelRinging:
		if r := e.chans[ev.ChannelID]; r != nil && r.role == roleCustomer {
			if c := e.calls[r.callID]; c != nil && c.State == CallDialing {
				c.State = CallRingingOut
				e.publish(CallProgress{Call: c.Call, Status: "Ringing"}, c.Agent)
			}
		}
	case TelHangup:
		e.channelGoneLocked(ctx, ev)
	case TelDTMF:
		if r := e.chans[ev.ChannelID]; r != nil {
			e.publish(DTMFReceived{CallID: r.callID, ChannelID: ev.ChannelID, Digit: ev.Digit}, r.agent)
		}
	case TelRecordingFinished, TelRecordingFailed:
		e.recordingDoneLocked(ctx, ev)
	case TelPlaybackFinished:
		for _, c := range e.calls {
			if c.playback == ev.PlaybackID {
				c.playback = ""
			}
		}
	}
}

// inboundDialed is the number an inbound channel dialed.
func inboundDialed(ev TelEvent) string {
	if len(ev.Args) > 1 {
		return ev.Args[1]
	}
	return ev.Dialed
}

// inboundLocked takes a new inbound channel: route its DID to a queue.
func (e *Engine) inboundLocked(ctx context.Context, ev TelEvent, dialed string) {
	if e.lineInboundLocked(ctx, ev, dialed) {
		return // a line's call, decided by its rule group
	}
	queue, campaign := e.routeLocked(ctx, dialed)
	if queue == "" {
		e.log.Info("engine: no route for inbound call", "dialed", dialed)
		e.pxHangup(ev.ChannelID, CauseUnallocated)
		return
	}
	now := e.now()
	uid := ev.UniqueID
	if uid == "" {
		uid = ev.ChannelID
	}
	c := &liveCall{Call: Call{
		GUID: newGUID(), UniqueID: uid, LinkedID: ev.LinkedID, Node: ev.Node, Direction: CallInbound,
		State: CallQueued, Campaign: campaign, Queue: queue, Phone: ev.CallerID, CallerID: ev.CallerID,
		DID: dialed, ChannelID: ev.ChannelID, ChannelName: ev.Name, CreatedAt: now, AnsweredAt: &now,
	}}
	c.init()
	if c.LinkedID == "" {
		c.LinkedID = uid
	}
	if lead := e.pre.lead; lead != nil {
		c.LeadID, c.ListID = lead.ID, lead.ListID
	}
	e.persistCall(ctx, &c.Call)
	e.calls[c.ID] = c
	e.chans[ev.ChannelID] = &chanRef{id: ev.ChannelID, role: roleCustomer, callID: c.ID, answered: true, name: ev.Name}
	e.pxAnswer(ev.ChannelID).warned()
	e.enterQueueLocked(ctx, c, queue)
}

// agentDialInLocked: an agent's phone called in (dialplan
// Stasis(callgate,agent,<exten>)). The agent is logged in with that channel
// as its persistent line, or an on-hook session gets the line attached.
func (e *Engine) agentDialInLocked(ctx context.Context, ev TelEvent, exten string) {
	var a *Agent
	for _, u := range sortedKeys(e.agents) {
		c := e.agents[u]
		if c.Active && (c.Number == exten || c.PhoneLogin == exten || strings.HasSuffix(c.Extension, "/"+exten)) {
			a = c
			break
		}
	}
	if a == nil {
		e.pxHangup(ev.ChannelID, CauseUnallocated)
		return
	}
	s := e.sessions[a.Username]
	if s != nil && s.ChannelID != "" {
		e.pxHangup(ev.ChannelID, CauseBusy)
		return
	}
	e.pxAnswer(ev.ChannelID).warned()
	fresh := s == nil
	if fresh {
		now := e.now()
		s = &AgentSession{AgentID: a.ID, Username: a.Username, State: AgentLoggingIn, Campaign: a.Campaign,
			Extension: a.Extension, LoginAt: now, StateSince: now, LastPing: &now}
		if camp := e.campaigns[a.Campaign]; camp != nil && camp.LoginPaused {
			s.PendingPause = true
		}
		e.sessions[a.Username] = s
	}
	s.ChannelID, s.ChannelName = ev.ChannelID, ev.Name
	bridge := "agent-" + a.Username
	e.pxCreateBridge(bridge, BridgeHolding).warned()
	s.BridgeID = bridge
	e.pxAdd(bridge, ev.ChannelID)
	e.chans[ev.ChannelID] = &chanRef{id: ev.ChannelID, role: rolePersistent, agent: a.Username, answered: true, name: ev.Name}
	if fresh {
		e.completeLoginLocked(ctx, s)
		return
	}
	e.saveSession(ctx, s)
}

func (e *Engine) routeLocked(ctx context.Context, dialed string) (queue, campaign string) {
	if r, ok := e.routes[dialed]; ok {
		return r.Queue, r.Campaign
	}
	for _, name := range sortedKeys(e.queues) {
		q := e.queues[name]
		if q.Active && q.DID != "" && q.DID == dialed {
			return q.Name, q.Campaign
		}
	}
	if q, ok := e.queues[dialed]; ok && q.Active {
		return q.Name, q.Campaign
	}
	return "", ""
}

// channelAnsweredLocked: a channel we originated was answered.
func (e *Engine) channelAnsweredLocked(ctx context.Context, r *chanRef, ev TelEvent) {
	if r.answered {
		return
	}
	r.answered = true
	switch r.role {
	case rolePersistent:
		s := e.sessions[r.agent]
		if s == nil || s.ChannelID != r.id {
			e.pxHangup(r.id, CauseNormal)
			return
		}
		bridge := "agent-" + r.agent
		e.pxCreateBridge(bridge, BridgeHolding).warned()
		s.BridgeID = bridge
		e.pxAdd(bridge, r.id)
		e.completeLoginLocked(ctx, s)
	case roleOffer:
		c := e.calls[r.callID]
		if c == nil || c.offers[r.agent] != r.id {
			e.pxHangup(r.id, CauseNormal)
			return
		}
		delete(c.offers, r.agent)
		if t := c.offerTimer[r.agent]; t != nil {
			t.Stop()
			delete(c.offerTimer, r.agent)
		}
		for other, ch := range c.offers {
			e.cancelOfferLocked(ctx, c, other, ch)
		}
		e.phoneReachableLocked(r.agent)
		e.connectLocked(ctx, c, r.agent, r.id, 0)
	case roleAgentLeg:
		// On-hook agent answered for a manual dial: now ring the customer.
		c := e.calls[r.callID]
		if c == nil {
			e.pxHangup(r.id, CauseNormal)
			return
		}
		e.originateCustomerLocked(ctx, c)
		if c.State != CallDone {
			// The customer's channel is part of what a restart resumes.
			e.persistCall(ctx, &c.Call)
		}
	case roleCustomer:
		c := e.calls[r.callID]
		if c == nil {
			e.pxHangup(r.id, CauseNormal)
			return
		}
		e.customerAnsweredLocked(ctx, c, ev)
	case roleConsult:
		c := e.calls[r.callID]
		if c == nil {
			e.pxHangup(r.id, CauseNormal)
			return
		}
		e.consultAnsweredLocked(ctx, c, r)
	case roleOrigSource, roleOrigDest:
		e.originationAnsweredLocked(ctx, r, ev)
	case roleScriptLeg:
		e.scriptLegAnsweredLocked(r)
	case roleSupervisor:
		bridge := "snoop-" + r.id
		e.pxCreateBridge(bridge, BridgeMixing)
		e.pxAdd(bridge, r.id)
		e.pxAdd(bridge, r.peer)
	}
}

// customerAnsweredLocked: an outbound customer leg was answered.
func (e *Engine) customerAnsweredLocked(ctx context.Context, c *liveCall, ev TelEvent) {
	now := e.now()
	c.AnsweredAt = &now
	if ev.UniqueID != "" {
		c.UniqueID = ev.UniqueID
	}
	e.publish(CallProgress{Call: c.Call, Status: "Success"}, c.Agent)
	e.queueLog(ctx, QueueLogEntry{CallID: c.ID, Queue: c.Campaign, Agent: c.connectAgent, Event: QLDialResult, Data1: "ANSWER", Data2: c.Phone})
	if user := c.connectAgent; user != "" {
		s := e.sessions[user]
		if s != nil {
			agentCh := s.ChannelID
			if c.AgentChannelID != "" {
				agentCh = c.AgentChannelID
			}
			if agentCh != "" {
				e.connectLocked(ctx, c, user, agentCh, 0)
				return
			}
		}
	}
	// Dialer call with no reserved agent: wait for the campaign's agents.
	camp := e.campaigns[c.Campaign]
	key := c.Campaign
	if camp != nil {
		key = queueKeyForCampaign(camp)
	}
	e.enqueueLocked(ctx, c, key)
}

// channelGoneLocked handles a channel hangup.
func (e *Engine) channelGoneLocked(ctx context.Context, ev TelEvent) {
	r := e.chans[ev.ChannelID]
	if r == nil {
		return
	}
	delete(e.chans, ev.ChannelID)
	// A channel lost with the PBX was not hung up by its caller or agent.
	lost := ev.CauseText == lostOnReconnect
	party := func(who string) string {
		if lost {
			return HangupBySystem
		}
		return who
	}
	switch r.role {
	case rolePersistent:
		s := e.sessions[r.agent]
		if s == nil || s.ChannelID != r.id {
			return
		}
		if !r.answered {
			a := e.agents[r.agent]
			e.dropSessionLocked(ctx, s)
			e.publish(AgentLoginFailed{Agent: r.agent, Interface: a.Interface(), Reason: ev.CauseText}, r.agent)
			return
		}
		if c := e.calls[s.CallID]; c != nil && c.consultAgent == r.agent {
			e.consultGoneLocked(ctx, c, r, ev.Cause)
		}
		s.ChannelID, s.ChannelName = "", ""
		if c := e.calls[s.CallID]; c != nil && c.Agent == r.agent && !c.agentGone {
			e.endCallLocked(ctx, c, party("agent"), ev.Cause)
		}
		e.logoutLocked(ctx, r.agent, "channel hangup")
	case roleOffer:
		if c := e.calls[r.callID]; c != nil {
			// Put the entry back so offerFailedLocked can match it.
			e.chans[r.id] = r
			e.offerFailedLocked(ctx, c, r.agent, r.id, ev.Cause)
			delete(e.chans, r.id)
		}
	case roleAgentLeg:
		c := e.calls[r.callID]
		if c == nil || c.agentGone || c.Agent != r.agent && c.connectAgent != r.agent {
			return
		}
		if c.State == CallConnected || c.State == CallOnHold || c.State == CallParked {
			e.endCallLocked(ctx, c, party("agent"), ev.Cause)
			return
		}
		// The agent hung up before the customer answered.
		e.endCallLocked(ctx, c, party("agent"), ev.Cause)
	case roleCustomer:
		c := e.calls[r.callID]
		if c == nil {
			return
		}
		if c.AnsweredAt == nil && (c.Direction == CallOutbound || c.Direction == CallManual) {
			e.dialFailedLocked(ctx, c, ev.Cause)
			return
		}
		e.endCallLocked(ctx, c, party("caller"), ev.Cause)
	case roleConsult:
		c := e.calls[r.callID]
		if c == nil || c.consultCh != r.id {
			return
		}
		e.consultGoneLocked(ctx, c, r, ev.Cause)
	case roleOrigSource, roleOrigDest:
		e.originationGoneLocked(ctx, r, ev)
	case roleScriptLeg:
		e.scriptLegGoneLocked(r, ev)
	case roleSupervisor:
		if r.peer != "" {
			delete(e.chans, r.peer)
			e.pxHangup(r.peer, CauseNormal)
		}
		e.pxDestroyBridge("snoop-" + r.id)
	case roleSnoop:
		// The PBX ends a snoop with the channel it spies on (the agent's
		// leg at the end of the call): the supervisor would otherwise stay
		// connected to nothing.
		if _, ok := e.chans[r.peer]; ok && r.peer != "" {
			delete(e.chans, r.peer)
			e.pxHangup(r.peer, CauseNormal)
			e.pxDestroyBridge("snoop-" + r.peer)
		}
	}
}

// endCallLocked finishes a connected or queued call: hangs up what is left,
// frees the agent and writes the call, its queue-log rows and its CDR.
func (e *Engine) endCallLocked(ctx context.Context, c *liveCall, by string, cause HangupCause) {
	if c.State == CallDone {
		return
	}
	waiting := c.State == CallQueued || c.State == CallOffering
	e.leaveQueueLocked(c)
	e.stopCallTimers(c)
	now := e.now()
	var rows []QueueLogEntry
	cut := systemCut(by, cause)
	switch {
	case cut:
		rows = e.systemCutRows(c, now)
	case waiting && c.timedOut:
		// Closed by its EXITWITHTIMEOUT row already.
	case waiting:
		wait := 0
		if c.QueuedAt != nil {
			wait = int(now.Sub(*c.QueuedAt).Seconds())
		}
		c.Abandoned = true
		rows = append(rows, QueueLogEntry{Queue: c.Queue, Event: QLAbandon, Data1: fmt.Sprint(c.position), Data2: fmt.Sprint(c.position), Data3: fmt.Sprint(wait)})
	case c.ConnectedAt != nil && !c.agentGone:
		hold := 0
		if c.QueuedAt != nil {
			hold = int(c.ConnectedAt.Sub(*c.QueuedAt).Seconds())
		}
		talk := int(now.Sub(*c.ConnectedAt).Seconds())
		ev := QLCompleteCaller
		if by == "agent" {
			ev = QLCompleteAgent
		}
		rows = append(rows, QueueLogEntry{Queue: c.Queue, Agent: c.Agent, Event: ev, Data1: fmt.Sprint(hold), Data2: fmt.Sprint(talk), Data3: fmt.Sprint(c.position)})
	}
	// A consulted agent is freed, its persistent line sent home first.
	e.dropConsultAgentLocked(ctx, c)
	// Hang up every leg still up.
	for _, ch := range []string{c.ChannelID, c.AgentChannelID, c.consultCh} {
		if ch == "" {
			continue
		}
		if _, ok := e.chans[ch]; ok {
			delete(e.chans, ch)
			e.pxHangup(ch, CauseNormal)
		}
	}
	if c.recording != nil {
		e.pxStopRecording(c.recording.Name)
		// Closed here: the PBX's RecordingFinished arrives after the call
		// has left e.calls (or never, when the PBX went away with it).
		e.closeRecordingLocked(ctx, c, c.recording, "done")
	}
	if strings.HasPrefix(c.BridgeID, "call-") {
		e.pxDestroyBridge(c.BridgeID)
	}
	user := c.Agent
	if user != "" && !c.agentGone {
		// A persistent agent goes back to its own holding bridge.
		if s := e.sessions[user]; s != nil && s.ChannelID != "" && s.BridgeID != "" {
			if _, up := e.chans[s.ChannelID]; up {
				e.pxAdd(s.BridgeID, s.ChannelID)
			}
		}
	}
	c.HangupBy = by
	c.HangupCause = int(cause)
	status := c.Status
	if status == "" {
		switch {
		case cut:
			status = StatusLost
		case waiting:
			status = StatusDropped
		case c.ConnectedAt == nil:
			status = StatusNoAnswer
		}
	}
	e.finishCallRecord(ctx, c, by, int(cause), status, rows...)
	if waiting {
		e.publish(CallProgress{Call: c.Call, Status: "Abandoned"}, "")
	} else {
		short := c.ConnectedAt != nil && now.Sub(*c.ConnectedAt) < e.opt.ShortCall
		progress := "Hangup"
		if short {
			progress = "ShortCall"
		}
		e.publish(CallProgress{Call: c.Call, Status: progress}, user)
		if user != "" && !c.agentGone && c.ConnectedAt != nil {
			a := e.agents[user]
			name := user
			if a != nil {
				name = a.Interface()
			}
			e.publish(AgentUnlinked{Call: c.Call, Agent: user, Interface: name, Short: short}, user)
		}
	}
	e.publish(CallEnded{Call: c.Call}, user)
	if user != "" && !c.agentGone {
		if s := e.sessions[user]; s != nil && s.CallID == c.ID {
			e.afterCallLocked(ctx, user, e.wrapFor(c))
		}
	}
	e.dispatchAllLocked(ctx)
}

func (e *Engine) wrapFor(c *liveCall) time.Duration {
	if q := e.queues[c.Queue]; q != nil && q.WrapUp > 0 {
		return time.Duration(q.WrapUp) * time.Second
	}
	return 0
}

func (e *Engine) stopCallTimers(c *liveCall) {
	if c.waitTimer != nil {
		c.waitTimer.Stop()
	}
	for _, t := range c.offerTimer {
		t.Stop()
	}
}

// finishCallRecord marks a call ended and writes it with its CDR in one
// transaction.
func (e *Engine) finishCallRecord(ctx context.Context, c *liveCall, by string, cause int, status string, rows ...QueueLogEntry) {
	now := e.now()
	if !c.endAt.IsZero() {
		now = c.endAt
	}
	c.State = CallDone
	c.EndedAt = &now
	c.Status = status
	if c.HangupBy == "" {
		c.HangupBy = by
	}
	if c.HangupCause == 0 {
		c.HangupCause = cause
	}
	cdr := CDR{
		CallID: c.ID, UniqueID: c.UniqueID, Src: c.CallerID, Dst: c.Phone, CallerName: c.CallerName, Agent: c.Agent, Campaign: c.Campaign,
		Queue: c.Queue, Direction: string(c.Direction), Start: c.CreatedAt, Answer: c.AnsweredAt, End: now,
		Duration: int(now.Sub(c.CreatedAt).Seconds()), Status: status, Recording: c.Recording,
	}
	if c.Direction == CallInbound {
		cdr.Src, cdr.Dst = c.Phone, c.DID
	}
	switch {
	case c.AnsweredAt != nil:
		cdr.Disposition = "ANSWERED"
		cdr.BillSec = int(now.Sub(*c.AnsweredAt).Seconds())
	case HangupCause(cause) == CauseBusy:
		cdr.Disposition = "BUSY"
	case HangupCause(cause) == CauseNoAnswer || HangupCause(cause) == CauseNoUserResp:
		cdr.Disposition = "NO ANSWER"
	default:
		cdr.Disposition = "FAILED"
	}
	call := c.Call
	rows = append([]QueueLogEntry(nil), rows...)
	for i := range rows {
		if rows[i].Time.IsZero() {
			rows[i].Time = now
		}
		rows[i].CallID = c.ID
	}
	f := e.write("call end "+strconv.FormatUint(c.ID, 10), func(ctx context.Context, st Store) error {
		return st.Tx(ctx, func(tx Store) error {
			if err := tx.Save(ctx, &call); err != nil {
				return err
			}
			for i := range rows {
				if err := tx.Create(ctx, &rows[i]); err != nil {
					return err
				}
			}
			return tx.Create(ctx, &cdr)
		})
	})
	f.call = &callWrite{call: call, rows: rows, cdr: &cdr}
	e.trackCallWrite(f, &call, true)
	delete(e.calls, c.ID)
	if c.LeadID != 0 {
		delete(e.leadsBusy, c.LeadID)
	}
	e.originationEndedLocked(c)
}

// reconcileLocked runs after the PBX (re)connects: Asterisk does not replay
// events, so whatever the engine holds that the PBX no longer has is ended.
func (e *Engine) reconcileLocked(ctx context.Context) {
	chans, err := e.pre.channels, e.pre.channelsErr
	if err != nil {
		e.log.Warn("engine: reconcile: list channels", "err", err)
		return
	}
	e.reconcileRestoredLocked(ctx, chans)
	live := map[string]bool{}
	for _, c := range chans {
		live[c.ID] = true
	}
	// The list was taken outside the lock: a channel is lost only if the
	// engine knew it as placed before the list was asked for (known) and
	// the PBX did not list it. A channel originated meanwhile is not.
	known := e.pre.known
	lost := func(id string) bool {
		if live[id] {
			return false
		}
		_, tracked := e.chans[id]
		return known[id] || !tracked
	}
	// Offers lost with the PBX say nothing about the agents' phones.
	e.reconciling = true
	defer func() { e.reconciling = false }()
	for id := range e.qbridges {
		delete(e.qbridges, id)
	}
	// Lost callers leave their queues first: ending one lost call frees its
	// agent, who must not be offered another caller that is gone too.
	for _, c := range e.calls {
		if c.ChannelID != "" && lost(c.ChannelID) {
			e.leaveQueueLocked(c)
		}
	}
	for _, id := range sortedChanIDs(e.chans) {
		if !known[id] || live[id] {
			continue
		}
		e.channelGoneLocked(ctx, TelEvent{Type: TelHangup, ChannelID: id, Cause: CauseFailure, CauseText: lostOnReconnect})
	}
	for _, c := range e.calls {
		if c.ChannelID != "" && lost(c.ChannelID) {
			e.endCallLocked(ctx, c, HangupBySystem, CauseFailure)
		}
	}
}

func sortedChanIDs(m map[string]*chanRef) []string { return sortedKeys(m) }

// Call returns a call, live or ended.
func (e *Engine) Call(ctx context.Context, id uint64) (Call, error) {
	e.lock()
	if c, ok := e.calls[id]; ok {
		defer e.unlock()
		return c.Call, nil
	}
	e.unlock()
	// An ended call's last writes may still be on the store lane.
	_ = e.Sync(ctx)
	var c Call
	if err := e.store.First(ctx, &c, Eq("id", id)); err != nil {
		return Call{}, fmt.Errorf("%w: %d", ErrCallNotFound, id)
	}
	return c, nil
}

// CallByUniqueID finds a call by its Asterisk uniqueid.
func (e *Engine) CallByUniqueID(ctx context.Context, uid string) (Call, error) {
	e.lock()
	for _, c := range e.calls {
		if c.UniqueID == uid {
			defer e.unlock()
			return c.Call, nil
		}
	}
	e.unlock()
	_ = e.Sync(ctx)
	var c Call
	if err := e.store.First(ctx, &c, Eq("uniqueid", uid)); err != nil {
		return Call{}, fmt.Errorf("%w: %s", ErrCallNotFound, uid)
	}
	return c, nil
}

// AgentCall is the agent's current call.
func (e *Engine) AgentCall(user string) (Call, bool) {
	e.lock()
	defer e.unlock()
	c := e.agentCallLocked(user)
	if c == nil {
		return Call{}, false
	}
	return c.Call, true
}

func (e *Engine) agentCallLocked(user string) *liveCall {
	s := e.sessions[user]
	if s == nil || s.CallID == 0 {
		return nil
	}
	c := e.calls[s.CallID]
	if c == nil || c.agentGone {
		return nil
	}
	return c
}

// ActiveCalls lists the calls in progress, oldest first.
func (e *Engine) ActiveCalls() []Call {
	e.lock()
	defer e.unlock()
	out := make([]Call, 0, len(e.calls))
	for _, c := range e.calls {
		out = append(out, c.Call)
	}
	sortCalls(out)
	return out
}

// Waiting lists the calls waiting in a queue, in order.
func (e *Engine) Waiting(queue string) []Call {
	e.lock()
	defer e.unlock()
	var out []Call
	for _, id := range e.waiting[queue] {
		if c := e.calls[id]; c != nil {
			out = append(out, c.Call)
		}
	}
	return out
}

func sortCalls(cs []Call) {
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && cs[j].ID < cs[j-1].ID; j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
}

// DialRequest asks for an agent-placed call.
type DialRequest struct {
	Agent        string
	Phone        string
	PhoneCode    string
	Campaign     string
	LeadID       uint64
	CallerIDNum  string
	CallerIDName string
	DialPrefix   string
	Timeout      time.Duration
	Vars         map[string]string
	// Endpoint overrides the computed one (dial an extension directly).
	Endpoint string
	// SkipDNC disables the do-not-call check.
	SkipDNC bool
}

// Dial places a call for an agent: an on-hook agent's endpoint is rung
// first, then the customer; a persistent agent is bridged when the
// customer answers.
func (e *Engine) Dial(ctx context.Context, req DialRequest) (Call, error) {
	// What the decision needs from the store is read first, without the
	// lock: the do-not-call lists and the lead.
	phone := strings.TrimSpace(req.Phone)
	campaign := req.Campaign
	if campaign == "" {
		e.lock()
		if s, ok := e.sessions[req.Agent]; ok {
			campaign = s.Campaign
		}
		e.unlock()
	}
	dnc := !req.SkipDNC && phone != "" && e.IsDNC(ctx, phone, campaign)
	var listID uint64
	lead, leadErr := e.Lead(ctx, req.LeadID)
	if leadErr == nil {
		listID = lead.ListID
	}
	e.lock()
	c, err := e.dialLocked(ctx, req, phone, campaign, dnc, listID)
	if err != nil {
		e.unlock()
		return Call{}, err
	}
	if leadErr == nil {
		e.countLeadAttempt(lead)
	}
	call, id := c.Call, c.ID
	if err := e.unlockWait(ctx); err != nil {
		if got, gerr := e.Call(ctx, id); gerr == nil {
			call = got
		}
		return call, fmt.Errorf("dial agent %s: %w", req.Agent, err)
	}
	return call, nil
}

// countLeadAttempt records a dial of a lead (lock held): one more call,
// now, in call. Every dial of a lead counts, whoever chose it (the dialer,
// MANUALNEXT or an agent dialing a lead by id), as VICIdial counts them.
func (e *Engine) countLeadAttempt(lead Lead) {
	now := e.now()
	e.write("count lead attempt", func(ctx context.Context, st Store) error {
		return st.Updates(ctx, &lead, map[string]any{"called_count": lead.CalledCount + 1, "last_called_at": now, "status": StatusInCall})
	})
}

func (e *Engine) dialLocked(ctx context.Context, req DialRequest, phone, campaign string, dnc bool, listID uint64) (*liveCall, error) {
	s, ok := e.sessions[req.Agent]
	if !ok {
		return nil, e.notLoggedIn(req.Agent)
	}
	if s.CallID != 0 || s.State == AgentRinging {
		return nil, fmt.Errorf("%w: %s", ErrBusy, req.Agent)
	}
	if phone == "" && req.Endpoint == "" {
		return nil, fmt.Errorf("%w: no number to dial", ErrInvalid)
	}
	if req.Campaign == "" {
		campaign = s.Campaign
	}
	if dnc {
		return nil, fmt.Errorf("%w: %s", ErrDNC, phone)
	}
	now := e.now()
	c := &liveCall{Call: Call{
		GUID: newGUID(), Node: e.tel.NodeID(), Direction: CallManual, State: CallDialing, Campaign: campaign,
		LeadID: req.LeadID, Phone: phone, CallerID: req.CallerIDNum, CreatedAt: now, Agent: req.Agent,
		AgentID: e.agents[req.Agent].ID,
	}}
	c.init()
	c.ListID = listID
	c.connectAgent = req.Agent
	c.reservedAgent = req.Agent
	c.Trunk = e.dialEndpointLocked(req, campaign)
	e.persistCall(ctx, &c.Call, QueueLogEntry{Queue: campaign, Agent: req.Agent, Event: QLDialOut, Data1: phone, Data2: "manual"})
	c.UniqueID = e.uniqueID()
	c.LinkedID = c.UniqueID
	e.calls[c.ID] = c
	s.CallID = c.ID
	s.LeadID = req.LeadID
	e.setState(ctx, s, AgentOnCall)
	c.dialTimeout = req.Timeout
	c.dialCID = req.CallerIDName
	c.vars = req.Vars
	if s.ChannelID != "" {
		e.originateCustomerLocked(ctx, c)
	} else {
		agentCh := e.newChanID("agentleg")
		c.AgentChannelID = agentCh
		e.chans[agentCh] = &chanRef{id: agentCh, role: roleAgentLeg, callID: c.ID, agent: req.Agent}
		e.pxOriginate(OriginateRequest{
			ChannelID: agentCh, Endpoint: s.Extension, CallerIDNum: phone, CallerIDName: "Outbound call",
			Timeout: e.opt.DefaultRingTimeout, AppArgs: []string{"agentleg", fmt.Sprint(c.ID)},
		}).reported().onFail(func(error) {
			// Dial answers with this error once the call is recorded as
			// failed.
			if e.calls[c.ID] == c && e.chans[agentCh] != nil {
				delete(e.chans, agentCh)
				e.dialFailedLocked(context.Background(), c, CauseFailure)
			}
		})
	}
	e.persistCall(ctx, &c.Call)
	return c, nil
}

func (e *Engine) dialEndpointLocked(req DialRequest, campaign string) string {
	if req.Endpoint != "" {
		return req.Endpoint
	}
	trunk := ""
	number := req.DialPrefix + req.Phone
	if camp := e.campaigns[campaign]; camp != nil {
		trunk = camp.Trunk
		if req.DialPrefix == "" {
			number = camp.DialPrefix + req.Phone
		}
	}
	// An internal extension of a known agent is dialed directly.
	for _, u := range sortedKeys(e.agents) {
		if a := e.agents[u]; a.Extension != "" && (strings.HasSuffix(a.Extension, "/"+req.Phone)) {
			return a.Extension
		}
	}
	return e.opt.DialEndpoint(number, trunk)
}

// originateCustomerLocked dials the customer leg of an outbound call.
func (e *Engine) originateCustomerLocked(ctx context.Context, c *liveCall) {
	chID := e.newChanID("cust")
	c.ChannelID = chID
	e.chans[chID] = &chanRef{id: chID, role: roleCustomer, callID: c.ID}
	now := e.now()
	c.OriginateAt = &now
	timeout := c.dialTimeout
	if timeout <= 0 {
		timeout = e.opt.DefaultDialTimeout
		if camp := e.campaigns[c.Campaign]; camp != nil && camp.DialTimeout > 0 {
			timeout = time.Duration(camp.DialTimeout) * time.Second
		}
	}
	cid := c.CallerID
	if cid == "" {
		if camp := e.campaigns[c.Campaign]; camp != nil {
			cid = camp.CallerID
		}
	}
	vars := map[string]string{"CALLGATE_CALL": strconv.FormatUint(c.ID, 10)}
	for k, v := range c.vars {
		vars[k] = v
	}
	e.publish(CallProgress{Call: c.Call, Status: "Placing"}, c.Agent)
	e.pxOriginate(OriginateRequest{
		ChannelID: chID, Endpoint: c.Trunk, CallerIDNum: cid, CallerIDName: c.dialCID, Timeout: timeout,
		AppArgs: []string{"dialout", strconv.FormatUint(c.ID, 10)}, Variables: vars,
	}).onOK(func() {
		if e.calls[c.ID] == c && c.ChannelID == chID {
			e.publish(CallProgress{Call: c.Call, Status: "Dialing"}, c.Agent)
		}
	}).onFail(func(error) {
		if e.calls[c.ID] == c && e.chans[chID] != nil {
			delete(e.chans, chID)
			e.dialFailedLocked(context.Background(), c, CauseFailure)
		}
	})
}

// dialFailedLocked: the customer (or the agent leg) never answered.
func (e *Engine) dialFailedLocked(ctx context.Context, c *liveCall, cause HangupCause) {
	status := dialStatus(cause)
	c.Failure = fmt.Sprintf("%d", int(cause))
	for _, ch := range []string{c.ChannelID, c.AgentChannelID} {
		if _, ok := e.chans[ch]; ok && ch != "" {
			delete(e.chans, ch)
			e.pxHangup(ch, CauseNormal)
		}
	}
	c.HangupCause = int(cause)
	e.finishCallRecord(ctx, c, "system", int(cause), status, QueueLogEntry{Queue: c.Campaign, Agent: c.connectAgent, Event: QLDialResult, Data1: status, Data2: c.Phone, Data3: fmt.Sprint(int(cause))})
	e.publish(CallProgress{Call: c.Call, Status: "Failure"}, c.Agent)
	e.publish(CallEnded{Call: c.Call}, c.Agent)
	if c.LeadID != 0 {
		e.leadAttemptFailedLocked(ctx, c, status)
	}
	if c.ScheduledID != 0 {
		e.callbackFailedLocked(ctx, c)
	}
	if user := c.connectAgent; user != "" {
		if s := e.sessions[user]; s != nil && s.CallID == c.ID {
			e.afterCallLocked(ctx, user, 0)
		}
	}
}

// dialStatus maps a failure cause to the lead's dial status.
func dialStatus(cause HangupCause) string {
	switch cause {
	case CauseBusy:
		return StatusBusy
	case CauseNoAnswer, CauseNoUserResp:
		return StatusNoAnswer
	default:
		return StatusDisconnected
	}
}

// HangupCall hangs up a call by id.
func (e *Engine) HangupCall(ctx context.Context, id uint64, cause HangupCause) (err error) {
	e.lock()
	defer e.settle(ctx, &err)
	c := e.calls[id]
	if c == nil {
		return fmt.Errorf("%w: %d", ErrCallNotFound, id)
	}
	if cause == 0 {
		cause = CauseNormal
	}
	if c.AnsweredAt == nil && (c.Direction == CallOutbound || c.Direction == CallManual) {
		e.dialFailedLocked(ctx, c, cause)
		return nil
	}
	e.endCallLocked(ctx, c, "system", cause)
	return nil
}

// Hangup hangs up the agent's current call.
func (e *Engine) Hangup(ctx context.Context, user string) (err error) {
	e.lock()
	defer e.settle(ctx, &err)
	if _, ok := e.sessions[user]; !ok {
		return e.notLoggedIn(user)
	}
	c := e.agentCallLocked(user)
	if c == nil {
		return fmt.Errorf("%w: %s", ErrNoCall, user)
	}
	if c.AnsweredAt == nil && c.Direction != CallInbound {
		e.dialFailedLocked(ctx, c, CauseNormal)
		return nil
	}
	e.endCallLocked(ctx, c, "agent", CauseNormal)
	return nil
}
