package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// webClient is a browser-like HTTP client: a cookie jar, no redirects
// followed, and the CSRF token of the last page it loaded.
type webClient struct {
	base string
	c    *http.Client
	csrf string
}

func newWebClient(base string) *webClient {
	jar, _ := cookiejar.New(nil)
	return &webClient{base: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

var csrfRE = regexp.MustCompile(`name="csrf(?:-token)?" (?:value|content)="([^"]+)"`)

func (w *webClient) do(t *testing.T, method, path, body string, header map[string]string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(method, w.base+path, strings.NewReader(body))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := w.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if m := csrfRE.FindStringSubmatch(string(b)); m != nil {
		w.csrf = m[1]
	}
	return resp.StatusCode, string(b), resp.Header
}

// login loads the login page (for its CSRF token) and posts the form.
func (w *webClient) login(t *testing.T, role, user, pass string) (int, http.Header) {
	t.Helper()
	w.do(t, "GET", "/login", "", nil)
	form := url.Values{"csrf": {w.csrf}, "role": {role}, "username": {user}, "password": {pass}}
	code, _, h := w.do(t, "POST", "/login", form.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	return code, h
}

func TestWebSessionsAreScopedAndCSRFProtected(t *testing.T) {
	g := startGateway(t, filepath.Join(t.TempDir(), "callgate.db"))
	// A supervisor of user group AGENTS (allowed campaign TESTCAMP only).
	g.apiJSON(t, "POST", "/api/v1/apiusers", `{"dialect":"web","username":"sup1","secret":"sup-pass-1","scopes":"group:AGENTS"}`, nil)

	t.Run("wrong password is refused and gets no session", func(t *testing.T) {
		w := newWebClient(g.httpBase)
		code, _ := w.login(t, "supervisor", "sup1", "wrong")
		if code != http.StatusUnauthorized {
			t.Fatalf("login with a wrong password: %d, want 401", code)
		}
		if code, _, _ := w.do(t, "GET", "/api/v1/wallboard", "", nil); code != http.StatusUnauthorized {
			t.Fatalf("wallboard without a session: %d, want 401", code)
		}
	})

	t.Run("login without the form's CSRF token is refused", func(t *testing.T) {
		w := newWebClient(g.httpBase)
		form := url.Values{"role": {"supervisor"}, "username": {"sup1"}, "password": {"sup-pass-1"}}
		code, _, _ := w.do(t, "POST", "/login", form.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
		if code != http.StatusForbidden {
			t.Fatalf("login without CSRF: %d, want 403", code)
		}
	})

	w := newWebClient(g.httpBase)
	code, h := w.login(t, "supervisor", "sup1", "sup-pass-1")
	if code != http.StatusSeeOther || h.Get("Location") != "/" {
		t.Fatalf("supervisor login: %d to %q, want 303 to /", code, h.Get("Location"))
	}
	cookie := h.Get("Set-Cookie")
	for _, attr := range []string{"HttpOnly", "SameSite=Strict", "Path=/"} {
		if !strings.Contains(cookie, attr) {
			t.Fatalf("session cookie %q lacks %s", cookie, attr)
		}
	}
	if code, _, _ := w.do(t, "GET", "/", "", nil); code != http.StatusOK || w.csrf == "" {
		t.Fatalf("wallboard page: %d (csrf %q)", code, w.csrf)
	}

	t.Run("the wallboard shows only the group's campaigns and queues", func(t *testing.T) {
		code, body, _ := w.do(t, "GET", "/api/v1/wallboard", "", nil)
		if code != http.StatusOK {
			t.Fatalf("wallboard: %d %s", code, body)
		}
		var wb struct {
			Queues    []struct{ Name string }
			Campaigns []struct{ Name string }
		}
		if err := json.Unmarshal([]byte(body), &wb); err != nil {
			t.Fatal(err)
		}
		if len(wb.Campaigns) != 1 || wb.Campaigns[0].Name != "TESTCAMP" {
			t.Fatalf("campaigns = %+v, want TESTCAMP only", wb.Campaigns)
		}
		for _, q := range wb.Queues {
			if q.Name == "8000" || q.Name == "8001" {
				t.Fatalf("queue %s of another campaign is shown to group AGENTS", q.Name)
			}
		}
	})

	t.Run("state-changing requests need the CSRF header", func(t *testing.T) {
		g.apiJSON(t, "POST", "/api/v1/agents/1/login", `{"paused":false}`, nil)
		if code, body, _ := w.do(t, "POST", "/api/v1/agents/1/pause", `{"code":"BREAK"}`, nil); code != http.StatusForbidden {
			t.Fatalf("pause without CSRF: %d %s, want 403", code, body)
		}
		if g.sessionPaused(t, 1) {
			t.Fatal("agent 1000 paused by a request without CSRF token")
		}
		hdr := map[string]string{"X-CSRF-Token": w.csrf, "Content-Type": "application/json"}
		if code, body, _ := w.do(t, "POST", "/api/v1/agents/1/pause", `{"code":"BREAK"}`, hdr); code != http.StatusOK {
			t.Fatalf("pause of agent 1000 (TESTCAMP) with CSRF: %d %s", code, body)
		}
		if !g.sessionPaused(t, 1) {
			t.Fatal("agent 1000 not paused by its supervisor")
		}
	})

	t.Run("agents and routes outside the scope are refused", func(t *testing.T) {
		g.apiJSON(t, "POST", "/api/v1/agents/3/login", `{}`, nil) // 1064: queues 8000/8001 only
		hdr := map[string]string{"X-CSRF-Token": w.csrf, "Content-Type": "application/json"}
		if code, _, _ := w.do(t, "POST", "/api/v1/agents/3/logout", `{}`, hdr); code != http.StatusForbidden {
			t.Fatalf("logout of an agent outside the group: %d, want 403", code)
		}
		if code, _, _ := w.do(t, "GET", "/api/v1/agents", "", nil); code != http.StatusForbidden {
			t.Fatalf("provisioning list with a session: %d, want 403", code)
		}
		if code, _, _ := w.do(t, "POST", "/api/v1/agents", `{"username":"x"}`, hdr); code != http.StatusForbidden {
			t.Fatalf("provisioning write with a session: %d, want 403", code)
		}
	})

	t.Run("an agent acts on itself only", func(t *testing.T) {
		a := newWebClient(g.httpBase)
		if code, h := a.login(t, "agent", "1000", "1234"); code != http.StatusSeeOther || h.Get("Location") != "/agent" {
			t.Fatalf("agent login: %d to %q", code, h.Get("Location"))
		}
		a.do(t, "GET", "/agent", "", nil)
		hdr := map[string]string{"X-CSRF-Token": a.csrf, "Content-Type": "application/json"}
		if code, body, _ := a.do(t, "GET", "/api/v1/agents/1/workspace", "", nil); code != http.StatusOK {
			t.Fatalf("own workspace: %d %s", code, body)
		}
		if code, _, _ := a.do(t, "GET", "/api/v1/agents/3/workspace", "", nil); code != http.StatusForbidden {
			t.Fatalf("another agent's workspace: %d, want 403", code)
		}
		if code, _, _ := a.do(t, "POST", "/api/v1/agents/3/pause", `{}`, hdr); code != http.StatusForbidden {
			t.Fatalf("pausing another agent: %d, want 403", code)
		}
		if code, _, _ := a.do(t, "GET", "/api/v1/wallboard", "", nil); code != http.StatusForbidden {
			t.Fatalf("wallboard for an agent: %d, want 403", code)
		}
		if code, _, h := a.do(t, "GET", "/", "", nil); code != http.StatusSeeOther || h.Get("Location") != "/agent" {
			t.Fatalf("agent opening the wallboard: %d to %q, want 303 to /agent", code, h.Get("Location"))
		}
	})

	t.Run("logging out ends the session", func(t *testing.T) {
		form := url.Values{"csrf": {w.csrf}}
		if code, _, _ := w.do(t, "POST", "/logout", form.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"}); code != http.StatusSeeOther {
			t.Fatalf("logout: %d", code)
		}
		if code, _, _ := w.do(t, "GET", "/api/v1/wallboard", "", nil); code != http.StatusUnauthorized {
			t.Fatalf("wallboard after logout: %d, want 401", code)
		}
	})
}

// sseEvents reads SSE frames ("event" and "data" lines) until stop says so.
func sseEvents(t *testing.T, body io.Reader, stop func(name, data string) bool) [][2]string {
	t.Helper()
	var out [][2]string
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var name, data string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = strings.TrimPrefix(line, "data: ")
		case line == "" && name != "":
			out = append(out, [2]string{name, data})
			if stop(name, data) {
				return out
			}
			name, data = "", ""
		}
	}
	t.Fatalf("event stream ended: %v (got %v)", sc.Err(), out)
	return out
}

func TestSupervisorEventStreamCarriesOnlyItsScope(t *testing.T) {
	g := startGateway(t, filepath.Join(t.TempDir(), "callgate.db"))
	g.apiJSON(t, "POST", "/api/v1/apiusers", `{"dialect":"web","username":"sup1","secret":"sup-pass-1","scopes":"group:AGENTS"}`, nil)
	w := newWebClient(g.httpBase)
	if code, _ := w.login(t, "supervisor", "sup1", "sup-pass-1"); code != http.StatusSeeOther {
		t.Fatalf("supervisor login: %d", code)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", g.httpBase+"/api/v1/events", nil)
	resp, err := w.c.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("supervisor's event stream: %v %v", resp, err)
	}
	defer resp.Body.Close()

	// A call in queue 8000 (campaign INBOUND8000, outside group AGENTS),
	// stored before agent 1000 (TESTCAMP, inside) logs in.
	g.apiJSON(t, "POST", "/api/v1/sim/inbound", `{"caller_id":"5551234","did":"5558000"}`, nil)
	// The engine takes the call asynchronously; its store lane writes the
	// queue log and publishes in one order: once ENTERQUEUE is stored, the
	// call's events are on the bus.
	var rows []json.RawMessage
	for len(rows) == 0 && ctx.Err() == nil {
		g.apiJSON(t, "GET", "/api/v1/queuelog?event=ENTERQUEUE&queue=8000", "", &rows)
	}
	g.apiJSON(t, "POST", "/api/v1/agents/1/login", `{}`, nil)

	got := sseEvents(t, resp.Body, func(name, data string) bool {
		return name == "agent.logged_in" && strings.Contains(data, `"1000"`)
	})
	for _, ev := range got {
		if strings.HasPrefix(ev[0], "call.") || strings.Contains(ev[1], `"8000"`) {
			t.Fatalf("supervisor of AGENTS got %s %s", ev[0], ev[1])
		}
	}

	// The admin's stream from the start shows the call the supervisor
	// did not get.
	areq, _ := http.NewRequestWithContext(ctx, "GET", g.httpBase+"/api/v1/events?from=1", nil)
	areq.Header.Set("Authorization", "Bearer demo-admin-token")
	aresp, err := http.DefaultClient.Do(areq)
	if err != nil {
		t.Fatal(err)
	}
	defer aresp.Body.Close()
	sseEvents(t, aresp.Body, func(name, data string) bool {
		return strings.HasPrefix(name, "call.") && strings.Contains(data, `"8000"`)
	})
}

func TestWebSessionSurvivesAGatewayRestart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "callgate.db")
	g := startGateway(t, db)
	w := newWebClient(g.httpBase)
	if code, _ := w.login(t, "agent", "1000", "1234"); code != http.StatusSeeOther {
		t.Fatalf("agent login: %d", code)
	}
	if err := g.stop(); err != nil {
		t.Fatal(err)
	}
	g2 := startGateway(t, db)
	w.base = g2.httpBase // cookies are not bound to a port
	code, body, _ := w.do(t, "GET", "/api/v1/me", "", nil)
	if code != http.StatusOK || !strings.Contains(body, `"kind":"agent"`) || !strings.Contains(body, `"name":"1000"`) {
		t.Fatalf("me after the restart: %d %s", code, body)
	}
}
