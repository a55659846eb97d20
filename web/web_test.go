package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
)

// stubEngine accepts agent "a1"/"pw" and keeps sessions in a map; the
// real engine's rules are tested in core and through the gateway.
type stubEngine struct {
	sessions map[string]core.Principal
}

func (s *stubEngine) WebLogin(_ context.Context, req core.WebLoginRequest) (core.Principal, core.LoginVerdict, error) {
	if req.Kind == core.PrincipalAgent && req.User == "a1" && req.Secret == "pw" {
		return core.Principal{Kind: core.PrincipalAgent, Name: "a1", AgentID: 1}, core.LoginVerdict{}, nil
	}
	return core.Principal{}, core.LoginVerdict{Outcome: core.LoginRejected}, nil
}

func (s *stubEngine) OpenWebSession(_ context.Context, p core.Principal) (string, error) {
	tok := randomToken()
	s.sessions[tok] = p
	return tok, nil
}

func (s *stubEngine) WebSessionPrincipal(_ context.Context, tok string) (core.Principal, error) {
	p, ok := s.sessions[tok]
	if !ok {
		return p, core.Errorf(core.EUNAUTHORIZED, "session expired")
	}
	return p, nil
}

func (s *stubEngine) CloseWebSession(_ context.Context, tok string) error {
	delete(s.sessions, tok)
	return nil
}

func (s *stubEngine) Credentials() *core.Credentials { return nil }
func (s *stubEngine) Now() time.Time                 { return time.Unix(0, 0) }

func TestPagesServeTheirAssetsUnderAStrictPolicy(t *testing.T) {
	srv := httptest.NewServer(New(Options{Engine: &stubEngine{sessions: map[string]core.Principal{}}, AdminToken: "x"}))
	defer srv.Close()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	cases := []struct {
		path        string
		status      int
		contentType string
		location    string
	}{
		{"/login", http.StatusOK, "text/html; charset=utf-8", ""},
		{"/", http.StatusSeeOther, "", "/login"},
		{"/agent", http.StatusSeeOther, "", "/login"},
		{"/static/api.js", http.StatusOK, "text/javascript; charset=utf-8", ""},
		{"/static/agent.js", http.StatusOK, "text/javascript; charset=utf-8", ""},
		{"/static/porthole-bridge.js", http.StatusOK, "text/javascript; charset=utf-8", ""},
		{"/static/style.css", http.StatusOK, "text/css; charset=utf-8", ""},
		{"/static/nope.js", http.StatusNotFound, "", ""},
		{"/nope", http.StatusNotFound, "", ""},
	}
	for _, c := range cases {
		resp, err := noRedirect.Get(srv.URL + c.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.status || c.contentType != "" && resp.Header.Get("Content-Type") != c.contentType ||
			resp.Header.Get("Location") != c.location {
			t.Errorf("%s: %d %q to %q", c.path, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Location"))
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q", c.path, csp)
		}
	}
}

func TestLoginFormEscapesWhatItEchoes(t *testing.T) {
	srv := httptest.NewServer(New(Options{Engine: &stubEngine{sessions: map[string]core.Principal{}}}))
	defer srv.Close()
	page, _ := http.Get(srv.URL + "/login")
	page.Body.Close()
	var csrf string
	for _, c := range page.Cookies() {
		if c.Name == loginCookie {
			csrf = c.Value
		}
	}
	form := url.Values{"csrf": {csrf}, "role": {"agent"}, "username": {`"><script>alert(1)</script>`}, "password": {"bad"}}
	req, _ := http.NewRequest("POST", srv.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: loginCookie, Value: csrf})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusUnauthorized || strings.Contains(string(body), "<script>alert") ||
		!strings.Contains(string(body), "Wrong user name or password.") || strings.Contains(string(body), "bad") {
		t.Fatalf("failed login page: %d %s", resp.StatusCode, body)
	}
}

func TestLoginBodyIsBounded(t *testing.T) {
	srv := httptest.NewServer(New(Options{Engine: &stubEngine{sessions: map[string]core.Principal{}}}))
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/login", "application/x-www-form-urlencoded", strings.NewReader("username="+strings.Repeat("a", maxLoginBody)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("oversized login: %d, want 400", resp.StatusCode)
	}
}
