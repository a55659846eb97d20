package admin

import (
	"context"
	"errors"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/callgate/callgate/core"
)

// route is one endpoint: the router and the OpenAPI document are both built
// from the table, so neither can drift from the other.
type route struct {
	method, path string
	tag, summary string
	body         any      // request body value (its type is documented), nil if none
	resp         any      // response value (its type is documented), nil for 204
	list         bool     // response is an array of resp
	status       int      // success status (200 when zero)
	query        []string // documented query parameters
	optional     bool     // the body may be omitted
	doc          string   // longer description
	public       bool     // no bearer token (the document itself)
	sim          bool     // only when a simulated PBX is configured
	h            http.HandlerFunc
	// binary lists the content types of a non-JSON success body.
	binary []string
	// access opens the route to browser sessions (sessions.go); nil keeps
	// it for the admin token.
	access access
}

// Write-only secrets travel in these wrappers; the records never serialise them.
type agentInput struct {
	*core.Agent
	Password        *string `json:"password,omitempty"`
	ConsolePassword *string `json:"eccp_password,omitempty"`
	PhonePass       *string `json:"phone_pass,omitempty"`
}

type apiUserInput struct {
	*core.APIUser
	Secret *string `json:"secret,omitempty"`
}

func setIf(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

// crud registers list/create/get/update/delete for a resource.
func crud[T any](a *API, rt *[]route, path, tag string, res *resource[T], query ...string) {
	var zero T
	var body any = zero
	if res.input != nil {
		body, _ = res.input(new(T))
	}
	q := append(append([]string{}, query...), "limit", "offset")
	if res.timeCol != "" {
		q = append(q, "since", "until")
	}
	item := path + "/{id}"
	*rt = append(*rt,
		route{method: "GET", path: path, tag: tag, summary: "List " + res.name + " records", resp: zero, list: true, query: q, h: res.list(a)},
		route{method: "POST", path: path, tag: tag, summary: "Create a " + res.name, doc: res.doc, body: body, resp: zero, status: http.StatusCreated, h: res.create(a)},
		route{method: "GET", path: item, tag: tag, summary: "Get a " + res.name, resp: zero, h: res.get(a)},
		route{method: "PUT", path: item, tag: tag, summary: "Update a " + res.name + " (fields omitted keep their values)", body: body, resp: zero, h: res.update(a)},
		route{method: "PATCH", path: item, tag: tag, summary: "Update some fields of a " + res.name, body: body, resp: zero, h: res.update(a)},
		route{method: "DELETE", path: item, tag: tag, summary: "Delete a " + res.name, h: res.remove(a)},
	)
}

// readOnly registers list/get for a resource.
func readOnly[T any](a *API, rt *[]route, path, tag string, res *resource[T], query ...string) {
	var zero T
	q := append(append([]string{}, query...), "limit", "offset")
	if res.timeCol != "" {
		q = append(q, "since", "until")
	}
	*rt = append(*rt,
		route{method: "GET", path: path, tag: tag, summary: "List " + res.name + " records", resp: zero, list: true, query: q, h: res.list(a)},
		route{method: "GET", path: path + "/{id}", tag: tag, summary: "Get a " + res.name, resp: zero, h: res.get(a)},
	)
}

func filterKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}

func (a *API) table() []route {
	var rt []route
	rt = append(rt, route{method: "GET", path: "/openapi.json", tag: "meta", summary: "This OpenAPI document", public: true, h: a.openapi})

	agents := &resource[core.Agent]{
		name:     "agent",
		doc:      "Required: username (or number; each defaults to the other). Defaults: type SIP, active true, user_level 1. Write-only: password, eccp_password, phone_pass.",
		defaults: func() *core.Agent { return &core.Agent{Active: true, UserLevel: 1, Type: "SIP"} },
		input: func(t *core.Agent) (any, func()) {
			in := &agentInput{Agent: t}
			return in, func() {
				setIf(&t.Password, in.Password)
				setIf(&t.ConsolePassword, in.ConsolePassword)
				setIf(&t.PhonePass, in.PhonePass)
			}
		},
		validate: func(t *core.Agent) error {
			// ECCP-minded clients name agents by number only (Agent/9000).
			if t.Username == "" {
				t.Username = t.Number
			}
			if t.Number == "" {
				t.Number = t.Username
			}
			if t.Username == "" {
				return badRequest("missing required field %q (or %q)", "username", "number")
			}
			return nil
		},
		beforeDelete: func(ctx context.Context, a *API, t *core.Agent) error {
			if a.eng == nil {
				return nil
			}
			if _, live := a.eng.Session(t.Username); live {
				return &httpError{status: http.StatusConflict, msg: "agent is logged in: log it out first"}
			}
			return nil
		},
		filters: map[string]string{"username": "username", "number": "number", "type": "type", "campaign": "campaign", "extension": "extension"},
		reload:  true,
	}
	crud(a, &rt, "/agents", "agents", agents, filterKeys(agents.filters)...)

	queues := &resource[core.Queue]{
		name: "queue",
		doc:  "Required: name. Defaults: strategy ringall, ring_timeout 15, service_level 20, active true.",
		defaults: func() *core.Queue {
			return &core.Queue{Active: true, Strategy: core.StrategyRingAll, RingTimeout: 15, ServiceLevel: 20}
		},
		validate: func(t *core.Queue) error {
			if err := required("name", t.Name); err != nil {
				return err
			}
			return oneOf("strategy", string(t.Strategy), "ringall", "leastrecent", "fewestcalls", "random", "rrmemory", "linear")
		},
		filters: map[string]string{"name": "name", "did": "did", "campaign": "campaign"},
		reload:  true,
	}
	crud(a, &rt, "/queues", "queues", queues, filterKeys(queues.filters)...)
	rt = append(rt,
		route{method: "GET", path: "/queues/{id}/members", tag: "queues", summary: "List a queue's members", resp: core.QueueMember{}, list: true, h: a.listMembers},
		route{method: "POST", path: "/queues/{id}/members", tag: "queues", summary: "Add an agent to a queue, or change its penalty", body: memberInput{}, resp: core.QueueMember{}, status: http.StatusCreated, h: a.addMember},
		route{method: "DELETE", path: "/queues/{id}/members/{agentID}", tag: "queues", summary: "Remove an agent (by agent id) from a queue", h: a.removeMember},
	)

	campaigns := &resource[core.Campaign]{
		name: "campaign",
		doc:  "Required: name. Defaults: type outbound, dial_method manual, dial_ratio 1, active true.",
		defaults: func() *core.Campaign {
			return &core.Campaign{Active: true, Type: core.CampaignOutbound, DialMethod: core.DialManual, DialRatio: 1}
		},
		validate: func(t *core.Campaign) error {
			if err := required("name", t.Name); err != nil {
				return err
			}
			if err := oneOf("type", string(t.Type), "inbound", "outbound"); err != nil {
				return err
			}
			return oneOf("dial_method", string(t.DialMethod), "manual", "preview", "progressive", "predictive")
		},
		filters: map[string]string{"name": "name", "type": "type"},
		reload:  true,
	}
	crud(a, &rt, "/campaigns", "campaigns", campaigns, filterKeys(campaigns.filters)...)

	lists := &resource[core.List]{
		name:     "list",
		doc:      "Required: id (the list id is chosen by the client, as VICIdial list_id), name.",
		defaults: func() *core.List { return &core.List{Active: true} },
		validate: func(t *core.List) error { return required("id", t.ID, "name", t.Name) },
		filters:  map[string]string{"campaign": "campaign"},
	}
	crud(a, &rt, "/lists", "leads", lists, filterKeys(lists.filters)...)

	leads := &resource[core.Lead]{
		name:     "lead",
		doc:      "Required: phone_number. Defaults: status NEW; entry_date and modify_date are set by the server.",
		defaults: func() *core.Lead { return &core.Lead{Status: "NEW"} },
		validate: func(t *core.Lead) error { return required("phone_number", t.PhoneNumber) },
		before: func(ctx context.Context, a *API, t *core.Lead, creating bool) error {
			now := time.Now().UTC().Truncate(time.Second)
			if t.EntryDate.IsZero() {
				t.EntryDate = now
			}
			t.ModifyDate = now
			return nil
		},
		filters: map[string]string{"list_id": "list_id", "campaign": "campaign", "status": "status", "phone_number": "phone_number", "vendor_lead_code": "vendor_lead_code"},
	}
	crud(a, &rt, "/leads", "leads", leads, filterKeys(leads.filters)...)

	calls := &resource[core.Call]{
		name:    "call",
		filters: map[string]string{"state": "state", "queue": "queue", "campaign": "campaign", "agent": "agent", "direction": "direction", "lead_id": "lead_id", "uniqueid": "uniqueid", "guid": "guid"},
		timeCol: "created_at",
		order:   []core.Order{{Field: "id", Desc: true}},
	}
	rt = append(rt, route{method: "GET", path: "/calls/active", tag: "calls", summary: "Live calls held by the engine", resp: core.Call{}, list: true, h: a.activeCalls})
	readOnly(a, &rt, "/calls", "calls", calls, filterKeys(calls.filters)...)
	rt = append(rt, route{method: "POST", path: "/calls", tag: "calls", summary: "Place a manual call for a logged-in agent", doc: "Required: agent (username), phone. The agent's phone rings first, then the customer; DNC lists are checked unless skip_dnc.", body: dialInput{}, resp: core.Call{}, status: http.StatusCreated, h: a.dial})
	rt = append(rt, route{method: "POST", path: "/calls/{id}/hangup", tag: "calls", summary: "Hang up a live call", body: hangupInput{}, optional: true, resp: okBody{}, h: a.hangupCall})
	rt = append(rt, a.callControlRoutes()...)
	rt = append(rt, route{method: "GET", path: "/events", tag: "events", summary: "Domain events as Server-Sent Events",
		doc:   "text/event-stream: each event's SSE id is its bus sequence and its name its type; data is the event as JSON. Resume with Last-Event-ID (or from=SEQ); a resume point older than the replay window starts with a \"gap\" event {requested, first_available, missed}; a client too slow for the bus gets a final \"overflow\" event {reason, resume_from}. Filters (comma-separated or repeated): agent, queue, campaign, type (exact, or a prefix ending in a dot: call.). Heartbeat comments keep idle streams open; 503 when too many streams are open.",
		query: []string{"agent", "queue", "campaign", "type", "from"}, binary: []string{"text/event-stream"}, h: a.events})

	pauses := &resource[core.PauseCode]{
		name:     "pause code",
		doc:      "Required: code or name (ECCP breaks have only a name; each defaults to the other). Defaults: type B (break; H is hold), active true. An explicit id sets the ECCP break id.",
		defaults: func() *core.PauseCode { return &core.PauseCode{Active: true, Type: "B"} },
		validate: func(t *core.PauseCode) error {
			if t.Name == "" {
				t.Name = t.Code
			}
			if t.Code == "" {
				// The code column holds 32 bytes; cut a long name on a rune.
				t.Code = t.Name
				for len(t.Code) > 32 {
					_, n := utf8.DecodeLastRuneInString(t.Code)
					t.Code = t.Code[:len(t.Code)-n]
				}
			}
			if t.Code == "" {
				return badRequest("missing required field %q (or %q)", "code", "name")
			}
			return oneOf("type", t.Type, "B", "H")
		},
		filters: map[string]string{"code": "code", "campaign": "campaign", "type": "type"},
		reload:  true,
	}
	crud(a, &rt, "/pausecodes", "pause codes", pauses, filterKeys(pauses.filters)...)

	dispositions := &resource[core.Disposition]{
		name:     "disposition",
		doc:      "Required: code. Defaults: name = code, selectable true. action is empty or one of respool, reschedule, blacklist.",
		defaults: func() *core.Disposition { return &core.Disposition{Selectable: true} },
		validate: func(t *core.Disposition) error {
			if t.Name == "" {
				t.Name = t.Code
			}
			if err := required("code", t.Code); err != nil {
				return err
			}
			return oneOf("action", t.Action, "", "respool", "reschedule", "blacklist")
		},
		filters: map[string]string{"code": "code", "campaign": "campaign", "parent_id": "parent_id"},
		reload:  true,
	}
	crud(a, &rt, "/dispositions", "dispositions", dispositions, filterKeys(dispositions.filters)...)

	apiUsers := &resource[core.APIUser]{
		name: "API user",
		doc:  "Required: dialect (vicidial, eccp, ...), username, secret (write-only). Defaults: active, api_access, user_level 8, allowed_functions ALL_FUNCTIONS.",
		defaults: func() *core.APIUser {
			return &core.APIUser{Active: true, UserLevel: 8, APIAccess: true, AllowedFunctions: "ALL_FUNCTIONS"}
		},
		input: func(t *core.APIUser) (any, func()) {
			in := &apiUserInput{APIUser: t}
			return in, func() { setIf(&t.Secret, in.Secret) }
		},
		validate: func(t *core.APIUser) error {
			return required("dialect", t.Dialect, "username", t.Username, "secret", t.Secret)
		},
		filters: map[string]string{"dialect": "dialect", "username": "username"},
	}
	crud(a, &rt, "/apiusers", "credentials", apiUsers, filterKeys(apiUsers.filters)...)

	userGroups := &resource[core.UserGroup]{
		name:     "user group",
		doc:      "Required: name. VICIdial user groups: allowed_campaigns (\" TESTCAMP - \" or \" -ALL-CAMPAIGNS- - \") and admin_viewable_groups (\" ---ALL--- \") decide which campaigns and groups members may reach (send_notification). A user's group is the user_group of its agent record.",
		validate: func(t *core.UserGroup) error { return required("name", t.Name) },
		filters:  map[string]string{"name": "name"},
	}
	crud(a, &rt, "/usergroups", "credentials", userGroups, filterKeys(userGroups.filters)...)

	routes := &resource[core.Route]{
		name:     "route",
		doc:      "Required: did, queue.",
		validate: func(t *core.Route) error { return required("did", t.DID, "queue", t.Queue) },
		filters:  map[string]string{"did": "did", "queue": "queue"},
	}
	crud(a, &rt, "/routes", "routing", routes, filterKeys(routes.filters)...)

	dnc := &resource[core.DNCEntry]{
		name:     "DNC entry",
		doc:      "Required: phone. An empty campaign blocks the number everywhere.",
		validate: func(t *core.DNCEntry) error { return required("phone", t.Phone) },
		filters:  map[string]string{"phone": "phone", "campaign": "campaign"},
	}
	crud(a, &rt, "/dnc", "leads", dnc, filterKeys(dnc.filters)...)

	callbacks := &resource[core.Callback]{
		name:     "callback",
		doc:      "Required: when (RFC 3339) and lead_id or phone. Defaults: status ACTIVE.",
		defaults: func() *core.Callback { return &core.Callback{Status: "ACTIVE"} },
		validate: func(t *core.Callback) error {
			if t.LeadID == 0 && t.Phone == "" {
				return badRequest("missing required field %q (or %q)", "lead_id", "phone")
			}
			return required("when", t.When)
		},
		filters: map[string]string{"lead_id": "lead_id", "campaign": "campaign", "agent": "agent", "status": "status"},
		timeCol: "due_at",
	}
	crud(a, &rt, "/callbacks", "leads", callbacks, filterKeys(callbacks.filters)...)

	forms := &resource[core.Form]{
		name:     "form",
		defaults: func() *core.Form { return &core.Form{Active: true} },
		validate: func(t *core.Form) error { return required("name", t.Name) },
	}
	crud(a, &rt, "/forms", "forms", forms)
	fields := &resource[core.FormField]{
		name:     "form field",
		doc:      "Required: form_id (an existing form), label. Defaults: type TEXT.",
		defaults: func() *core.FormField { return &core.FormField{Type: "TEXT"} },
		validate: func(t *core.FormField) error {
			if err := required("form_id", t.FormID, "label", t.Label); err != nil {
				return err
			}
			return oneOf("type", t.Type, "LABEL", "TEXT", "LIST", "DATE", "TEXTAREA")
		},
		before: func(ctx context.Context, a *API, t *core.FormField, _ bool) error {
			var f core.Form
			if err := a.rec.Get(ctx, &f, core.ByID(t.FormID)); err != nil {
				return badRequest("form %d does not exist", t.FormID)
			}
			return nil
		},
		filters: map[string]string{"form_id": "form_id"},
		order:   []core.Order{{Field: "form_id"}, {Field: "order"}, {Field: "id"}},
	}
	crud(a, &rt, "/formfields", "forms", fields, filterKeys(fields.filters)...)

	readOnly(a, &rt, "/queuelog", "reports", &resource[core.QueueLogEntry]{
		name:    "queue log entry",
		filters: map[string]string{"queue": "queue", "agent": "agent", "event": "event", "call_id": "call_id"},
		timeCol: "time",
	}, "queue", "agent", "event", "call_id")
	readOnly(a, &rt, "/cdr", "reports", &resource[core.CDR]{
		name:    "CDR",
		filters: map[string]string{"call_id": "call_id", "uniqueid": "uniqueid", "agent": "agent", "queue": "queue", "campaign": "campaign", "src": "src", "dst": "dst"},
		timeCol: "start",
		order:   []core.Order{{Field: "id", Desc: true}},
	}, "agent", "call_id", "campaign", "dst", "queue", "src", "uniqueid")
	readOnly(a, &rt, "/apilog", "reports", &resource[core.APILogEntry]{
		name:    "API log entry",
		filters: map[string]string{"dialect": "dialect", "user": "user", "function": "function", "agent_user": "agent_user", "result": "result"},
		timeCol: "time",
		order:   []core.Order{{Field: "id", Desc: true}},
	}, "agent_user", "dialect", "function", "result", "user")
	readOnly(a, &rt, "/recordings", "reports", &resource[core.Recording]{
		name:    "recording",
		filters: map[string]string{"call_id": "call_id", "agent": "agent", "lead_id": "lead_id", "guid": "guid"},
		timeCol: "start",
		order:   []core.Order{{Field: "id", Desc: true}},
	}, "agent", "call_id", "guid", "lead_id")
	readOnly(a, &rt, "/imports", "leads", &resource[core.ContactImport]{
		name:    "contact import",
		filters: map[string]string{"campaign": "campaign", "status": "status"},
		timeCol: "created_at",
		order:   []core.Order{{Field: "id", Desc: true}},
	}, "campaign", "status")
	rt = append(rt, route{method: "GET", path: "/recordings/{id}/media", tag: "reports", summary: "A finished recording's audio",
		doc:   "format=mp3 (default, transcoded), or wav/gsm for the file as recorded. 404 while the recording runs or when its file cannot be found.",
		query: []string{"format"}, binary: []string{"audio/mpeg", "audio/wav", "audio/x-gsm"}, h: a.recordingMedia})

	// Live operations through the engine.
	rt = append(rt,
		route{method: "GET", path: "/sessions", tag: "live", summary: "Logged-in agents' live sessions", resp: core.AgentSession{}, list: true, h: a.sessions},
		route{method: "GET", path: "/agents/{id}/session", tag: "live", summary: "An agent's live session (404 when logged out)", resp: core.AgentSession{}, h: a.agentSession},
		route{method: "POST", path: "/agents/{id}/login", tag: "live", summary: "Log an agent in", body: loginInput{}, optional: true, resp: core.AgentSession{}, h: a.login},
		route{method: "POST", path: "/agents/{id}/logout", tag: "live", summary: "Log an agent out (deferred while on a call)", body: logoutInput{}, optional: true, resp: logoutResult{}, h: a.logout},
		route{method: "POST", path: "/agents/{id}/pause", tag: "live", summary: "Pause an agent with a pause code or break id", body: pauseInput{}, optional: true, resp: core.AgentSession{}, h: a.pause},
		route{method: "POST", path: "/agents/{id}/unpause", tag: "live", summary: "End an agent's pause", resp: core.AgentSession{}, h: a.unpause},
		route{method: "POST", path: "/reload", tag: "live", summary: "Make the engine re-read provisioned records", resp: okBody{}, h: a.reloadNow},
	)

	rt = append(rt, a.webRoutes()...)
	rt = append(rt, a.settingsRoutes()...)
	rt = append(rt, a.smsRoutes()...)
	rt = append(rt, a.outboxRoutes()...)
	rt = append(rt, a.apiKeyRoutes()...)
	rt = append(rt, a.infocallerRoutes()...)

	// Simulated PBX controls (demo mode only).
	rt = append(rt,
		route{method: "POST", path: "/sim/inbound", tag: "simulator", summary: "Place an inbound call to a DID or a queue", body: simInboundInput{}, resp: simChannel{}, status: http.StatusCreated, sim: true, h: a.simInbound},
		route{method: "GET", path: "/sim/channels", tag: "simulator", summary: "Channels live on the simulated PBX", resp: core.ChannelInfo{}, list: true, sim: true, h: a.simChannels},
		route{method: "GET", path: "/sim/channels/{channelID}", tag: "simulator", summary: "A simulated channel's state", resp: simChannel{}, sim: true, h: a.simChannel},
		route{method: "POST", path: "/sim/channels/{channelID}/answer", tag: "simulator", summary: "Answer a ringing originated channel from the far end", resp: okBody{}, sim: true, h: a.simAnswer},
		route{method: "POST", path: "/sim/channels/{channelID}/dtmf", tag: "simulator", summary: "Press DTMF digits on the far end", body: simDTMFInput{}, resp: okBody{}, sim: true, h: a.simDTMF},
		route{method: "POST", path: "/sim/channels/{channelID}/hangup", tag: "simulator", summary: "Hang up a channel from the far end", body: hangupInput{}, optional: true, resp: okBody{}, sim: true, h: a.simHangup},
		route{method: "PUT", path: "/sim/behavior", tag: "simulator", summary: "Set how an originated endpoint answers", body: simBehaviorInput{}, resp: okBody{}, sim: true, h: a.simBehavior},
	)
	openToSessions(rt)
	return rt
}

// --- queue members ---

type memberInput struct {
	AgentID uint   `json:"agent_id,omitempty"`
	Agent   string `json:"agent,omitempty"` // agent username, instead of agent_id
	Penalty int    `json:"penalty"`
}

func (a *API) queueFromPath(ctx context.Context, r *http.Request) (core.Queue, error) {
	var q core.Queue
	id, err := pathID(r, "id")
	if err != nil {
		return q, notFound("queue")
	}
	if err := a.rec.Get(ctx, &q, core.ByID(id)); err != nil {
		if err == core.ErrNoRecord {
			return q, notFound("queue")
		}
		return q, err
	}
	return q, nil
}

func (a *API) listMembers(w http.ResponseWriter, r *http.Request) {
	q, err := a.queueFromPath(r.Context(), r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out, err := a.rec.QueueMembers(r.Context(), q.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if out == nil {
		out = []core.QueueMember{}
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) addMember(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q, err := a.queueFromPath(ctx, r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in memberInput
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	var ag core.Agent
	switch {
	case in.AgentID != 0:
		err = a.rec.Get(ctx, &ag, core.ByID(in.AgentID))
	case in.Agent != "":
		err = a.rec.Get(ctx, &ag, core.Eq("username", in.Agent))
	default:
		a.fail(w, r, badRequest("missing required field %q (or %q)", "agent_id", "agent"))
		return
	}
	if err != nil {
		if err == core.ErrNoRecord {
			err = badRequest("agent does not exist")
		}
		a.fail(w, r, err)
		return
	}
	m, created, err := a.rec.PutQueueMember(ctx, q, ag, in.Penalty)
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.reload(ctx)
	writeJSON(w, status, m)
}

func (a *API) removeMember(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q, err := a.queueFromPath(ctx, r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	agentID, err := pathID(r, "agentID")
	if err != nil {
		a.fail(w, r, notFound("member"))
		return
	}
	if err := a.rec.RemoveQueueMember(ctx, q.ID, uint(agentID)); err != nil {
		if errors.Is(err, core.ErrNoRecord) {
			err = notFound("member")
		}
		a.fail(w, r, err)
		return
	}
	a.reload(ctx)
	w.WriteHeader(http.StatusNoContent)
}
