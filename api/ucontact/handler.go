package ucontact

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/go-chi/chi/v5"
)

// Dialect is this dialect's name in credentials and external ids.
const Dialect = "ucontact"

// Options configure the handler.
type Options struct {
	// Token, when set, is also accepted as "Authorization: Bearer <token>"
	// (or the token form field); HTTP Basic of an API user of this dialect
	// is always accepted.
	Token   string
	MaxBody int64
	Logger  *slog.Logger
}

type handler struct {
	eng *core.Engine
	opt Options
	log *slog.Logger
}

// New returns the Integra resources handler (mounted at /Integra/resources).
func New(eng *core.Engine, opt Options) http.Handler {
	if opt.MaxBody <= 0 {
		opt.MaxBody = 8 << 20
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	h := &handler{eng: eng, opt: opt, log: opt.Logger}
	r := chi.NewRouter()
	r.Use(h.limit, h.auth)
	post := map[string]http.HandlerFunc{
		"/api/DispositionCall":              h.dispositionCall,
		"/admin/addblack":                   h.blacklist(false, false),
		"/admin/addblackbulk":               h.blacklist(false, true),
		"/admin/deleteblack":                h.blacklist(true, false),
		"/admin/deleteblackbulk":            h.blacklist(true, true),
		"/Dialers/Respool":                  h.respool,
		"/Dialers/ScheduleDialerCall":       h.scheduleDialerCall,
		"/Dialers/DialerTask":               h.dialerTask,
		"/Dialers/RemoveContact":            h.removeContact,
		"/Dialers/RemoveScheduleDialerCall": h.removeSchedule,
		"/Dialers/uploadbase":               h.uploadBase(false),
		"/Dialers/uploadbasewithtimezone":   h.uploadBase(true),
		"/Supervisor/queuesummary":          h.queueSummary,
		"/Supervisor/convert":               h.convert,
		"/Cdr/getrecords":                   h.getRecords,
		"/Supervisor/campaignstatus":        h.campaignStatus,
		"/Agents/AgentCall":                 h.agentCall(false),
		"/Agents/AgentCallwithData":         h.agentCall(true),
		"/Agents/HangupPhone":               h.hangupPhone,
		"/Agents/TagRecord":                 h.tagRecord,
	}
	for p, fn := range post {
		r.Post(p, fn)
	}
	r.NotFound(func(w http.ResponseWriter, _ *http.Request) { writeText(w, http.StatusNotFound, "0") })
	r.MethodNotAllowed(func(w http.ResponseWriter, _ *http.Request) { writeText(w, http.StatusMethodNotAllowed, "0") })
	return r
}

// NewRecords returns the recordings handler (mounted at /records):
// GET /records/<guid>.mp3, /records/<YYYYMMDD>/<guid>.mp3 and .gsm, with
// the same authentication.
func NewRecords(eng *core.Engine, opt Options) http.Handler {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	h := &handler{eng: eng, opt: opt, log: opt.Logger}
	rec := chi.NewRouter()
	rec.Use(h.auth)
	rec.Get("/{name}", h.recordFile)
	rec.Get("/{folder}/{name}", h.recordFile)
	return rec
}

// limit bounds every body; a larger one is answered 413 "0".
func (h *handler) limit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > h.opt.MaxBody {
			w.Header().Set("Connection", "close")
			writeText(w, http.StatusRequestEntityTooLarge, "0")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, h.opt.MaxBody)
		next.ServeHTTP(w, r)
	})
}

// auth accepts HTTP Basic of an API user of this dialect or the token.
// Failures are throttled by the core's credential service (per user and
// source, never locking the owner out).
func (h *handler) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.tokenOK(r) {
			next.ServeHTTP(w, r)
			return
		}
		user, pass, ok := r.BasicAuth()
		if ok && h.basicOK(r.Context(), user, pass, r.RemoteAddr) {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="Integra"`)
		writeText(w, http.StatusUnauthorized, "0")
	})
}

func (h *handler) tokenOK(r *http.Request) bool {
	if h.opt.Token == "" {
		return false
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(got), []byte(h.opt.Token)) == 1
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

func writeText(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// fail answers an engine error as "0" with the status of its code; the
// reason (never SQL) is in the Integra-Error header.
func fail(w http.ResponseWriter, err error) {
	w.Header().Set("Integra-Error", headerSafe(core.ErrorMessage(err)))
	writeText(w, statusOf(err), "0")
}

func failText(w http.ResponseWriter, status int, reason string) {
	w.Header().Set("Integra-Error", headerSafe(reason))
	writeText(w, status, "0")
}

func statusOf(err error) int {
	switch core.ErrorCode(err) {
	case core.EINVALID:
		return http.StatusBadRequest
	case core.ENOTFOUND:
		return http.StatusNotFound
	case core.ECONFLICT:
		return http.StatusConflict
	case core.EUNAUTHORIZED:
		return http.StatusForbidden
	case core.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

func headerSafe(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c < 0x20 || c == 0x7f {
			b[i] = ' '
		}
	}
	if len(b) > 200 {
		b = b[:200]
	}
	return string(b)
}

// form parses the urlencoded body; a body that cannot be read is a 400.
func form(w http.ResponseWriter, r *http.Request) bool {
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			failText(w, http.StatusRequestEntityTooLarge, "body too large")
			return false
		}
		failText(w, http.StatusBadRequest, "malformed form body")
		return false
	}
	return true
}

// Integra dates: yyyy-MM-dd HH:mm:ss in the server's zone.
const dateLayout = "2006-01-02 15:04:05"

func parseDate(s string) (time.Time, error) {
	return time.ParseInLocation(dateLayout, strings.TrimSpace(s), time.Local)
}
