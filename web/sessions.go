package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"sync"
	"time"

	"github.com/callgate/callgate/api/admin"
	"github.com/callgate/callgate/core"
)

// Browser sessions: a random 32-byte token in an HttpOnly, SameSite=Strict
// cookie (Secure when the request came over TLS), kept here only as its
// SHA-256 so a memory dump does not hand out live sessions. Every session
// has its own CSRF token, which the pages send in the X-CSRF-Token header
// (or the csrf form field) of every state-changing request.

const (
	sessionCookie = "callgate_session"
	csrfHeader    = "X-CSRF-Token"
	// idleTimeout ends a session unused this long; maxLifetime ends any.
	idleTimeout = 8 * time.Hour
	maxLifetime = 24 * time.Hour
	// maxSessions bounds the store: past it the oldest session is dropped.
	maxSessions = 10000
)

type session struct {
	principal core.Principal
	csrf      string
	created   time.Time
	seen      time.Time
}

type sessionStore struct {
	mu  sync.Mutex
	m   map[[32]byte]*session
	now func() time.Time
}

func newSessionStore(now func() time.Time) *sessionStore {
	return &sessionStore{m: map[[32]byte]*session{}, now: now}
}

// randomToken is 32 random bytes, URL-safe base64.
func randomToken() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// create stores a session and returns its cookie token.
func (s *sessionStore) create(p core.Principal) (token string, sess *session) {
	token = randomToken()
	now := s.now()
	sess = &session{principal: p, csrf: randomToken(), created: now, seen: now}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.m) >= maxSessions {
		s.dropOldestLocked()
	}
	s.m[sha256.Sum256([]byte(token))] = sess
	return token, sess
}

func (s *sessionStore) dropOldestLocked() {
	var oldest [32]byte
	var at time.Time
	for k, v := range s.m {
		if at.IsZero() || v.seen.Before(at) {
			oldest, at = k, v.seen
		}
	}
	delete(s.m, oldest)
}

// get returns the live session of a cookie token and refreshes it.
func (s *sessionStore) get(token string) (*session, bool) {
	if token == "" {
		return nil, false
	}
	key := sha256.Sum256([]byte(token))
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.m[key]
	if !ok {
		return nil, false
	}
	if now.Sub(sess.seen) > idleTimeout || now.Sub(sess.created) > maxLifetime {
		delete(s.m, key)
		return nil, false
	}
	sess.seen = now
	return sess, true
}

func (s *sessionStore) remove(token string) {
	s.mu.Lock()
	delete(s.m, sha256.Sum256([]byte(token)))
	s.mu.Unlock()
}

// sessionOf is the request's session.
func (w *Web) sessionOf(r *http.Request) (*session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, false
	}
	return w.sessions.get(c.Value)
}

// safeMethod: methods that change nothing and need no CSRF token.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

func csrfMatches(sess *session, given string) bool {
	return given != "" && subtle.ConstantTimeCompare([]byte(given), []byte(sess.csrf)) == 1
}

// Authenticate implements admin.SessionAuth: the /api/v1 routes open to
// sessions accept the cookie, with the CSRF header on state-changing
// requests.
func (w *Web) Authenticate(r *http.Request) (core.Principal, bool, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return core.Principal{}, false, nil
	}
	sess, ok := w.sessions.get(c.Value)
	if !ok {
		return core.Principal{}, true, errExpired
	}
	if !safeMethod(r.Method) && !csrfMatches(sess, r.Header.Get(csrfHeader)) {
		return core.Principal{}, true, admin.ErrCSRF
	}
	return sess.principal, true, nil
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
