package vicidial

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
)

const (
	// NonAgentVersion and NonAgentBuild are the non_agent_api.php release
	// whose wire format is served.
	NonAgentVersion = "2.14-202"
	NonAgentBuild   = "250720-1841"
)

// nonAgentEngine is the part of *core.Engine the non-agent API drives.
type nonAgentEngine interface {
	Lead(ctx context.Context, id uint64) (core.Lead, error)
	AddLead(ctx context.Context, l *core.Lead, opt core.AddLeadOptions) error
	UpdateLeadFields(ctx context.Context, id uint64, fields map[string]any, agent string) (bool, error)
	FindLeads(ctx context.Context, q core.LeadQuery) ([]core.Lead, error)
	DeleteLead(ctx context.Context, id uint64) (int64, error)
	DeleteList(ctx context.Context, id uint64) error
	DeleteListLeads(ctx context.Context, id uint64) (int, error)
	QueueLeadNow(ctx context.Context, id uint64, priority int) error
	UnqueueLead(ctx context.Context, id uint64) (string, bool, error)
	UnqueueCampaign(ctx context.Context, campaign string) (int, error)
	SetQueueMemberships(ctx context.Context, user string, queues []string) error
	UpdateListField(ctx context.Context, f core.ListField) (core.ListField, error)
	Reload(ctx context.Context) error
	ResetAgentPassword(ctx context.Context, user, email string, n int) error
	NextLeads(ctx context.Context, campaign string, limit int) ([]core.Lead, error)
	FindList(ctx context.Context, id uint64) (core.List, error)
	ListsOfCampaign(ctx context.Context, campaign string) ([]uint64, error)
	AddDNC(ctx context.Context, phone, campaign, reason string) error
	RemoveDNC(ctx context.Context, phone, campaign string) (bool, error)
	OnDNC(ctx context.Context, phone, campaign string) bool
	ScheduleCallback(ctx context.Context, cb *core.Callback) error
	APIUser(ctx context.Context, dialect, user string) (core.APIUser, error)
	FindAgent(ctx context.Context, user string) (core.Agent, error)
	FindCampaign(ctx context.Context, name string) (core.Campaign, error)
	Campaigns() []core.Campaign
	UserGroup(ctx context.Context, name string) (core.UserGroup, error)
	Credentials() *core.Credentials
	RecordAPICalls(ctx context.Context, rows []core.APILogEntry) error
	Session(user string) (core.AgentSession, bool)
	Sessions() []core.AgentSession
	AgentCall(user string) (core.Call, bool)
	ConferenceRoom(s core.AgentSession, base int) int
	ExternalIDs() *core.ExternalIDs
	Now() time.Time
	LeadCallbacks(ctx context.Context, leadID uint64) ([]core.Callback, error)
	SaveList(ctx context.Context, l core.List, create bool) error
	ResetList(ctx context.Context, id uint64) (int, error)
	ListLeadCount(ctx context.Context, id uint64, statuses ...string) (int64, error)
	ListDialableCount(ctx context.Context, id uint64) (int64, error)
	FindRecordings(ctx context.Context, q core.RecordingQuery) ([]core.Recording, error)
	AgentByPhoneLogin(ctx context.Context, login string) (core.Agent, error)
	Snoop(ctx context.Context, supervisorEndpoint, user, mode string) error
	Queues() []core.Queue
	Waiting(queue string) []core.Call
	AgentQueues(user string) []string
	Call(ctx context.Context, id uint64) (core.Call, error)
	AddPhone(ctx context.Context, p *core.Phone) error
	UpdatePhone(ctx context.Context, extension string, cols map[string]any, remove bool) error
	PhoneByLogin(ctx context.Context, login string) (core.Phone, error)
	AddAgent(ctx context.Context, a *core.Agent) error
	UpdateAgent(ctx context.Context, user string, cols map[string]any) error
	DeleteAgent(ctx context.Context, user string) error
	UpdateCampaign(ctx context.Context, name string, cols map[string]any) error
	CallLog(ctx context.Context, q core.CallLogQuery) ([]core.Call, error)
	CallStatusStats(ctx context.Context, from, to time.Time, campaigns, queues, statuses []string) ([]core.CallGroupStats, error)
	DispositionCounts(ctx context.Context, from, to time.Time, campaigns []string) (map[string]map[string]int, error)
	AgentSummaries(ctx context.Context, from, to time.Time) ([]core.AgentSummary, error)
	AgentActivity(ctx context.Context, user string, since, until time.Time) (core.AgentActivity, error)
	AgentsOfGroup(ctx context.Context, group string) ([]core.Agent, error)
	LoggedCall(ctx context.Context, group string, inbound bool, uniqueID string, leadID uint64) (core.Call, error)
	FindQueue(ctx context.Context, name string) (core.Queue, error)
	SetLoggedCallStatus(ctx context.Context, id uint64, status string) error
	ActiveCalls() []core.Call
	Lists(ctx context.Context) ([]core.List, error)
	Settings() *core.Settings
	ListFields(ctx context.Context, listID uint64) ([]core.ListField, error)
	AddListField(ctx context.Context, f core.ListField) (core.ListField, error)
	DeleteListField(ctx context.Context, listID uint64, label string) (core.ListField, error)
	SetLeadFieldValues(ctx context.Context, leadID, listID uint64, values map[string]string) (int, error)
	LeadFieldValues(ctx context.Context, leadID, listID uint64) (map[string]string, error)
	DeleteLeadFieldValues(ctx context.Context, leadID, listID uint64) (int64, error)
	RescheduleLeadCallback(ctx context.Context, leadID uint64, ch core.CallbackChange) (core.Callback, error)
	RemoveLeadCallbacks(ctx context.Context, leadID uint64) (int64, error)
	AddLeadPhones(ctx context.Context, leadID uint64, phones []core.LeadPhone) (int, error)
	CopyListFields(ctx context.Context, from, to uint64, method string) (int, error)
}

// NonAgentHandler serves /vicidial/non_agent_api.php.
type NonAgentHandler struct {
	eng  nonAgentEngine
	opt  Options
	log  *slog.Logger
	now  func() time.Time
	logs *logWriter
	// ids turns call ids into VICIdial's (shared rules with the agent API).
	ids *Handler
}

// NewNonAgentHandler returns the non-agent API handler over a running
// engine. It implements io.Closer: Close flushes the API log.
func NewNonAgentHandler(engine *core.Engine, opts Options) *NonAgentHandler {
	return newNonAgentHandler(engine, opts, newHandler(engine, opts))
}

func newNonAgentHandler(eng nonAgentEngine, opts Options, ids *Handler) *NonAgentHandler {
	if opts.MaxBody <= 0 {
		opts.MaxBody = defaultMaxBody
	}
	if opts.ConfExtenBase == 0 {
		opts.ConfExtenBase = 8600050
	}
	h := &NonAgentHandler{eng: eng, opt: opts, log: opts.Logger, now: opts.Clock, ids: ids}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.now == nil {
		h.now = eng.Now
	}
	h.logs = newLogWriter(eng.RecordAPICalls, h.log)
	return h
}

// Close writes the API log rows still queued.
func (h *NonAgentHandler) Close() error {
	h.logs.Close()
	if h.ids != nil {
		_ = h.ids.Close()
	}
	return nil
}

func (h *NonAgentHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > h.opt.MaxBody {
		(&Handler{opt: h.opt}).tooLarge(w)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, h.opt.MaxBody)
	post, err := postBody(r)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			(&Handler{opt: h.opt}).tooLarge(w)
			return
		}
		post = ""
	}
	c := &naCall{h: h, ctx: context.WithoutCancel(r.Context()), p: parseNonAgent(r.URL.RawQuery, post), start: time.Now(), now: h.now()}
	c.user, c.function, c.source = c.p.get("user"), c.p.get("function"), c.p.get("source")
	c.remote = r.RemoteAddr
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		c.remote = host
	}
	status := c.run()
	h.logs.write(c.ctx, c.rows)
	hd := w.Header()
	setHeaders(hd)
	if c.contentType != "" {
		hd.Set("Content-Type", c.contentType)
	}
	if status == http.StatusTeapot {
		hd.Set("Connection", "close")
	}
	hd.Set("Content-Length", strconv.Itoa(c.out.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(c.out.Bytes())
}

// naCall is one non_agent_api.php run.
type naCall struct {
	// contentType replaces the script's default text/html where a
	// function sends its own header (call_dispo_report: text/plain).
	contentType string
	h           *NonAgentHandler
	ctx         context.Context
	p           *params
	start       time.Time
	now         time.Time
	remote      string

	user, function, source string
	api                    core.APIUser
	out                    bytes.Buffer
	rows                   []core.APILogEntry // API log, written before the answer
	// restrict is the API user's group when api_list_restrict is on for
	// this function (listAllowed).
	restrict *core.UserGroup
}

// NonAgentLogDialect marks the non-agent API's log rows (VICIdial's
// api_script='non-agent').
const NonAgentLogDialect = "vicidial-na"

// line writes one output line and logs it with its result word.
func (c *naCall) line(result, reason, data, text string) {
	c.out.WriteString(text + "\n")
	c.logRow(result, reason, data)
}

func (c *naCall) logRow(result, reason, data string) {
	e := core.APILogEntry{
		Dialect: NonAgentLogDialect, User: trunc(c.user, 20), Time: c.now, Function: trunc(c.function, 20),
		AgentUser: trunc(c.p.get("agent_user"), 20), Value: trunc(c.p.get("value"), 255), Result: result,
		Reason: trunc(reason, 255), Source: trunc(c.source, 20), Data: strings.ReplaceAll(data, `"`, "'"),
		RunTime: time.Since(c.start).Seconds(),
	}
	c.rows = append(c.rows, e)
}

// dash prints "RESULT: function REASON - data" (the usual form).
func (c *naCall) dash(result, reason, data string) {
	c.line(result, reason, data, result+": "+c.function+" "+reason+" - "+data)
}

// colon prints "RESULT: function REASON: |data|" style lines: the reason
// already names its function and data carries its own pipes.
func (c *naCall) colon(result, reason, data string) {
	c.line(result, reason, data, result+": "+c.function+" "+reason+": "+data)
}

// raw writes an export row, not logged.
func (c *naCall) raw(s string) { c.out.WriteString(s + "\n") }

func (c *naCall) run() int {
	switch c.function {
	case "version":
		c.version()
		return http.StatusOK
	case "coffee", "start_coffee", "make_coffee", "brew_coffee":
		data := "Coffee: " + c.function + "|Error 418 I'm a teapot"
		c.out.WriteString(data)
		c.logRow("ERROR", "", data)
		return http.StatusTeapot
	}
	if !c.authenticate() || !c.listRestriction() {
		return http.StatusOK
	}
	fn, ok := nonAgentFunctions[c.function]
	if !ok {
		c.line("ERROR", "NO FUNCTION SPECIFIED", "", "ERROR: NO FUNCTION SPECIFIED")
		return http.StatusOK
	}
	if len(c.source) < 2 {
		c.out.WriteString("ERROR: Invalid Source - " + c.source + "\n")
		c.line("ERROR", "Invalid Source", c.source, "ERROR: Invalid Source: |"+c.source+"|")
		return http.StatusOK
	}
	if !c.allowed() {
		c.line("ERROR", "auth USER DOES NOT HAVE PERMISSION TO USE THIS FUNCTION", c.user+"|"+c.function,
			"ERROR: auth USER DOES NOT HAVE PERMISSION TO USE THIS FUNCTION: |"+c.user+"|"+c.function+"|")
		return http.StatusOK
	}
	if fn.right != nil && !fn.right(c.api) {
		c.deny(fn)
		return http.StatusOK
	}
	fn.run(c)
	return http.StatusOK
}

func (c *naCall) version() {
	_, offset := c.now.Zone()
	tz := strconv.Itoa(offset / 3600)
	dst := "0"
	if c.now.IsDST() {
		dst = "1"
	}
	data := "VERSION: " + NonAgentVersion + "|BUILD: " + NonAgentBuild + "|DATE: " + c.now.Format("2006-01-02 15:04:05") +
		"|EPOCH: " + strconv.FormatInt(c.now.Unix(), 10) + "|DST: " + dst + "|TZ: " + tz + "|TZNOW: " + tz + "|"
	c.line("SUCCESS", "version", data, data)
}

// authenticate is user_authorization(user, pass, 'REPORTS', 1, 1) judged
// by the core's credential service, with the agent API's delays. The
// password is never echoed (see doc.go).
func (c *naCall) authenticate() bool {
	eng := c.h.eng
	pass := c.p.get("pass")
	u, err := eng.APIUser(c.ctx, Dialect, c.user)
	found := err == nil && u.Active && u.UserLevel >= 1
	secret := u.Secret
	if !found {
		secret = ""
	}
	cred := eng.Credentials()
	v := cred.Check(c.ctx, core.LoginAttempt{Dialect: Dialect, Principal: c.user, Source: c.remote}, func() bool {
		return cred.Verify(secret, pass) && found && len(c.user) >= 2 && len(pass) >= 2
	})
	switch v.Outcome {
	case core.LoginAccepted:
		c.api = u
		return true
	case core.LoginDelayed:
		data := "|" + c.user + "|LOCK|"
		c.line("ERROR", "Too many login attempts, try again in 15 minutes", data, "ERROR: Too many login attempts, try again in 15 minutes: "+data)
	default:
		data := "|" + c.user + "||BAD|"
		c.line("ERROR", "Login incorrect, please try again", data, "ERROR: Login incorrect, please try again: "+data)
	}
	return false
}

// allowed is the api_allowed_functions test.
func (c *naCall) allowed() bool {
	af := c.api.AllowedFunctions
	return strings.Contains(af, "ALL_FUNCTIONS") || strings.Contains(" "+af+" ", " "+c.function+" ")
}

// naFunction is one function: its rights check (vdc_agent_api_access plus
// level and flags), the reason its refusal prints, and its body.
type naFunction struct {
	right  func(core.APIUser) bool
	denied string
	run    func(c *naCall)
}

// bareRefusal: the functions whose rights refusal the script prints as
// "|user|0" (the edit functions), not "|user|0|" (the reports).
var bareRefusal = map[string]bool{"add_dnc_phone": true, "delete_dnc_phone": true, "add_list": true,
	"update_list": true, "list_info": true, "add_user": true, "update_user": true, "copy_user": true,
	"update_campaign": true, "add_phone": true, "update_phone": true, "add_group_alias": true,
	"server_refresh": true}

// refusalName: where the script's refusal names another function (its
// call_dispo_report block was copied from call_status_stats).
var refusalName = map[string]string{"call_dispo_report": "call_status_stats"}

// deny prints the function's rights refusal as non_agent_api.php does
// ("0" is the script's count of matching privileged users).
func (c *naCall) deny(fn naFunction) {
	name := c.function
	if n := refusalName[name]; n != "" {
		name = n
	}
	text := "ERROR: " + name + " " + fn.denied + ": |" + c.user + "|0"
	if !bareRefusal[c.function] {
		text += "|"
	}
	c.line("ERROR", name+" "+fn.denied, "0", text)
}

// Rights VICIdial checks per function. Callgate's API users carry
// user_level, modify_leads and modify_campaigns; view_reports and
// modify_users/lists follow the level (see doc.go).
func canModifyLeads(u core.APIUser) bool    { return u.APIAccess && u.ModifyLeads && u.UserLevel >= 8 }
func canViewReports(u core.APIUser) bool    { return u.APIAccess && u.UserLevel >= 7 }
func canViewAllReports(u core.APIUser) bool { return u.APIAccess && u.UserLevel > 8 }
func canModifyUsers(u core.APIUser) bool    { return u.APIAccess && u.UserLevel >= 8 }
func canModifyLists(u core.APIUser) bool {
	return u.APIAccess && u.ModifyCampaigns && u.UserLevel >= 8
}

var nonAgentFunctions map[string]naFunction

func init() {
	nonAgentFunctions = map[string]naFunction{
		"add_lead":           {canModifyLeads, "USER DOES NOT HAVE PERMISSION TO ADD LEADS TO THE SYSTEM", (*naCall).addLead},
		"update_lead":        {canModifyLeads, "USER DOES NOT HAVE PERMISSION TO UPDATE LEADS IN THE SYSTEM", (*naCall).updateLead},
		"lead_search":        {canModifyLeads, "USER DOES NOT HAVE PERMISSION TO SEARCH FOR LEADS", (*naCall).leadSearch},
		"lead_all_info":      {canModifyLeads, "USER DOES NOT HAVE PERMISSION TO GET LEAD INFO", (*naCall).leadAllInfo},
		"lead_field_info":    {canModifyLeads, "USER DOES NOT HAVE PERMISSION TO GET LEAD INFO", (*naCall).leadFieldInfo},
		"add_dnc_phone":      {canModifyLeads, "USER DOES NOT HAVE PERMISSION TO ADD DNC NUMBERS", (*naCall).addDNC},
		"delete_dnc_phone":   {canModifyLeads, "USER DOES NOT HAVE PERMISSION TO DELETE DNC NUMBERS", (*naCall).deleteDNC},
		"hopper_list":        {canViewReports, "USER DOES NOT HAVE PERMISSION TO GET CAMPAIGN INFO", (*naCall).hopperList},
		"agent_status":       {canViewReports, "USER DOES NOT HAVE PERMISSION TO GET AGENT INFO", (*naCall).agentStatus},
		"logged_in_agents":   {canViewReports, "USER DOES NOT HAVE PERMISSION TO GET AGENT INFO", (*naCall).loggedInAgents},
		"campaigns_list":     {canViewReports, "USER DOES NOT HAVE PERMISSION TO GET CAMPAIGN INFO", (*naCall).campaignsList},
		"batch_update_lead":  {canModifyLeads, "USER DOES NOT HAVE PERMISSION TO UPDATE LEADS IN THE SYSTEM", (*naCall).batchUpdateLead},
		"lead_callback_info": {canViewReports, "USER DOES NOT HAVE PERMISSION TO GET LEAD INFO", (*naCall).leadCallbackInfo},
		"lead_status_search": {canModifyLeads, "USER DOES NOT HAVE PERMISSION TO GET LEAD INFO", (*naCall).leadStatusSearch},
		"check_phone_number": {canModifyLeads, "USER DOES NOT HAVE PERMISSION TO CHECK PHONE NUMBERS", (*naCall).checkPhoneNumber},
		"add_list":           {canModifyLists, "USER DOES NOT HAVE PERMISSION TO ADD LISTS", (*naCall).addList},
		"update_list":        {canModifyLists, "USER DOES NOT HAVE PERMISSION TO UPDATE LISTS", (*naCall).updateList},
		"list_info":          {canModifyLists, "USER DOES NOT HAVE PERMISSION TO MODIFY LISTS", (*naCall).listInfo},
		"agent_campaigns":    {canViewReports, "USER DOES NOT HAVE PERMISSION TO GET AGENT INFO", (*naCall).agentCampaigns},
		"ingroup_list":       {canViewReports, "USER DOES NOT HAVE PERMISSION TO VIEW INBOUND GROUPS LIST", (*naCall).ingroupList},
		"user_details":       {canViewReports, "USER DOES NOT HAVE PERMISSION TO GET USER DETAILS", (*naCall).userDetails},
		"recording_lookup":   {canViewReports, "USER DOES NOT HAVE PERMISSION TO GET RECORDING INFO", (*naCall).recordingLookup},
		"in_group_status":    {canViewReports, "USER DOES NOT HAVE PERMISSION TO GET IN-GROUP INFO", (*naCall).inGroupStatus},
		"blind_monitor":      {canViewReports, "USER DOES NOT HAVE PERMISSION TO BLIND MONITOR", (*naCall).blindMonitor},
		"add_user":           {canModifyUsers, "USER DOES NOT HAVE PERMISSION TO ADD USERS", (*naCall).addUser},
		"update_user":        {canModifyUsers, "USER DOES NOT HAVE PERMISSION TO UPDATE USERS", (*naCall).updateUser},
		"copy_user":          {canModifyUsers, "USER DOES NOT HAVE PERMISSION TO COPY USERS", (*naCall).copyUser},
		"update_campaign":    {canModifyLists, "USER DOES NOT HAVE PERMISSION TO UPDATE CAMPAIGNS", (*naCall).updateCampaign},
		"callid_info":        {canViewReports, "USER DOES NOT HAVE PERMISSION TO GET CALL INFO", (*naCall).callidInfo},
		"user_group_status":  {canViewReports, "USER DOES NOT HAVE PERMISSION TO GET USER GROUP INFO", (*naCall).userGroupStatus},
		"add_phone":          {canModifyUsers, "USER DOES NOT HAVE PERMISSION TO ADD PHONES", (*naCall).addPhone},
		"update_phone":       {canModifyUsers, "USER DOES NOT HAVE PERMISSION TO UPDATE PHONES", (*naCall).updatePhone},
		"update_log_entry":   {canModifyLeads, "USER DOES NOT HAVE PERMISSION TO UPDATE LOGS", (*naCall).updateLogEntry},
		"hopper_bulk_insert": {canModifyLists, "USER DOES NOT HAVE PERMISSION TO ADD LEADS TO THE HOPPER", (*naCall).hopperBulkInsert},
		"did_log_export":     {canViewReports, "USER DOES NOT HAVE PERMISSION TO GET DID INFO", (*naCall).didLogExport},
		"phone_number_log":   {canViewReports, "USER DOES NOT HAVE PERMISSION TO GET CALL LOG INFO", (*naCall).phoneNumberLog},
		"call_status_stats":  {canViewAllReports, "USER DOES NOT HAVE PERMISSION TO VIEW STATS", (*naCall).callStatusStats},
		"call_dispo_report":  {canViewAllReports, "USER DOES NOT HAVE PERMISSION TO VIEW STATS", (*naCall).callDispoReport},
		"list_custom_fields": {nil, "", (*naCall).listCustomFieldsChecked},
		"add_group_alias":    {canModifyUsers, "USER DOES NOT HAVE PERMISSION TO ADD GROUP ALIASES", (*naCall).addGroupAlias},
		"server_refresh":     {canModifyUsers, "USER DOES NOT HAVE PERMISSION TO REFRESH SERVERS", (*naCall).serverRefresh},
		"lead_dearchive":     {canModifyLeads, "USER DOES NOT HAVE PERMISSION TO MODIFY LEAD INFO", (*naCall).leadDearchive},
		"agent_stats_export": {canViewReports, "USER DOES NOT HAVE PERMISSION TO GET AGENT INFO", (*naCall).agentStatsExport},
	}
}

// delimiter is the export delimiter stage selects.
func (c *naCall) delimiter() string {
	switch c.p.get("stage") {
	case "csv":
		return ","
	case "tab":
		return "\t"
	case "newline":
		// Only lead_all_info knows this stage.
		if c.function == "lead_all_info" {
			return "\n"
		}
	}
	return "|"
}

// header prints the export header row when header=YES.
func (c *naCall) header(cols ...string) {
	if c.p.get("header") == "YES" {
		c.raw(strings.Join(cols, c.delimiter()))
	}
}

func (c *naCall) row(cols ...string) { c.raw(strings.Join(cols, c.delimiter())) }
