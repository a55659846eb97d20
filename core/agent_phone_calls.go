package core

import (
	"context"
	"fmt"
	"strings"
)

// PhoneCallRequest is a two-step call placed from an agent's phone: the
// phone (Endpoint, e.g. SIP/1001) rings first and, once answered, the
// destination is dialled with the caller id, counted in Campaign.
type PhoneCallRequest struct {
	Agent       string // username
	Endpoint    string // tech/phone; "" = the agent's own extension
	Campaign    string
	Destination string
	CallerID    string
	Vars        map[string]string // call variables (the caller's data)
	Form        string            // form name or URL for the agent's screen
}

// CallFromAgentPhone places the call. An agent who is not logged in is
// logged in paused on that phone first (paused, so the ACD offers the
// agent nothing while the call is being placed), as a softphone portal
// does.
func (e *Engine) CallFromAgentPhone(ctx context.Context, req PhoneCallRequest) (Call, error) {
	const op = "CallFromAgentPhone"
	if req.Agent == "" || normalizePhone(req.Destination) == "" {
		return Call{}, &Error{Code: EINVALID, Op: op, Message: "agent and destination required"}
	}
	a, err := e.AgentByUsername(ctx, req.Agent)
	if err != nil {
		return Call{}, err
	}
	if req.Campaign != "" {
		if _, ok := e.Campaign(req.Campaign); !ok {
			return Call{}, &Error{Code: ENOTFOUND, Op: op, Message: "unknown campaign " + req.Campaign}
		}
	}
	if strings.EqualFold(req.Endpoint, a.Interface()) && a.Extension != "" {
		// The agent's own phone named as type/number (SIP/1001): ring it
		// where it is provisioned (PJSIP/1001).
		req.Endpoint = a.Extension
	}
	if _, ok := e.Session(a.Username); !ok {
		paused, persistent := true, false
		if err := e.Login(ctx, a.Username, LoginOptions{Extension: req.Endpoint, Campaign: req.Campaign, Paused: &paused, Persistent: &persistent}); err != nil {
			return Call{}, err
		}
	}
	if req.Form != "" {
		if _, err := e.SendScreen(ctx, a.Username, "form", req.Form); err != nil {
			return Call{}, err
		}
	}
	return e.Dial(ctx, DialRequest{Agent: a.Username, Phone: req.Destination, Campaign: req.Campaign,
		CallerIDNum: req.CallerID, Vars: req.Vars})
}

// HangupAgentPhone hangs up the call of the logged-in agent whose phone
// is phone: its number, its interface (SIP/1001), its extension or the
// endpoint of its login. Several agents may share a number; the one
// logged in on it is meant.
func (e *Engine) HangupAgentPhone(ctx context.Context, phone string) error {
	const op = "HangupAgentPhone"
	phone = strings.TrimSpace(phone)
	if phone == "" {
		return &Error{Code: EINVALID, Op: op, Message: "phone required"}
	}
	for _, s := range e.Sessions() {
		a, err := e.FindAgent(ctx, s.Username)
		if err != nil {
			continue
		}
		for _, p := range []string{a.Number, a.Interface(), a.Extension, s.Extension} {
			if p != "" && strings.EqualFold(p, phone) {
				return e.Hangup(ctx, a.Username)
			}
		}
	}
	return &Error{Code: ENOTFOUND, Op: op, Message: "no logged-in agent on phone " + phone}
}

// QLTag is the queue-log event of a text tag put on a call (recording tag).
const QLTag = "TAG"

// TagCall tags the call with that GUID (its recordings are found by the
// tag); phone is the call's other party, kept with the tag.
func (e *Engine) TagCall(ctx context.Context, guid, phone, text string) error {
	const op = "TagCall"
	if guid == "" || text == "" {
		return &Error{Code: EINVALID, Op: op, Message: "call and tag required"}
	}
	_ = e.Sync(ctx)
	var c Call
	if err := e.store.First(ctx, &c, Eq("guid", guid)); err != nil {
		return fmt.Errorf("%w: %s", ErrCallNotFound, guid)
	}
	row := QueueLogEntry{Time: e.now(), CallID: c.ID, Queue: c.Campaign, Agent: c.Agent, Event: QLTag, Data1: clip(phone, 255), Data2: clip(text, 255)}
	return Internal(op, e.store.Create(ctx, &row))
}
