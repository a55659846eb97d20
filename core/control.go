package core

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// connectedCallLocked returns the agent's call if it is up with the agent.
func (e *Engine) connectedCallLocked(user string) (*liveCall, error) {
	if _, ok := e.sessions[user]; !ok {
		return nil, e.notLoggedIn(user)
	}
	c := e.agentCallLocked(user)
	if c == nil || c.ConnectedAt == nil {
		return nil, fmt.Errorf("%w: %s", ErrNoCall, user)
	}
	return c, nil
}

// HoldCall puts the agent's customer on hold: out of the call bridge, with
// music on hold. The agent is flagged on hold (ECCP pause class "hold").
func (e *Engine) HoldCall(ctx context.Context, user string) (err error) {
	e.lock()
	c, err := e.connectedCallLocked(user)
	if err != nil {
		e.unlock()
		return err
	}
	if c.held {
		e.unlock()
		return fmt.Errorf("%w: %s", ErrAlreadyOnHold, user)
	}
	// The customer is taken out of the call first; the call is on hold
	// once the PBX did it (decided again under the lock).
	e.parkCustomerLocked(ctx, c).reported()
	if err := e.unlockWait(ctx); err != nil {
		return err
	}
	e.lock()
	defer e.settle(ctx, &err)
	if cur, err := e.connectedCallLocked(user); err != nil || cur != c {
		return fmt.Errorf("%w: %s", ErrNoCall, user)
	}
	if c.held {
		return fmt.Errorf("%w: %s", ErrAlreadyOnHold, user)
	}
	c.held = true
	c.State = CallOnHold
	s := e.sessions[user]
	now := e.now()
	s.OnHold, s.HoldAt = true, &now
	e.saveSession(ctx, s)
	e.persistCall(ctx, &c.Call, QueueLogEntry{Queue: c.Queue, Agent: user, Event: QLHold})
	e.publish(AgentPauseStarted{Agent: user, Interface: e.agents[user].Interface(), Hold: true, Start: now}, user)
	return nil
}

// UnholdCall brings the held customer back into the call bridge.
func (e *Engine) UnholdCall(ctx context.Context, user string) (err error) {
	e.lock()
	defer e.settle(ctx, &err)
	c, err := e.connectedCallLocked(user)
	if err != nil {
		return err
	}
	if !c.held {
		return fmt.Errorf("%w: %s", ErrNotOnHold, user)
	}
	e.unparkCustomerLocked(ctx, c)
	c.held = false
	c.State = CallConnected
	s := e.sessions[user]
	e.endHoldLocked(ctx, s, e.now())
	e.saveSession(ctx, s)
	e.persistCall(ctx, &c.Call, QueueLogEntry{Queue: c.Queue, Agent: user, Event: QLUnhold})
	return nil
}

// parkCustomerLocked decides taking the customer out of the call bridge,
// on hold with music; one effect, whose error is the first step's that
// failed.
func (e *Engine) parkCustomerLocked(ctx context.Context, c *liveCall) *effect {
	ch, br, moh := c.ChannelID, c.BridgeID, e.opt.MOHClass
	keys := []string{chKey(ch)}
	if br != "" {
		keys = append(keys, brKey(br))
	}
	return e.do("park "+ch, keys, func(ctx context.Context) error {
		if br != "" {
			if err := e.tel.RemoveFromBridge(ctx, br, ch); err != nil {
				return fmt.Errorf("hold: %w", err)
			}
		}
		_ = e.tel.Hold(ctx, ch)
		return e.tel.StartMOH(ctx, ch, moh)
	})
}

func (e *Engine) unparkCustomerLocked(ctx context.Context, c *liveCall) {
	e.pxStopMOH(c.ChannelID)
	e.pxUnhold(c.ChannelID)
	if c.BridgeID != "" {
		e.pxAdd(c.BridgeID, c.ChannelID)
	}
}

// Park parks the agent's customer (music on hold, agent stays on the call
// and may grab it back).
func (e *Engine) Park(ctx context.Context, user string) (err error) {
	e.lock()
	c, err := e.connectedCallLocked(user)
	if err != nil {
		e.unlock()
		return err
	}
	if c.parked || c.held {
		e.unlock()
		return fmt.Errorf("%w: %s", ErrAlreadyOnHold, user)
	}
	e.parkCustomerLocked(ctx, c).reported()
	if err := e.unlockWait(ctx); err != nil {
		return err
	}
	e.lock()
	defer e.settle(ctx, &err)
	if cur, err := e.connectedCallLocked(user); err != nil || cur != c {
		return fmt.Errorf("%w: %s", ErrNoCall, user)
	}
	if c.parked || c.held {
		return fmt.Errorf("%w: %s", ErrAlreadyOnHold, user)
	}
	c.parked = true
	c.State = CallParked
	e.persistCall(ctx, &c.Call, QueueLogEntry{Queue: c.Queue, Agent: user, Event: QLPark})
	return nil
}

// Grab takes a parked customer back to the agent.
func (e *Engine) Grab(ctx context.Context, user string) (err error) {
	e.lock()
	defer e.settle(ctx, &err)
	c, err := e.connectedCallLocked(user)
	if err != nil {
		return err
	}
	if !c.parked {
		return fmt.Errorf("%w: %s", ErrNotParked, user)
	}
	e.unparkCustomerLocked(ctx, c)
	c.parked = false
	c.State = CallConnected
	e.persistCall(ctx, &c.Call, QueueLogEntry{Queue: c.Queue, Agent: user, Event: QLUnpark})
	return nil
}

// CallHeld reports whether the agent's customer is on hold or parked.
func (e *Engine) CallHeld(user string) (held, parked bool) {
	e.lock()
	defer e.unlock()
	if c := e.agentCallLocked(user); c != nil {
		return c.held, c.parked
	}
	return false, false
}

// SendDTMF plays digits to the agent's customer.
func (e *Engine) SendDTMF(ctx context.Context, user, digits string) error {
	e.lock()
	c, err := e.connectedCallLocked(user)
	if err != nil {
		e.unlock()
		return err
	}
	if digits == "" {
		e.unlock()
		return fmt.Errorf("%w: no digits", ErrInvalid)
	}
	e.pxSendDTMF(c.ChannelID, digits, 100*time.Millisecond).reported()
	return e.unlockWait(ctx)
}

// TransferKind names a transfer.
type TransferKind string

const (
	TransferBlind      TransferKind = "blind"
	TransferAttended   TransferKind = "attended"
	TransferQueue      TransferKind = "queue"
	TransferConference TransferKind = "conference" // 3-way: the agent stays
)

type TransferRequest struct {
	Kind   TransferKind
	Target string // number, extension or agent username
	// Agent is a logged-in agent to transfer to; with Queue and an
	// attended or conference kind, a free agent of that queue is chosen.
	Agent    string
	Queue    string
	CallerID string
	// Endpoint overrides the computed endpoint of Target.
	Endpoint string
}

// Transfer moves the agent's customer elsewhere. Blind and queue transfers
// release the agent at once; attended and conference transfers ring the
// target first (CompleteTransfer / CancelTransfer / LeaveThreeWay follow).
func (e *Engine) Transfer(ctx context.Context, user string, req TransferRequest) error {
	e.lock()
	if err := e.transferLocked(ctx, user, req); err != nil {
		e.unlock()
		return err
	}
	if err := e.unlockWait(ctx); err != nil {
		return fmt.Errorf("transfer: %w", err)
	}
	return nil
}

func (e *Engine) transferLocked(ctx context.Context, user string, req TransferRequest) error {
	c, err := e.connectedCallLocked(user)
	if err != nil {
		return err
	}
	switch req.Kind {
	case TransferQueue:
		if _, ok := e.queues[req.Queue]; !ok {
			return fmt.Errorf("%w: %s", ErrUnknownQueue, req.Queue)
		}
		e.releaseAgentLocked(ctx, c, user, QueueLogEntry{Queue: c.Queue, Agent: user, Event: QLTransfer, Data1: req.Queue, Data2: "queue"})
		e.publish(CallTransferred{Call: c.Call, Agent: user, Target: req.Queue, Kind: string(req.Kind), OK: true}, user)
		c.Agent, c.AgentID, c.agentGone, c.ConnectedAt = "", 0, false, nil
		c.held, c.parked = false, false
		e.pxStopMOH(c.ChannelID)
		e.enqueueLocked(ctx, c, req.Queue)
		return nil
	case TransferBlind, TransferAttended, TransferConference:
	default:
		return fmt.Errorf("%w: transfer kind %q", ErrInvalid, req.Kind)
	}
	if c.consultCh != "" {
		return fmt.Errorf("%w: a transfer is already in progress", ErrBusy)
	}
	if req.Agent != "" || req.Queue != "" {
		return e.transferToAgentLocked(ctx, c, user, req)
	}
	if req.Target == "" && req.Endpoint == "" {
		return fmt.Errorf("%w: no transfer target", ErrInvalid)
	}
	endpoint := req.Endpoint
	if endpoint == "" {
		endpoint = e.transferEndpointLocked(req.Target, c.Campaign)
	}
	chID := e.newChanID("xfer")
	c.consultCh = chID
	c.consultKind = string(req.Kind)
	c.transferTo = req.Target
	e.chans[chID] = &chanRef{id: chID, role: roleConsult, callID: c.ID, agent: user}
	cid := req.CallerID
	if cid == "" {
		cid = c.Phone
	}
	if req.Kind == TransferAttended && !c.held {
		e.parkCustomerLocked(ctx, c)
		c.held = true
	}
	// The transfer goes on once the PBX placed the leg: the outcome is
	// decided under the lock before any event of the new channel.
	e.pxOriginate(OriginateRequest{
		ChannelID: chID, Endpoint: endpoint, CallerIDNum: cid, Timeout: e.opt.DefaultDialTimeout,
		AppArgs: []string{"transfer", strconv.FormatUint(c.ID, 10)}, OtherChannelID: c.ChannelID,
	}).reported().onFail(func(error) {
		if e.calls[c.ID] != c || c.consultCh != chID {
			return
		}
		delete(e.chans, chID)
		c.consultCh, c.consultKind = "", ""
		if req.Kind == TransferAttended && c.held {
			e.unparkCustomerLocked(ctx, c)
			c.held = false
		}
	}).onOK(func() {
		if e.calls[c.ID] != c || c.consultCh != chID {
			return
		}
		c.ThirdChannelID = chID
		if req.Kind == TransferBlind && !c.agentGone && c.Agent == user {
			// The agent is free at once; the customer hears music until
			// the target answers.
			if !c.held {
				e.parkCustomerLocked(ctx, c)
				c.held = true
			}
			e.releaseAgentLocked(ctx, c, user, QueueLogEntry{Queue: c.Queue, Agent: user, Event: QLTransfer, Data1: req.Target, Data2: "blind"})
		}
		e.persistCall(ctx, &c.Call)
	})
	return nil
}

func (e *Engine) transferEndpointLocked(target, campaign string) string {
	if a, ok := e.agents[target]; ok && a.Extension != "" {
		if s := e.sessions[target]; s != nil && s.Extension != "" {
			return s.Extension
		}
		return a.Extension
	}
	if strings.Contains(target, "/") {
		return target
	}
	return e.dialEndpointLocked(DialRequest{Phone: target}, campaign)
}

// releaseAgentLocked takes the agent off a call that goes on without it.
func (e *Engine) releaseAgentLocked(ctx context.Context, c *liveCall, user string, row QueueLogEntry) {
	if c.AgentChannelID != "" {
		ch := c.AgentChannelID
		delete(e.chans, ch)
		e.pxHangup(ch, CauseNormal)
		c.AgentChannelID = ""
	}
	if s := e.sessions[user]; s != nil && s.ChannelID != "" {
		if c.BridgeID != "" {
			e.pxRemove(c.BridgeID, s.ChannelID)
		}
		if s.BridgeID != "" {
			e.pxAdd(s.BridgeID, s.ChannelID)
		}
	}
	c.agentGone = true
	c.Transferred = row.Data1
	talk := 0
	if c.ConnectedAt != nil {
		talk = int(e.now().Sub(*c.ConnectedAt).Seconds())
	}
	row.Data3 = fmt.Sprint(talk)
	e.persistCall(ctx, &c.Call, row)
	a := e.agents[user]
	e.publish(AgentUnlinked{Call: c.Call, Agent: user, Interface: a.Interface()}, user)
	if s := e.sessions[user]; s != nil && s.CallID == c.ID {
		e.afterCallLocked(ctx, user, e.wrapFor(c))
	}
}

// transferToAgentLocked transfers to a logged-in agent (req.Agent) or, for
// attended and conference kinds, to a free agent of req.Queue. A blind
// transfer offers the call to that agent like the ACD does (ringing, music
// for the caller, abandon); the other kinds bring the agent into the call
// as the consulted party, keeping its session busy.
func (e *Engine) transferToAgentLocked(ctx context.Context, c *liveCall, user string, req TransferRequest) error {
	target := req.Agent
	if target == "" {
		q, ok := e.queues[req.Queue]
		if !ok {
			return fmt.Errorf("%w: %s", ErrUnknownQueue, req.Queue)
		}
		if req.Kind == TransferBlind {
			return fmt.Errorf("%w: a blind transfer to a queue is a queue transfer", ErrInvalid)
		}
		probe := &liveCall{}
		probe.init()
		picks := e.pickAgentsLocked(q, req.Queue, probe)
		for _, p := range picks {
			if p.user != user {
				target = p.user
				break
			}
		}
		if target == "" {
			return fmt.Errorf("%w: no free agent in queue %s", ErrBusy, req.Queue)
		}
	}
	if target == user {
		return fmt.Errorf("%w: an agent cannot transfer to itself", ErrInvalid)
	}
	if _, ok := e.agents[target]; !ok {
		return fmt.Errorf("%w: %s", ErrUnknownAgent, target)
	}
	if req.Kind == TransferBlind {
		// Like VICIdial's AGENTDIRECT in-group: the caller waits for that
		// agent, logged in or not yet, busy or free.
		e.releaseAgentLocked(ctx, c, user, QueueLogEntry{Queue: c.Queue, Agent: user, Event: QLTransfer, Data1: target, Data2: "agent"})
		e.publish(CallTransferred{Call: c.Call, Agent: user, Target: target, Kind: string(req.Kind), OK: true}, user)
		c.Agent, c.AgentID, c.agentGone, c.ConnectedAt = "", 0, false, nil
		c.held, c.parked = false, false
		e.pxStopMOH(c.ChannelID)
		e.enqueueLocked(ctx, c, agentQueueKey(target))
		return nil
	}
	ts := e.sessions[target]
	if ts == nil {
		return e.notLoggedIn(target)
	}
	if ts.State != AgentAvailable || ts.Paused || ts.OnHold || ts.CallID != 0 {
		return fmt.Errorf("%w: %s", ErrBusy, target)
	}
	c.consultKind = string(req.Kind)
	c.transferTo = target
	c.consultAgent = target
	if req.Kind == TransferAttended && !c.held {
		e.parkCustomerLocked(ctx, c)
		c.held = true
	}
	ts.CallID = c.ID
	if ts.ChannelID != "" {
		// A persistent agent's open line joins the call at once.
		line, home, callBr := ts.ChannelID, ts.BridgeID, c.BridgeID
		e.do("join "+line+" to "+callBr, []string{chKey(line), brKey(home), brKey(callBr)}, func(ctx context.Context) error {
			_ = e.tel.RemoveFromBridge(ctx, home, line)
			if err := e.tel.AddToBridge(ctx, callBr, line); err != nil {
				_ = e.tel.AddToBridge(ctx, home, line)
				return err
			}
			return nil
		}).reported().onFail(func(error) {
			if e.calls[c.ID] == c && c.consultCh == line {
				e.abortConsultLocked(context.Background(), c)
			}
		})
		c.consultCh = ts.ChannelID
		e.consultAgentLinkedLocked(ctx, c)
		e.persistCall(ctx, &c.Call)
		return nil
	}
	chID := e.newChanID("xfer")
	c.consultCh = chID
	e.chans[chID] = &chanRef{id: chID, role: roleConsult, callID: c.ID, agent: user}
	e.setState(ctx, ts, AgentRinging)
	cid := req.CallerID
	if cid == "" {
		cid = c.Phone
	}
	e.pxOriginate(OriginateRequest{
		ChannelID: chID, Endpoint: ts.Extension, CallerIDNum: cid, CallerIDName: "Transfer from " + user,
		Timeout: e.opt.DefaultRingTimeout, AppArgs: []string{"transfer", strconv.FormatUint(c.ID, 10)}, OtherChannelID: c.ChannelID,
	}).reported().onFail(func(error) {
		if e.calls[c.ID] != c || c.consultCh != chID {
			return
		}
		delete(e.chans, chID)
		e.abortConsultLocked(context.Background(), c)
	}).onOK(func() {
		if e.calls[c.ID] == c && c.consultCh == chID {
			c.ThirdChannelID = chID
			e.persistCall(context.Background(), &c.Call)
		}
	})
	return nil
}

// agentQueueKey is the one-agent virtual queue a call transferred to an
// agent waits in while that agent is rung.
func agentQueueKey(user string) string { return "agent:" + user }

// abortConsultLocked undoes a consultation that could not start.
func (e *Engine) abortConsultLocked(ctx context.Context, c *liveCall) {
	c.consultCh, c.consultKind = "", ""
	e.dropConsultAgentLocked(ctx, c)
	if c.held {
		e.unparkCustomerLocked(ctx, c)
		c.held = false
	}
}

// consultAgentLinkedLocked: the consulted agent is now in the call.
func (e *Engine) consultAgentLinkedLocked(ctx context.Context, c *liveCall) {
	ts := e.sessions[c.consultAgent]
	if ts == nil {
		return
	}
	ts.LeadID = c.LeadID
	e.setState(ctx, ts, AgentOnCall)
	e.publish(AgentLinked{Call: c.Call, Agent: c.consultAgent, Interface: e.interfaceLocked(c.consultAgent)}, c.consultAgent)
}

// dropConsultAgentLocked frees the consulted agent: its persistent line
// goes back to its own bridge, its session becomes free again.
func (e *Engine) dropConsultAgentLocked(ctx context.Context, c *liveCall) {
	user := c.consultAgent
	if user == "" {
		return
	}
	c.consultAgent = ""
	ts := e.sessions[user]
	if ts == nil {
		return
	}
	if ts.ChannelID != "" && ts.ChannelID == c.consultCh {
		e.pxRemove(c.BridgeID, ts.ChannelID)
		e.pxAdd(ts.BridgeID, ts.ChannelID)
		c.consultCh = ""
	}
	if ts.CallID != c.ID {
		return
	}
	if ts.State == AgentOnCall {
		e.publish(AgentUnlinked{Call: c.Call, Agent: user, Interface: e.interfaceLocked(user)}, user)
	}
	e.afterCallLocked(ctx, user, 0)
}

// consultAnsweredLocked: the transfer target answered.
func (e *Engine) consultAnsweredLocked(ctx context.Context, c *liveCall, r *chanRef) {
	if c.consultAgent != "" {
		defer e.consultAgentLinkedLocked(ctx, c)
	}
	switch TransferKind(c.consultKind) {
	case TransferBlind:
		e.unparkCustomerLocked(ctx, c)
		c.held = false
		e.pxAdd(c.BridgeID, r.id)
		c.State = CallConnected
		e.publish(CallTransferred{Call: c.Call, Agent: r.agent, Target: c.transferTo, Kind: c.consultKind, OK: true}, r.agent)
	case TransferAttended, TransferConference:
		e.pxAdd(c.BridgeID, r.id)
	}
	e.persistCall(ctx, &c.Call)
}

// consultGoneLocked: the transfer leg hung up (or never answered).
func (e *Engine) consultGoneLocked(ctx context.Context, c *liveCall, r *chanRef, cause HangupCause) {
	kind := TransferKind(c.consultKind)
	e.dropConsultAgentLocked(ctx, c) // before consultCh is cleared: a persistent line goes home
	c.consultCh, c.consultKind = "", ""
	c.ThirdChannelID = ""
	if c.agentGone {
		if kind == TransferBlind && c.held {
			// Blind transfer failed: nobody left for the customer.
			e.publish(CallTransferred{Call: c.Call, Agent: r.agent, Target: c.transferTo, Kind: string(kind), OK: false}, r.agent)
		}
		e.endCallLocked(ctx, c, "transfer", cause)
		return
	}
	if kind == TransferAttended && c.held {
		e.unparkCustomerLocked(ctx, c)
		c.held = false
		c.State = CallConnected
	}
	e.persistCall(ctx, &c.Call)
}

// CompleteTransfer joins the customer with the consulted party and releases
// the agent (attended transfer complete).
func (e *Engine) CompleteTransfer(ctx context.Context, user string) (err error) {
	e.lock()
	defer e.settle(ctx, &err)
	c, err := e.connectedCallLocked(user)
	if err != nil {
		return err
	}
	if c.consultCh == "" {
		return fmt.Errorf("%w: %s", ErrNoTransfer, user)
	}
	if c.held {
		e.unparkCustomerLocked(ctx, c)
		c.held = false
	}
	c.State = CallConnected
	target := c.transferTo
	if c.consultAgent == user {
		return fmt.Errorf("%w: the consulted agent cannot complete the transfer", ErrInvalid)
	}
	next, nextCh := c.consultAgent, c.consultCh
	if next != "" {
		// The consulted agent takes the call over: detach it from the
		// consultation before the first agent leaves.
		c.consultAgent, c.consultCh, c.consultKind, c.ThirdChannelID = "", "", "", ""
	}
	e.releaseAgentLocked(ctx, c, user, QueueLogEntry{Queue: c.Queue, Agent: user, Event: QLTransfer, Data1: target, Data2: "attended"})
	e.publish(CallTransferred{Call: c.Call, Agent: user, Target: target, Kind: string(TransferAttended), OK: true}, user)
	if next != "" {
		ts := e.sessions[next]
		now := e.now()
		c.agentGone = false
		c.Agent, c.AgentID = next, e.agents[next].ID
		c.ConnectedAt = &now
		c.AgentChannelID = ""
		if ts == nil || ts.ChannelID != nextCh {
			c.AgentChannelID = nextCh
			if r := e.chans[nextCh]; r != nil {
				r.role, r.agent = roleAgentLeg, next
			}
		}
		e.persistCall(ctx, &c.Call, QueueLogEntry{Queue: c.Queue, Agent: next, Event: QLConnect, Data1: "0", Data2: c.UniqueID, Data3: "transfer"})
	}
	return nil
}

// LeaveThreeWay: the agent leaves a conference, customer and third party
// stay connected.
func (e *Engine) LeaveThreeWay(ctx context.Context, user string) error {
	return e.CompleteTransfer(ctx, user)
}

// CancelTransfer hangs up the consulted party and returns to the customer.
func (e *Engine) CancelTransfer(ctx context.Context, user string) (err error) {
	e.lock()
	defer e.settle(ctx, &err)
	c, err := e.connectedCallLocked(user)
	if err != nil {
		return err
	}
	if c.consultCh == "" {
		return fmt.Errorf("%w: %s", ErrNoTransfer, user)
	}
	ch := c.consultCh
	if ts := e.sessions[c.consultAgent]; ts != nil && ts.ChannelID == ch {
		// A persistent agent's line is not hung up: it goes home.
		e.consultGoneLocked(ctx, c, &chanRef{id: ch, role: roleConsult, callID: c.ID, agent: user}, CauseNormal)
		return nil
	}
	r := e.chans[ch]
	delete(e.chans, ch)
	e.pxHangup(ch, CauseNormal)
	if r != nil {
		e.consultGoneLocked(ctx, c, r, CauseNormal)
	}
	return nil
}

// TransferState reports the agent's pending transfer ("" when none).
func (e *Engine) TransferState(user string) (kind, target string) {
	e.lock()
	defer e.unlock()
	if c := e.agentCallLocked(user); c != nil && c.consultCh != "" {
		return c.consultKind, c.transferTo
	}
	return "", ""
}

// StartRecording records the agent's call bridge.
func (e *Engine) StartRecording(ctx context.Context, user string) (Recording, error) {
	e.lock()
	c, err := e.connectedCallLocked(user)
	if err != nil {
		e.unlock()
		if noCallFallback(err) {
			return e.recordAgentLeg(ctx, user)
		}
		return Recording{}, err
	}
	if c.recording != nil {
		r := *c.recording
		e.unlock()
		return r, nil
	}
	e.startRecordingLocked(ctx, c, user).reported()
	if err := e.unlockWait(ctx); err != nil {
		return Recording{}, fmt.Errorf("record: %w", err)
	}
	e.lock()
	defer e.unlock()
	if c.recording == nil {
		return Recording{}, fmt.Errorf("%w: %s", ErrNoCall, user)
	}
	return *c.recording, nil
}

// startRecordingLocked asks the PBX to record the call; the recording
// exists (row, event) once the PBX started it.
func (e *Engine) startRecordingLocked(ctx context.Context, c *liveCall, user string) *effect {
	now := e.now()
	// The name becomes a file on Asterisk (<spool>/recording/<name>.<fmt>)
	// and in the day folder: only the date, a sanitized user and the call
	// id go into it, so no user name can climb out of the folder.
	name := fmt.Sprintf("%s_%s_%d", now.Format("20060102-150405"), fileNamePart(user), c.ID)
	target := MediaTarget{Kind: TargetBridge, ID: c.BridgeID}
	if c.BridgeID == "" {
		target = MediaTarget{Kind: TargetChannel, ID: c.ChannelID}
	}
	return e.pxRecord(target, name, e.opt.RecordingFormat).onOK(func() {
		e.recordingStartedLocked(c, user, name, now)
	})
}

func (e *Engine) recordingStartedLocked(c *liveCall, user, name string, now time.Time) {
	ctx := context.Background()
	if e.calls[c.ID] != c || c.recording != nil {
		// The call ended (or got another recording) meanwhile.
		e.pxStopRecording(name)
		return
	}
	day := now.Format("2006-01-02")
	e.lastRecID++
	rec := &Recording{
		ID: e.lastRecID, GUID: newGUID(), CallID: c.ID, LeadID: c.LeadID, Agent: user, Name: name, Format: e.opt.RecordingFormat,
		File: day + "/" + name + "." + e.opt.RecordingFormat, DayFolder: day, Start: now, Status: "recording",
	}
	cp := *rec
	e.write("recording "+name, func(ctx context.Context, st Store) error { return st.Create(ctx, &cp) })
	c.recording = rec
	c.Recording = rec.File
	e.persistCall(ctx, &c.Call)
	e.publish(RecordingChanged{Recording: *rec, Call: c.Call, Agent: user, Interface: e.interfaceLocked(user), Action: "started"}, user)
}

// StopRecording stops the agent's call recording.
func (e *Engine) StopRecording(ctx context.Context, user string) (Recording, error) {
	e.lock()
	c, err := e.connectedCallLocked(user)
	if _, leg := e.agentLegRecordingLocked(user); leg && (noCallFallback(err) || (err == nil && c.recording == nil)) {
		e.unlock()
		return e.stopAgentLegRecording(ctx, user)
	}
	if err != nil {
		e.unlock()
		return Recording{}, err
	}
	if c.recording == nil {
		e.unlock()
		return Recording{}, fmt.Errorf("%w: %s", ErrNotRecording, user)
	}
	rec := c.recording
	e.pxStopRecording(rec.Name).reported().onOK(func() {
		if c.recording == rec {
			e.closeRecordingLocked(ctx, c, rec, "done")
		}
	})
	if err := e.unlockWait(ctx); err != nil {
		return Recording{}, fmt.Errorf("stop recording: %w", err)
	}
	e.lock()
	defer e.unlock()
	return *rec, nil
}

func (e *Engine) closeRecordingLocked(ctx context.Context, c *liveCall, rec *Recording, status string) {
	e.closeRecordingAtLocked(ctx, c, rec, status, e.now())
}

// closeRecordingAtLocked closes a recording that ended at now.
func (e *Engine) closeRecordingAtLocked(ctx context.Context, c *liveCall, rec *Recording, status string, now time.Time) {
	rec.End = &now
	rec.Length = int(now.Sub(rec.Start).Seconds())
	rec.Status = status
	e.saveRecording(rec)
	if c != nil && c.recording == rec {
		c.recording = nil
	}
	name := rec.Agent
	if a := e.agents[rec.Agent]; a != nil {
		name = a.Interface()
	}
	var call Call
	if c != nil {
		call = c.Call
	}
	e.publish(RecordingChanged{Recording: *rec, Call: call, Agent: rec.Agent, Interface: name, Action: "stopped"}, rec.Agent)
}

func (e *Engine) saveRecording(rec *Recording) {
	cp := *rec
	e.write("recording "+rec.Name, func(ctx context.Context, st Store) error { return st.Save(ctx, &cp) })
}

func (e *Engine) recordingDoneLocked(ctx context.Context, ev TelEvent) {
	for _, c := range e.calls {
		if c.recording != nil && c.recording.Name == ev.RecordingName {
			status := "done"
			if ev.Type == TelRecordingFailed {
				status = "failed"
			}
			e.closeRecordingLocked(ctx, c, c.recording, status)
			return
		}
	}
	e.agentLegRecordingDoneLocked(ctx, ev)
}

// MuteRecording mutes or unmutes the agent's call recording.
func (e *Engine) MuteRecording(ctx context.Context, user string, mute bool) error {
	e.lock()
	c, err := e.connectedCallLocked(user)
	if err != nil {
		e.unlock()
		return err
	}
	if c.recording == nil {
		e.unlock()
		return fmt.Errorf("%w: %s", ErrNotRecording, user)
	}
	rec := c.recording
	e.pxMuteRecording(rec.Name, mute).reported().onOK(func() {
		if c.recording != rec {
			return
		}
		rec.Muted = mute
		e.saveRecording(rec)
		action := "unmuted"
		if mute {
			action = "muted"
		}
		e.publish(RecordingChanged{Recording: *rec, Call: c.Call, Agent: user, Interface: e.interfaceLocked(user), Action: action}, user)
	})
	if err := e.unlockWait(ctx); err != nil {
		return fmt.Errorf("mute recording: %w", err)
	}
	return nil
}

// CurrentRecording returns the agent's live recording, if any.
func (e *Engine) CurrentRecording(user string) (Recording, bool) {
	e.lock()
	defer e.unlock()
	if c := e.agentCallLocked(user); c != nil && c.recording != nil {
		return *c.recording, true
	}
	return e.agentLegRecordingLocked(user)
}

// Play plays media (sound:, tone:, recording:) into the agent's call.
func (e *Engine) Play(ctx context.Context, user, media string) (string, error) {
	if media == "" {
		return "", fmt.Errorf("%w: no media", ErrInvalid)
	}
	if !strings.Contains(media, ":") {
		media = "sound:" + media
	}
	e.lock()
	c, err := e.connectedCallLocked(user)
	if err != nil {
		e.unlock()
		if noCallFallback(err) {
			return e.playAgentLeg(ctx, user, media)
		}
		return "", err
	}
	if c.playback != "" {
		e.pxControlPlayback(c.playback, PlaybackStop)
	}
	id := e.newChanID("play")
	target := MediaTarget{Kind: TargetBridge, ID: c.BridgeID}
	if c.BridgeID == "" {
		target = MediaTarget{Kind: TargetChannel, ID: c.ChannelID}
	}
	e.pxPlay(id, target, media).reported().onOK(func() {
		if e.calls[c.ID] == c {
			c.playback = id
		}
	})
	if err := e.unlockWait(ctx); err != nil {
		return "", fmt.Errorf("play: %w", err)
	}
	return id, nil
}

// ControlPlayback stops, pauses, resumes or restarts the agent's playback.
func (e *Engine) ControlPlayback(ctx context.Context, user string, op PlaybackOp) error {
	e.lock()
	c, err := e.connectedCallLocked(user)
	if m := e.currentLegMediaLocked(user); m != nil && m.playback != "" && (noCallFallback(err) || (err == nil && c.playback == "")) {
		e.unlock()
		return e.controlAgentLegPlayback(ctx, user, op)
	}
	if err != nil {
		e.unlock()
		return err
	}
	if c.playback == "" {
		e.unlock()
		return fmt.Errorf("%w: %s", ErrNoPlayback, user)
	}
	id := c.playback
	e.pxControlPlayback(id, op).reported().onOK(func() {
		if op == PlaybackStop && c.playback == id {
			c.playback = ""
		}
	})
	if err := e.unlockWait(ctx); err != nil {
		return fmt.Errorf("playback %s: %w", op, err)
	}
	return nil
}

// Snoop lets a supervisor's endpoint listen to (mode "listen"), whisper to
// ("whisper") or barge into ("barge") an agent's call.
func (e *Engine) Snoop(ctx context.Context, supervisorEndpoint, user, mode string) error {
	e.lock()
	if err := e.snoopLocked(ctx, supervisorEndpoint, user, mode); err != nil {
		e.unlock()
		return err
	}
	if err := e.unlockWait(ctx); err != nil {
		return fmt.Errorf("snoop: %w", err)
	}
	return nil
}

func (e *Engine) snoopLocked(ctx context.Context, supervisorEndpoint, user, mode string) error {
	c, err := e.connectedCallLocked(user)
	if err != nil {
		return err
	}
	spy, whisper := SnoopBoth, SnoopNone
	switch mode {
	case "listen", "":
	case "whisper":
		whisper = SnoopOut
	case "barge":
		whisper = SnoopBoth
	default:
		return fmt.Errorf("%w: snoop mode %q", ErrInvalid, mode)
	}
	target := c.AgentChannelID
	if target == "" {
		if s := e.sessions[user]; s != nil {
			target = s.ChannelID
		}
	}
	if target == "" {
		target = c.ChannelID
	}
	snoopID := e.newChanID("snoop")
	supID := e.newChanID("sup")
	e.chans[snoopID] = &chanRef{id: snoopID, role: roleSnoop, callID: c.ID, agent: user, answered: true, peer: supID}
	e.chans[supID] = &chanRef{id: supID, role: roleSupervisor, callID: c.ID, agent: user, peer: snoopID}
	// The supervisor is called once the snoop exists: both effects share
	// the snoop channel's lane, and the call is skipped if the snoop failed.
	var snoopErr error
	sn := e.do("snoop "+target, []string{chKey(target), chKey(snoopID)}, func(ctx context.Context) error {
		snoopErr = e.tel.Snoop(ctx, target, snoopID, spy, whisper)
		return snoopErr
	})
	sn.hold = e.chans[snoopID]
	sn.hold.pending = true
	sn.reported().onFail(func(error) {
		delete(e.chans, supID)
		delete(e.chans, snoopID)
	})
	req := OriginateRequest{
		ChannelID: supID, Endpoint: supervisorEndpoint, CallerIDName: "Monitor " + user, Timeout: e.opt.DefaultDialTimeout,
		AppArgs: []string{"supervisor", user},
	}
	orig := e.pxOriginate(req)
	orig.keys = append(orig.keys, chKey(snoopID))
	run := orig.run
	orig.run = func(ctx context.Context) error {
		if snoopErr != nil {
			return nil
		}
		return run(ctx)
	}
	orig.reported().onFail(func(error) {
		if e.chans[supID] == nil {
			return
		}
		delete(e.chans, supID)
		delete(e.chans, snoopID)
		e.pxHangup(snoopID, CauseNormal)
	})
	return nil
}

// ChannelVars lists the variables of the customer channel of the agent's
// connected call, with that channel's PBX name. ErrNoCall when the agent
// has none; the PBX's error (ErrNotFound, ErrNotConnected) when it cannot
// list them.
func (e *Engine) ChannelVars(ctx context.Context, user string) (channelName string, vars []ChannelVar, err error) {
	e.lock()
	c, err := e.connectedCallLocked(user)
	ch := ""
	if c != nil {
		ch, channelName = c.ChannelID, c.ChannelName
	}
	e.unlock()
	if err != nil {
		return "", nil, err
	}
	vars, err = e.tel.ChannelVars(ctx, ch)
	if err != nil {
		return "", nil, err
	}
	return channelName, vars, nil
}

// SetChannelVar sets a variable on the agent's customer channel.
func (e *Engine) SetChannelVar(ctx context.Context, user, name, value string) error {
	e.lock()
	c, err := e.connectedCallLocked(user)
	if err != nil {
		e.unlock()
		return err
	}
	e.pxSetVar(c.ChannelID, name, value).reported()
	return e.unlockWait(ctx)
}

// SendText sends a text message through the PBX (SMS).
func (e *Engine) SendText(ctx context.Context, from, to, body string) error {
	if to == "" || body == "" {
		return fmt.Errorf("%w: text needs a destination and a body", ErrInvalid)
	}
	return e.tel.SendText(ctx, from, to, body, nil)
}
