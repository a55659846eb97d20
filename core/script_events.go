package core

import (
	"reflect"
	"strings"
	"time"
)

// What a call script did on a call, step by step, for the dialects that
// report it (Infocaller's Status.Events lists them with these numbers, so
// the numbers are kept: a dialect renders them as they are).

// StepKind is the kind of a recorded script step.
type StepKind int

const (
	StepMessage   StepKind = 1  // a prompt was played (Name: the sound)
	StepCall      StepKind = 2  // a number was called (Name: the number; Info[2]: seconds, Info[3]: cost)
	StepMachine   StepKind = 3  // answering-machine detection (never recorded: unsupported)
	StepKeypad    StepKind = 4  // digits entered (Info[0]: the digits)
	StepVoice     StepKind = 5  // voice data request (never recorded: unsupported)
	StepMenu      StepKind = 6  // menu (Info[0]: the key pressed)
	StepEnd       StepKind = 7  // the script hung up (Info[3]: SMS notice cost)
	StepGoto      StepKind = 8  // jump
	StepEmail     StepKind = 11 // an email was sent
	StepSMS       StepKind = 12 // a text message was sent (Info[3]: cost)
	StepSubScript StepKind = 13 // another script was run
	StepStart     StepKind = 14 // the call started, rule applied (Name: rule group / script)
	StepTransfer  StepKind = 15 // the call was transferred
	StepQueue     StepKind = 16 // the call was put in a queue (Name: the queue)
	StepQuery     StepKind = 17 // an external query (Info[0]: 0 answered, 1 failed)
	StepCondition StepKind = 18 // a condition of a condition list held
	StepContinue  StepKind = 21 // the script went on after a call to a number
)

// ScriptEvent is one recorded step.
type ScriptEvent struct {
	Kind StepKind  `json:"kind"`
	At   time.Time `json:"at"`
	Name string    `json:"name"`
	// Info are the kind's additional values (Infocaller EventAddInfo1-5).
	Info [5]string `json:"info"`
}

// ScriptStarted: a script began on a call (before its first node).
type ScriptStarted struct {
	Call   CallSnapshot      `json:"call"`
	Script string            `json:"script"`
	Vars   map[string]string `json:"vars"`
}

// ScriptTransfer: a call a script handed on was answered (OK) or not by
// its target: a number, or the agent of the queue it was put in.
type ScriptTransfer struct {
	Call   CallSnapshot `json:"call"`
	Target string       `json:"target"`
	OK     bool         `json:"ok"`
}

// ScriptCallEnded: the call a script ran on is over; Events are every step
// recorded, Vars the user variables (system ones, "_"-prefixed, left out).
type ScriptCallEnded struct {
	Call   CallSnapshot      `json:"call"`
	Script string            `json:"script"`
	Events []ScriptEvent     `json:"events"`
	Vars   map[string]string `json:"vars"`
	// Cost is what the call cost its line (line_billing.go), already taken
	// from the line's balance when it keeps one.
	Cost float64 `json:"cost"`
}

func (ScriptStarted) EventType() string   { return "call.script_started" }
func (ScriptTransfer) EventType() string  { return "call.script_transfer" }
func (ScriptCallEnded) EventType() string { return "call.script_ended" }

func init() {
	for _, p := range []Payload{ScriptStarted{}, ScriptTransfer{}, ScriptCallEnded{}} {
		payloadTypes[p.EventType()] = reflect.TypeOf(p)
	}
}

// userVars are the variables a script's user defined (not "_"-prefixed).
func userVars(vars map[string]string) map[string]string {
	out := make(map[string]string, len(vars))
	for k, v := range vars {
		if !strings.HasPrefix(k, "_") {
			out[k] = v
		}
	}
	return out
}

// maxScriptEvents bounds what one call records (a goto loop is bounded by
// maxScriptSteps already; this keeps a webhook body small).
const maxScriptEvents = 500

// record appends one step to the run's events.
func (s *scriptRun) record(kind StepKind, name string, info ...string) {
	if len(s.events) >= maxScriptEvents {
		return
	}
	ev := ScriptEvent{Kind: kind, At: s.e.now(), Name: name}
	copy(ev.Info[:], info)
	s.events = append(s.events, ev)
}
