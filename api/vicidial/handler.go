package vicidial

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/callgate/callgate/core"
)

// Dialect names VICIdial rows in shared tables (APIUser, LoginFailure, APILogEntry).
const Dialect = "vicidial"

const (
	// Version and Build are the api.php release whose wire format is served.
	Version = "2.14-82"
	Build   = "250122-1010"

	// defaultMaxBody is Options.MaxBody when unset.
	defaultMaxBody = 1 << 20
)

// Options holds VICIdial settings that have no home in the core model. The
// zero value behaves like a stock VICIdial install with the agent API
// switched on.
type Options struct {
	// ServerIP is the agent's server_ip echoed by recording and audio_playback.
	ServerIP string
	// ConfExtenBase numbers agent conferences: sessions take the first
	// free conf_exten after it.
	ConfExtenBase int
	// UserGroup is reported for API users that are not agents.
	UserGroup string
	// AgentManualDial is agentcall_manual for agents with no VICIdial API
	// user row of their own.
	AgentManualDial *bool
	// ServerName is printed by function=webserver; empty means the host
	// the request was sent to ($_SERVER['SERVER_NAME']).
	ServerName string
	// MaxBody bounds a request body, whatever its content type: a larger
	// one is answered 413 "ERROR: request too large" (never cut short and
	// run). Zero means 1 MiB.
	MaxBody int64
	Logger  *slog.Logger
	// Clock overrides the engine clock (tests).
	Clock func() time.Time
}

// Handler serves /agc/api.php.
type Handler struct {
	eng  engineAPI
	opt  Options
	log  *slog.Logger
	now  func() time.Time
	logs *logWriter
	// hostInfo feeds function=webserver; tests freeze it.
	hostInfo func() hostFacts
	// idMu guards callIDs, the VICIdial call ids last looked up.
	idMu    sync.Mutex
	callIDs map[uint64]string
}

// NewHandler returns the /agc/api.php handler over a running engine.
// The handler implements io.Closer: Close flushes the API log.
func NewHandler(engine *core.Engine, opts Options) http.Handler {
	return newHandler(engine, opts)
}

func newHandler(eng engineAPI, opts Options) *Handler {
	if opts.ServerIP == "" {
		opts.ServerIP = "127.0.0.1"
	}
	if opts.ConfExtenBase == 0 {
		opts.ConfExtenBase = 8600050
	}
	if opts.UserGroup == "" {
		opts.UserGroup = "ADMIN"
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = defaultMaxBody
	}
	h := &Handler{eng: eng, opt: opts, log: opts.Logger, now: opts.Clock, callIDs: map[uint64]string{}, hostInfo: hostInfo}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.now == nil {
		h.now = eng.Now
	}
	h.logs = newLogWriter(eng.RecordAPICalls, h.log)
	return h
}

// Close writes the API log rows still queued. The gateway calls it on
// shutdown (the handler implements io.Closer).
func (h *Handler) Close() error {
	h.logs.Close()
	return nil
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The body limit holds before anything is parsed: a declared length
	// over it is refused unread, a chunked body is cut by MaxBytesReader
	// and refused too, never run on a truncated form.
	if r.ContentLength > h.opt.MaxBody {
		h.tooLarge(w)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, h.opt.MaxBody)
	post, err := postBody(r)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.tooLarge(w)
			return
		}
		// A malformed body gives no POST variables, as PHP leaves $_POST
		// empty.
		post = ""
	}
	// A client that hangs up mid-request must not leave a command half
	// done in the engine: the request runs to its end, as api.php does.
	ctx, pending := core.WithPendingWrites(context.WithoutCancel(r.Context()))
	c := h.newCall(ctx, parseQuery(r.URL.RawQuery, post))
	c.remote = r.RemoteAddr
	c.host = r.Host
	if host, _, err := net.SplitHostPort(r.Host); err == nil {
		c.host = strings.Trim(host, "[]")
	}
	status := c.run()
	h.settle(c, pending)

	hd := w.Header()
	setHeaders(hd)
	if status == http.StatusTeapot {
		hd.Set("Connection", "close")
	}
	hd.Set("Content-Length", strconv.Itoa(c.out.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(c.out.Bytes())
}

// settle waits for the request's engine writes and its API log rows,
// committed together (core.PendingWrites): one commit per request instead
// of two. Nothing is answered before it is durable; if a command's write
// failed, the answer becomes the function's error line (logged too).
func (h *Handler) settle(c *call, pending *core.PendingWrites) {
	h.logs.wg.Add(1)
	defer h.logs.wg.Done()
	writes, logged := h.eng.AwaitWrites(c.ctx, pending, c.rows)
	if logged != nil {
		h.log.Error("vicidial: api log write failed", "rows", len(c.rows), "err", logged)
	}
	if writes == nil {
		return
	}
	c.out.Reset()
	c.rows = nil
	c.exited = false
	c.refused(writes)
	h.logs.write(c.ctx, c.rows)
}

// setHeaders sets the headers api.php sends with every answer.
func setHeaders(hd http.Header) {
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-cache, must-revalidate")
	hd.Set("Pragma", "no-cache")
}

// tooLarge answers a body over Options.MaxBody: api.php's headers and an
// ERROR line with the limit, status 413 (a deliberate difference, see
// doc.go). No function ran, so no API log row is written. The rest of the
// body is never read: the connection closes.
func (h *Handler) tooLarge(w http.ResponseWriter) {
	body := "ERROR: request too large - " + strconv.FormatInt(h.opt.MaxBody, 10) + "\n"
	hd := w.Header()
	setHeaders(hd)
	hd.Set("Connection", "close")
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusRequestEntityTooLarge)
	_, _ = io.WriteString(w, body)
}

// postBody returns the POST variables urlencoded, as PHP fills $_POST from
// urlencoded and multipart bodies alike. r.Body is already bounded; its
// *http.MaxBytesError comes back for a body over the limit.
func postBody(r *http.Request) (string, error) {
	if r.Method != http.MethodPost {
		return "", nil
	}
	ct := r.Header.Get("Content-Type")
	switch {
	case strings.HasPrefix(ct, "application/x-www-form-urlencoded"):
		body, err := io.ReadAll(r.Body)
		return string(body), err
	case strings.HasPrefix(ct, "multipart/form-data"):
		return multipartValues(r)
	}
	return "", nil
}

// multipartValues reads the value parts of a multipart/form-data body in
// their order, as PHP fills $_POST. File parts (PHP's $_FILES, which
// api.php never reads) are skipped without being stored: nothing is ever
// written to disk, unlike Request.ParseMultipartForm, whose temporary
// files outlive a request handled on a copy of *http.Request (chi's
// middlewares make such copies).
func multipartValues(r *http.Request) (string, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return b.String(), nil
		}
		if err != nil {
			return "", err
		}
		name := part.FormName()
		if name == "" || part.FileName() != "" {
			_, err = io.Copy(io.Discard, part)
		} else {
			var v []byte
			// The body limit bounds what a value can hold.
			if v, err = io.ReadAll(part); err == nil {
				if b.Len() > 0 {
					b.WriteByte('&')
				}
				b.WriteString(url.QueryEscape(name) + "=" + url.QueryEscape(string(v)))
			}
		}
		_ = part.Close()
		if err != nil {
			return "", err
		}
	}
}

// call is one api.php run: its variables, output and log rows.
type call struct {
	h      *Handler
	ctx    context.Context
	p      *params
	start  time.Time
	now    time.Time
	remote string
	host   string

	user, agentUser, function, value, source string
	api                                      core.APIUser
	userGroup                                string
	// sys holds the system settings, read once the caller is known.
	sys core.SettingValues

	out    bytes.Buffer
	rows   []core.APILogEntry // API log, written before the answer
	exited bool
	// fatal: PHP died; nothing is answered or logged.
	fatal bool
}

func (h *Handler) newCall(ctx context.Context, p *params) *call {
	now := h.now()
	return &call{h: h, ctx: ctx, p: p, start: time.Now(), now: now,
		user: p.get("user"), agentUser: p.get("agent_user"), function: p.get("function"),
		value: p.get("value"), source: p.get("source")}
}

func (c *call) epoch() string { return strconv.FormatInt(c.now.Unix(), 10) }

func (c *call) nowTime() string { return c.now.Format("2006-01-02 15:04:05") }

// emit writes "RESULT: reason - data\n" and logs it.
func (c *call) emit(result, reason, data string) {
	c.out.WriteString(result + ": " + reason + " - " + data + "\n")
	c.log(result, reason, data)
}

// emitExit is emit followed by PHP's exit: nothing else is printed, not
// even the close_window_link.
func (c *call) emitExit(result, reason, data string) {
	c.emit(result, reason, data)
	c.exited = true
}

func (c *call) log(result, reason, data string) {
	if c.fatal {
		return
	}
	e := core.APILogEntry{
		Dialect: Dialect, User: trunc(c.user, 20), Time: c.now, Function: trunc(c.function, 20),
		AgentUser: trunc(c.agentUser, 20), Value: trunc(c.value, 255), Result: result, Reason: trunc(reason, 255),
		Source: trunc(c.source, 20), Data: strings.ReplaceAll(data, `"`, "'"),
		RunTime: time.Since(c.start).Seconds(),
	}
	c.rows = append(c.rows, e)
}

func trunc(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// run follows api.php's order: version and coffee before anything, the
// source check, credentials, the system switch, then the function.
func (c *call) run() int {
	switch c.function {
	case "version":
		data := "VERSION: " + Version + "|BUILD: " + Build + "|DATE: " + c.nowTime() + "|EPOCH: " + c.epoch()
		c.out.WriteString(data + "\n")
		c.log("SUCCESS", "", data)
		return http.StatusOK
	case "coffee", "start_coffee", "make_coffee", "brew_coffee":
		data := "Coffee: " + c.function + "|Error 418 I'm a teapot"
		c.out.WriteString(data)
		c.log("ERROR", "", data)
		return http.StatusTeapot
	}
	// strlen() on an array is a fatal error in PHP 8: HTTP 500, no body,
	// no log row.
	if c.p.isArray("source", "user", "pass") {
		return c.fatalError()
	}
	if len(c.source) < 2 {
		c.emit("ERROR", "Invalid Source", c.source)
		return http.StatusOK
	}
	if !c.authenticate() {
		return http.StatusOK
	}
	sys, err := c.h.systemSettings(c.ctx)
	if err != nil {
		// api.php dies when its database cannot be read.
		c.h.log.Error("vicidial: system settings", "err", err)
		return c.fatalError()
	}
	c.sys = sys
	if !sys.Bool(setAPIActive) {
		c.out.WriteString("ERROR: System API NOT ACTIVE\n")
		c.log("ERROR", "System API NOT ACTIVE", "")
		return http.StatusOK
	}
	fn, ok := functions[c.function]
	if !ok {
		// api.php prints nothing and logs nothing for names it does not know.
		c.closeWindow()
		return http.StatusOK
	}
	if c.p.isArray(arrayFatal[c.function]...) {
		return c.fatalError()
	}
	fn(c)
	if c.fatal {
		return c.fatalError()
	}
	c.closeWindow()
	return http.StatusOK
}

// arrayFatal lists, per function, the variables api.php measures with
// strlen() on every path (measured against api.php 2.14-82); arrayFatalLive
// those it measures once the agent is found logged in.
var (
	arrayFatal = map[string][]string{
		"external_hangup":          {"agent_user", "value", "alt_user"},
		"external_status":          {"agent_user", "value", "alt_user"},
		"external_pause":           {"agent_user", "value", "alt_user"},
		"logout":                   {"agent_user", "value", "alt_user"},
		"recording":                {"agent_user", "value", "alt_user"},
		"webphone_url":             {"agent_user", "alt_user"},
		"call_agent":               {"agent_user", "alt_user"},
		"audio_playback":           {"agent_user", "value", "alt_user", "stage"},
		"external_dial":            {"agent_user", "value", "focus", "preview", "search", "alt_user"},
		"preview_dial_action":      {"agent_user", "value", "alt_user"},
		"external_add_lead":        {"agent_user", "value", "phone_code", "phone_number", "vendor_id", "alt_user"},
		"change_ingroups":          {"agent_user", "value", "blended"},
		"update_fields":            {"agent_user"},
		"refresh_panel":            {"agent_user"},
		"set_timer_action":         {"agent_user", "value"},
		"st_login_log":             {"value", "vendor_id"},
		"st_get_agent_active_lead": {"value", "vendor_id"},
		"ra_call_control":          {"agent_user", "value", "stage"},
		"send_dtmf":                {"agent_user", "value", "alt_user"},
		"park_call":                {"agent_user", "value", "alt_user"},
		"transfer_conference":      {"agent_user", "value", "alt_user"},
		"switch_lead":              {"agent_user", "lead_id", "alt_user"},
		"vm_message":               {"agent_user", "value", "alt_user"},
		"pause_code":               {"agent_user", "value", "alt_user"},
		"calls_in_queue_count":     {"agent_user", "alt_user"},
		"force_fronter_leave_3way": {"agent_user", "alt_user"},
		"force_fronter_audio_stop": {"agent_user", "alt_user"},
		"send_notification":        {"notification_text", "notification_retry", "text_color", "notification_date"},
	}
	arrayFatalLive = map[string][]string{
		"external_status":          {"callback_datetime", "qm_dispo_code"},
		"external_dial":            {"group_alias", "vtiger_callback", "lead_id", "dial_ingroup", "outbound_cid"},
		"change_ingroups":          {"ingroup_choices"},
		"force_fronter_leave_3way": {"lead_id"},
		"force_fronter_audio_stop": {"lead_id"},
	}
)

// fatalError answers like PHP after a fatal error with display_errors off.
func (c *call) fatalError() int {
	c.out.Reset()
	c.exited = true
	return http.StatusInternalServerError
}

func (c *call) closeWindow() {
	if c.exited || !phpGreaterThanZero(c.p.get("close_window_link")) {
		return
	}
	c.out.WriteString("\n<a href=\"javascript:window.opener='x';window.close();\">Close This Window</a>\n")
}

// authenticate is user_authorization(..., 'api') plus the
// vdc_agent_api_access check, judged by the core's credential service:
// failures are delayed per (user, client address), so a user failing from
// one address never locks it out from another. Every refusal but two
// prints the same line, whether the user is unknown, inactive, has the
// wrong password or no API access (see doc.go); the exceptions are LOCK,
// for the (user, address) still inside its delay (its password is not
// checked), and ERRSERVERS, only once the credentials are accepted.
func (c *call) authenticate() bool {
	ctx := c.ctx
	eng := c.h.eng
	pass := c.p.get("pass")
	u, err := eng.APIUser(ctx, Dialect, c.user)
	found := err == nil
	apiAccess := found && u.APIAccess
	// vicidial_users holds agents too: an agent with no API user row is
	// checked with its agent password and fails on vdc_agent_api_access.
	active, level, secret := u.Active, u.UserLevel, u.Secret
	if !found {
		if a, err := eng.FindAgent(ctx, c.user); err == nil {
			found = true
			active, level, secret = a.Active, a.UserLevel, a.Password
		}
	}
	if !found || !active || level < 1 {
		secret = "" // verifies nothing, at the cost of a real check
	}
	cred := eng.Credentials()
	v := cred.Check(ctx, core.LoginAttempt{Dialect: Dialect, Principal: c.user, Source: c.remote}, func() bool {
		ok := cred.Verify(secret, pass)
		return ok && apiAccess && len(c.user) >= 2 && len(pass) >= 2
	})
	msg, authAPI := "BAD|0|api|", "0"
	switch {
	case v.Outcome == core.LoginDelayed:
		msg = "LOCK"
	case v.Outcome != core.LoginAccepted:
	case !eng.Ready():
		msg, authAPI = "ERRSERVERS", "1"
	default:
		msg = ""
	}
	if msg != "" {
		data := c.user + "||0|" + authAPI + "|" + msg + "|"
		c.out.WriteString("ERROR: Invalid Username/Password: |" + data + "\n")
		c.log("ERROR", "Invalid Username/Password", data)
		return false
	}
	c.api = u
	c.userGroup = c.h.opt.UserGroup
	if a, err := eng.FindAgent(ctx, c.user); err == nil && a.UserGroup != "" {
		c.userGroup = a.UserGroup
	}
	return true
}

// allowed is api.php's per-function permission test on api_allowed_functions.
func (c *call) allowed() bool {
	af := c.api.AllowedFunctions
	return strings.Contains(af, "ALL_FUNCTIONS") || strings.Contains(" "+af+" ", " "+c.function+" ")
}

// permission prints the permission error (with first as its first field)
// and reports whether the function may go on.
func (c *call) permission(first string) bool {
	if c.allowed() {
		return true
	}
	c.emitExit("ERROR", "auth USER DOES NOT HAVE PERMISSION TO USE THIS FUNCTION",
		first+"|"+c.user+"|"+c.function+"|"+c.userGroup)
	return false
}

// altUser resolves alt_user through custom_three (core.Agent.AltID). Not
// finding one prints an error and carries on, as api.php does.
func (c *call) altUser(notFound string) {
	alt := c.p.get("alt_user")
	if len(alt) < 2 {
		return
	}
	if a, err := c.h.eng.AgentByAltID(c.ctx, alt); err == nil {
		c.agentUser = a.Username
		return
	}
	if notFound == "" {
		notFound = alt
	}
	c.emit("ERROR", "no user found", notFound)
}

// session is the logged-in check on vicidial_live_agents.
func (c *call) session() (core.AgentSession, bool) {
	if c.agentUser == "" {
		return core.AgentSession{}, false
	}
	s, ok := c.h.eng.Session(c.agentUser)
	if ok && c.p.isArray(arrayFatalLive[c.function]...) {
		// The function goes on to measure an array: PHP dies here.
		c.fatal = true
		return s, false
	}
	return s, ok
}

func (c *call) notLoggedIn() {
	c.emit("ERROR", "agent_user is not logged in", c.agentUser)
}

// phpGreaterThanZero is PHP 8's `$x > 0` for a request string.
func phpGreaterThanZero(s string) bool {
	if f, ok := phpNumber(s); ok {
		return f > 0
	}
	return s > "0"
}

// phpLessThan is PHP 8's `$s < n` for a string and an integer.
func phpLessThan(s string, n int) bool {
	if f, ok := phpNumber(s); ok {
		return f < float64(n)
	}
	return s < strconv.Itoa(n)
}

func phpNumber(s string) (float64, bool) {
	t := strings.TrimRight(strings.TrimLeft(s, " \t\n\r\v\f"), " \t\n\r\v\f")
	if t == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return f, true
		}
		return 0, false
	}
	if strings.ContainsAny(t, "xXpP_") || strings.EqualFold(t, "inf") || strings.EqualFold(t, "infinity") || strings.EqualFold(t, "nan") ||
		strings.HasPrefix(strings.ToLower(strings.TrimLeft(t, "+-")), "inf") || strings.HasPrefix(strings.ToLower(strings.TrimLeft(t, "+-")), "nan") {
		return 0, false
	}
	return f, true
}
