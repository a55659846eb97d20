package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"

	"github.com/callgate/callgate/api/admin"
	"github.com/callgate/callgate/core"
)

// Browser sessions: the engine keeps them in the store
// (core.OpenWebSession: a random 256-bit token, stored as its SHA-256, so
// every gateway knows them and a restart logs nobody out); the browser
// holds the token in an HttpOnly, SameSite=Strict cookie, Secure when the
// request came over TLS. Each session's CSRF token is derived from its
// token (a hash no other site can compute without the cookie): the pages
// send it in the X-CSRF-Token header, or the csrf form field, of every
// state-changing request.

const (
	sessionCookie = "callgate_session"
	csrfHeader    = "X-CSRF-Token"
)

// csrfOf is the CSRF token of a session token.
func csrfOf(token string) string {
	sum := sha256.Sum256([]byte("callgate csrf\x00" + token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// sessionOf is the request's live session: its token and principal.
func (w *Web) sessionOf(r *http.Request) (string, core.Principal, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return "", core.Principal{}, false
	}
	p, err := w.eng.WebSessionPrincipal(r.Context(), c.Value)
	if err != nil {
		if core.ErrorCode(err) == core.EINTERNAL {
			w.log.Error("web: session", "err", err)
		}
		return "", core.Principal{}, false
	}
	return c.Value, p, true
}

// safeMethod: methods that change nothing and need no CSRF token.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

func csrfMatches(token, given string) bool {
	return given != "" && subtle.ConstantTimeCompare([]byte(given), []byte(csrfOf(token))) == 1
}

// Authenticate implements admin.SessionAuth: the /api/v1 routes open to
// sessions accept the cookie, with the CSRF header on state-changing
// requests.
func (w *Web) Authenticate(r *http.Request) (core.Principal, bool, error) {
	if c, err := r.Cookie(sessionCookie); err != nil || c.Value == "" {
		return core.Principal{}, false, nil
	}
	token, p, ok := w.sessionOf(r)
	if !ok {
		return core.Principal{}, true, errExpired
	}
	if !safeMethod(r.Method) && !csrfMatches(token, r.Header.Get(csrfHeader)) {
		return core.Principal{}, true, admin.ErrCSRF
	}
	return p, true, nil
}

type webError string

func (e webError) Error() string { return string(e) }

const errExpired = webError("session expired")

func (w *Web) setSessionCookie(rw http.ResponseWriter, r *http.Request, token string, maxAge int) {
	http.SetCookie(rw, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode,
	})
}

// randomToken is 32 random bytes, URL-safe base64 (the login form's
// double-submit token).
func randomToken() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}
