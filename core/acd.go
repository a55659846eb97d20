package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// candidate is a free agent that may be offered a queued call.
type candidate struct {
	user    string
	penalty int
	order   int // membership order, for linear/rrmemory
	s       *AgentSession
}

// queueKeyForCampaign is the virtual queue of an outbound campaign whose
// answered calls wait for the campaign's agents.
func queueKeyForCampaign(c *Campaign) string {
	if c.Queue != "" {
		return c.Queue
	}
	return "campaign:" + c.Name
}

// freeAgentsLocked lists the agents that can take a call from queue now:
// its members in member order, then the other agents serving it (by
// in-group, campaign or the campaign's queue) by username.
func (e *Engine) freeAgentsLocked(queue string) []candidate {
	var out []candidate
	seen := map[string]bool{}
	add := func(user string, penalty, order int) {
		if seen[user] {
			return
		}
		s := e.sessions[user]
		if s == nil || !e.canTakeCallLocked(user, s) {
			return
		}
		seen[user] = true
		out = append(out, candidate{user: user, penalty: penalty, order: order, s: s})
	}
	if user, ok := strings.CutPrefix(queue, "agent:"); ok {
		add(user, 0, 0)
		return out
	}
	for i, m := range e.members[queue] {
		add(m.Agent, m.Penalty, i)
	}
	// Only the free agents serving the queue are sorted, not every
	// session: a dispatch runs on every arrival and every freed agent.
	var others []string
	campaign, byCampaign := strings.CutPrefix(queue, "campaign:")
	for user, s := range e.sessions {
		if seen[user] || !e.canTakeCallLocked(user, s) {
			continue
		}
		c := e.campaigns[s.Campaign]
		if hasField(s.InboundQueue, queue) || (byCampaign && s.Campaign == campaign) ||
			(c != nil && c.Queue == queue && c.Type == CampaignOutbound) {
			others = append(others, user)
		}
	}
	sort.Strings(others)
	n := len(e.members[queue])
	for i, user := range others {
		add(user, 0, n+i)
	}
	return out
}

// canTakeCallLocked: logged in, available, not paused, held, on a call,
// leaving, nor resting after its phone refused a call.
func (e *Engine) canTakeCallLocked(user string, s *AgentSession) bool {
	if s.State != AgentAvailable || s.Paused || s.OnHold || s.CallID != 0 || s.PendingLogout {
		return false
	}
	return !e.restingLocked(user) // its phone was refused: wait for the backoff
}

// hasField reports whether the whitespace-separated list holds v, as
// slices.Contains(strings.Fields(list), v) without the allocation.
func hasField(list, v string) bool {
	if v == "" {
		return false
	}
	for list != "" {
		i := strings.IndexAny(list, " \t\r\n")
		if i < 0 {
			return list == v
		}
		if list[:i] == v {
			return true
		}
		list = list[i+1:]
	}
	return false
}

// pickAgentsLocked orders the free agents of the best penalty tier by the
// queue's strategy; ringall returns the whole tier.
func (e *Engine) pickAgentsLocked(q *Queue, key string, c *liveCall) []candidate {
	free := e.freeAgentsLocked(key)
	var pool []candidate
	for _, a := range free {
		if _, ringing := c.offers[a.user]; ringing || c.tried[a.user] {
			continue
		}
		pool = append(pool, a)
	}
	if len(pool) == 0 && len(free) > 0 && len(c.offers) == 0 {
		// Everybody was tried once: start a new round.
		clear(c.tried)
		pool = free
	}
	if len(pool) == 0 {
		return nil
	}
	best := pool[0].penalty
	for _, a := range pool {
		best = min(best, a.penalty)
	}
	tier := pool[:0:0]
	for _, a := range pool {
		if a.penalty == best {
			tier = append(tier, a)
		}
	}
	strategy := StrategyRRMemory
	if q != nil && q.Strategy != "" {
		strategy = q.Strategy
	}
	switch strategy {
	case StrategyRingAll:
		return tier
	case StrategyLeastRecent:
		sort.SliceStable(tier, func(i, j int) bool {
			a, b := tier[i].s.LastCallEnd, tier[j].s.LastCallEnd
			switch {
			case a == nil && b == nil:
				return tier[i].order < tier[j].order
			case a == nil:
				return true
			case b == nil:
				return false
			}
			return a.Before(*b)
		})
	case StrategyFewestCalls:
		sort.SliceStable(tier, func(i, j int) bool {
			if tier[i].s.CallsTaken != tier[j].s.CallsTaken {
				return tier[i].s.CallsTaken < tier[j].s.CallsTaken
			}
			return tier[i].order < tier[j].order
		})
	case StrategyRandom:
		e.rnd.Shuffle(len(tier), func(i, j int) { tier[i], tier[j] = tier[j], tier[i] })
	case StrategyLinear:
		sort.SliceStable(tier, func(i, j int) bool { return tier[i].order < tier[j].order })
	default: // rrmemory: the next member after the one served last
		sort.SliceStable(tier, func(i, j int) bool { return tier[i].order < tier[j].order })
		next := e.rrNext[key]
		idx := sort.Search(len(tier), func(i int) bool { return tier[i].order >= next })
		tier = append(tier[idx:], tier[:idx]...)
	}
	return tier[:1]
}

func (e *Engine) dispatchAllLocked(ctx context.Context) {
	for _, q := range sortedKeys(e.waiting) {
		e.dispatchLocked(ctx, q)
	}
}

// dispatchLocked offers the calls waiting in a queue to free agents, oldest
// call first.
func (e *Engine) dispatchLocked(ctx context.Context, key string) {
	q := e.queues[key]
	for _, id := range append([]uint64(nil), e.waiting[key]...) {
		c := e.calls[id]
		if c == nil || c.State != CallQueued && c.State != CallOffering {
			continue
		}
		if q != nil && q.Strategy == StrategyRingAll && len(c.offers) > 0 {
			continue
		}
		if len(c.offers) > 0 {
			continue
		}
		picks := e.pickAgentsLocked(q, key, c)
		if len(picks) == 0 {
			return // no free agent: later calls cannot be served either
		}
		for _, p := range picks {
			e.offerLocked(ctx, c, key, q, p)
		}
	}
}

// offerLocked gives a call to an agent: a persistent agent is connected at
// once; an on-hook agent's endpoint is rung.
func (e *Engine) offerLocked(ctx context.Context, c *liveCall, key string, q *Queue, p candidate) {
	s := p.s
	e.rrNext[key] = p.order + 1
	c.tried[p.user] = true
	if s.ChannelID != "" {
		e.connectLocked(ctx, c, p.user, s.ChannelID, 0)
		return
	}
	ring := e.opt.DefaultRingTimeout
	if q != nil && q.RingTimeout > 0 {
		ring = time.Duration(q.RingTimeout) * time.Second
	}
	chID := e.newChanID("offer")
	e.chans[chID] = &chanRef{id: chID, role: roleOffer, callID: c.ID, agent: p.user}
	c.offers[p.user] = chID
	// The agent is reserved for the call while the PBX is asked to ring
	// it; it is ringing (state, queue log, event) once the PBX placed the
	// call, decided before any event of the new channel.
	s.CallID = c.ID
	e.pxOriginate(OriginateRequest{
		ChannelID: chID, Endpoint: s.Extension, CallerIDNum: c.Phone, CallerIDName: c.Queue,
		Timeout: ring, AppArgs: []string{"offer", fmt.Sprint(c.ID)}, OtherChannelID: c.ChannelID,
		Variables: map[string]string{"CALLGATE_CALL": fmt.Sprint(c.ID), "CALLGATE_QUEUE": key},
	}).onOK(func() {
		if e.calls[c.ID] != c || c.offers[p.user] != chID {
			return
		}
		c.State = CallOffering
		if cur := e.sessions[p.user]; cur == s && s.CallID == c.ID {
			e.setState(ctx, s, AgentRinging)
		}
		e.persistCall(ctx, &c.Call, QueueLogEntry{Queue: key, Agent: p.user, Event: QLRinging, Data1: c.Phone, Data2: s.Extension})
		e.publish(CallRinging{Call: c.Call, Agent: p.user}, p.user)
		c.offerTimer[p.user] = e.clock.AfterFunc(ring+2*time.Second, func() {
			// Safety net: a PBX that never reports the outcome must not
			// strand the agent in ringing.
			e.lock()
			defer e.unlock()
			if e.stopped {
				return
			}
			if cur := e.calls[c.ID]; cur == c && c.offers[p.user] == chID {
				e.pxHangup(chID, CauseNoAnswer)
				e.offerFailedLocked(context.Background(), c, p.user, chID, CauseNoAnswer)
			}
		})
	}).onFail(func(err error) {
		if e.calls[c.ID] != c || c.offers[p.user] != chID {
			return
		}
		// The phone never rang: one queue-log row for the attempt, the
		// agent rests (growing backoff) and stays available meanwhile.
		delete(c.offers, p.user)
		delete(e.chans, chID)
		if cur := e.sessions[p.user]; cur == s && s.CallID == c.ID {
			s.CallID = 0
		}
		if errors.Is(err, ErrNotConnected) {
			// The PBX is away, not the agent's phone: no backoff.
			e.log.Warn("engine: offer originate failed", "agent", p.user, "err", err)
			e.queueLog(ctx, QueueLogEntry{CallID: c.ID, Queue: key, Agent: p.user, Event: QLRingNoAnswer, Data1: "0", Data2: fmt.Sprint(int(CauseFailure))})
		} else {
			e.queueLog(ctx, QueueLogEntry{CallID: c.ID, Queue: key, Agent: p.user, Event: QLRingNoAnswer, Data1: "0", Data2: fmt.Sprint(int(CauseFailure)), Data3: UnreachableRefused})
			e.phoneRefusedLocked(p.user, s.Extension, UnreachableRefused, err)
		}
		// Not an immediate re-dispatch: a caller whose channel is already
		// gone would make every agent refuse in turn.
		e.clock.AfterFunc(offerRetryDelay, func() {
			e.lock()
			defer e.unlock()
			if !e.stopped {
				e.dispatchAllLocked(context.Background())
			}
		})
	})
}

// cancelOfferLocked withdraws an offer (another agent answered, the caller
// left, the agent logged out).
func (e *Engine) cancelOfferLocked(ctx context.Context, c *liveCall, user, chID string) {
	delete(c.offers, user)
	if t := c.offerTimer[user]; t != nil {
		t.Stop()
		delete(c.offerTimer, user)
	}
	delete(e.chans, chID)
	e.pxHangup(chID, CauseNormal)
	// Ringing, or still reserved while the PBX places the offer.
	if s := e.sessions[user]; s != nil && s.CallID == c.ID && (s.State == AgentRinging || s.State == AgentAvailable) {
		s.CallID = 0
		e.setState(ctx, s, AgentAvailable)
	}
}

// offerRetryDelay is how long a call whose offer the PBX refused waits
// before it is offered again (app_queue's "retry" plays the same role).
const offerRetryDelay = time.Second

// offerFailedLocked: the agent did not answer (or could not be rung).
func (e *Engine) offerFailedLocked(ctx context.Context, c *liveCall, user, chID string, cause HangupCause) {
	if e.offerEndedLocked(ctx, c, user, chID, cause) {
		e.dispatchAllLocked(ctx)
	}
}

// offerEndedLocked withdraws a failed offer and frees the agent; false if
// the offer was not current.
func (e *Engine) offerEndedLocked(ctx context.Context, c *liveCall, user, chID string, cause HangupCause) bool {
	if c.offers[user] != chID {
		return false
	}
	delete(c.offers, user)
	if t := c.offerTimer[user]; t != nil {
		t.Stop()
		delete(c.offerTimer, user)
	}
	delete(e.chans, chID)
	ringMS := 0
	reason := ""
	if unreachableCause(cause) {
		reason = UnreachableFailed
	}
	e.queueLog(ctx, QueueLogEntry{CallID: c.ID, Queue: c.Queue, Agent: user, Event: QLRingNoAnswer, Data1: fmt.Sprint(ringMS), Data2: fmt.Sprint(int(cause)), Data3: reason})
	if reason != "" && !e.reconciling {
		ext := ""
		if s := e.sessions[user]; s != nil {
			ext = s.Extension
		}
		e.phoneRefusedLocked(user, ext, UnreachableFailed, nil)
	}
	if s := e.sessions[user]; s != nil && s.CallID == c.ID {
		s.CallID = 0
		e.setState(ctx, s, AgentAvailable)
	}
	if len(c.offers) == 0 && c.State == CallOffering {
		c.State = CallQueued
	}
	return true
}

// enqueueLocked puts a customer channel in a queue's holding bridge with
// music on hold and offers it to agents.
func (e *Engine) enqueueLocked(ctx context.Context, c *liveCall, key string) {
	q := e.queues[key]
	now := e.now()
	c.Queue = key
	c.State = CallQueued
	c.QueuedAt = &now
	bridge := "queue-" + key
	if !e.qbridges[bridge] {
		e.pxCreateBridge(bridge, BridgeHolding).warned()
		moh := e.opt.MOHClass
		if q != nil && q.MOHClass != "" {
			moh = q.MOHClass
		}
		e.pxBridgeMOH(bridge, moh)
		e.qbridges[bridge] = true
	}
	if c.BridgeID != "" && c.BridgeID != bridge {
		e.pxRemove(c.BridgeID, c.ChannelID)
	}
	c.BridgeID = bridge
	e.pxAdd(bridge, c.ChannelID).warned()
	e.waiting[key] = append(e.waiting[key], c.ID)
	c.position = len(e.waiting[key])
	e.persistCall(ctx, &c.Call, QueueLogEntry{Queue: key, Event: QLEnterQueue, Data1: c.DID, Data2: c.Phone, Data3: fmt.Sprint(c.position)})
	e.publish(CallProgress{Call: c.Call, Status: "OnQueue"}, "")
	if q != nil && q.MaxWait > 0 {
		e.armWaitTimerLocked(c, key, time.Duration(q.MaxWait)*time.Second)
	}
	e.dispatchLocked(ctx, key)
}

// armWaitTimerLocked makes the caller leave the queue after d (its
// maximum wait).
func (e *Engine) armWaitTimerLocked(c *liveCall, key string, d time.Duration) {
	c.waitTimer = e.clock.AfterFunc(d, func() {
		e.lock()
		defer e.unlock()
		if e.stopped {
			return
		}
		if cur := e.calls[c.ID]; cur == c && (c.State == CallQueued || c.State == CallOffering) {
			ctx := context.Background()
			e.leaveQueueLocked(c)
			c.timedOut = true
			e.queueLog(ctx, QueueLogEntry{CallID: c.ID, Queue: key, Event: QLExitTimeout, Data1: fmt.Sprint(c.position)})
			e.pxHangup(c.ChannelID, CauseNoAnswer)
		}
	})
}

// leaveQueueLocked removes a call from its queue's waiting list and
// withdraws its offers.
func (e *Engine) leaveQueueLocked(c *liveCall) {
	ctx := context.Background()
	if c.Queue != "" {
		e.waiting[c.Queue] = slices.DeleteFunc(e.waiting[c.Queue], func(id uint64) bool { return id == c.ID })
		if len(e.waiting[c.Queue]) == 0 {
			delete(e.waiting, c.Queue)
		}
	}
	for user, ch := range c.offers {
		e.cancelOfferLocked(ctx, c, user, ch)
	}
	if c.waitTimer != nil {
		c.waitTimer.Stop()
		c.waitTimer = nil
	}
}

// connectLocked bridges a customer with an agent's channel.
func (e *Engine) connectLocked(ctx context.Context, c *liveCall, user, agentCh string, ringFor time.Duration) {
	s := e.sessions[user]
	a := e.agents[user]
	if s == nil || a == nil {
		return
	}
	e.leaveQueueLocked(c)
	now := e.now()
	// The customer leaves the queue's holding bridge for a call bridge.
	if c.BridgeID != "" {
		e.pxRemove(c.BridgeID, c.ChannelID)
	}
	if s.BridgeID != "" && agentCh == s.ChannelID {
		e.pxRemove(s.BridgeID, agentCh)
	}
	bridge := fmt.Sprintf("call-%d", c.ID)
	e.pxCreateBridge(bridge, BridgeMixing).warned()
	c.BridgeID = bridge
	e.pxAdd(bridge, c.ChannelID)
	e.pxAdd(bridge, agentCh)
	if agentCh != s.ChannelID {
		c.AgentChannelID = agentCh
		if r := e.chans[agentCh]; r != nil {
			r.role = roleAgentLeg
		}
	}
	c.State = CallConnected
	c.ConnectedAt = &now
	c.AgentID = a.ID
	c.Agent = user
	s.CallID = c.ID
	s.LeadID = c.LeadID
	s.CallsTaken++
	e.setState(ctx, s, AgentOnCall)
	hold := 0
	if c.QueuedAt != nil {
		hold = int(now.Sub(*c.QueuedAt).Seconds())
	}
	var rows []QueueLogEntry
	if c.Queue != "" {
		rows = append(rows, QueueLogEntry{Queue: c.Queue, Agent: user, Event: QLConnect, Data1: fmt.Sprint(hold), Data2: c.UniqueID, Data3: fmt.Sprint(int(ringFor.Seconds()))})
	}
	e.persistCall(ctx, &c.Call, rows...)
	e.publish(AgentLinked{Call: c.Call, Agent: user, Interface: a.Interface()}, user)
	if camp := e.campaigns[c.Campaign]; camp != nil && camp.Record && c.recording == nil {
		e.startRecordingLocked(ctx, c, user)
	}
}
