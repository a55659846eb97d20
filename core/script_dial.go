package core

import (
	"context"
	"reflect"
	"strconv"
	"time"
)

// Call nodes: a script calls a number (given, or held in a variable) and,
// answered, bridges it to the call; when the called party hangs up the
// script goes on at the node's Next (Infocaller's "continue after a
// transfer"), when it does not answer at Else. The leg is a channel of the
// call's own (role scriptLeg), so the engine follows it like any other.

const roleScriptLeg chanRole = "script-leg"

// ScriptLeg reports the leg a call node placed: answered, ended (after it
// was answered) or failed (never answered).
type ScriptLeg struct {
	CallID uint64 `json:"call_id"`
	Leg    string `json:"leg"`
	Status string `json:"status"` // answered, ended, failed
	Cause  int    `json:"cause,omitempty"`
}

func (ScriptLeg) EventType() string { return "call.script_leg" }

func init() { payloadTypes[ScriptLeg{}.EventType()] = reflect.TypeOf(ScriptLeg{}) }

const defaultLegWait = 30 * time.Second

// DialFromCall rings number for the call a script runs on; the outcome
// comes as ScriptLeg events. It returns the leg's channel id.
func (e *Engine) DialFromCall(ctx context.Context, id uint64, number string, timeout time.Duration) (string, error) {
	if !isDigits(number) || len(number) > 32 {
		return "", Errorf(EINVALID, "call: %q is not a number", truncate(number, 32))
	}
	if timeout <= 0 {
		timeout = defaultLegWait
	}
	e.lock()
	c, err := e.liveScriptCallLocked(id)
	if err != nil {
		e.unlock()
		return "", err
	}
	leg := e.newChanID("scriptleg")
	e.chans[leg] = &chanRef{id: leg, role: roleScriptLeg, callID: c.ID}
	cid := c.DID
	if c.Direction == CallOriginated {
		cid = c.CallerID
	}
	e.pxOriginate(OriginateRequest{
		ChannelID: leg, Endpoint: e.dialEndpointLocked(DialRequest{Phone: number}, c.Campaign), CallerIDNum: cid,
		Timeout: timeout, AppArgs: []string{"script", strconv.FormatUint(c.ID, 10)}, OtherChannelID: c.ChannelID,
	}).reported().onFail(func(error) {
		if r := e.chans[leg]; r != nil {
			delete(e.chans, leg)
			e.publish(ScriptLeg{CallID: id, Leg: leg, Status: "failed", Cause: int(CauseFailure)}, "")
		}
	})
	return leg, e.unlockWait(ctx)
}

// scriptLegAnsweredLocked bridges the answered leg to its call.
func (e *Engine) scriptLegAnsweredLocked(r *chanRef) {
	c := e.calls[r.callID]
	if c == nil || c.State == CallDone || c.ChannelID == "" {
		delete(e.chans, r.id)
		e.pxHangup(r.id, CauseNormal)
		return
	}
	bridge := "scriptleg-" + r.id
	e.pxCreateBridge(bridge, BridgeMixing)
	e.pxAdd(bridge, c.ChannelID)
	e.pxAdd(bridge, r.id)
	e.publish(ScriptLeg{CallID: c.ID, Leg: r.id, Status: "answered"}, "")
}

// scriptLegGoneLocked: the leg hung up (or never answered).
func (e *Engine) scriptLegGoneLocked(r *chanRef, ev TelEvent) {
	if !r.answered {
		e.publish(ScriptLeg{CallID: r.callID, Leg: r.id, Status: "failed", Cause: int(ev.Cause)}, "")
		return
	}
	e.pxDestroyBridge("scriptleg-" + r.id)
	e.publish(ScriptLeg{CallID: r.callID, Leg: r.id, Status: "ended", Cause: int(ev.Cause)}, "")
}

// HangupScriptLeg ends a leg a call node placed (its call ended).
func (e *Engine) HangupScriptLeg(ctx context.Context, leg string) error {
	e.lock()
	if r := e.chans[leg]; r == nil || r.role != roleScriptLeg {
		e.unlock()
		return nil
	}
	e.pxHangup(leg, CauseNormal)
	return e.unlockWait(ctx)
}

// dial runs a call node: ring, bridge, and go on once the leg is over.
func (s *scriptRun) dial(ctx context.Context, n ScriptNode) (string, string) {
	number := n.To
	if n.Var != "" {
		number = s.vars[n.Var]
	}
	leg, err := s.e.DialFromCall(ctx, s.call, number, time.Duration(n.TimeoutSec)*time.Second)
	if err != nil {
		s.record(StepCall, number, "1")
		s.transferred(ctx, number, false)
		return n.Else, "error: " + truncate(err.Error(), 120)
	}
	answered, ok := s.awaitLeg(leg, "answered")
	s.transferred(ctx, number, answered)
	if !answered {
		s.record(StepCall, number, "1")
		if !ok {
			_ = s.e.HangupScriptLeg(ctx, leg) // the caller left while it rang
			return "", "hangup"
		}
		return n.Else, "failed"
	}
	at := s.e.now()
	if _, ok := s.awaitLeg(leg, "ended"); !ok {
		_ = s.e.HangupScriptLeg(ctx, leg) // the caller left: the leg goes too
	}
	secs := strconv.Itoa(max(int(s.e.now().Sub(at)/time.Second), 0))
	s.record(StepCall, number, "0", "", secs, "0.000000")
	if n.Next != "" && !s.gone {
		s.record(StepContinue, n.Next)
	}
	return n.Next, "answered"
}

// awaitLeg waits for the leg to reach status (true), to fail (false,
// true) or for the call to end (false, false).
func (s *scriptRun) awaitLeg(leg, status string) (bool, bool) {
	for !s.gone && !s.lost {
		ev, ok := <-s.sub.C()
		if !ok {
			s.lost = true
			break
		}
		s.follow(ev)
		if p, ok := ev.Data.(ScriptLeg); ok && p.Leg == leg {
			switch {
			case p.Status == status:
				return true, true
			case p.Status == "failed" || p.Status == "ended":
				return false, true
			}
		}
	}
	return false, false
}

// transferred announces the outcome of a call node (DESVIO webhooks).
func (s *scriptRun) transferred(ctx context.Context, number string, ok bool) {
	c, err := s.e.Call(ctx, s.call)
	if err != nil {
		return
	}
	s.e.bus.Publish(ScriptTransfer{Call: c, Target: number, OK: ok}, "")
}
