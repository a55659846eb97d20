package rest

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/callgate/callgate/core"
	"github.com/go-chi/chi/v5"
)

// Dialect is this dialect's name in credentials and external ids.
const Dialect = "expand-rest"

// Options configure the handler.
type Options struct {
	MaxBody int64
	Logger  *slog.Logger
}

type handler struct {
	eng *core.Engine
	opt Options
	log *slog.Logger
}

// New returns the expandweb3 REST handler, mounted at /expandweb3/api.
func New(eng *core.Engine, opt Options) http.Handler {
	if opt.MaxBody <= 0 {
		opt.MaxBody = 1 << 20
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	h := &handler{eng: eng, opt: opt, log: opt.Logger}
	r := chi.NewRouter()
	r.Use(h.limit, h.auth)
	r.Route("/campaign/external/campaigns", func(r chi.Router) {
		r.Get("/", h.listCampaigns)
		r.Get("/{cid}", h.getCampaign)
		r.Get("/{cid}/contacts", h.listContacts(false))
		r.Post("/{cid}/contacts", h.addContact)
		r.Get("/{cid}/contacts/activity", h.listContacts(true))
		r.Get("/{cid}/contacts/{id}", h.getContact)
		r.Put("/{cid}/contacts/{id}", h.putContact)
	})
	r.Route("/external/lists/simple", h.routeLists)
	r.Route("/external/outgoingcalls/call", h.routeOutgoing)
	r.Route("/external/dynamicforms", h.routeForms)
	r.NotFound(func(w http.ResponseWriter, _ *http.Request) { writeError(w, http.StatusNotFound) })
	r.MethodNotAllowed(func(w http.ResponseWriter, _ *http.Request) { writeError(w, http.StatusMethodNotAllowed) })
	return r
}

// limit bounds every body; a larger one is answered 413.
func (h *handler) limit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > h.opt.MaxBody {
			w.Header().Set("Connection", "close")
			writeError(w, http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, h.opt.MaxBody)
		next.ServeHTTP(w, r)
	})
}

// auth accepts HTTP Basic of an API user of this dialect. Failures are
// throttled by the core's credential service (per user and source, never
// locking the owner out); the comparison is constant time.
func (h *handler) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if ok && h.basicOK(r.Context(), user, pass, r.RemoteAddr) {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="expandweb3"`)
		writeError(w, http.StatusUnauthorized)
	})
}

func (h *handler) basicOK(ctx context.Context, user, pass, remote string) bool {
	cred := h.eng.Credentials()
	v := cred.Check(ctx, core.LoginAttempt{Dialect: Dialect, Principal: user, Source: remote}, func() bool {
		u, err := h.eng.APIUser(ctx, Dialect, user)
		secret := ""
		if err == nil && u.Active {
			secret = u.Secret
		}
		return cred.Verify(secret, pass) && err == nil && u.Active
	})
	return v.Outcome == core.LoginAccepted
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
