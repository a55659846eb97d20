package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// apiJSON calls the admin API with the token and decodes a 2xx answer.
func (r *running) apiJSON(t *testing.T, method, path, body string, out any) {
	t.Helper()
	code, b := r.do(t, method, path, body, true)
	if code/100 != 2 {
		t.Fatalf("%s %s: %d %s", method, path, code, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
}

type liveCall struct {
	ID     uint64 `json:"id"`
	GUID   string `json:"guid"`
	State  string `json:"state"`
	Queue  string `json:"queue"`
	Agent  string `json:"agent"`
	Phone  string `json:"phone"`
	Status string `json:"status"`
}

func TestWallboardShowsASimulatedCallWaitingInItsQueue(t *testing.T) {
	g := startGateway(t, filepath.Join(t.TempDir(), "callgate.db"))
	ctx := newBrowser(t)
	browserLogin(t, ctx, g.httpBase, "admin", "admin", "demo-admin-token", `#queues tbody tr[data-queue="8000"]`)
	browse(t, ctx, "wallboard idle",
		chromedp.WaitVisible(chromedp.CSS(`#queues tbody tr[data-queue="8000"]`)),
		until(textIs(`tr[data-queue="8000"] td.waiting`, "0")),
		until(`document.getElementById("live").textContent === "live"`),
	)
	screenshot(t, ctx, "idle")

	// No agent of queue 8000 is logged in: the caller waits in the queue.
	g.apiJSON(t, "POST", "/api/v1/sim/inbound", `{"caller_id":"5551234","did":"5558000"}`, nil)
	browse(t, ctx, "wallboard after the call",
		until(textIs(`tr[data-queue="8000"] td.waiting`, "1")),
		until(`Number(document.getElementById("chart").dataset.offered) >= 1`),
	)
	screenshot(t, ctx, "call-waiting")

	var calls []liveCall
	g.apiJSON(t, "GET", "/api/v1/calls/active", "", &calls)
	if len(calls) != 1 || calls[0].Queue != "8000" || calls[0].Agent != "" {
		t.Fatalf("engine's live calls = %+v, want one call waiting in queue 8000", calls)
	}

	// Supervisor actions: pause agent 1000 with a code, then log it out.
	g.apiJSON(t, "POST", "/api/v1/agents/1/login", `{"paused":false}`, nil)
	row := `tr[data-agent="1000"]`
	browse(t, ctx, "pause from the wallboard",
		chromedp.WaitVisible(chromedp.CSS(row+" td.actions select")),
		choose(row+" td.actions select", "LUNCH"),
		press(row+" td.actions button"),
		until(textIs(row+" td.state", "paused")),
	)
	screenshot(t, ctx, "agent-paused")
	var s struct {
		Paused    bool   `json:"paused"`
		PauseCode string `json:"pause_code"`
	}
	g.apiJSON(t, "GET", "/api/v1/agents/1/session", "", &s)
	if !s.Paused || s.PauseCode != "LUNCH" {
		t.Fatalf("agent 1000 session after the wallboard's pause = %+v", s)
	}
	browse(t, ctx, "log out from the wallboard",
		press(row+" button.logout"),
		chromedp.WaitNotPresent(chromedp.CSS(row)),
	)
	if code, _ := g.get(t, "/api/v1/agents/1/session", true); code != http.StatusNotFound {
		t.Fatalf("agent 1000 still has a session after the wallboard's log out: %d", code)
	}
}

func TestAgentAnswersPausesAndDispositionsACallFromTheWorkspace(t *testing.T) {
	g := startGateway(t, filepath.Join(t.TempDir(), "callgate.db"))
	// Agent 1064 (id 3) gets a web password; its phone rings until answered.
	g.apiJSON(t, "PUT", "/api/v1/agents/3", `{"password":"s3cret-1064"}`, nil)
	g.apiJSON(t, "PUT", "/api/v1/sim/behavior", `{"endpoint":"PJSIP/1064","outcome":"noanswer"}`, nil)
	ctx := newBrowser(t)
	browserLogin(t, ctx, g.httpBase, "agent", "1064", "s3cret-1064", "#login-form")
	browse(t, ctx, "start working",
		chromedp.WaitVisible(chromedp.CSS("#agent-login")),
		chromedp.Click(chromedp.CSS("#agent-login")),
		chromedp.WaitVisible(chromedp.CSS("#session-controls")),
	)
	if g.sessionPaused(t, 3) { // the campaign logs agents in paused
		browse(t, ctx, "ready", chromedp.Click(chromedp.CSS("#unpause")), until(`document.getElementById("unpause").disabled`))
	}
	screenshot(t, ctx, "logged-in")

	g.apiJSON(t, "POST", "/api/v1/sim/inbound", `{"caller_id":"5559876","did":"5558000"}`, nil)
	browse(t, ctx, "ringing",
		chromedp.WaitVisible(chromedp.CSS("#answer")),
		until(`document.getElementById("call-info").textContent.includes("offering")`),
	)
	screenshot(t, ctx, "ringing")
	browse(t, ctx, "answer",
		chromedp.Click(chromedp.CSS("#answer")),
		until(`document.getElementById("ringing").hidden && document.getElementById("call-info").textContent.includes("connected")`),
	)
	screenshot(t, ctx, "on-call")
	var calls []liveCall
	g.apiJSON(t, "GET", "/api/v1/calls/active", "", &calls)
	if len(calls) != 1 || calls[0].Agent != "1064" || calls[0].State != "connected" {
		t.Fatalf("engine's live calls = %+v, want one call connected to 1064", calls)
	}
	callID := calls[0].ID

	// The campaign's form (the demo's "Prueba"): fill its text field, save.
	browse(t, ctx, "form",
		chromedp.SendKeys(chromedp.CSS("fieldset[data-form] > div:first-of-type > input"), "dato del cliente"),
		chromedp.Click(chromedp.CSS("fieldset[data-form] > button")),
		until(textIs("#message", "Form saved.")),
	)
	var ws struct {
		FormValues map[string]string `json:"form_values"`
	}
	g.apiJSON(t, "GET", "/api/v1/agents/3/workspace", "", &ws)
	saved := false
	for _, v := range ws.FormValues {
		saved = saved || v == "dato del cliente"
	}
	if !saved {
		t.Fatalf("form values of call %d = %v, want the text typed in the workspace", callID, ws.FormValues)
	}

	browse(t, ctx, "pause and hang up",
		chromedp.SetValue(chromedp.CSS("#pause-code"), "ALMUER"),
		chromedp.Click(chromedp.CSS("#pause")),
		chromedp.Click(chromedp.CSS("#hangup")),
		chromedp.WaitVisible(chromedp.CSS("#no-call")),
		until(`document.getElementById("state").textContent.startsWith("paused")`),
	)
	browse(t, ctx, "disposition",
		chromedp.SetValue(chromedp.CSS("#dispo-1"), g.dispositionID(t, "SALE")),
		chromedp.SendKeys(chromedp.CSS("#dispo-comments"), "sold from the web"),
		chromedp.Click(chromedp.CSS("#dispo-save")),
		until(textIs("#message", "Disposition saved: SALE")),
	)
	screenshot(t, ctx, "dispositioned")

	var c liveCall
	g.apiJSON(t, "GET", fmt.Sprintf("/api/v1/calls/%d", callID), "", &c)
	if c.Status != "SALE" {
		t.Fatalf("call %d status = %q, want SALE", callID, c.Status)
	}
	if !g.sessionPaused(t, 3) {
		t.Fatal("agent 1064 is not paused after pausing from the workspace")
	}
}

func (r *running) sessionPaused(t *testing.T, agentID int) bool {
	t.Helper()
	var s struct {
		Paused bool `json:"paused"`
	}
	r.apiJSON(t, "GET", fmt.Sprintf("/api/v1/agents/%d/session", agentID), "", &s)
	return s.Paused
}

func (r *running) dispositionID(t *testing.T, code string) string {
	t.Helper()
	var ds []struct {
		ID       uint   `json:"id"`
		Campaign string `json:"campaign"`
	}
	r.apiJSON(t, "GET", "/api/v1/dispositions?code="+code, "", &ds)
	for _, d := range ds {
		if d.Campaign == "" {
			return fmt.Sprint(d.ID)
		}
	}
	t.Fatalf("no system disposition %s", code)
	return ""
}

// crmPage is a CRM page as uContact's documents write them: it loads the
// real Porthole library and posts the proxy action "call" to the agent
// portal framing it, then reports the GUID it got back to its own server.
const crmPage = `<!doctype html><html><head><script src="/porthole.min.js"></script></head><body>
<p id="out">waiting</p>
<script>
var windowProxy = new Porthole.WindowProxy(null);
windowProxy.addEventListener(function (messageEvent) {
  var guid = messageEvent.data.guid;
  document.getElementById('out').textContent = guid;
  fetch('/got?guid=' + encodeURIComponent(guid) + '&result=' + encodeURIComponent(messageEvent.data.result) +
    '&action=' + encodeURIComponent(messageEvent.data.action) + '&error=' + encodeURIComponent(messageEvent.data.error || ''));
});
var msg = location.hash ? JSON.parse(decodeURIComponent(location.hash.slice(1))) :
  {'action': 'call', 'campaign': 'TESTCAMP', 'callerid': '5550000', 'destination': '7275551212'};
windowProxy.post(msg);
</script></body></html>`

func TestPortholeCallFromTheCRMIframePlacesACall(t *testing.T) {
	g := startGateway(t, filepath.Join(t.TempDir(), "callgate.db"))
	porthole, err := os.ReadFile(filepath.Join("testdata", "porthole", "porthole.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan url.Values, 1)
	crm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/porthole.min.js":
			w.Header().Set("Content-Type", "text/javascript")
			_, _ = w.Write(porthole)
		case "/got":
			select {
			case got <- r.URL.Query():
			default:
			}
		default:
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte(crmPage))
		}
	}))
	defer crm.Close()
	// The CRM runs on another origin (another port) than the gateway.
	crmURL := strings.Replace(crm.URL, "127.0.0.1", "localhost", 1) + "/crm"

	g.apiJSON(t, "POST", "/api/v1/agents/1/login", `{"paused":false}`, nil)
	ctx := newBrowser(t)
	browserLogin(t, ctx, g.httpBase, "agent", "1000", "1234", "#session-controls")
	browse(t, ctx, "open the CRM", chromedp.Navigate(g.httpBase+"/agent?crm="+url.QueryEscape(crmURL)), chromedp.WaitVisible(chromedp.CSS("#crm")))

	var answer url.Values
	select {
	case answer = <-got:
	case <-ctx.Done():
		screenshot(t, ctx, "no-answer")
		t.Fatal("the CRM page got no answer to its Porthole call")
	}
	browse(t, ctx, "call shown", chromedp.WaitVisible(chromedp.CSS("#call")))
	screenshot(t, ctx, "porthole-call")
	guid := answer.Get("guid")
	if guid == "" || guid == "0" {
		t.Fatalf("Porthole answer guid = %q (error %q), want the call's GUID", guid, answer.Get("error"))
	}
	var calls []liveCall
	g.apiJSON(t, "GET", "/api/v1/calls?guid="+url.QueryEscape(guid), "", &calls)
	if len(calls) != 1 || calls[0].Agent != "1000" || calls[0].Phone != "7275551212" {
		t.Fatalf("engine's call with guid %s = %+v, want agent 1000 dialing 7275551212", guid, calls)
	}

	// schedule: uContact's dialer object and portal date become a callback.
	when := time.Now().Add(2 * time.Hour).Format("2006-01-02 15:04:05")
	msg := fmt.Sprintf(`{"action":"schedule","callDate":%q,"objectDialer":{"campaign":"TESTCAMP","destination":"5553334444","alternatives":"5553334445","data":"Par1=Val1"}}`, when)
	browse(t, ctx, "schedule from the CRM",
		// Another path: a new fragment alone would not reload the page.
		chromedp.SetValue(chromedp.CSS("#crm-url"), crmURL+"/schedule#"+url.PathEscape(msg)),
		chromedp.Click(chromedp.CSS("#crm-open")),
	)
	select {
	case answer = <-got:
	case <-ctx.Done():
		t.Fatal("the CRM page got no answer to its Porthole schedule")
	}
	if answer.Get("action") != "schedule" || answer.Get("result") != "1" {
		t.Fatalf("Porthole schedule answer = %v, want result 1", answer)
	}
	var cbs []struct {
		Phone    string    `json:"phone"`
		Campaign string    `json:"campaign"`
		When     time.Time `json:"when"`
	}
	g.apiJSON(t, "GET", "/api/v1/callbacks?campaign=TESTCAMP", "", &cbs)
	found := false
	for _, cb := range cbs {
		found = found || cb.Phone == "5553334444" && cb.When.After(time.Now().Add(time.Hour))
	}
	if !found {
		t.Fatalf("no callback to 5553334444 in two hours among %+v", cbs)
	}
}

func TestWorkspaceReceivesScreenCommandsAndWorksThePendingList(t *testing.T) {
	g := startGateway(t, filepath.Join(t.TempDir(), "callgate.db"))
	g.apiJSON(t, "POST", "/api/v1/agents/1/login", `{"paused":true}`, nil)
	var cb struct {
		ID uint64 `json:"id"`
	}
	due := time.Now().Add(3 * time.Hour).UTC().Format(time.RFC3339)
	g.apiJSON(t, "POST", "/api/v1/callbacks", `{"phone":"5557778888","campaign":"TESTCAMP","agent":"1000","agent_only":true,"when":"`+due+`"}`, &cb)
	ctx := newBrowser(t)
	browserLogin(t, ctx, g.httpBase, "agent", "1000", "1234", "#session-controls")
	item := fmt.Sprintf(`li[data-pending="%d"]`, cb.ID)
	browse(t, ctx, "pending list", chromedp.WaitVisible(chromedp.CSS(item)), until(`document.getElementById("state").textContent.startsWith("paused")`))

	// VICIdial's send_notification reaches the open workspace.
	code, body := g.get(t, "/agc/api.php?source=test&user=6666&pass=1234&function=send_notification&recipient=1000&recipient_type=USER&notification_text=Team+meeting+at+noon", false)
	if code != http.StatusOK || !strings.Contains(string(body), "SUCCESS") {
		t.Fatalf("send_notification: %d %s", code, body)
	}
	browse(t, ctx, "notification", until(`[...document.querySelectorAll("#notifications .notice")].some(e => e.textContent.includes("Team meeting at noon"))`))
	screenshot(t, ctx, "notification")

	browse(t, ctx, "complete", chromedp.Click(chromedp.CSS(item+" button.complete")), chromedp.WaitNotPresent(chromedp.CSS(item)))
	var after struct {
		Status string `json:"status"`
	}
	g.apiJSON(t, "GET", fmt.Sprintf("/api/v1/callbacks/%d", cb.ID), "", &after)
	if after.Status != "DONE" {
		t.Fatalf("callback %d status = %q after Complete, want DONE", cb.ID, after.Status)
	}
}

func TestWorkspaceFramesOnlyTheConfiguredCRMOrigins(t *testing.T) {
	g := startGateway(t, filepath.Join(t.TempDir(), "callgate.db"), "CALLGATE_WEB_CRM_ORIGINS", "https://crm.example.com")
	got := make(chan url.Values, 1)
	crm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.URL.Query()
		_, _ = w.Write([]byte("<p>not allowed</p>"))
	}))
	defer crm.Close()
	g.apiJSON(t, "POST", "/api/v1/agents/1/login", `{"paused":false}`, nil)
	ctx := newBrowser(t)
	browserLogin(t, ctx, g.httpBase, "agent", "1000", "1234", "#session-controls")
	browse(t, ctx, "a CRM of another origin",
		chromedp.Navigate(g.httpBase+"/agent?crm="+url.QueryEscape(crm.URL+"/crm")),
		until(`document.getElementById("message").textContent.startsWith("CRM pages may come only from https://crm.example.com")`),
		until(`document.getElementById("crm").getAttribute("src") === null`),
	)
	select {
	case <-got:
		t.Fatal("the workspace loaded a CRM page from an origin outside web.crm_origins")
	default:
	}
	resp, err := http.Get(g.httpBase + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-src https://crm.example.com;") {
		t.Fatalf("CSP %q does not limit frames to the CRM origin", csp)
	}
}
