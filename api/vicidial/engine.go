package vicidial

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/callgate/callgate/core"
)

// engineAPI is the part of *core.Engine the adapter drives.
type engineAPI interface {
	Lead(ctx context.Context, id uint64) (core.Lead, error)
	LeadByVendorCode(ctx context.Context, code string) (core.Lead, error)
	UpdateLeadFields(ctx context.Context, id uint64, fields map[string]any, agent string) (bool, error)
	OnDNCList(ctx context.Context, phone, campaign string) bool
	IsCallbackStatus(ctx context.Context, code, campaign string) bool
	Recording(ctx context.Context, id uint64) (core.Recording, error)
	APIUser(ctx context.Context, dialect, user string) (core.APIUser, error)
	FindAgent(ctx context.Context, user string) (core.Agent, error)
	AgentByAltID(ctx context.Context, alt string) (core.Agent, error)
	AgentsOfGroup(ctx context.Context, group string) ([]core.Agent, error)
	AgentsOfCampaign(ctx context.Context, campaign string) ([]core.Agent, error)
	SetAgentAltData(ctx context.Context, a core.Agent, vendor string) error
	FindCampaign(ctx context.Context, name string) (core.Campaign, error)
	FindQueue(ctx context.Context, name string) (core.Queue, error)
	UserGroup(ctx context.Context, name string) (core.UserGroup, error)
	SetQueueMemberships(ctx context.Context, user string, queues []string) error
	Credentials() *core.Credentials
	ExternalIDs() *core.ExternalIDs
	Settings() *core.Settings
	RecordAPICalls(ctx context.Context, rows []core.APILogEntry) error
	AwaitWrites(ctx context.Context, p *core.PendingWrites, rows []core.APILogEntry) (writes, logged error)
	DispositionPending(ctx context.Context, s core.AgentSession) (core.Call, bool)
	ConferenceRoom(s core.AgentSession, base int) int
	ReserveDial(agent, number string) bool
	ReleaseDial(agent, number string)
	DialWhenFree(ctx context.Context, req core.DialRequest) (queued bool, err error)
	Ready() bool
	Now() time.Time
	Session(user string) (core.AgentSession, bool)
	Sessions() []core.AgentSession
	AgentCall(user string) (core.Call, bool)
	ActiveCalls() []core.Call
	Pause(ctx context.Context, user, code string) error
	PauseAfterCall(ctx context.Context, user, code string) error
	Unpause(ctx context.Context, user string) error
	SetPauseCode(ctx context.Context, user, code string) error
	Logout(ctx context.Context, user, reason string) (bool, error)
	SetAgentQueues(ctx context.Context, user string, queues []string, blended bool) error
	Dial(ctx context.Context, req core.DialRequest) (core.Call, error)
	DialNextLead(ctx context.Context, req core.DialRequest) (core.Call, error)
	Hangup(ctx context.Context, user string) error
	HangupCall(ctx context.Context, id uint64, cause core.HangupCause) error
	EndWrapUp(ctx context.Context, user string) error
	Bus() core.Bus
	Park(ctx context.Context, user string) error
	Grab(ctx context.Context, user string) error
	SendDTMF(ctx context.Context, user, digits string) error
	Transfer(ctx context.Context, user string, req core.TransferRequest) error
	LeaveThreeWay(ctx context.Context, user string) error
	CancelTransfer(ctx context.Context, user string) error
	TransferState(user string) (kind, target string)
	StartRecording(ctx context.Context, user string) (core.Recording, error)
	StopRecording(ctx context.Context, user string) (core.Recording, error)
	CurrentRecording(user string) (core.Recording, bool)
	Play(ctx context.Context, user, media string) (string, error)
	ControlPlayback(ctx context.Context, user string, op core.PlaybackOp) error
	AddLead(ctx context.Context, l *core.Lead, opt core.AddLeadOptions) error
	FindLeadsByPhone(ctx context.Context, phone, campaign string) ([]core.Lead, error)
	SetDisposition(ctx context.Context, user string, req core.DispositionRequest) error
	SendScreen(ctx context.Context, user, kind, payload string) (core.ScreenCommand, error)
	Waiting(queue string) []core.Call
	AgentQueues(user string) []string
	AgentValues() *core.AgentValues
	Reload(ctx context.Context) error
	SetAgentLead(ctx context.Context, user string, leadID uint64) error
	ReleaseLead(ctx context.Context, user string, leadID uint64)
}

// vicidialStatus maps an agent session onto vicidial_live_agents.status.
func vicidialStatus(s core.AgentSession) string {
	switch {
	case s.State == core.AgentOnCall:
		return "INCALL"
	case s.Paused, s.State == core.AgentWrapUp, s.State == core.AgentLoggingIn:
		return "PAUSED"
	case s.State == core.AgentRinging:
		return "QUEUE"
	}
	return "READY"
}

// callID is the call's VICIdial call id (vicidial_auto_calls.callerid).
// The adapter builds it the first time a client needs it and keeps it in
// the engine's external ids, so the id a client saw still names the call
// after a restart; the last few are cached because agents' screens poll.
func (h *Handler) callID(ctx context.Context, c core.Call) string {
	h.idMu.Lock()
	id, ok := h.callIDs[c.ID]
	h.idMu.Unlock()
	if ok {
		return id
	}
	id, err := h.eng.ExternalIDs().External(ctx, core.EntityCall, Dialect, c.ID)
	if err != nil {
		id = h.keepNewCallID(ctx, c)
	}
	h.idMu.Lock()
	if len(h.callIDs) >= maxCachedCallIDs {
		clear(h.callIDs)
	}
	h.callIDs[c.ID] = id
	h.idMu.Unlock()
	return id
}

// maxCachedCallIDs bounds the call-id cache; a miss costs one indexed read.
const maxCachedCallIDs = 4096

// callByID is the live call a client names by its VICIdial call id.
func (h *Handler) callByID(ctx context.Context, cid string, active []core.Call) (core.Call, bool) {
	if id, err := h.eng.ExternalIDs().Internal(ctx, core.EntityCall, Dialect, cid); err == nil {
		for _, call := range active {
			if call.ID == id {
				return call, true
			}
		}
		return core.Call{}, false
	}
	// Not handed out yet: give the live calls their ids and compare.
	for _, call := range active {
		if h.callID(ctx, call) == cid {
			return call, true
		}
	}
	return core.Call{}, false
}

// buildCallID is VICIdial's call id (vdc_db_query.php, agi-VDAD_*):
// Y inbound, M manual, V auto-dialed, then the call's start as date("mdHis")
// cut to its last nine digits, then the lead id zero-padded to ten digits,
// so a CRM reads the lead id from the call id. A call with no lead carries
// its own number in the lead's place (VICIdial always has a lead).
func buildCallID(c core.Call) string {
	return callIDAt(c, c.CreatedAt)
}

func callIDAt(c core.Call, at time.Time) string {
	p := "V"
	switch c.Direction {
	case core.CallInbound:
		p = "Y"
	case core.CallManual:
		p = "M"
	}
	n := c.LeadID
	if n == 0 {
		n = c.ID
	}
	return fmt.Sprintf("%s%s%010d", p, at.Format("0102150405")[1:], n%10000000000)
}

// keepNewCallID builds the call's id and keeps it. Two calls to one lead in
// the same second would get the same id in VICIdial; the external-id table
// keeps ids unique, so the later call takes the next free second.
func (h *Handler) keepNewCallID(ctx context.Context, c core.Call) string {
	ids := h.eng.ExternalIDs()
	id := buildCallID(c)
	for i := 0; i < maxCallIDTries; i++ {
		id = callIDAt(c, c.CreatedAt.Add(time.Duration(i)*time.Second))
		err := ids.Set(ctx, core.EntityCall, Dialect, id, c.ID)
		if err == nil {
			return id
		}
		if !errors.Is(err, core.ErrDuplicate) {
			h.log.Warn("vicidial: keep call id", "call", c.ID, "err", err)
			return id
		}
	}
	h.log.Warn("vicidial: no free call id", "call", c.ID, "id", id)
	return id
}

const maxCallIDTries = 60

// liveLead is the session's lead and call id as vicidial_live_agents holds
// them (lead_id, callerid): the lead stays on the agent's screen through
// the call and its wrap-up (VICIdial's dispo screen).
func (h *Handler) liveLead(ctx context.Context, s core.AgentSession) (leadID uint64, cid string, call core.Call, ok bool) {
	call, ok = h.eng.AgentCall(s.Username)
	if ok {
		leadID = call.LeadID
		if leadID == 0 {
			leadID = s.LeadID
		}
		return leadID, h.callID(ctx, call), call, true
	}
	if s.State == core.AgentWrapUp || s.CallID != 0 || h.previewing(s) || h.awaitingDispo(s) {
		leadID = s.LeadID
	}
	return leadID, "", call, false
}

// awaitingDispo is VICIdial's disposition screen: after a call the lead
// stays on the agent's screen (vicidial_live_agents.lead_id) until a status
// is given. The caller has checked the agent has no call now.
func (h *Handler) awaitingDispo(s core.AgentSession) bool {
	_, ok := h.dispoCall(s)
	return ok
}

// dispoCall is the call whose status the disposition screen waits for.
func (h *Handler) dispoCall(s core.AgentSession) (core.Call, bool) {
	return h.eng.DispositionPending(context.Background(), s)
}

// confExten is the session's vicidial_live_agents.conf_exten: the agent
// screen takes the first free row of vicidial_conferences at login, which
// is the engine's conference room of the session.
func (h *Handler) confExten(s core.AgentSession) string {
	return fmt.Sprint(h.eng.ConferenceRoom(s, h.opt.ConfExtenBase))
}

func (h *Handler) campaign(ctx context.Context, name string) (core.Campaign, bool) {
	if name == "" {
		return core.Campaign{}, false
	}
	c, err := h.eng.FindCampaign(ctx, name)
	return c, err == nil
}

// dialMethod is vicidial_campaigns.dial_method.
func dialMethod(c core.Campaign) string {
	switch c.DialMethod {
	case core.DialManual, core.DialPreview, "":
		if c.Type == core.CampaignInbound {
			return "INBOUND_MAN"
		}
		return "MANUAL"
	case core.DialProgressive:
		return "RATIO"
	}
	return "ADAPT_TAPERED"
}

func (h *Handler) queueExists(ctx context.Context, name string, activeOnly bool) bool {
	if name == "" {
		return false
	}
	q, err := h.eng.FindQueue(ctx, name)
	return err == nil && (q.Active || !activeOnly)
}

// agentManualDial is the agent's agentcall_manual flag.
func (h *Handler) agentManualDial(ctx context.Context, user string) bool {
	if u, err := h.eng.APIUser(ctx, Dialect, user); err == nil {
		return u.ManualDial
	}
	if h.opt.AgentManualDial != nil {
		return *h.opt.AgentManualDial
	}
	return true
}

// logEffect records what a command did (or why it was a no-op) in the
// gateway log; the wire answer is VICIdial's whatever happens.
func (h *Handler) logEffect(fn, agent string, err error) {
	if err != nil {
		h.log.Info("vicidial: command had no effect", "function", fn, "agent", agent, "reason", err.Error())
	}
}
