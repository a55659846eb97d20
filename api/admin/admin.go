// Package admin is Callgate's native provisioning and operations API,
// JSON under /api/v1: agents, queues and members, campaigns, lists and
// leads, pause codes, dispositions, API credentials, routes, DNC, callbacks
// and forms, read access to calls, the queue log, CDR and the API log, live
// agent operations through the engine and, in demo mode, controls for the
// simulated PBX. It is how operators provision the system and how tests and
// checkers seed it, so every write of a record the engine caches is followed
// by the engine's Reload.
//
// The document at /api/v1/openapi.json is generated from the same route
// table that builds the router (see openapi.go) and embedded.
package admin

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

// Engine is what the admin API needs from the core engine; *core.Engine
// implements it. It is an interface so provisioning works (and is tested)
// without a running engine.
type Engine interface {
	Reload(ctx context.Context) error
	Login(ctx context.Context, user string, opt core.LoginOptions) error
	Logout(ctx context.Context, user, reason string) (deferred bool, err error)
	Pause(ctx context.Context, user, code string) error
	PauseByID(ctx context.Context, user string, id uint) error
	Unpause(ctx context.Context, user string) error
	Session(user string) (core.AgentSession, bool)
	Sessions() []core.AgentSession
	ActiveCalls() []core.Call
	HangupCall(ctx context.Context, id uint64, cause core.HangupCause) error
	Dial(ctx context.Context, req core.DialRequest) (core.Call, error)
}

// Options configure the API.
type Options struct {
	// Records is the provisioning service (required): Engine.Records in
	// the gateway, core.NewRecords where no engine runs.
	Records *core.Records
	// Engine is optional: without it records are still provisioned, and
	// live operations answer 503.
	Engine Engine
	// Token is the bearer token every request but the OpenAPI document
	// must carry.
	Token string
	// Sim enables /sim/... (demo mode).
	Sim    *sim.PBX
	Logger *slog.Logger
	// Media serves recordings' audio (/recordings/{id}/media); without it
	// that route answers 503.
	Media core.RecordingMedia
	// MaxEventStreams caps concurrent GET /events streams (64 when zero).
	MaxEventStreams int
	// EventBuffer is how many events a stream may lag behind the bus
	// before it is cut with an "overflow" event (1024 when zero).
	EventBuffer int
	// Heartbeat is the interval of SSE keep-alive comments (15 s when
	// zero); Clock times it (the real clock when nil).
	Heartbeat time.Duration
	Clock     core.Clock
	// Sessions lets browser sessions (package web) use the routes open to
	// them with a session cookie instead of the token (sessions.go).
	Sessions SessionAuth
	// Bus serves GET /events where no engine runs (a standby gateway
	// streams the leader's events from the shared bus); an Engine's bus
	// wins when both are set.
	Bus core.Bus
}

// API is the admin HTTP handler.
type API struct {
	rec    *core.Records
	eng    Engine
	sim    *sim.PBX
	media  core.RecordingMedia
	log    *slog.Logger
	token  [32]byte
	router chi.Router
	routes []route
	// event streams (events.go)
	streams     streamLimit
	eventBuffer int
	heartbeat   time.Duration
	clock       core.Clock
	closing     chan struct{}
	closeOnce   sync.Once
	webAuth     SessionAuth
	bus         core.Bus
}

// New builds the API; mount it at /api/v1.
func New(o Options) *API {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	a := &API{rec: o.Records, eng: o.Engine, sim: o.Sim, media: o.Media, log: o.Logger, token: sha256.Sum256([]byte(o.Token)), webAuth: o.Sessions, bus: o.Bus}
	a.initStreams(o)
	a.routes = a.table()
	r := chi.NewRouter()
	r.Use(limitBody)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) { writeError(w, http.StatusNotFound, "not found") })
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusMethodNotAllowed, "method not allowed")
	})
	r.Group(func(r chi.Router) {
		for _, rt := range a.routes {
			if rt.public {
				r.Method(rt.method, rt.path, rt.h)
			}
		}
	})
	r.Group(func(r chi.Router) {
		r.Use(a.auth)
		for _, rt := range a.routes {
			if !rt.public && (!rt.sim || a.sim != nil) {
				r.Method(rt.method, rt.path, a.guard(rt))
			}
		}
	})
	a.router = r
	return a
}

func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.router.ServeHTTP(w, r) }

// Router exposes the chi router (route walking in tests).
func (a *API) Router() chi.Router { return a.router }

// credentialer is the engine's credential service (core.Engine has it).
type credentialer interface {
	Credentials() *core.Credentials
}

// auth checks the bearer token in constant time; hashing both sides first
// keeps the comparison independent of the token's length too. The right
// token is always accepted (everyone behind one proxy shares an address);
// an address sending wrong tokens gets 429 for its wrong tokens once its
// delay (core.Credentials) is running.
func (a *API) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.sessionAuth(w, r, next) {
			return
		}
		h := r.Header.Get("Authorization")
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			tok, ok = strings.CutPrefix(h, "bearer ")
		}
		sum := sha256.Sum256([]byte(strings.TrimSpace(tok)))
		right := func() bool { return ok && subtle.ConstantTimeCompare(sum[:], a.token[:]) == 1 }
		outcome := core.LoginRejected
		var retryAt time.Time
		if ce, isCE := a.eng.(credentialer); isCE {
			v := ce.Credentials().Check(r.Context(), core.LoginAttempt{Dialect: "admin", Source: r.RemoteAddr, RightFirst: true}, right)
			outcome, retryAt = v.Outcome, v.RetryAt
		} else if right() {
			outcome = core.LoginAccepted
		}
		switch outcome {
		case core.LoginAccepted:
			next.ServeHTTP(w, r)
		case core.LoginDelayed:
			wait := 1
			if now := a.now(); now != nil {
				wait = max(1, int(math.Ceil(retryAt.Sub(now()).Seconds())))
			}
			w.Header().Set("Retry-After", strconv.Itoa(wait))
			writeError(w, http.StatusTooManyRequests, "too many failed authentications; try again later")
		default:
			w.Header().Set("WWW-Authenticate", `Bearer realm="callgate"`)
			writeError(w, http.StatusUnauthorized, "missing or invalid bearer token")
		}
	})
}

// now is the engine's clock when it has one (Retry-After).
func (a *API) now() func() time.Time {
	if c, ok := a.eng.(interface{ Now() time.Time }); ok {
		return c.Now
	}
	return nil
}

// --- responses ---

type errorBody struct {
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{Error: msg})
}

// httpError is an error with the status it answers with. Its message is
// safe for clients.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &httpError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

func notFound(what string) error {
	return &httpError{status: http.StatusNotFound, msg: what + " not found"}
}

// fail maps an error onto a status and a message that never carries store
// or driver text (those are logged instead). Engine errors go through the
// one code table in errors.go.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	var he *httpError
	switch {
	case errors.As(err, &he):
		writeError(w, he.status, he.msg)
	case errors.Is(err, core.ErrDuplicate):
		writeError(w, http.StatusConflict, "a record with the same unique key already exists")
	case errors.Is(err, core.ErrConstraint):
		writeError(w, http.StatusBadRequest, "constraint violated")
	case errors.Is(err, context.Canceled):
		writeError(w, 499, "request canceled")
	default:
		status, msg := engineStatus(err)
		if status == http.StatusInternalServerError {
			a.log.Error("admin: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		}
		writeError(w, status, msg)
	}
}

// --- requests ---

// maxBody is the admin API's own body limit: larger than the gateway's
// http.max_body because provisioning sends bulk JSON (leads).
const maxBody = 4 << 20

// limitBody refuses a body over maxBody on every admin route before
// anything (the token check included) reads it: a declared length at once,
// a chunked one when decode reaches the limit. Both answer 413 in JSON.
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > maxBody {
			// The body stays unread: the connection cannot be reused.
			w.Header().Set("Connection", "close")
			writeError(w, http.StatusRequestEntityTooLarge, "request body too large")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		next.ServeHTTP(w, r)
	})
}

// decode reads one JSON value into dst: unknown fields, trailing data and
// malformed JSON are 400s.
func decode(w http.ResponseWriter, r *http.Request, dst any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var mbe *http.MaxBytesError
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.Is(err, io.EOF):
			return badRequest("request body must be a JSON object")
		case errors.As(err, &mbe):
			return &httpError{status: http.StatusRequestEntityTooLarge, msg: "request body too large"}
		case errors.As(err, &se):
			return badRequest("malformed JSON at offset %d", se.Offset)
		case errors.As(err, &te):
			if te.Field != "" {
				return badRequest("field %q must be %s", te.Field, jsonKind(te.Type.Kind().String()))
			}
			return badRequest("request body must be a JSON object")
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return badRequest("unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
		case errors.Is(err, io.ErrUnexpectedEOF):
			return badRequest("malformed JSON: unexpected end of input")
		default:
			return badRequest("malformed JSON")
		}
	}
	if dec.More() {
		return badRequest("request body must hold a single JSON value")
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err != io.EOF {
		return badRequest("request body must hold a single JSON value")
	}
	return nil
}

func jsonKind(k string) string {
	switch {
	case strings.HasPrefix(k, "int"), strings.HasPrefix(k, "uint"):
		return "an integer"
	case strings.HasPrefix(k, "float"):
		return "a number"
	case k == "bool":
		return "a boolean"
	case k == "string":
		return "a string"
	case k == "slice":
		return "an array"
	default:
		return "an object"
	}
}

// decodeOptional is decode for bodies that may be empty (no body, or an
// empty chunked one): then dst keeps its zero value.
func decodeOptional(w http.ResponseWriter, r *http.Request, dst any) error {
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	var first [1]byte
	n, err := io.ReadFull(r.Body, first[:])
	if n == 0 && (err == io.EOF || err == io.ErrUnexpectedEOF) {
		return nil
	}
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(first[:n]), r.Body), r.Body}
	return decode(w, r, dst)
}

func pathID(r *http.Request, name string) (uint64, error) {
	v := chi.URLParam(r, name)
	id, err := strconv.ParseUint(v, 10, 64)
	if err != nil || id == 0 {
		return 0, notFound("record")
	}
	return id, nil
}

// reload makes the engine see provisioning changes. A failure is logged,
// not returned: the write itself succeeded and the next reload catches up.
func (a *API) reload(ctx context.Context) {
	if a.eng == nil {
		return
	}
	if err := a.eng.Reload(ctx); err != nil {
		a.log.Warn("admin: engine reload failed", "err", err)
	}
}
