package core

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"time"
)

// Event is one domain event. Seq is assigned by the Bus, strictly increasing,
// so a consumer that lost its subscription (slow, disconnected) resumes with
// Subscribe(lastSeq+1) and misses nothing still held in the replay log.
type Event struct {
	Seq  uint64    `json:"seq"`
	Time time.Time `json:"time"`
	Type string    `json:"type"`
	// Agent is the username concerned, if any (for per-agent filters).
	Agent string  `json:"agent,omitempty"`
	Data  Payload `json:"-"`
}

// Payload is the typed body of an event.
type Payload interface{ EventType() string }

// Bus carries domain events to every consumer (dialect sessions, webhooks,
// metrics). Publish never blocks: a subscriber that cannot keep up loses its
// subscription (ErrOverflow) rather than slowing the engine, and resumes from
// the replay log.
type Bus interface {
	Publish(p Payload, agent string) Event
	// Subscribe delivers events with Seq >= from (replayed from the log
	// first), or only new events when from is 0. ErrGap if from is older than
	// the replay log holds.
	Subscribe(from uint64, buffer int) (Subscription, error)
	LastSeq() uint64
	Close() error
}

// BusEpoch is implemented by buses whose sequence numbers can start over
// (a memory bus with each process, a stream deleted and made again):
// Epoch names one sequence space, so a sequence stored with it is not
// taken for another space's.
type BusEpoch interface{ Epoch() string }

type Subscription interface {
	C() <-chan Event
	// Err tells why C was closed: nil after Close, ErrOverflow when the
	// consumer was too slow.
	Err() error
	Close()
}

var (
	ErrOverflow  = errors.New("subscriber too slow: events overflowed its buffer")
	ErrGap       = errors.New("requested events are no longer in the replay log")
	ErrBusClosed = errors.New("bus closed")
)

// CallSnapshot is a copy of a call as it was when an event was published.
type CallSnapshot = Call

// --- agent events ---

type AgentLoggedIn struct {
	Agent     string `json:"agent"`
	Number    string `json:"number"`
	Interface string `json:"interface"`
	Extension string `json:"extension"`
	Campaign  string `json:"campaign"`
}

type AgentLoginFailed struct {
	Agent     string `json:"agent"`
	Interface string `json:"interface"`
	Reason    string `json:"reason"`
}

type AgentLoggedOut struct {
	Agent     string `json:"agent"`
	Interface string `json:"interface"`
	Reason    string `json:"reason"`
}

type AgentStateChanged struct {
	Agent string     `json:"agent"`
	From  AgentState `json:"from"`
	To    AgentState `json:"to"`
}

// AgentPauseStarted is a break (Hold false) or a hold (Hold true).
type AgentPauseStarted struct {
	Agent     string    `json:"agent"`
	Interface string    `json:"interface"`
	Hold      bool      `json:"hold"`
	PauseID   uint      `json:"pause_id"`
	PauseCode string    `json:"pause_code"`
	PauseName string    `json:"pause_name"`
	Start     time.Time `json:"start"`
}

type AgentPauseEnded struct {
	Agent     string    `json:"agent"`
	Interface string    `json:"interface"`
	Hold      bool      `json:"hold"`
	PauseID   uint      `json:"pause_id"`
	PauseCode string    `json:"pause_code"`
	PauseName string    `json:"pause_name"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
}

type QueueMembershipChanged struct {
	Agent     string   `json:"agent"`
	Interface string   `json:"interface"`
	Queues    []string `json:"queues"`
	// Login marks the membership an agent takes by logging in, as opposed
	// to a change of queues while logged in (dialects that announce only
	// changes skip it).
	Login bool `json:"login,omitempty"`
}

// --- call events ---

// CallProgress reports a dialer/queue step of a call (ECCP callprogress,
// Infocaller webhooks): Status is Placing, Dialing, Ringing, OnQueue,
// Failure, Abandoned, Success, Hangup, ShortCall, NoAnswer.
type CallProgress struct {
	Call   CallSnapshot `json:"call"`
	Status string       `json:"status"`
	LogID  uint64       `json:"log_id"`
}

type CallRinging struct {
	Call  CallSnapshot `json:"call"`
	Agent string       `json:"agent"`
}

// AgentLinked: a call was connected to an agent.
type AgentLinked struct {
	Call      CallSnapshot `json:"call"`
	Agent     string       `json:"agent"`
	Interface string       `json:"interface"`
}

// AgentUnlinked: the agent's call ended or left the agent.
type AgentUnlinked struct {
	Call      CallSnapshot `json:"call"`
	Agent     string       `json:"agent"`
	Interface string       `json:"interface"`
	Short     bool         `json:"short"`
}

type CallEnded struct {
	Call CallSnapshot `json:"call"`
}

type CallTransferred struct {
	Call   CallSnapshot `json:"call"`
	Agent  string       `json:"agent"`
	Target string       `json:"target"`
	Kind   string       `json:"kind"` // blind, attended, queue
	OK     bool         `json:"ok"`
}

type DTMFReceived struct {
	CallID    uint64 `json:"call_id"`
	ChannelID string `json:"channel_id"`
	Digit     string `json:"digit"`
}

type RecordingChanged struct {
	Recording Recording    `json:"recording"`
	Call      CallSnapshot `json:"call"`
	Agent     string       `json:"agent"`
	Interface string       `json:"interface"`
	Action    string       `json:"action"` // started, stopped, muted, unmuted
}

type CallbackEvent struct {
	Callback  Callback     `json:"callback"`
	Call      CallSnapshot `json:"call"`
	Agent     string       `json:"agent"`
	Interface string       `json:"interface"`
	Action    string       `json:"action"` // scheduled, started, failed
}

// ScreenEvent is an agent-screen command (VICIdial refresh_panel, timers,
// notifications...). It is also stored as a ScreenCommand.
type ScreenEvent struct {
	Command ScreenCommand `json:"command"`
}

type LeadChanged struct {
	Lead Lead `json:"lead"`
}

// OriginationEnded: an agentless origination job is over.
type OriginationEnded struct {
	Job OriginationJob `json:"job"`
}

type PBXConnection struct {
	Node      string `json:"node"`
	Connected bool   `json:"connected"`
}

func (AgentLoggedIn) EventType() string          { return "agent.logged_in" }
func (AgentLoginFailed) EventType() string       { return "agent.login_failed" }
func (AgentLoggedOut) EventType() string         { return "agent.logged_out" }
func (AgentStateChanged) EventType() string      { return "agent.state" }
func (AgentPauseStarted) EventType() string      { return "agent.pause_start" }
func (AgentPauseEnded) EventType() string        { return "agent.pause_end" }
func (QueueMembershipChanged) EventType() string { return "agent.queues" }
func (CallProgress) EventType() string           { return "call.progress" }
func (CallRinging) EventType() string            { return "call.ringing" }
func (AgentLinked) EventType() string            { return "call.linked" }
func (AgentUnlinked) EventType() string          { return "call.unlinked" }
func (CallEnded) EventType() string              { return "call.ended" }
func (CallTransferred) EventType() string        { return "call.transferred" }
func (DTMFReceived) EventType() string           { return "call.dtmf" }
func (RecordingChanged) EventType() string       { return "recording.changed" }
func (CallbackEvent) EventType() string          { return "callback" }
func (ScreenEvent) EventType() string            { return "agent.screen" }
func (LeadChanged) EventType() string            { return "lead.changed" }
func (PBXConnection) EventType() string          { return "pbx.connection" }
func (OriginationEnded) EventType() string       { return "origination.ended" }

var payloadTypes = map[string]reflect.Type{}

func init() {
	for _, p := range []Payload{
		AgentLoggedIn{}, AgentLoginFailed{}, AgentLoggedOut{}, AgentStateChanged{}, AgentPauseStarted{},
		AgentPauseEnded{}, QueueMembershipChanged{}, CallProgress{}, CallRinging{}, AgentLinked{},
		AgentUnlinked{}, CallEnded{}, CallTransferred{}, DTMFReceived{}, RecordingChanged{},
		CallbackEvent{}, ScreenEvent{}, LeadChanged{}, PBXConnection{}, OriginationEnded{},
		SMSEnded{},
	} {
		payloadTypes[p.EventType()] = reflect.TypeOf(p)
	}
}

type wireEvent struct {
	Seq   uint64          `json:"seq"`
	Time  time.Time       `json:"time"`
	Type  string          `json:"type"`
	Agent string          `json:"agent,omitempty"`
	Data  json.RawMessage `json:"data"`
}

// MarshalJSON encodes the event with its payload, for buses that cross a
// process boundary (NATS) and for webhooks.
func (e Event) MarshalJSON() ([]byte, error) {
	data, err := json.Marshal(e.Data)
	if err != nil {
		return nil, err
	}
	return json.Marshal(wireEvent{Seq: e.Seq, Time: e.Time, Type: e.Type, Agent: e.Agent, Data: data})
}

// UnmarshalJSON decodes an event and its typed payload.
func (e *Event) UnmarshalJSON(b []byte) error {
	var w wireEvent
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	t, ok := payloadTypes[w.Type]
	if !ok {
		return fmt.Errorf("unknown event type %q", w.Type)
	}
	v := reflect.New(t)
	if err := json.Unmarshal(w.Data, v.Interface()); err != nil {
		return err
	}
	*e = Event{Seq: w.Seq, Time: w.Time, Type: w.Type, Agent: w.Agent, Data: v.Elem().Interface().(Payload)}
	return nil
}
