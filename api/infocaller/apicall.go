package infocaller

import (
	"context"
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/callgate/callgate/core"
)

// Options configure the dialect.
type Options struct {
	MaxBody  int64          // request body limit (default 64 KiB)
	Location *time.Location // zone of fechahora (default time.Local)
	Logger   *slog.Logger
}

// Engine is the part of the core the dialect calls.
type Engine interface {
	PlaceLineCall(ctx context.Context, req core.LineCallRequest) (core.OriginationJob, error)
	Now() time.Time
}

type handler struct {
	eng Engine
	opt Options
}

// New returns the emission API handler (POST /apicall/).
func New(eng Engine, opt Options) http.Handler {
	if opt.MaxBody <= 0 {
		opt.MaxBody = 64 << 10
	}
	if opt.Location == nil {
		opt.Location = time.Local
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	h := &handler{eng: eng, opt: opt}
	mux := http.NewServeMux()
	mux.HandleFunc("/apicall/", h.apicall)
	mux.HandleFunc("/apicall", h.apicall)
	return mux
}

const (
	maxVars       = 50
	maxVarName    = 15
	maxVarValue   = 1024
	fechahoraForm = "2006-01-02T15:04:05"
)

var varName = regexp.MustCompile(`^[A-Za-z0-9]{1,15}$`)

func (h *handler) apicall(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeResult(w, formatXML, "", resultNoParam)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, h.opt.MaxBody)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			w.Header().Set("Connection", "close")
		}
		writeResult(w, formatXML, "", resultFormat)
		return
	}
	f, raw := formatJSON, r.PostForm.Get("apiCALLjson")
	if raw == "" {
		f, raw = formatXML, r.PostForm.Get("apiCALLxml")
	}
	if strings.TrimSpace(raw) == "" {
		writeResult(w, f, "", resultNoParam)
		return
	}
	req, err := decode(f, raw)
	if err != nil {
		writeResult(w, f, "", resultFormat)
		return
	}
	lr, res := h.lineCall(req, r.RemoteAddr)
	if res != resultAccepted {
		writeResult(w, f, "", res)
		return
	}
	job, err := h.eng.PlaceLineCall(r.Context(), lr)
	if err != nil {
		res := resultFor(err)
		if res == resultInternal {
			h.opt.Logger.Error("infocaller: apicall", "err", err)
		}
		writeResult(w, f, "", res)
		return
	}
	writeResult(w, f, job.JobID, resultAccepted)
}

func decode(f format, raw string) (callRequest, error) {
	if !utf8.ValidString(raw) && !(f == formatXML && declaresEncoding(raw)) {
		// Clients of the original post ISO-8859-1 form values.
		s, err := charmap.ISO8859_1.NewDecoder().String(raw)
		if err != nil {
			return callRequest{}, errFormat
		}
		raw = s
	}
	if f == formatJSON {
		return decodeJSON(raw)
	}
	return decodeXML(raw)
}

func declaresEncoding(s string) bool {
	s = strings.TrimLeft(s, " \t\r\n\ufeff")
	end := strings.Index(s, "?>")
	return strings.HasPrefix(s, "<?xml") && end > 0 && strings.Contains(s[:end], "encoding")
}

// lineCall checks the fields the wire defines and builds the core request;
// the line, signature, rule group and capacity are the core's to judge.
func (h *handler) lineCall(req callRequest, remote string) (core.LineCallRequest, result) {
	lr := core.LineCallRequest{Line: strings.TrimSpace(req.Line), Phone: strings.TrimSpace(req.Phone), RuleGroup: strings.TrimSpace(req.RuleGroup), Source: remote}
	sig := strings.ToLower(strings.TrimSpace(req.Signature))
	switch {
	case lr.Line == "" || sig == "":
		return lr, resultNoIdent
	case !digits(lr.Line) || len(lr.Line) > 32:
		return lr, resultBadIdent
	}
	lr.Verify = func(password string) bool { return signatureMatches(lr.Line, password, sig) }
	if lr.Phone == "" {
		return lr, resultBadPhone
	}
	if lr.RuleGroup == "" || len(lr.RuleGroup) > 64 {
		return lr, resultBadRuleGroup
	}
	var ok bool
	if lr.When, ok = h.when(req.When); !ok {
		return lr, resultBadWhen
	}
	wait, ok := minutes(req.WaitMax, 5, 300)
	if !ok {
		return lr, resultBadWait
	}
	lr.Wait = time.Duration(wait) * time.Minute
	if lr.Retries, ok = minutes(req.Retries, 0, 4); !ok {
		return lr, resultBadRetries
	}
	if lr.Vars, ok = vars(req.Vars); !ok {
		return lr, resultFormat
	}
	// The document's system variables, for scripts and webhooks.
	lr.Vars["_NUMINFOCALLER"], lr.Vars["_NUMLLAMADO"] = lr.Line, lr.Phone
	return lr, resultAccepted
}

// signatureMatches: firma = md5(idinfocaller + phone password) in hex, over
// the ISO-8859-1 bytes of the text, compared in constant time.
func signatureMatches(line, password, sig string) bool {
	b, err := charmap.ISO8859_1.NewEncoder().Bytes([]byte(line + password))
	if err != nil {
		return false
	}
	sum := md5.Sum(b)
	want := hex.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(want), []byte(sig)) == 1
}

func (h *handler) when(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, true
	}
	t, err := time.ParseInLocation(fechahoraForm, s, h.opt.Location)
	if err != nil {
		return time.Time{}, false
	}
	if t.Before(h.eng.Now().Add(-time.Minute)) {
		return time.Time{}, false // a moment already past
	}
	return t, true
}

// minutes parses an optional small integer in [0, max] (def when empty).
func minutes(s string, def, max int) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return def, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > max {
		return 0, false
	}
	return n, true
}

func vars(in []custVar) (map[string]string, bool) {
	if len(in) > maxVars {
		return nil, false
	}
	out := make(map[string]string, len(in))
	for _, v := range in {
		name := strings.TrimSpace(string(v.Name))
		if !varName.MatchString(name) || len(v.Value) > maxVarValue {
			return nil, false
		}
		out[strings.ToUpper(name)] = string(v.Value)
	}
	return out, true
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
