package core

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// The locked steps of an origination job. The source leg is kept in the
// call's AgentChannelID and the destination leg in its ChannelID, so the
// call's end (endCallLocked) and a restart treat them like the legs of a
// manual dial.

const (
	roleOrigSource chanRole = "origination-source"
	roleOrigDest   chanRole = "origination-destination"
)

// scheduleJobLocked starts j after d.
func (e *Engine) scheduleJobLocked(j *originJob, d time.Duration) {
	j.rec.Status = OriginScheduled
	e.saveJobLocked(j)
	j.timer = e.clock.AfterFunc(d, func() {
		ctx := context.Background()
		e.lock()
		due := !e.stopped && e.jobs[j.rec.JobID] == j && j.rec.Status == OriginScheduled
		id, attempt := j.rec.JobID, j.rec.Attempts+1
		e.unlock()
		// The claim marks the attempt started before any leg rings: a
		// deposed engine's claim changes nothing, and the new leader's
		// restart finds the job begun, never scheduled twice.
		if !due || !e.claim(ctx, "origination "+id, &OriginationJob{}, Eq("job_id", id),
			map[string]any{"attempts": attempt, "status": OriginRingingSource}) {
			return
		}
		e.lock()
		defer e.unlock()
		if e.stopped || e.jobs[j.rec.JobID] != j || j.rec.Status != OriginScheduled {
			return
		}
		e.startJobLocked(ctx, j)
	})
}

// startJobLocked places one attempt of j.
func (e *Engine) startJobLocked(ctx context.Context, j *originJob) {
	j.timer = nil
	if e.waitForCapacityLocked(j) {
		return
	}
	j.rec.Attempts++
	if j.rec.Script == "" && e.sourceBusyLocked(j.rec.Source) {
		e.endJobLocked(j, OriginSourceOffHook, 0)
		return
	}
	now := e.now()
	c := &liveCall{Call: Call{
		GUID: newGUID(), Node: e.tel.NodeID(), Direction: CallOriginated, State: CallDialing, Campaign: j.rec.Campaign,
		Phone: j.rec.Destination, CallerID: j.rec.Source, CreatedAt: now, Attributes: j.rec.Attributes,
	}}
	c.init()
	c.job = j
	c.dialTimeout = j.timeout()
	c.dialCID = j.rec.SourceName
	c.Trunk = e.dialEndpointLocked(DialRequest{Phone: j.rec.Destination}, j.rec.Campaign)
	e.persistCall(ctx, &c.Call)
	c.UniqueID = e.uniqueID()
	c.LinkedID = c.UniqueID
	e.calls[c.ID] = c
	j.rec.CallID = c.ID
	if j.rec.Script != "" {
		e.ringDestinationLocked(ctx, c, j)
		return
	}
	ch := e.newChanID("origsrc")
	c.AgentChannelID = ch
	e.chans[ch] = &chanRef{id: ch, role: roleOrigSource, callID: c.ID}
	e.pxOriginate(OriginateRequest{
		ChannelID: ch, Endpoint: e.dialEndpointLocked(DialRequest{Phone: j.rec.Source}, j.rec.Campaign),
		CallerIDNum: j.rec.Destination, CallerIDName: j.rec.DestinationName, Timeout: j.timeout(),
		AppArgs: []string{"origination", j.rec.JobID},
	}).reported().onFail(func(error) {
		if e.calls[c.ID] == c && e.chans[ch] != nil {
			e.originationLegFailedLocked(context.Background(), c, ch, CauseFailure)
		}
	})
	j.rec.Status = OriginRingingSource
	e.persistCall(ctx, &c.Call)
	e.saveJobLocked(j)
}

// sourceBusyLocked: the source is an agent's phone and that agent is on a
// call (eXpand's OFFHOOK).
func (e *Engine) sourceBusyLocked(source string) bool {
	for _, u := range sortedKeys(e.agents) {
		a := e.agents[u]
		if a.Number != source && !strings.HasSuffix(a.Extension, "/"+source) {
			continue
		}
		if s := e.sessions[u]; s != nil && s.CallID != 0 {
			return true
		}
	}
	return false
}

// ringDestinationLocked rings the destination leg of c.
func (e *Engine) ringDestinationLocked(ctx context.Context, c *liveCall, j *originJob) {
	ch := e.newChanID("origdst")
	c.ChannelID = ch
	e.chans[ch] = &chanRef{id: ch, role: roleOrigDest, callID: c.ID}
	now := e.now()
	c.OriginateAt = &now
	cid := j.rec.CallerID
	if cid == "" {
		cid = j.rec.Source
	}
	var vars map[string]string
	_ = json.Unmarshal([]byte(j.rec.Vars), &vars)
	e.pxOriginate(OriginateRequest{
		ChannelID: ch, Endpoint: c.Trunk, CallerIDNum: cid, CallerIDName: j.rec.SourceName, Timeout: j.timeout(),
		AppArgs: []string{"origination", j.rec.JobID}, OtherChannelID: c.AgentChannelID, Variables: vars,
	}).reported().onFail(func(error) {
		if e.calls[c.ID] == c && e.chans[ch] != nil {
			e.originationLegFailedLocked(context.Background(), c, ch, CauseFailure)
		}
	})
	j.rec.Status = OriginRingingDest
	e.persistCall(ctx, &c.Call)
	e.saveJobLocked(j)
}

// originationAnsweredLocked: one of the legs answered.
func (e *Engine) originationAnsweredLocked(ctx context.Context, r *chanRef, ev TelEvent) {
	c := e.calls[r.callID]
	if c == nil || c.job == nil {
		e.pxHangup(r.id, CauseNormal)
		return
	}
	j := c.job
	if r.role == roleOrigSource {
		e.ringDestinationLocked(ctx, c, j)
		return
	}
	now := e.now()
	c.AnsweredAt, c.ConnectedAt = &now, &now
	c.State = CallConnected
	if ev.UniqueID != "" {
		c.UniqueID = ev.UniqueID
	}
	j.rec.Status = OriginAnswered
	j.rec.AnsweredAt = &now
	if j.rec.Script != "" {
		e.startScriptLocked(c, j)
	} else {
		c.BridgeID = "call-" + itoa64(c.ID)
		e.pxCreateBridge(c.BridgeID, BridgeMixing)
		e.pxAdd(c.BridgeID, c.AgentChannelID)
		e.pxAdd(c.BridgeID, c.ChannelID)
	}
	e.persistCall(ctx, &c.Call)
	e.saveJobLocked(j)
	e.publish(CallProgress{Call: c.Call, Status: "Success"}, "")
}

// startScriptLocked hands the answered call to the script runner, outside
// the lock; with no runner the call cannot be served and is hung up.
func (e *Engine) startScriptLocked(c *liveCall, j *originJob) {
	runner := e.scripts
	var vars map[string]string
	_ = json.Unmarshal([]byte(j.rec.Vars), &vars)
	id, script, ch := c.ID, j.rec.Script, c.ChannelID
	e.do("script "+script, []string{chKey(ch)}, func(ctx context.Context) error {
		if runner == nil {
			return Errorf(EUNAVAILABLE, "no call-script runner for script %s", script)
		}
		return runner.StartScript(ctx, id, script, vars)
	}).onFail(func(err error) {
		e.log.Warn("engine: origination script not started", "job", j.rec.JobID, "script", script, "err", err)
		if cc := e.calls[id]; cc == c {
			e.endCallLocked(context.Background(), cc, HangupBySystem, CauseFailure)
		}
	})
}

// originationGoneLocked: one of the legs hung up.
func (e *Engine) originationGoneLocked(ctx context.Context, r *chanRef, ev TelEvent) {
	c := e.calls[r.callID]
	if c == nil || c.State == CallDone {
		return
	}
	if c.ConnectedAt != nil {
		by := "caller"
		if r.role == roleOrigSource {
			by = "agent"
		}
		if ev.CauseText == lostOnReconnect {
			by = HangupBySystem
		}
		e.endCallLocked(ctx, c, by, ev.Cause)
		return
	}
	e.originationLegFailedLocked(ctx, c, r.id, ev.Cause)
}

// originationLegFailedLocked ends an attempt none of whose legs talked.
func (e *Engine) originationLegFailedLocked(ctx context.Context, c *liveCall, ch string, cause HangupCause) {
	delete(e.chans, ch)
	for _, other := range []string{c.ChannelID, c.AgentChannelID} {
		if _, ok := e.chans[other]; ok && other != "" {
			delete(e.chans, other)
			e.pxHangup(other, CauseNormal)
		}
	}
	c.Failure = itoa64(uint64(cause))
	c.HangupCause = int(cause)
	e.finishCallRecord(ctx, c, HangupBySystem, int(cause), dialStatus(cause))
	e.publish(CallProgress{Call: c.Call, Status: "Failure"}, "")
	e.publish(CallEnded{Call: c.Call}, "")
}

// originationEndedLocked follows the end of a job's call (from
// finishCallRecord): the job ends with it, or is retried on busy.
func (e *Engine) originationEndedLocked(c *liveCall) {
	j := c.job
	if j == nil || j.rec.Status.Ended() {
		return
	}
	cause := HangupCause(c.HangupCause)
	status := OriginFailed
	switch {
	case c.ConnectedAt != nil:
		status = OriginHungUp
	case cause == CauseBusy:
		status = OriginBusy
	case cause == CauseNoAnswer || cause == CauseNoUserResp:
		status = OriginNoAnswer
	}
	if status == OriginBusy && j.rec.Attempts <= j.rec.BusyRetries && !j.canceled {
		gap := time.Duration(j.rec.RetrySec) * time.Second
		if gap <= 0 {
			gap = defaultOriginRetryGap
		}
		j.rec.Cause = int(cause)
		e.scheduleJobLocked(j, gap)
		return
	}
	e.endJobLocked(j, status, int(cause))
}

// endJobLocked closes j with status (canceled when it was).
func (e *Engine) endJobLocked(j *originJob, status OriginationStatus, cause int) {
	if j.canceled {
		status = OriginCanceled
	}
	now := e.now()
	j.rec.Status, j.rec.EndedAt = status, &now
	if cause != 0 {
		j.rec.Cause = cause
	}
	e.saveJobLocked(j)
	delete(e.jobs, j.rec.JobID)
	e.publish(OriginationEnded{Job: j.rec}, "")
}

// saveJobLocked writes j as it is now.
func (e *Engine) saveJobLocked(j *originJob) {
	rec := j.rec
	rec.UpdatedAt = e.now()
	e.write("origination "+rec.JobID, func(ctx context.Context, st Store) error {
		return st.Save(ctx, &rec)
	})
}

// resumeOriginationsLocked takes back, after a restart, the jobs that were
// not over: a scheduled one is scheduled again; one whose call was resumed
// follows it; one whose call is gone ended while the gateway was down.
func (e *Engine) resumeOriginationsLocked(jobs []OriginationJob) {
	for i := range jobs {
		j := &originJob{rec: jobs[i]}
		e.jobs[j.rec.JobID] = j
		switch c := e.calls[j.rec.CallID]; {
		case j.rec.Status == OriginScheduled:
			wait := time.Duration(0)
			if j.rec.NotBefore != nil {
				wait = max(j.rec.NotBefore.Sub(e.now()), 0)
			}
			e.scheduleJobLocked(j, wait)
		case c != nil && c.Direction == CallOriginated:
			c.job = j
			for _, ch := range []string{c.ChannelID, c.AgentChannelID} {
				if r := e.chans[ch]; r != nil {
					r.role = map[bool]chanRole{true: roleOrigSource, false: roleOrigDest}[ch == c.AgentChannelID]
				}
			}
		default:
			e.endJobLocked(j, OriginLostWhileDown, 0)
		}
	}
}

func itoa64(n uint64) string { return strconv.FormatUint(n, 10) }
