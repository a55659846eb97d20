package eccp

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"regexp"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
)

// Authentication levels of a request, as dialerd's decorators.
const (
	authNone  = iota
	authECCP  // a logged-in ECCP client
	authAgent // plus agent_number + agent_hash
)

type handlerFunc func(ss *session, ctx context.Context, cmd *elem) *elem

type request struct {
	name string
	auth int
	fn   handlerFunc
}

// requests is dialerd's getrequestlist, in its declaration order.
var requests []request

var requestIndex map[string]*request

func init() {
	requests = []request{
		{"getrequestlist", authNone, hGetRequestList},
		{"filterbyagent", authECCP, hFilterByAgent},
		{"login", authNone, hLogin},
		{"logout", authNone, hLogout},
		{"getqueuescript", authECCP, hGetQueueScript},
		{"getcampaignlist", authECCP, hGetCampaignList},
		{"getincomingqueuelist", authECCP, hGetIncomingQueueList},
		{"getcampaignqueuewait", authECCP, hGetCampaignQueueWait},
		{"getcampaigninfo", authECCP, hGetCampaignInfo},
		{"getcallinfo", authECCP, hGetCallInfo},
		{"setcontact", authAgent, hSetContact},
		{"saveformdata", authAgent, hSaveFormData},
		{"getpauses", authECCP, hGetPauses},
		{"loginagent", authECCP, hLoginAgent},
		{"logoutagent", authECCP, hLogoutAgent},
		{"pauseagent", authAgent, hPauseAgent},
		{"pingagent", authAgent, hPingAgent},
		{"unpauseagent", authAgent, hUnpauseAgent},
		{"getagentstatus", authECCP, hGetAgentStatus},
		{"getmultipleagentstatus", authECCP, hGetMultipleAgentStatus},
		{"mixmonitormute", authAgent, hMixMonitorMute},
		{"mixmonitorunmute", authAgent, hMixMonitorUnmute},
		{"hangup", authAgent, hHangup},
		{"getcampaignstatus", authECCP, hGetCampaignStatus},
		{"getincomingqueuestatus", authECCP, hGetIncomingQueueStatus},
		{"schedulecall", authAgent, hScheduleCall},
		{"transfercall", authAgent, hTransferCall},
		{"atxfercall", authAgent, hAtxferCall},
		{"hold", authAgent, hHold},
		{"unhold", authAgent, hUnhold},
		{"getagentqueues", authECCP, hGetAgentQueues},
		{"getmultipleagentqueues", authECCP, hGetMultipleAgentQueues},
		{"getagentactivitysummary", authECCP, hGetAgentActivitySummary},
		{"getchanvars", authAgent, hGetChanVars},
		{"callprogress", authECCP, hCallProgress},
		{"campaignlog", authECCP, hCampaignLog},
		{"dumpstatus", authECCP, hDumpStatus},
		{"refreshagents", authECCP, hRefreshAgents},
	}
	requestIndex = make(map[string]*request, len(requests))
	for i := range requests {
		requestIndex[requests[i].name] = &requests[i]
	}
}

// --- response shapes ------------------------------------------------------

// topFailure is <response><failure>…</failure></response>, the shape for
// protocol-level errors (the PHP client raises ECCPBadRequestException).
func topFailure(code int, msg string) *elem {
	r := newElem("response")
	addFailure(r, code, msg)
	return r
}

func addFailure(parent *elem, code int, msg string) {
	f := parent.add("failure")
	f.addInt("code", int64(code))
	f.addText("message", msg)
}

// nested starts <response><CMD_response>; failures inside it are the
// request-level errors.
func nested(cmd string) (root, body *elem) {
	root = newElem("response")
	body = root.add(cmd + "_response")
	return root, body
}

func nestedFailure(cmd string, code int, msg string) *elem {
	root, body := nested(cmd)
	addFailure(body, code, msg)
	return root
}

func success(cmd string) *elem {
	root, body := nested(cmd)
	body.add("success")
	return root
}

// --- packet handling --------------------------------------------------------

// handlePacket answers one framed document; false means close the
// connection after the queued output.
func (ss *session) handlePacket(doc []byte) bool {
	root, err := parseDoc(doc)
	if err != nil || root.name != "request" {
		ss.send(packet(topFailure(400, "Bad request")))
		return false
	}
	if len(root.kids) != 1 {
		ss.send(packet(topFailure(400, "Bad request")))
		return true
	}
	id, ok := root.attr("id")
	if !ok {
		ss.send(packet(topFailure(400, "Bad request")))
		return true
	}
	cmd := root.kids[0]
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, keep := ss.dispatch(ctx, cmd)
	resp.setAttr("id", id)
	if !ss.loggedIn && ss.username() != "" {
		// Out of the flood limits' reach before the client can see its
		// login succeed.
		ss.loggedIn = true
		ss.srv.promote(ss)
	}
	if seq := ss.syncSeq; seq != 0 {
		ss.syncSeq = 0
		ss.srv.fan.waitFor(seq, time.Second)
	}
	ss.send(packet(resp))
	ss.releaseEvents()
	return keep
}

func (ss *session) dispatch(ctx context.Context, cmd *elem) (resp *elem, keep bool) {
	defer func() {
		if r := recover(); r != nil {
			ss.srv.log.Error("request handler panicked", "request", cmd.name, "panic", r)
			resp, keep = topFailure(500, "Server error"), true
		}
	}()
	req := requestIndex[cmd.name]
	if cmd.name == "callgate_resume" {
		// Not in dialerd's request list: between gateways only (relay.go).
		return hResume(ss, cmd), true
	}
	if req == nil {
		return topFailure(501, "Not Implemented"), true
	}
	if req.auth != authNone && ss.username() == "" {
		return topFailure(401, "Unauthorized"), true
	}
	if req.auth == authAgent {
		if !cmd.has("agent_number") {
			return topFailure(400, "Bad request"), true
		}
		name := cmd.str("agent_number")
		if !validAgentName(name) {
			return nestedFailure(cmd.name, 417, "Invalid agent number"), true
		}
		a, ok := ss.srv.agentByName(ctx, name)
		if !ok {
			return nestedFailure(cmd.name, 404, "Specified agent not found"), true
		}
		if !ss.hashOK(cmd, a) {
			return nestedFailure(cmd.name, 401, "Unauthorized agent"), true
		}
	}
	resp = req.fn(ss, ctx, cmd)
	return resp, cmd.name != "logout"
}

// syncEvents makes the events published so far reach this client before
// the response being built (dialerd sends pausestart before the
// pauseagent reply).
func (ss *session) syncEvents() { ss.syncSeq = ss.srv.eng.Bus().LastSeq() }

var agentNameRE = regexp.MustCompile(`^\w+/\w+$`)

func validAgentName(s string) bool { return agentNameRE.MatchString(s) }

// agentByName finds an active agent by its ECCP name (Agent/9000).
func (s *Server) agentByName(ctx context.Context, name string) (core.Agent, bool) {
	if !validAgentName(name) {
		return core.Agent{}, false
	}
	a, err := s.eng.AgentByInterface(ctx, name)
	if err != nil || !a.Active {
		return core.Agent{}, false
	}
	return a, true
}

// hashOK checks agent_hash = md5(app_cookie + agent_number + eccp_password).
// Unlike dialerd, an agent without an ECCP password is not a free pass: the
// hash is then computed with the empty password. The password is stored
// sealed (the protocol needs it in clear) and opened here.
func (ss *session) hashOK(cmd *elem, a core.Agent) bool {
	if !cmd.has("agent_hash") {
		return false
	}
	pw, err := ss.srv.eng.Credentials().Reveal(a.ConsolePassword)
	if err != nil {
		ss.srv.log.Warn("agent ECCP password cannot be opened", "agent", a.Interface(), "err", err)
		return false
	}
	ss.mu.Lock()
	cookie := ss.cookie
	ss.mu.Unlock()
	sum := md5.Sum([]byte(cookie + cmd.str("agent_number") + pw))
	want := hex.EncodeToString(sum[:])
	got := strings.ToLower(cmd.str("agent_hash"))
	return subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func newCookie() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

// --- client login -----------------------------------------------------------

// The PHP client library sends the MD5 of the client's password, so the
// stored hash is of the MD5 and both forms verify.
func init() { core.DeriveSecret("eccp", core.MD5Hex) }

// checkClient accepts the client's password or its MD5 (what the PHP client
// sends). The stored secret is a slow hash of the MD5 (core.APIUser
// SecretInput), so both forms verify; an unknown or inactive user pays the
// same slow hash, so timing does not reveal valid usernames.
func (s *Server) checkClient(ctx context.Context, user, password string) bool {
	u, err := s.eng.APIUser(ctx, "eccp", user)
	stored := ""
	if err == nil && u.Active {
		stored = u.Secret
	}
	cred := s.eng.Credentials()
	if plain, err := cred.Reveal(stored); err == nil && stored != "" {
		// Clear text: a store without the secret facility.
		lpw := []byte(strings.ToLower(password))
		return subtle.ConstantTimeCompare([]byte(plain), []byte(password))|
			subtle.ConstantTimeCompare([]byte(md5hex(plain)), lpw)|
			subtle.ConstantTimeCompare([]byte(strings.ToLower(plain)), []byte(md5hex(password))) == 1
	}
	if lpw := strings.ToLower(password); md5Form.MatchString(lpw) && cred.Verify(stored, lpw) {
		return true
	}
	return cred.Verify(stored, md5hex(password))
}

var md5Form = regexp.MustCompile(`^[0-9a-f]{32}$`)
