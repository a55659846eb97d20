package core

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"time"
)

// ScriptStep is published for every step a call script takes.
type ScriptStep struct {
	CallID uint64 `json:"call_id"`
	Script string `json:"script"`
	Node   string `json:"node"`
	Type   string `json:"type"`
	// Result: the digit pressed, the digits entered, the queue, "timeout",
	// "hangup" or an error text.
	Result string `json:"result,omitempty"`
}

func (ScriptStep) EventType() string { return "call.script_step" }

func init() { payloadTypes[ScriptStep{}.EventType()] = reflect.TypeOf(ScriptStep{}) }

const (
	defaultDigitWait = 10 * time.Second
	maxScriptSteps   = 1000 // a goto loop cannot spin for ever
)

// ScriptRunner runs stored call scripts on answered calls: one goroutine
// per call, following the bus for its digits and its end, acting through
// engine commands (never under the engine lock).
type ScriptRunner struct{ e *Engine }

// NewScriptRunner makes the runner and installs it as the engine's
// ScriptStarter.
func NewScriptRunner(e *Engine) *ScriptRunner {
	r := &ScriptRunner{e: e}
	e.SetScriptStarter(r)
	return r
}

// StartScript loads the script and starts running it on the call.
func (r *ScriptRunner) StartScript(ctx context.Context, callID uint64, name string, vars map[string]string) error {
	nodes, err := r.e.loadScript(ctx, name)
	if err != nil {
		return err
	}
	sub, err := r.e.bus.Subscribe(0, 256)
	if err != nil {
		return err
	}
	call, err := r.e.Call(ctx, callID)
	if err != nil {
		sub.Close()
		return err
	}
	run := &scriptRun{e: r.e, call: callID, name: name, nodes: nodeMap(nodes), vars: map[string]string{},
		sub: sub, timeout: make(chan struct{}, 1)}
	for k, v := range vars {
		run.vars[k] = v
	}
	run.record(StepStart, name)
	// Published before the first node runs, so that a consumer's "call
	// started" always precedes what the script does.
	r.e.bus.Publish(ScriptStarted{Call: call, Script: name, Vars: userVars(run.vars)}, "")
	go run.loop(nodes[0].ID)
	return nil
}

// loadScript reads and validates a stored script.
func (e *Engine) loadScript(ctx context.Context, name string) ([]ScriptNode, error) {
	var s Script
	if err := e.store.First(ctx, &s, Eq("name", name)); err != nil {
		if errors.Is(err, ErrNoRecord) {
			return nil, Errorf(ENOTFOUND, "script %s", name)
		}
		return nil, err
	}
	return ParseScript(s.Nodes)
}

func nodeMap(nodes []ScriptNode) map[string]ScriptNode {
	m := make(map[string]ScriptNode, len(nodes))
	for _, n := range nodes {
		m[n.ID] = n
	}
	return m
}

// scriptFrame is a script a sub-script node left, to go on at next.
type scriptFrame struct {
	name  string
	nodes map[string]ScriptNode
	next  string
}

const maxScriptDepth = 10

// scriptRun is one script running on one call.
type scriptRun struct {
	e       *Engine
	call    uint64
	name    string
	nodes   map[string]ScriptNode
	vars    map[string]string
	sub     Subscription
	timeout chan struct{}
	gone    bool // the call ended
	lost    bool // the event stream broke (overflow): the script cannot go on
	events  []ScriptEvent
	ended   *Call  // the call as it ended (from its CallEnded)
	queued  string // the queue a transfer node put the call in
	linked  bool   // an agent took the queued call
	stack   []scriptFrame
	halt    bool // a node ended the whole run (end, transfer, failure)
}

func (s *scriptRun) loop(id string) {
	defer func() { s.sub.Close() }() // the subscription may be replaced (resubscribe)
	ctx := context.Background()
	root := s.name
	for i := 0; !s.gone && i < maxScriptSteps; i++ {
		if id == "" {
			if s.halt || len(s.stack) == 0 {
				break
			}
			id = s.pop() // the sub-script ended by itself
			continue
		}
		n, name := s.nodes[id], s.name
		s.e.passIVRCode(ctx, s.call, n.IVRCode)
		var result string
		id, result = s.step(ctx, n)
		if s.gone {
			result = "hangup"
		}
		if s.lost {
			result = "events lost"
		}
		s.e.bus.Publish(ScriptStep{CallID: s.call, Script: name, Node: n.ID, Type: n.Type, Result: result}, "")
	}
	if s.lost {
		// Digits may have been missed: end the call rather than leave the
		// caller in a script that no longer listens.
		if err := s.e.HangupCall(ctx, s.call, CauseNormal); err != nil {
			s.e.log.Warn("engine: script call not hung up after lost events", "call", s.call, "err", err)
		}
	}
	s.awaitEnd(ctx)
	call := s.ended
	if call == nil {
		c, err := s.e.Call(ctx, s.call)
		if err != nil {
			s.e.log.Warn("engine: script call not found at its end", "call", s.call, "err", err)
		}
		call = &c
	}
	cost, err := s.e.chargeLineCall(ctx, *call)
	if err != nil {
		s.e.log.Error("engine: line call not charged", "call", s.call, "err", err)
	}
	s.e.bus.Publish(ScriptCallEnded{Call: *call, Script: root, Events: s.events, Vars: userVars(s.vars), Cost: cost}, "")
}

// awaitEnd follows the call after its script until it ends: whether an
// agent took it from the queue the script put it in, and its last state.
func (s *scriptRun) awaitEnd(ctx context.Context) {
	if !s.gone && !s.lost && !s.e.callLive(s.call) {
		s.gone = true // ended before the subscription saw it
	}
	var last uint64
	for !s.gone && !s.lost {
		ev, ok := <-s.sub.C()
		if !ok {
			// A call can wait long in a queue: a busy bus may overflow the
			// subscription; take it up again after the last event seen.
			s.lost = !s.resubscribe(last)
			continue
		}
		last = ev.Seq
		s.follow(ev)
	}
	if s.queued != "" && !s.linked && s.ended != nil {
		s.e.bus.Publish(ScriptTransfer{Call: *s.ended, Target: s.queued}, "")
	}
}

// resubscribe replaces an overflowed subscription, replaying from after
// last; false when the stream cannot be resumed (closed bus, gap).
func (s *scriptRun) resubscribe(last uint64) bool {
	if last == 0 || !errors.Is(s.sub.Err(), ErrOverflow) {
		return false
	}
	sub, err := s.e.bus.Subscribe(last+1, 256)
	if err != nil {
		return false
	}
	s.sub.Close()
	s.sub = sub
	return true
}

// follow notes the call's end and, once queued, the agent that took it.
func (s *scriptRun) follow(ev Event) {
	switch p := ev.Data.(type) {
	case CallEnded:
		if p.Call.ID == s.call {
			s.gone = true
			c := p.Call
			s.ended = &c
		}
	case AgentLinked:
		if p.Call.ID == s.call && s.queued != "" && !s.linked {
			s.linked = true
			target := p.Interface
			if target == "" {
				target = p.Agent
			}
			s.e.bus.Publish(ScriptTransfer{Call: p.Call, Target: target, OK: true}, "")
		}
	}
}

// step runs one node and returns the next node's id ("" ends the script).
func (s *scriptRun) step(ctx context.Context, n ScriptNode) (string, string) {
	switch n.Type {
	case NodeMessage:
		s.record(StepMessage, n.Sound)
		if err := s.e.PlayOnCall(ctx, s.call, n.Sound); err != nil {
			s.halt = true
			return "", err.Error()
		}
		return n.Next, ""
	case NodeMenu:
		return s.menu(ctx, n)
	case NodeInput:
		got := s.input(n)
		s.record(StepKeypad, n.Var, got)
		return n.Next, got
	case NodeCondition:
		held := s.holds(n)
		s.record(StepCondition, n.Var+" "+n.Op+" "+n.Value, map[bool]string{true: "1", false: "0"}[held])
		if held {
			return n.Then, "true"
		}
		return n.Else, "false"
	case NodeGoto:
		s.record(StepGoto, n.Next)
		return n.Next, ""
	case NodeQuery:
		err := s.query(ctx, n)
		s.record(StepQuery, n.Query, map[bool]string{true: "0", false: "1"}[err == nil])
		if err != nil {
			return n.Else, queryResult(err)
		}
		return n.Next, "0"
	case NodeTransfer:
		s.record(StepQueue, n.Queue)
		s.halt = true
		if err := s.e.QueueCall(ctx, s.call, n.Queue); err != nil {
			return "", err.Error()
		}
		s.queued = n.Queue
		return "", n.Queue
	case NodeSubScript:
		return s.subScript(ctx, n)
	case NodeSMS, NodeEmail:
		return s.message(ctx, n)
	case NodeCall:
		return s.dial(ctx, n)
	default: // NodeEnd
		s.record(StepEnd, n.ID)
		s.halt = true
		if err := s.e.HangupCall(ctx, s.call, CauseNormal); err != nil {
			return "", err.Error()
		}
		return "", ""
	}
}

func (s *scriptRun) menu(ctx context.Context, n ScriptNode) (string, string) {
	if err := s.e.PlayOnCall(ctx, s.call, n.Sound); n.Sound != "" && err != nil {
		s.record(StepMenu, n.ID)
		s.halt = true
		return "", err.Error()
	}
	d, ok := s.digit(n.TimeoutSec)
	s.record(StepMenu, n.ID, d)
	if !ok {
		return n.Default, "timeout"
	}
	if next, ok := n.Options[d]; ok {
		return next, d
	}
	return n.Default, d
}

// input collects digits into the node's variable.
func (s *scriptRun) input(n ScriptNode) string {
	got := ""
	for len(got) < n.MaxDigits {
		d, ok := s.digit(n.TimeoutSec)
		if !ok || d == n.Terminator {
			break
		}
		got += d
	}
	s.vars[n.Var] = got
	return got
}

func (s *scriptRun) holds(n ScriptNode) bool {
	v := s.vars[n.Var]
	switch n.Op {
	case "empty":
		return v == ""
	case "notempty":
		return v != ""
	case "ne":
		return v != n.Value
	case "lt", "gt":
		a, err1 := strconv.ParseFloat(v, 64)
		b, err2 := strconv.ParseFloat(n.Value, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		return (n.Op == "lt" && a < b) || (n.Op == "gt" && a > b)
	}
	return v == n.Value
}

// digit waits for the call's next DTMF digit, up to timeoutSec (default
// 10 s) on the engine's clock; false on timeout or when the call ends.
func (s *scriptRun) digit(timeoutSec int) (string, bool) {
	d := defaultDigitWait
	if timeoutSec > 0 {
		d = time.Duration(timeoutSec) * time.Second
	}
	select { // a stale timeout of an earlier wait
	case <-s.timeout:
	default:
	}
	t := s.e.clock.AfterFunc(d, func() {
		select {
		case s.timeout <- struct{}{}:
		default:
		}
	})
	defer t.Stop()
	for {
		select {
		case ev, ok := <-s.sub.C():
			if !ok {
				s.gone = true
				s.lost = s.sub.Err() != nil
				return "", false
			}
			switch p := ev.Data.(type) {
			case DTMFReceived:
				if p.CallID == s.call {
					return p.Digit, true
				}
			case CallEnded:
				if p.Call.ID == s.call {
					s.follow(ev)
					return "", false
				}
			}
		case <-s.timeout:
			return "", false
		}
	}
}

// subScript enters another script; its natural end returns to n.Next.
func (s *scriptRun) subScript(ctx context.Context, n ScriptNode) (string, string) {
	s.record(StepSubScript, n.Script)
	if len(s.stack) >= maxScriptDepth {
		s.halt = true
		return "", "sub-scripts nested too deep"
	}
	nodes, err := s.e.loadScript(ctx, n.Script)
	if err != nil {
		s.halt = true
		return "", err.Error()
	}
	s.stack = append(s.stack, scriptFrame{name: s.name, nodes: s.nodes, next: n.Next})
	s.name, s.nodes = n.Script, nodeMap(nodes)
	return nodes[0].ID, n.Script
}

// pop returns to the script that entered the current one.
func (s *scriptRun) pop() string {
	f := s.stack[len(s.stack)-1]
	s.stack = s.stack[:len(s.stack)-1]
	s.name, s.nodes = f.name, f.nodes
	return f.next
}

// message sends an SMS or email node's message.
func (s *scriptRun) message(ctx context.Context, n ScriptNode) (string, string) {
	kind, send := StepSMS, s.sms
	if n.Type == NodeEmail {
		kind, send = StepEmail, s.email
	}
	to := n.To
	if n.Var != "" {
		to = s.vars[n.Var]
	}
	err := send(ctx, n)
	if err != nil {
		s.record(kind, to, "1")
		return n.Else, "error: " + truncate(err.Error(), 120)
	}
	// Callgate keeps no tariffs: the cost (Info 4) is 0.
	s.record(kind, to, "0", "", "", "0.000000")
	return n.Next, "sent"
}
