// Package web serves Callgate's browser pages: the login page, the
// supervisor wallboard at / and the agent workspace at /agent. The pages
// are static HTML, CSS and plain JavaScript embedded in the binary; they
// read and act only through the public /api/v1 (package admin), with the
// session this package keeps (sessions.go) in place of the admin token.
package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
)

//go:embed static templates
var assets embed.FS

// Engine is what the pages need from the core (*core.Engine has it).
type Engine interface {
	WebLogin(ctx context.Context, req core.WebLoginRequest) (core.Principal, core.LoginVerdict, error)
	OpenWebSession(ctx context.Context, p core.Principal) (string, error)
	WebSessionPrincipal(ctx context.Context, token string) (core.Principal, error)
	CloseWebSession(ctx context.Context, token string) error
	Credentials() *core.Credentials
	Now() time.Time
}

// Options configure the pages.
type Options struct {
	Engine Engine
	// AdminToken lets the admin log in with the role "admin".
	AdminToken string
	// CRMOrigins are the origins the agent workspace may frame and take
	// Porthole actions from (scheme://host[:port]); empty: any.
	CRMOrigins []string
	Logger     *slog.Logger
}

// Web is the pages' handler and the session authenticator of /api/v1.
type Web struct {
	eng    Engine
	crm    []string
	csp    string
	token  [32]byte
	log    *slog.Logger
	pages  *template.Template
	static http.Handler
}

// New builds the pages; mount the result at / (it serves /, /agent,
// /login, /logout and /static/).
func New(o Options) *Web {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	sub, _ := fs.Sub(assets, "static")
	frames := "http: https:"
	if len(o.CRMOrigins) > 0 {
		frames = strings.Join(o.CRMOrigins, " ")
	}
	w := &Web{eng: o.Engine, crm: o.CRMOrigins, csp: "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src " + frames +
		"; frame-ancestors 'none'; form-action 'self'; base-uri 'none'", token: sha256.Sum256([]byte(o.AdminToken)), log: o.Logger,
		pages:  template.Must(template.ParseFS(assets, "templates/*.html")),
		static: http.StripPrefix("/static/", http.FileServer(http.FS(sub)))}
	return w
}

// Routes lists the paths the gateway mounts this handler at.
func Routes() []string {
	return []string{"/", "/wallboard", "/agent", "/login", "/logout", "/static/*"}
}

func (w *Web) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	securityHeaders(rw, w.csp)
	switch {
	case r.URL.Path == "/login":
		w.login(rw, r)
	case r.URL.Path == "/logout":
		w.logout(rw, r)
	case r.URL.Path == "/" || r.URL.Path == "/wallboard":
		w.page(rw, r, "wallboard.html", core.PrincipalAdmin, core.PrincipalSupervisor)
	case r.URL.Path == "/agent":
		w.page(rw, r, "agent.html", core.PrincipalAgent)
	case len(r.URL.Path) > len("/static/") && r.URL.Path[:len("/static/")] == "/static/":
		rw.Header().Set("Cache-Control", "no-cache")
		w.static.ServeHTTP(rw, r)
	default:
		http.NotFound(rw, r)
	}
}

// securityHeaders: the pages run only their own scripts and frame only
// the configured CRM origins.
func securityHeaders(rw http.ResponseWriter, csp string) {
	h := rw.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
}

type pageData struct {
	CRM       string // space-separated CRM origins, empty for any
	CSRF      string
	Principal core.Principal
	Error     string
	Role      string
	User      string
}

// page renders a page for a session of one of the roles; others go to the
// login page (or to their own page).
func (w *Web) page(rw http.ResponseWriter, r *http.Request, name string, roles ...core.PrincipalKind) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(rw, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	token, p, ok := w.sessionOf(r)
	if !ok {
		http.Redirect(rw, r, "/login", http.StatusSeeOther)
		return
	}
	for _, k := range roles {
		if p.Kind == k {
			w.render(rw, name, pageData{CSRF: csrfOf(token), Principal: p, CRM: strings.Join(w.crm, " ")})
			return
		}
	}
	http.Redirect(rw, r, homeOf(p.Kind), http.StatusSeeOther)
}

func homeOf(k core.PrincipalKind) string {
	if k == core.PrincipalAgent {
		return "/agent"
	}
	return "/"
}

func (w *Web) render(rw http.ResponseWriter, name string, d pageData) {
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	rw.Header().Set("Cache-Control", "no-store")
	if err := w.pages.ExecuteTemplate(rw, name, d); err != nil {
		w.log.Error("web: render", "page", name, "err", err)
	}
}

// loginCookie carries the login form's CSRF token before any session
// exists (double submit): a cross-site form cannot read it.
const loginCookie = "callgate_login"

const maxLoginBody = 16 << 10

func (w *Web) login(rw http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		w.loginForm(rw, r, http.StatusOK, pageData{Role: r.URL.Query().Get("role")})
	case http.MethodPost:
		w.loginSubmit(rw, r)
	default:
		http.Error(rw, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (w *Web) loginForm(rw http.ResponseWriter, r *http.Request, status int, d pageData) {
	d.CSRF = randomToken()
	http.SetCookie(rw, &http.Cookie{Name: loginCookie, Value: d.CSRF, Path: "/login", MaxAge: 3600,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	rw.Header().Set("Cache-Control", "no-store")
	rw.WriteHeader(status)
	if err := w.pages.ExecuteTemplate(rw, "login.html", d); err != nil {
		w.log.Error("web: render login", "err", err)
	}
}

func (w *Web) loginSubmit(rw http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(rw, r.Body, maxLoginBody)
	if err := r.ParseForm(); err != nil {
		http.Error(rw, "bad form", http.StatusBadRequest)
		return
	}
	role, user, pass := r.PostForm.Get("role"), r.PostForm.Get("username"), r.PostForm.Get("password")
	d := pageData{Role: role, User: user}
	c, err := r.Cookie(loginCookie)
	if err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostForm.Get("csrf"))) != 1 || c.Value == "" {
		d.Error = "The login form expired; please try again."
		w.loginForm(rw, r, http.StatusForbidden, d)
		return
	}
	p, v, err := w.authenticate(r.Context(), core.PrincipalKind(role), user, pass, r.RemoteAddr)
	switch {
	case err != nil:
		d.Error = core.ErrorMessage(err)
		if core.ErrorCode(err) == core.EINTERNAL {
			w.log.Error("web: login", "err", err)
			d.Error = "Login failed: internal error."
		}
		w.loginForm(rw, r, http.StatusForbidden, d)
		return
	case v.Outcome == core.LoginDelayed:
		wait := max(1, int(math.Ceil(v.RetryAt.Sub(w.eng.Now()).Seconds())))
		rw.Header().Set("Retry-After", strconv.Itoa(wait))
		d.Error = "Too many failed logins; try again in " + strconv.Itoa(wait) + " s."
		w.loginForm(rw, r, http.StatusTooManyRequests, d)
		return
	case v.Outcome != core.LoginAccepted:
		d.Error = "Wrong user name or password."
		w.loginForm(rw, r, http.StatusUnauthorized, d)
		return
	}
	token, err := w.eng.OpenWebSession(r.Context(), p)
	if err != nil {
		w.log.Error("web: open session", "err", err)
		d.Error = "Login failed: internal error."
		w.loginForm(rw, r, http.StatusInternalServerError, d)
		return
	}
	w.setSessionCookie(rw, r, token, int(core.WebSessionMax/time.Second))
	http.SetCookie(rw, &http.Cookie{Name: loginCookie, Value: "", Path: "/login", MaxAge: -1})
	http.Redirect(rw, r, homeOf(p.Kind), http.StatusSeeOther)
}

// authenticate checks a login of any role: agents and supervisors through
// the engine, the admin with the admin token (constant time, throttled as
// the API's bearer token).
func (w *Web) authenticate(ctx context.Context, role core.PrincipalKind, user, pass, source string) (core.Principal, core.LoginVerdict, error) {
	if role != core.PrincipalAdmin {
		return w.eng.WebLogin(ctx, core.WebLoginRequest{Kind: role, User: user, Secret: pass, Source: source})
	}
	sum := sha256.Sum256([]byte(pass))
	right := func() bool { return subtle.ConstantTimeCompare(sum[:], w.token[:]) == 1 }
	v := w.eng.Credentials().Check(ctx, core.LoginAttempt{Dialect: "admin", Source: source, RightFirst: true}, right)
	return core.Principal{Kind: core.PrincipalAdmin, Name: "admin", Scope: core.Scope{All: true}}, v, nil
}

func (w *Web) logout(rw http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(rw, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	r.Body = http.MaxBytesReader(rw, r.Body, maxLoginBody)
	_ = r.ParseForm()
	if token, _, ok := w.sessionOf(r); ok {
		if !csrfMatches(token, r.PostForm.Get("csrf")) {
			http.Error(rw, "missing or invalid CSRF token", http.StatusForbidden)
			return
		}
		if err := w.eng.CloseWebSession(r.Context(), token); err != nil {
			w.log.Error("web: close session", "err", err)
			http.Error(rw, "log out failed", http.StatusInternalServerError)
			return
		}
	}
	w.setSessionCookie(rw, r, "", -1)
	http.Redirect(rw, r, "/login", http.StatusSeeOther)
}
