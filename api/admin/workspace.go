package admin

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

// The routes the web pages need beyond the live operations: who the
// session is (/me), the supervisor wallboard, and the agent workspace
// (its call, lead, forms, dispositions, pending list and screen commands,
// manual and preview dialing, dispositions, call tags).

// workspaceEngine is what the agent workspace needs (core.Engine has it).
type workspaceEngine interface {
	Session(user string) (core.AgentSession, bool)
	AgentCall(user string) (core.Call, bool)
	CallHeld(user string) (held, parked bool)
	FindAgent(ctx context.Context, user string) (core.Agent, error)
	Campaign(name string) (core.Campaign, bool)
	Lead(ctx context.Context, id uint64) (core.Lead, error)
	Forms(ctx context.Context, ids []uint) ([]core.FormSpec, error)
	PauseCodes() []core.PauseCode
	PendingItems(ctx context.Context, user string) ([]core.Callback, error)
	PendingCall(ctx context.Context, id uint64) (core.PendingCall, error)
	ActOnPending(ctx context.Context, req core.PendingActionRequest) (core.Callback, error)
	PoolContact(ctx context.Context, c core.Contact) (core.Lead, error)
	ScheduleContact(ctx context.Context, c core.Contact, when time.Time) (core.Callback, error)
	SaveFormData(ctx context.Context, callID uint64, entries []core.FormEntry) error
	CallFormData(ctx context.Context, callID uint64) ([]core.FormAnswer, error)
	PreviewLead(ctx context.Context, user string) (core.Lead, error)
	SetDisposition(ctx context.Context, user string, req core.DispositionRequest) error
	DispositionPath(ctx context.Context, campaign string, levels []string) (core.Disposition, error)
	PendingScreen(ctx context.Context, user string) ([]core.ScreenCommand, error)
	TagCall(ctx context.Context, guid, phone, text string) error
	Dial(ctx context.Context, req core.DialRequest) (core.Call, error)
}

// workspace is the agent workspace's view of one agent.
type workspace struct {
	Agent    workspaceAgent     `json:"agent"`
	Session  *core.AgentSession `json:"session"`
	Call     *core.Call         `json:"call"`
	Held     bool               `json:"held"`
	Transfer string             `json:"transfer,omitempty"` // kind of a pending attended transfer or conference
	// FormValues are the current call's saved form values by field id.
	FormValues   map[string]string  `json:"form_values"`
	Lead         *core.Lead         `json:"lead"`
	Forms        []core.FormSpec    `json:"forms"`
	Dispositions []core.Disposition `json:"dispositions"`
	PauseCodes   []core.PauseCode   `json:"pause_codes"`
	// Pending: the agent's callbacks and pending outgoing calls (with
	// their details), its own and its campaign's or queues' unassigned.
	Pending   []pendingItem `json:"pending"`
	Simulated bool          `json:"simulated"` // the phone can be answered from the page (simulated PBX)
	Ringing   bool          `json:"ringing"`   // the agent's phone rings (simulated PBX)
}

type pendingItem struct {
	core.Callback
	Contact string   `json:"contact,omitempty"`
	Subject string   `json:"subject,omitempty"`
	Phones  []string `json:"phones,omitempty"`
}

type pendingInput struct {
	Action string `json:"action"`         // postpone, reassign, discard, complete
	When   string `json:"when,omitempty"` // postpone: RFC 3339
	To     string `json:"to,omitempty"`   // reassign: agent username
}

type workspaceAgent struct {
	ID       uint   `json:"id"`
	Username string `json:"username"`
	Name     string `json:"name"`
	Campaign string `json:"campaign"`
}

type meBody struct {
	core.Principal
}

type wsDialInput struct {
	Phone    string `json:"phone"`
	Campaign string `json:"campaign,omitempty"`
	LeadID   uint64 `json:"lead_id,omitempty"`
	CallerID string `json:"caller_id,omitempty"`
}

type dispositionInput struct {
	// Status is a disposition code (VICIdial status); or Levels, uContact's
	// three levels, name a path in the campaign's disposition tree.
	Status     string   `json:"status,omitempty"`
	Levels     []string `json:"levels,omitempty"`
	CallID     uint64   `json:"call_id,omitempty"`
	Comments   string   `json:"comments,omitempty"`
	CallbackAt string   `json:"callback_at,omitempty"` // RFC 3339
	AgentOnly  bool     `json:"agent_only,omitempty"`
}

// contactInput is a dialer contact (uContact's Respool object, decoded by
// the page): put back in the pool, or scheduled with when.
type contactInput struct {
	Campaign     string            `json:"campaign"`
	Phone        string            `json:"phone"`
	Alternatives []string          `json:"alternatives,omitempty"`
	Data         map[string]string `json:"data,omitempty"`
	Priority     int               `json:"priority,omitempty"`
	Retries      int               `json:"retries,omitempty"`
	LeadID       uint64            `json:"lead_id,omitempty"`
	Agent        string            `json:"agent,omitempty"` // progressive: the agent who takes it
	When         string            `json:"when,omitempty"`  // schedule: RFC 3339
}

type formInput struct {
	Entries []formEntryInput `json:"entries"`
}

type formEntryInput struct {
	FormID  uint   `json:"form_id"`
	FieldID uint   `json:"field_id"`
	Value   string `json:"value"`
}

type tagInput struct {
	Message string `json:"message"`
}

func (a *API) webRoutes() []route {
	return []route{
		{method: "GET", path: "/me", tag: "web", summary: "Who this request acts for (bearer token: the admin; a web session: its principal)", resp: core.Principal{}, access: anySession, h: a.me},
		{method: "GET", path: "/wallboard", tag: "web", summary: "Supervisor wallboard: queues, agents and campaigns in the caller's scope, and today's calls per interval",
			doc: "interval: the chart's bucket in minutes (15 when omitted, 1 to 240). A supervisor's session sees only its user group's queues and campaigns.", query: []string{"interval"}, resp: core.Wallboard{}, access: supervisors, h: a.wallboard},
		{method: "GET", path: "/agents/{id}/workspace", tag: "web", summary: "An agent's workspace: session, current call, lead, campaign forms, dispositions, pause codes, pending list", resp: workspace{}, access: selfOnly, h: a.workspace},
		{method: "GET", path: "/agents/{id}/screen", tag: "web", summary: "Screen commands not yet delivered to the agent's console (marks them delivered)", resp: core.ScreenCommand{}, list: true, access: selfOnly, h: a.screen},
		{method: "POST", path: "/agents/{id}/calls", tag: "web", summary: "Place a manual call for this agent", doc: "Required: phone. The agent's phone rings first, then the customer.", body: wsDialInput{}, resp: core.Call{}, status: http.StatusCreated, access: selfOnly, h: a.agentDial},
		{method: "POST", path: "/agents/{id}/preview", tag: "web", summary: "Reserve the next lead of the agent's campaign for a preview dial", resp: core.Lead{}, access: selfOnly, h: a.preview},
		{method: "POST", path: "/agents/{id}/disposition", tag: "web", summary: "Disposition the agent's current or last call", doc: "status (a disposition code) or levels (up to three names or codes of the campaign's disposition tree).", body: dispositionInput{}, resp: okBody{}, access: selfOnly, h: a.disposition},
		{method: "POST", path: "/agents/{id}/pending/{callbackID}", tag: "web", summary: "Postpone, reassign, discard or complete an item of the agent's pending list",
			doc: "action: postpone (when, RFC 3339, in the future), reassign (to: an agent's username), discard, complete. 409 once the item is being dialed or closed.", body: pendingInput{}, resp: core.Callback{}, access: selfOnly, h: a.actOnPending},
		{method: "POST", path: "/agents/{id}/respool", tag: "web", summary: "Put a contact back in its campaign's dialable pool (uContact Respool from the agent's CRM)",
			doc: "Required: campaign, phone.", body: contactInput{}, resp: core.Lead{}, access: selfOnly, h: a.respool},
		{method: "POST", path: "/agents/{id}/schedule", tag: "web", summary: "Schedule a call to a contact (uContact ScheduleDialerCall from the agent's CRM)",
			doc: "Required: campaign, phone, when (RFC 3339).", body: contactInput{}, resp: core.Callback{}, status: http.StatusCreated, access: selfOnly, h: a.schedule},
		{method: "POST", path: "/agents/{id}/answer", tag: "simulator", summary: "Answer the agent's ringing phone (simulated PBX only)", resp: okBody{}, sim: true, access: selfOnly, h: a.simAnswerAgent},
		{method: "POST", path: "/calls/{id}/form", tag: "call control", summary: "Save the call's form values (the campaign's forms)",
			doc: "entries: [{form_id, field_id, value}], at most 200; validated against the forms, all stored or none.", body: formInput{}, resp: okBody{}, access: ownCall, h: a.saveForm},
		{method: "POST", path: "/calls/{id}/tag", tag: "call control", summary: "Tag a live call (recording tag)", body: tagInput{}, resp: okBody{}, access: ownCall, h: a.tagCall},
	}
}

func (a *API) workspaceEngine() (workspaceEngine, error) {
	we, ok := a.eng.(workspaceEngine)
	if a.eng == nil || !ok {
		return nil, errNoEngine
	}
	return we, nil
}

func (a *API) me(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, meBody{principalOf(r)})
}

func (a *API) wallboard(w http.ResponseWriter, r *http.Request) {
	se, ok := a.eng.(scopeEngine)
	if a.eng == nil || !ok {
		a.fail(w, r, errNoEngine)
		return
	}
	interval := 15
	if v := r.URL.Query().Get("interval"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 240 {
			a.fail(w, r, badRequest("interval must be 1 to 240 minutes"))
			return
		}
		interval = n
	}
	wb, err := se.Wallboard(r.Context(), principalOf(r).Scope, time.Duration(interval)*time.Minute)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wb)
}

// withAgent runs fn for the agent in the path with the workspace engine.
func (a *API) withAgent(w http.ResponseWriter, r *http.Request, fn func(we workspaceEngine, ag core.Agent) (any, error)) {
	we, err := a.workspaceEngine()
	if err == nil {
		var ag core.Agent
		if ag, err = a.agentFromPath(r.Context(), r); err == nil {
			var out any
			if out, err = fn(we, ag); err == nil {
				writeJSON(w, http.StatusOK, out)
				return
			}
		}
	}
	a.fail(w, r, err)
}

func (a *API) workspace(w http.ResponseWriter, r *http.Request) {
	a.withAgent(w, r, func(we workspaceEngine, ag core.Agent) (any, error) {
		return a.buildWorkspace(r.Context(), we, ag)
	})
}

func (a *API) buildWorkspace(ctx context.Context, we workspaceEngine, ag core.Agent) (workspace, error) {
	ws := workspace{Agent: workspaceAgent{ID: ag.ID, Username: ag.Username, Name: ag.Name, Campaign: ag.Campaign},
		Simulated: a.sim != nil, Forms: []core.FormSpec{}, PauseCodes: []core.PauseCode{}, FormValues: map[string]string{}}
	campaign := ag.Campaign
	if s, ok := we.Session(ag.Username); ok {
		ws.Session, campaign = &s, s.Campaign
	}
	breaksOf := campaign
	if ws.Session != nil {
		if err := a.fillCall(ctx, we, ag, &ws); err != nil {
			return ws, err
		}
		// The call's campaign decides the forms and dispositions: an
		// inbound call brings its own.
		if ws.Call != nil && ws.Call.Campaign != "" {
			campaign = ws.Call.Campaign
		}
	}
	// An agent picks breaks of its campaign or of every campaign; the hold
	// pseudo-break (type H) is the engine's own.
	for _, pc := range we.PauseCodes() {
		if pc.Active && pc.Type != "H" && (pc.Campaign == "" || pc.Campaign == breaksOf) {
			ws.PauseCodes = append(ws.PauseCodes, pc)
		}
	}
	if c, ok := we.Campaign(campaign); ok {
		forms, err := we.Forms(ctx, formIDs(c.FormIDs))
		if err != nil {
			return ws, err
		}
		if forms != nil {
			ws.Forms = forms
		}
	}
	if err := a.rec.List(ctx, &ws.Dispositions, core.All.In("campaign", []string{"", campaign}).Eq("selectable", true).Asc("id")); err != nil {
		return ws, err
	}
	items, err := we.PendingItems(ctx, ag.Username)
	if err != nil {
		return ws, err
	}
	ws.Pending = make([]pendingItem, 0, len(items))
	for _, cb := range items {
		it := pendingItem{Callback: cb}
		if pc, err := we.PendingCall(ctx, cb.ID); err == nil {
			it.Contact, it.Subject, it.Phones = pc.Detail.Contact, pc.Detail.Subject, pc.Phones
		}
		ws.Pending = append(ws.Pending, it)
	}
	return ws, nil
}

// fillCall adds a logged-in agent's ringing phone, current call (with its
// form values, hold and transfer state) and lead.
func (a *API) fillCall(ctx context.Context, we workspaceEngine, ag core.Agent, ws *workspace) error {
	s := ws.Session
	ws.Ringing = a.ringingChannel(s.Extension) != ""
	if c, ok := we.AgentCall(ag.Username); ok {
		ws.Call = &c
		answers, err := we.CallFormData(ctx, c.ID)
		if err != nil {
			return err
		}
		for _, an := range answers {
			ws.FormValues[strconv.FormatUint(uint64(an.Field.ID), 10)] = an.Value
		}
		ws.Held, _ = we.CallHeld(ag.Username)
		if cc, ok := a.eng.(callController); ok {
			ws.Transfer, _ = cc.TransferState(ag.Username)
		}
	}
	leadID := s.LeadID
	if ws.Call != nil && ws.Call.LeadID != 0 {
		leadID = ws.Call.LeadID
	}
	if leadID != 0 {
		if l, err := we.Lead(ctx, leadID); err == nil {
			ws.Lead = &l
		}
	}
	return nil
}

func formIDs(list string) []uint {
	var out []uint
	for _, s := range strings.Split(list, ",") {
		if n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 32); err == nil && n > 0 {
			out = append(out, uint(n))
		}
	}
	return out
}

// ringingChannel is the simulated PBX's channel ringing the endpoint.
func (a *API) ringingChannel(endpoint string) string {
	if a.sim == nil || endpoint == "" {
		return ""
	}
	chans, err := a.sim.Channels(context.Background())
	if err != nil {
		return ""
	}
	for _, ci := range chans {
		if st, ok := a.sim.Channel(ci.ID); ok && st.Outbound && !st.InApp && st.State == sim.StateRinging && st.Endpoint == endpoint {
			return ci.ID
		}
	}
	return ""
}

func (a *API) simAnswerAgent(w http.ResponseWriter, r *http.Request) {
	a.withAgent(w, r, func(we workspaceEngine, ag core.Agent) (any, error) {
		s, ok := we.Session(ag.Username)
		if !ok {
			return nil, &httpError{status: http.StatusConflict, msg: "agent not logged in"}
		}
		id := a.ringingChannel(s.Extension)
		if id == "" {
			return nil, &httpError{status: http.StatusConflict, msg: "the agent's phone is not ringing"}
		}
		if err := a.sim.FarAnswer(id); err != nil {
			return nil, &httpError{status: http.StatusConflict, msg: "the agent's phone is not ringing"}
		}
		return okBody{OK: true}, nil
	})
}

func (a *API) screen(w http.ResponseWriter, r *http.Request) {
	a.withAgent(w, r, func(we workspaceEngine, ag core.Agent) (any, error) {
		cmds, err := we.PendingScreen(r.Context(), ag.Username)
		if cmds == nil {
			cmds = []core.ScreenCommand{}
		}
		return cmds, err
	})
}

func (a *API) agentDial(w http.ResponseWriter, r *http.Request) {
	we, err := a.workspaceEngine()
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ag, err := a.agentFromPath(r.Context(), r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in wsDialInput
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := required("phone", in.Phone); err != nil {
		a.fail(w, r, err)
		return
	}
	c, err := we.Dial(r.Context(), core.DialRequest{Agent: ag.Username, Phone: in.Phone, Campaign: in.Campaign, LeadID: in.LeadID, CallerIDNum: in.CallerID})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, c)
}

func (a *API) preview(w http.ResponseWriter, r *http.Request) {
	a.withAgent(w, r, func(we workspaceEngine, ag core.Agent) (any, error) {
		return we.PreviewLead(r.Context(), ag.Username)
	})
}

func (a *API) disposition(w http.ResponseWriter, r *http.Request) {
	var in dispositionInput
	a.withAgent(w, r, func(we workspaceEngine, ag core.Agent) (any, error) {
		if err := decode(w, r, &in); err != nil {
			return nil, err
		}
		req := core.DispositionRequest{Status: in.Status, CallID: in.CallID, Comments: in.Comments, CallbackAgentOnly: in.AgentOnly}
		if in.CallbackAt != "" {
			t, err := time.Parse(time.RFC3339, in.CallbackAt)
			if err != nil {
				return nil, badRequest("callback_at must be an RFC 3339 time")
			}
			req.CallbackAt = &t
		}
		if len(in.Levels) > 3 {
			return nil, badRequest("at most three levels")
		}
		if req.Status == "" && len(in.Levels) > 0 {
			campaign := ag.Campaign
			if s, ok := we.Session(ag.Username); ok {
				campaign = s.Campaign
			}
			d, err := we.DispositionPath(r.Context(), campaign, in.Levels)
			if err != nil {
				return nil, err
			}
			req.Status = d.Code
		}
		if req.Status == "" {
			return nil, badRequest("missing required field %q (or %q)", "status", "levels")
		}
		return okBody{OK: true}, we.SetDisposition(r.Context(), ag.Username, req)
	})
}

func (a *API) tagCall(w http.ResponseWriter, r *http.Request) {
	we, err := a.workspaceEngine()
	cc, ok := a.eng.(callController)
	if err != nil || !ok {
		a.fail(w, r, errNoEngine)
		return
	}
	var in tagInput
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := required("message", in.Message); err != nil {
		a.fail(w, r, err)
		return
	}
	id, _ := pathID(r, "id")
	c, err := cc.Call(r.Context(), id)
	if err != nil {
		if errors.Is(err, core.ErrNoRecord) {
			err = notFound("call")
		}
		a.fail(w, r, err)
		return
	}
	if err := we.TagCall(r.Context(), c.GUID, c.Phone, in.Message); err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, okBody{OK: true})
}

func (a *API) actOnPending(w http.ResponseWriter, r *http.Request) {
	var in pendingInput
	a.withAgent(w, r, func(we workspaceEngine, ag core.Agent) (any, error) {
		id, err := pathID(r, "callbackID")
		if err != nil {
			return nil, notFound("pending item")
		}
		if err := decode(w, r, &in); err != nil {
			return nil, err
		}
		req := core.PendingActionRequest{Agent: ag.Username, Callback: id, Action: core.PendingAction(in.Action), To: in.To}
		if in.When != "" {
			if req.When, err = time.Parse(time.RFC3339, in.When); err != nil {
				return nil, badRequest("when must be an RFC 3339 time")
			}
		}
		return we.ActOnPending(r.Context(), req)
	})
}

func (a *API) contactFrom(w http.ResponseWriter, r *http.Request, in *contactInput) (core.Contact, error) {
	if err := decode(w, r, in); err != nil {
		return core.Contact{}, err
	}
	if err := required("campaign", in.Campaign, "phone", in.Phone); err != nil {
		return core.Contact{}, err
	}
	if len(in.Alternatives) > 32 || len(in.Data) > 64 {
		return core.Contact{}, badRequest("at most 32 alternatives and 64 data values")
	}
	c := core.Contact{Campaign: in.Campaign, Phone: in.Phone, Alternatives: in.Alternatives, Data: in.Data,
		Priority: in.Priority, Retries: in.Retries, LeadID: in.LeadID, Agent: in.Agent, Source: "web"}
	if c.Alternatives == nil {
		c.Alternatives = []string{}
	}
	return c, nil
}

func (a *API) respool(w http.ResponseWriter, r *http.Request) {
	var in contactInput
	a.withAgent(w, r, func(we workspaceEngine, _ core.Agent) (any, error) {
		c, err := a.contactFrom(w, r, &in)
		if err != nil {
			return nil, err
		}
		return we.PoolContact(r.Context(), c)
	})
}

func (a *API) schedule(w http.ResponseWriter, r *http.Request) {
	var in contactInput
	we, err := a.workspaceEngine()
	if err == nil {
		_, err = a.agentFromPath(r.Context(), r)
	}
	var c core.Contact
	if err == nil {
		c, err = a.contactFrom(w, r, &in)
	}
	var when time.Time
	if err == nil {
		if when, err = time.Parse(time.RFC3339, in.When); err != nil {
			err = badRequest("when must be an RFC 3339 time")
		}
	}
	var cb core.Callback
	if err == nil {
		cb, err = we.ScheduleContact(r.Context(), c, when)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, cb)
}

func (a *API) saveForm(w http.ResponseWriter, r *http.Request) {
	we, err := a.workspaceEngine()
	if err != nil {
		a.fail(w, r, err)
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		a.fail(w, r, notFound("call"))
		return
	}
	var in formInput
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if len(in.Entries) == 0 || len(in.Entries) > 200 {
		a.fail(w, r, badRequest("entries must hold 1 to 200 values"))
		return
	}
	entries := make([]core.FormEntry, len(in.Entries))
	for i, e := range in.Entries {
		entries[i] = core.FormEntry{FormID: e.FormID, FieldID: e.FieldID, Value: e.Value}
	}
	if err := we.SaveFormData(r.Context(), id, entries); err != nil {
		var fe *core.FormError
		if errors.As(err, &fe) {
			err = badRequest("%s", fe.Error())
		}
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, okBody{OK: true})
}
