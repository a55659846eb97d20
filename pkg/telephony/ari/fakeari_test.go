package ari

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/websocket"

	"github.com/callgate/callgate/core"
)

// fakeARI is an httptest ARI server: REST requests are recorded and answered
// from a per-route table, and the events websocket is driven by the test.
type fakeARI struct {
	t   *testing.T
	srv *httptest.Server

	mu        sync.Mutex
	reqs      []recorded
	responses map[string]fakeResp // "METHOD /path" -> answer
	ws        *websocket.Conn
	wsGen     int
	wsReady   chan struct{} // closed (and replaced) when a websocket connects
	connects  int
	channels  string // JSON answered to GET /channels
	bridges   string
	writeTO   time.Duration
}

type recorded struct {
	Method string
	Path   string
	Query  string
	Body   string
}

type fakeResp struct {
	code int
	body string
}

const (
	fakeUser = "callgate"
	fakePass = "s3cret"
)

func newFakeARI(t *testing.T) *fakeARI {
	t.Helper()
	f := &fakeARI{
		t:         t,
		responses: map[string]fakeResp{},
		wsReady:   make(chan struct{}),
		channels:  "[]",
		bridges:   "[]",
		writeTO:   100 * time.Millisecond, // Asterisk's websocket_write_timeout
	}
	wsSrv := websocket.Server{
		Handshake: func(*websocket.Config, *http.Request) error { return nil },
		Handler:   f.serveWS,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/ari/events", func(w http.ResponseWriter, r *http.Request) {
		if !f.authOK(r) {
			http.Error(w, `{"message":"Authentication required"}`, http.StatusUnauthorized)
			return
		}
		wsSrv.ServeHTTP(w, r)
	})
	mux.HandleFunc("/ari/", f.serveREST)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeARI) authOK(r *http.Request) bool {
	u, p, ok := r.BasicAuth()
	return ok && subtle.ConstantTimeCompare([]byte(u), []byte(fakeUser)) == 1 &&
		subtle.ConstantTimeCompare([]byte(p), []byte(fakePass)) == 1
}

func (f *fakeARI) serveWS(ws *websocket.Conn) {
	f.mu.Lock()
	f.ws = ws
	f.wsGen++
	f.connects++
	close(f.wsReady)
	f.wsReady = make(chan struct{})
	f.mu.Unlock()
	// Hold the connection open until the client or the test closes it.
	_, _ = io.Copy(io.Discard, ws)
	f.mu.Lock()
	if f.ws == ws {
		f.ws = nil
	}
	f.mu.Unlock()
}

func (f *fakeARI) serveREST(w http.ResponseWriter, r *http.Request) {
	if !f.authOK(r) {
		http.Error(w, `{"message":"Authentication required"}`, http.StatusUnauthorized)
		return
	}
	body, _ := io.ReadAll(r.Body)
	path := strings.TrimPrefix(r.URL.Path, "/ari")
	f.mu.Lock()
	f.reqs = append(f.reqs, recorded{Method: r.Method, Path: path, Query: r.URL.RawQuery, Body: string(body)})
	resp, ok := f.responses[r.Method+" "+path]
	wsUp := f.ws != nil
	chans, bridges := f.channels, f.bridges
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if ok {
		w.WriteHeader(resp.code)
		_, _ = io.WriteString(w, resp.body)
		return
	}
	switch {
	case r.Method == http.MethodGet && path == "/applications/callgate":
		if !wsUp {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"message":"Application not found"}`)
			return
		}
		_, _ = io.WriteString(w, `{"name":"callgate","channel_ids":[],"bridge_ids":[],"endpoint_ids":[],"device_names":[],"events_allowed":[],"events_disallowed":[]}`)
	case r.Method == http.MethodGet && path == "/channels":
		_, _ = io.WriteString(w, chans)
	case r.Method == http.MethodGet && path == "/bridges":
		_, _ = io.WriteString(w, bridges)
	case r.Method == http.MethodPost && path == "/channels":
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		_ = json.NewEncoder(w).Encode(map[string]any{"id": m["channelId"], "name": "Local/x", "state": "Down"})
	case strings.Contains(path, "/play/") || strings.HasSuffix(path, "/record"):
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{}`)
	case r.Method == http.MethodGet && strings.HasSuffix(path, "/variable"):
		_, _ = io.WriteString(w, `{"value":"v-`+r.URL.Query().Get("variable")+`"}`)
	case r.Method == http.MethodDelete || r.Method == http.MethodPut || r.Method == http.MethodPost:
		w.WriteHeader(http.StatusNoContent)
	default:
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{}`)
	}
}

func (f *fakeARI) respond(method, path string, code int, body string) {
	f.mu.Lock()
	f.responses[method+" "+path] = fakeResp{code, body}
	f.mu.Unlock()
}

func (f *fakeARI) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

func (f *fakeARI) clearRequests() {
	f.mu.Lock()
	f.reqs = nil
	f.mu.Unlock()
}

func (f *fakeARI) lastRequest() recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.reqs) == 0 {
		return recorded{}
	}
	return f.reqs[len(f.reqs)-1]
}

// send writes frames on the current websocket the way Asterisk does: a
// frame that cannot be written within writeTO drops the connection.
func (f *fakeARI) send(frames ...string) error {
	f.mu.Lock()
	ws := f.ws
	f.mu.Unlock()
	if ws == nil {
		return errors.New("no websocket")
	}
	for _, fr := range frames {
		_ = ws.SetWriteDeadline(time.Now().Add(f.writeTO))
		if err := websocket.Message.Send(ws, fr); err != nil {
			_ = ws.Close()
			return err
		}
	}
	return nil
}

// sendBinary writes one binary frame.
func (f *fakeARI) sendBinary(b []byte) error {
	f.mu.Lock()
	ws := f.ws
	f.mu.Unlock()
	if ws == nil {
		return errors.New("no websocket")
	}
	return websocket.Message.Send(ws, b)
}

// drop closes the current websocket abruptly, as an Asterisk restart does.
func (f *fakeARI) drop() {
	f.mu.Lock()
	ws := f.ws
	f.mu.Unlock()
	if ws != nil {
		_ = ws.Close()
	}
}

func (f *fakeARI) connectCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.connects
}

func (f *fakeARI) config() Config {
	return Config{
		URL:          f.srv.URL + "/ari",
		User:         fakeUser,
		Password:     fakePass,
		App:          "callgate",
		NodeID:       "ast-test-1",
		ReconnectMin: 20 * time.Millisecond,
		ReconnectMax: 100 * time.Millisecond,
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// recorder is a sink that collects events and lets tests wait for them.
type recorder struct {
	mu     sync.Mutex
	evs    []core.TelEvent
	notify chan struct{}
}

func newRecorder() *recorder { return &recorder{notify: make(chan struct{}, 1)} }

func (r *recorder) sink(ev core.TelEvent) {
	r.mu.Lock()
	r.evs = append(r.evs, ev)
	r.mu.Unlock()
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

func (r *recorder) events() []core.TelEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]core.TelEvent(nil), r.evs...)
}

// waitFor waits until pred holds over the events so far.
func (r *recorder) waitFor(t *testing.T, what string, pred func([]core.TelEvent) bool) []core.TelEvent {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		evs := r.events()
		if pred(evs) {
			return evs
		}
		select {
		case <-r.notify:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for %s; got %d events: %v", what, len(evs), typesOf(evs))
		}
	}
}

func countType(evs []core.TelEvent, typ core.TelEventType) int {
	n := 0
	for _, e := range evs {
		if e.Type == typ {
			n++
		}
	}
	return n
}

func typesOf(evs []core.TelEvent) []core.TelEventType {
	out := make([]core.TelEventType, 0, len(evs))
	for i, e := range evs {
		if i == 30 {
			break
		}
		out = append(out, e.Type)
	}
	return out
}

// startTel starts a Telephony against f and waits for TelConnected.
func startTel(t *testing.T, f *fakeARI, mutate func(*Config)) (*Telephony, *recorder) {
	t.Helper()
	cfg := f.config()
	if mutate != nil {
		mutate(&cfg)
	}
	tel, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	if err := tel.Start(t.Context(), rec.sink); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tel.Close() })
	rec.waitFor(t, "connected", func(evs []core.TelEvent) bool { return countType(evs, core.TelConnected) >= 1 })
	return tel, rec
}
