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

// Restart safety. Every change of a call is written with the call's live
// state (hold, park, queue position, consult leg, offers, last seen: the
// Call columns below UpdatedAt, filled by syncLive), recordings in progress
// are Recording rows without an end, agents' states are AgentSession rows,
// and a running engine writes a heartbeat. On Start the engine reads all of
// it, compares it with what the PBX still has, and resumes: waiting callers
// go back to their queues in order, held and parked customers can be taken
// back, consult legs and recordings still up go on, offers in flight are
// withdrawn and offered again. Calls that ended while the gateway was down
// are closed as of the last time the engine saw them, never counting the
// downtime.

// heartbeatName keys the engine's heartbeat row: one active engine per store.
const heartbeatName = "engine"

// defaultHeartbeat is how often a running engine records that it is alive.
const defaultHeartbeat = 10 * time.Second

// endedWhileDown is the Failure text of calls closed by a restart.
const endedWhileDown = "ended while the gateway was down"

// syncLive copies the live state kept in the call's private fields into its
// persisted columns; persistCall calls it so the state is written with the
// change that made it.
func (c *liveCall) syncLive(now time.Time) {
	c.Held, c.Parked, c.QueuePosition = c.held, c.parked, c.position
	c.ConsultChannel, c.ConsultKind, c.ConsultTarget, c.ConsultAgent = c.consultCh, c.consultKind, c.transferTo, c.consultAgent
	c.AgentGone, c.ConnectAgent = c.agentGone, c.connectAgent
	c.Offers = encodeOffers(c.offers)
	c.LastSeenAt = &now
}

// syncLiveLocked fills c's live-state columns if c is a live call's record.
func (e *Engine) syncLiveLocked(c *Call, now time.Time) {
	if lc := e.calls[c.ID]; lc != nil && &lc.Call == c {
		lc.syncLive(now)
		return
	}
	c.LastSeenAt = &now
}

// loadLive is the inverse of syncLive, for a call read back from the store.
func (c *liveCall) loadLive() {
	c.init()
	c.held, c.parked, c.position = c.Held, c.Parked, c.QueuePosition
	c.consultCh, c.consultKind, c.transferTo, c.consultAgent = c.ConsultChannel, c.ConsultKind, c.ConsultTarget, c.ConsultAgent
	c.agentGone, c.connectAgent = c.AgentGone, c.ConnectAgent
	c.offers = decodeOffers(c.Offers)
}

func encodeOffers(m map[string]string) string {
	parts := make([]string, 0, len(m))
	for _, user := range sortedKeys(m) {
		parts = append(parts, user+"="+m[user])
	}
	return strings.Join(parts, " ")
}

func decodeOffers(s string) map[string]string {
	m := map[string]string{}
	for _, f := range strings.Fields(s) {
		if user, ch, ok := strings.Cut(f, "="); ok {
			m[user] = ch
		}
	}
	return m
}

// restoreData is what a start reads from the store and the PBX before it
// takes the lock to rebuild live state.
type restoreData struct {
	sessions []AgentSession
	open     []Call
	recs     []Recording
	// pbxKnown: the PBX answered; otherwise nothing is judged gone.
	pbxKnown bool
	chans    map[string]ChannelInfo
	bridges  map[string]bool
	// bridgesKnown: the PBX listed its bridges.
	bridgesKnown bool
	// recording names the PBX still records.
	recording map[string]bool
	heartbeat EngineHeartbeat
}

func (rs *restoreData) live(ch string) bool {
	if ch == "" {
		return false
	}
	if !rs.pbxKnown {
		return true
	}
	_, ok := rs.chans[ch]
	return ok
}

// up: the PBX reports ch answered (false when the PBX could not tell).
func (rs *restoreData) up(ch string) bool {
	return rs.pbxKnown && rs.chans[ch].State == "Up"
}

func (rs *restoreData) inBridge(ch, bridge string) bool {
	if !rs.pbxKnown {
		return true
	}
	return slices.Contains(rs.chans[ch].Bridges, bridge)
}

// loadRestore reads the persisted live state and asks the PBX what it has.
func (e *Engine) loadRestore(ctx context.Context) (restoreData, error) {
	rs := restoreData{chans: map[string]ChannelInfo{}, bridges: map[string]bool{}, recording: map[string]bool{}}
	if err := e.store.Find(ctx, &rs.sessions, All.Asc("id")); err != nil {
		return rs, fmt.Errorf("restore sessions: %w", err)
	}
	if err := e.store.Find(ctx, &rs.open, All.Ne("state", CallDone).Asc("id")); err != nil {
		return rs, fmt.Errorf("restore calls: %w", err)
	}
	if err := e.store.Find(ctx, &rs.recs, Eq("status", "recording").Asc("id")); err != nil {
		return rs, fmt.Errorf("restore recordings: %w", err)
	}
	if err := e.store.First(ctx, &rs.heartbeat, Eq("name", heartbeatName)); err != nil && !errors.Is(err, ErrNoRecord) {
		return rs, fmt.Errorf("restore heartbeat: %w", err)
	}
	e.hbMu.Lock()
	e.hb = rs.heartbeat
	e.hbMu.Unlock()
	chans, err := e.tel.Channels(ctx)
	if err != nil {
		// Without the PBX's view every call is kept as it was; the
		// reconciliation on TelConnected ends what is gone.
		e.log.Warn("engine: restore: the pbx does not list its channels; live state kept as stored", "err", err)
		return rs, nil
	}
	rs.pbxKnown = true
	for _, c := range chans {
		rs.chans[c.ID] = c
	}
	if bridges, err := e.tel.Bridges(ctx); err == nil {
		rs.bridgesKnown = true
		for _, b := range bridges {
			rs.bridges[b.ID] = true
		}
	}
	calls := map[uint64]*Call{}
	for i := range rs.open {
		calls[rs.open[i].ID] = &rs.open[i]
	}
	for _, r := range rs.recs {
		c := calls[r.CallID]
		if c == nil || !rs.live(c.ChannelID) {
			continue
		}
		// The port has no list of live recordings: setting the mute flag
		// to what it is answers ErrNotFound once the PBX stopped recording.
		if err := e.tel.MuteRecording(ctx, r.Name, r.Muted); err == nil {
			rs.recording[r.Name] = true
		}
	}
	return rs, nil
}

// restoreLocked rebuilds sessions and unfinished calls after a restart,
// reconciles them with the PBX and offers the waiting callers again.
func (e *Engine) restoreLocked(ctx context.Context, rs restoreData) {
	now := e.now()
	var gone []string // agents whose own line vanished
	for i := range rs.sessions {
		s := rs.sessions[i]
		if e.agents[s.Username] == nil {
			e.deleteSession(ctx, s)
			continue
		}
		e.sessions[s.Username] = &s
		if s.ChannelID != "" {
			if !rs.live(s.ChannelID) {
				// Nothing left to hang up, and no call may be offered to
				// it before it is logged out below.
				s.ChannelID, s.ChannelName, s.PendingLogout = "", "", true
				gone = append(gone, s.Username)
				continue
			}
			// A line still ringing logs the agent in when it answers.
			e.chans[s.ChannelID] = &chanRef{id: s.ChannelID, role: rolePersistent, agent: s.Username, answered: !rs.pbxKnown || rs.up(s.ChannelID), name: s.ChannelName}
		}
	}

	var lost, resumed []*liveCall
	for i := range rs.open {
		c := &liveCall{Call: rs.open[i]}
		c.loadLive()
		if !rs.live(c.ChannelID) {
			lost = append(lost, c)
			continue
		}
		e.calls[c.ID] = c
		e.callWrites.restored(&c.Call)
		resumed = append(resumed, c)
		if c.LeadID != 0 {
			e.leadsBusy[c.LeadID] = true
		}
		e.chans[c.ChannelID] = &chanRef{id: c.ChannelID, role: roleCustomer, callID: c.ID, answered: c.AnsweredAt != nil || rs.up(c.ChannelID), name: c.ChannelName}
		if ch := c.AgentChannelID; ch != "" && rs.live(ch) {
			agent := c.Agent
			if agent == "" {
				agent = c.connectAgent
			}
			e.chans[ch] = &chanRef{id: ch, role: roleAgentLeg, callID: c.ID, agent: agent, answered: c.ConnectedAt != nil || rs.up(ch), name: c.AgentChannelName}
		}
		if ch := c.consultCh; ch != "" && rs.live(ch) && e.chans[ch] == nil {
			e.chans[ch] = &chanRef{id: ch, role: roleConsult, callID: c.ID, agent: c.Agent, answered: rs.up(ch)}
		}
	}

	// Offers in flight were never answered as far as we know: withdrawn,
	// and the caller waits again in its place.
	byQueue := map[string][]*liveCall{}
	for _, c := range resumed {
		for _, ch := range c.offers {
			if rs.live(ch) {
				e.pxHangup(ch, CauseNormal)
			}
		}
		clear(c.offers)
		if c.State == CallQueued || c.State == CallOffering {
			c.State = CallQueued
			byQueue[c.Queue] = append(byQueue[c.Queue], c)
		}
	}
	for _, key := range sortedKeys(byQueue) {
		cs := byQueue[key]
		sort.SliceStable(cs, func(i, j int) bool {
			a, b := cs[i], cs[j]
			if a.QueuedAt != nil && b.QueuedAt != nil && !a.QueuedAt.Equal(*b.QueuedAt) {
				return a.QueuedAt.Before(*b.QueuedAt)
			}
			if a.position != b.position {
				return a.position < b.position
			}
			return a.ID < b.ID
		})
		for _, c := range cs {
			e.requeueLocked(ctx, c, key, rs)
		}
	}

	// Sessions agree with the calls: the ringing ones lost their offer, a
	// wrap-up that outlived the downtime is over.
	for _, user := range sortedKeys(e.sessions) {
		s := e.sessions[user]
		changed := false
		if s.CallID != 0 && e.calls[s.CallID] == nil && !slices.ContainsFunc(lost, func(c *liveCall) bool { return c.ID == s.CallID }) {
			s.CallID = 0
			changed = true
			if s.State == AgentOnCall || s.State == AgentRinging {
				s.State, s.StateSince = AgentAvailable, now
			}
		}
		switch s.State {
		case AgentRinging:
			if c := e.calls[s.CallID]; c != nil && c.consultAgent == user {
				break // rung as a consulted agent: the consult leg decides
			}
			s.CallID = 0
			s.State, s.StateSince, changed = AgentAvailable, now, true
		case AgentWrapUp:
			e.queueLog(ctx, QueueLogEntry{Agent: user, Event: QLWrapUpEnd, Data1: "restart"})
			s.WrapUntil = nil
			s.State, s.StateSince, changed = AgentAvailable, now, true
		case AgentLoggingIn:
			if r := e.chans[s.ChannelID]; r != nil && !r.answered {
				break // its line rings: answered, it logs in
			}
			s.State, s.StateSince, changed = AgentAvailable, now, true
		}
		if changed {
			e.saveSession(ctx, s)
		}
	}

	// Recordings: those the PBX still makes go on, the others are closed
	// (with their call, for the calls that ended).
	for i := range rs.recs {
		rec := &rs.recs[i]
		if c := findCall(lost, rec.CallID); c != nil {
			c.recording = rec
			continue
		}
		c := e.calls[rec.CallID]
		if c != nil && c.recording == nil && (rs.recording[rec.Name] || !rs.pbxKnown) {
			c.recording = rec
			continue
		}
		if c != nil {
			// The call goes on, its recording does not.
			e.closeRecordingAtLocked(ctx, c, rec, "failed", rs.lastSeen(&c.Call, now))
			continue
		}
		end := rs.heartbeat.AliveAt
		if end.Before(rec.Start) || end.After(now) {
			end = rec.Start
		}
		e.closeRecordingAtLocked(ctx, nil, rec, "done", end)
	}

	// Calls the PBX no longer has ended while we were away.
	for _, c := range lost {
		e.finishLostCallLocked(ctx, c, rs)
	}
	for _, user := range gone {
		s := e.sessions[user]
		if s == nil {
			continue
		}
		if c := e.calls[s.CallID]; c != nil && c.Agent == user && !c.agentGone {
			// Its line was the agent's side of the call: the agent left
			// (the logout follows, deferred to the call's end).
			e.endCallLocked(ctx, c, "agent", CauseFailure)
			continue
		}
		e.logoutLocked(ctx, user, "restart: agent line gone")
	}

	// What happened to the surviving calls' other legs while we were away.
	for _, c := range resumed {
		if e.calls[c.ID] != c {
			continue
		}
		e.resumeCallLocked(ctx, c, rs)
	}
	if !rs.pbxKnown {
		// Judged on the first connection instead (reconcileRestoredLocked).
		e.unverified = &rs
	}
	e.ready = true
	e.dispatchAllLocked(ctx)
}

// reconcileRestoredLocked finishes a restore made while the PBX could not
// list its channels, on its first connection: the calls it no longer has
// ended while the gateway was down, not now.
func (e *Engine) reconcileRestoredLocked(ctx context.Context, chans []ChannelInfo) {
	rs := e.unverified
	e.unverified = nil
	if rs == nil {
		return
	}
	rs.pbxKnown = true
	rs.chans = map[string]ChannelInfo{}
	for _, c := range chans {
		rs.chans[c.ID] = c
	}
	ids := make([]uint64, 0, len(e.calls))
	for id := range e.calls {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		c := e.calls[id]
		if rs.live(c.ChannelID) || !slices.ContainsFunc(rs.open, func(o Call) bool { return o.ID == id }) {
			continue
		}
		e.leaveQueueLocked(c)
		for _, ch := range []string{c.ChannelID, c.AgentChannelID, c.consultCh} {
			if r := e.chans[ch]; r != nil && r.role != rolePersistent {
				delete(e.chans, ch)
			}
		}
		e.finishLostCallLocked(ctx, c, *rs)
	}
}

// requeueLocked puts a caller that was waiting back at the end of its
// queue's list (callers are requeued oldest first), in the queue's holding
// bridge, with what is left of its maximum wait.
func (e *Engine) requeueLocked(ctx context.Context, c *liveCall, key string, rs restoreData) {
	bridge := "queue-" + key
	if !e.qbridges[bridge] {
		if !rs.bridgesKnown || !rs.bridges[bridge] {
			e.pxCreateBridge(bridge, BridgeHolding).warned()
			moh := e.opt.MOHClass
			if q := e.queues[key]; q != nil && q.MOHClass != "" {
				moh = q.MOHClass
			}
			e.pxBridgeMOH(bridge, moh)
		}
		e.qbridges[bridge] = true
	}
	if !rs.inBridge(c.ChannelID, bridge) {
		e.pxAdd(bridge, c.ChannelID).warned()
	}
	c.BridgeID = bridge
	e.waiting[key] = append(e.waiting[key], c.ID)
	if q := e.queues[key]; q != nil && q.MaxWait > 0 && c.QueuedAt != nil {
		left := time.Duration(q.MaxWait)*time.Second - e.now().Sub(*c.QueuedAt)
		e.armWaitTimerLocked(c, key, max(left, 0))
	}
	e.persistCall(ctx, &c.Call)
}

// resumeCallLocked applies to a surviving call what happened to its agent
// and consult legs while the gateway was down.
func (e *Engine) resumeCallLocked(ctx context.Context, c *liveCall, rs restoreData) {
	// The agent's own leg hung up: the agent ended the call.
	if ch := c.AgentChannelID; ch != "" && !rs.live(ch) && c.ConnectedAt != nil && !c.agentGone {
		c.AgentChannelID = ""
		e.endCallLocked(ctx, c, "agent", CauseNormal)
		return
	}
	// The call bridge must hold the agent: without it an unhold or a
	// grab would bring the customer back to nobody.
	if c.ConnectedAt != nil && strings.HasPrefix(c.BridgeID, "call-") && rs.bridgesKnown && !rs.bridges[c.BridgeID] {
		e.pxCreateBridge(c.BridgeID, BridgeMixing)
		agentCh := c.AgentChannelID
		if s := e.sessions[c.Agent]; agentCh == "" && s != nil {
			agentCh = s.ChannelID
		}
		for _, ch := range []string{agentCh, c.consultCh} {
			if ch != "" && rs.live(ch) {
				e.pxAdd(c.BridgeID, ch)
			}
		}
		if !c.held && !c.parked {
			e.pxAdd(c.BridgeID, c.ChannelID)
		}
	}
	if ch := c.consultCh; ch != "" {
		ts := e.sessions[c.consultAgent]
		persistentLine := ts != nil && ts.ChannelID == ch
		switch {
		case !rs.live(ch):
			e.consultGoneLocked(ctx, c, &chanRef{id: ch, role: roleConsult, callID: c.ID, agent: c.Agent}, CauseNormal)
			if e.calls[c.ID] != c {
				return
			}
		case !persistentLine && rs.up(ch) && !rs.inBridge(ch, c.BridgeID):
			// Answered while we were away: join it now.
			e.consultAnsweredLocked(ctx, c, e.chans[ch])
		}
	}
	if (c.State == CallDialing || c.State == CallRingingOut) && c.AnsweredAt == nil && rs.up(c.ChannelID) {
		// The customer answered while we were away.
		e.customerAnsweredLocked(ctx, c, TelEvent{})
	}
}

// finishLostCallLocked closes a call the PBX no longer has: its remaining
// legs are hung up, its queue-log rows closed, its CDR ends when the engine
// last saw it alive.
func (e *Engine) finishLostCallLocked(ctx context.Context, c *liveCall, rs restoreData) {
	end := rs.lastSeen(&c.Call, e.now())
	waiting := c.State == CallQueued || c.State == CallOffering
	agentLeg := c.AgentChannelID
	if s := e.sessions[c.Agent]; agentLeg == "" && s != nil && s.CallID == c.ID {
		agentLeg = s.ChannelID
	}
	var rows []QueueLogEntry
	status := c.Status
	switch {
	case waiting:
		wait := 0
		if c.QueuedAt != nil {
			wait = max(int(end.Sub(*c.QueuedAt).Seconds()), 0)
		}
		c.Abandoned = true
		rows = append(rows, QueueLogEntry{Queue: c.Queue, Event: QLAbandon, Data1: fmt.Sprint(c.position),
			Data2: fmt.Sprint(c.position), Data3: fmt.Sprint(wait), Data4: endedWhileDown})
		if status == "" {
			status = "DROP"
		}
	case c.ConnectedAt != nil && !c.agentGone:
		hold := 0
		if c.QueuedAt != nil {
			hold = int(c.ConnectedAt.Sub(*c.QueuedAt).Seconds())
		}
		talk := max(int(end.Sub(*c.ConnectedAt).Seconds()), 0)
		// The agent's leg outlived the customer's: the caller hung up.
		// With both gone nobody knows who left first: the neutral
		// system row, which reports count as a completed call.
		row := QueueLogEntry{Queue: c.Queue, Agent: c.Agent, Event: QLSystemHangup, Data1: fmt.Sprint(hold),
			Data2: fmt.Sprint(talk), Data3: fmt.Sprint(c.position), Data4: systemCutConnected, Data5: endedWhileDown}
		if rs.pbxKnown && rs.live(agentLeg) {
			row.Event, row.Data4, row.Data5 = QLCompleteCaller, "", ""
		}
		if c.Queue != "" {
			rows = append(rows, row)
		}
		if status == "" {
			status = StatusLost
		}
	default:
		if status == "" {
			status = StatusLost
		}
	}
	// What is left of the call on the PBX would otherwise stay up for ever.
	for _, ch := range append([]string{c.AgentChannelID, c.consultCh, c.ThirdChannelID}, mapValues(c.offers)...) {
		if ch == "" || !rs.live(ch) || e.isAgentLineLocked(ch) {
			continue
		}
		delete(e.chans, ch)
		e.pxHangup(ch, CauseNormal)
	}
	if strings.HasPrefix(c.BridgeID, "call-") && (rs.bridges[c.BridgeID] || !rs.bridgesKnown) {
		e.pxDestroyBridge(c.BridgeID)
	}
	if c.recording != nil {
		e.closeRecordingAtLocked(ctx, c, c.recording, "done", end)
	}
	c.endAt = end
	if c.AnsweredAt == nil && (c.Direction == CallOutbound || c.Direction == CallManual) {
		// A dial nobody answered: a failed attempt (DIALRESULT, the
		// lead's retry, the callback, the agent freed) like any other.
		e.dialFailedLocked(ctx, c, CauseFailure)
		return
	}
	c.Failure = endedWhileDown
	c.HangupBy = HangupBySystem
	e.finishCallRecord(ctx, c, HangupBySystem, int(CauseFailure), status, rows...)
	e.publish(CallEnded{Call: c.Call}, c.Agent)
	// Its agents are free again; a persistent line goes home first.
	for _, user := range []string{c.Agent, c.connectAgent, c.consultAgent} {
		s := e.sessions[user]
		if user == "" || s == nil || s.CallID != c.ID {
			continue
		}
		if s.ChannelID != "" && s.BridgeID != "" && rs.live(s.ChannelID) {
			if !rs.bridges[s.BridgeID] {
				e.pxCreateBridge(s.BridgeID, BridgeHolding)
			}
			e.pxAdd(s.BridgeID, s.ChannelID)
		}
		wrap := time.Duration(0)
		if user == c.Agent && c.ConnectedAt != nil {
			wrap = e.wrapFor(c)
		}
		if s.State == AgentRinging {
			s.State = AgentAvailable
		}
		e.afterCallLocked(ctx, user, wrap)
	}
}

// isAgentLineLocked: ch is a logged-in persistent agent's own line.
func (e *Engine) isAgentLineLocked(ch string) bool {
	r := e.chans[ch]
	return r != nil && r.role == rolePersistent
}

// lastSeen is when the engine last knew c alive: its last change or the
// engine's last heartbeat, whichever is later, never after now.
func (rs *restoreData) lastSeen(c *Call, now time.Time) time.Time {
	t := c.CreatedAt
	for _, x := range []*time.Time{c.QueuedAt, c.AnsweredAt, c.ConnectedAt, c.LastSeenAt, &rs.heartbeat.AliveAt} {
		if x != nil && x.After(t) {
			t = *x
		}
	}
	if t.After(now) || t.IsZero() {
		return now
	}
	return t
}

func findCall(cs []*liveCall, id uint64) *liveCall {
	for _, c := range cs {
		if c.ID == id {
			return c
		}
	}
	return nil
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, m[k])
	}
	return out
}

// beat records that the engine is alive, at most once per heartbeat
// interval (force: now). It writes outside the engine lock, under its own.
func (e *Engine) beat(ctx context.Context, force bool) {
	every := e.opt.Heartbeat
	if every <= 0 {
		every = defaultHeartbeat
	}
	e.hbMu.Lock()
	defer e.hbMu.Unlock()
	now := e.now()
	if !force && !e.hb.AliveAt.IsZero() && now.Sub(e.hb.AliveAt) < every {
		return
	}
	hb := e.hb
	if hb.ID == 0 {
		// Another engine on this store may have written it first.
		_ = e.store.First(ctx, &hb, Eq("name", heartbeatName))
	}
	hb.Name, hb.AliveAt = heartbeatName, now
	var err error
	if hb.ID == 0 {
		err = e.store.Create(ctx, &hb)
	} else {
		err = e.store.Save(ctx, &hb)
	}
	if err != nil {
		e.log.Warn("engine: heartbeat write failed", "err", err)
		return
	}
	e.hb = hb
}
