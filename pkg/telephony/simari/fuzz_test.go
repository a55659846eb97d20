package simari_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/callgate/callgate/pkg/telephony/simari"
)

// fuzzServer is one simari for a whole fuzz run, driven in-process.
func fuzzServer(f *testing.F) *simari.Server {
	srv, err := simari.New(simari.Config{User: testUser, Password: testPass, PlaybackDuration: -1})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = srv.Close() })
	return srv
}

func serve(srv *simari.Server, method, target, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, "http://simari"+target, strings.NewReader(body))
	req.SetBasicAuth(testUser, testPass)
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, req)
	return w
}

// checkAnswer: a refusal is a 4xx with an ARI-style JSON message, never a
// 5xx or a panic.
func checkAnswer(t *testing.T, w *httptest.ResponseRecorder, what string) {
	t.Helper()
	if w.Code >= 500 {
		t.Fatalf("%s: %d %s", what, w.Code, w.Body.String())
	}
	if w.Code >= 400 {
		var m struct {
			Message string `json:"message"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil || m.Message == "" {
			t.Fatalf("%s: %d with body %q, want {\"message\":...}", what, w.Code, w.Body.String())
		}
	}
}

var controlRoutes = []struct{ method, path string }{
	{http.MethodPost, "/control/inbound"},
	{http.MethodPost, "/control/channels/fuzz-in/answer"},
	{http.MethodPost, "/control/channels/fuzz-in/hangup"},
	{http.MethodPost, "/control/channels/fuzz-in/dtmf"},
	{http.MethodPut, "/control/behaviors"},
	{http.MethodPut, "/control/default-behavior"},
	{http.MethodPost, "/control/text"},
}

// Any body on any control command is answered (accepted or refused with a
// message), never with a panic or a server error.
func FuzzControlAPI(f *testing.F) {
	srv := fuzzServer(f)
	for i, seed := range []string{
		`{"caller_id":"555","dialed":"5550100"}`, `{"caller_id":"555","dialed":"5550100","args":["agent","1001"]}`,
		`{}`, `{"cause":17}`, `{"digits":"12#"}`, `{"endpoint":"PJSIP/*","outcome":"busy","after_ms":5}`,
		`{"outcome":"answer"}`, `{"from":"a","to":"b","body":"hi"}`, `{"digits":"\u0000"}`, `[1,2]`, `{"cause":1e99}`,
		`{"dialed":"` + strings.Repeat("9", 200) + `"}`, `{"args":["a,b"],"dialed":"1"}`, `{"outcome":"answer","after_ms":-1}`,
	} {
		f.Add(uint8(i%len(controlRoutes)), seed)
	}
	f.Fuzz(func(t *testing.T, route uint8, body string) {
		r := controlRoutes[int(route)%len(controlRoutes)]
		w := serve(srv, r.method, r.path, body)
		checkAnswer(t, w, r.method+" "+r.path)
	})
}

var ariRoutes = []struct{ method, path string }{
	{http.MethodPost, "/ari/channels"},
	{http.MethodPost, "/ari/channels/fz/play/p1"},
	{http.MethodPost, "/ari/channels/fz/record"},
	{http.MethodPost, "/ari/channels/fz/dtmf"},
	{http.MethodPost, "/ari/channels/fz/variable"},
	{http.MethodDelete, "/ari/channels/fz"},
	{http.MethodPost, "/ari/bridges/fb"},
	{http.MethodPost, "/ari/bridges/fb/addChannel"},
	{http.MethodPost, "/ari/playbacks/p1/control"},
	{http.MethodPut, "/ari/endpoints/sendMessage"},
}

// ARI's parameters, from the query and a JSON body, never make simari
// panic or answer a server error (Asterisk's own 500 "Allocation failed"
// is only for endpoints ruled to refuse, which the fuzzer does not set).
func FuzzARIParams(f *testing.F) {
	srv := fuzzServer(f)
	for i, seed := range []string{
		`{"endpoint":"PJSIP/1","app":"callgate","channelId":"fz","variables":{"A":"1"}}`,
		`{"media":"sound:beep"}`, `{"name":"r","format":"wav","ifExists":"overwrite"}`, `{"dtmf":"1","between":50}`,
		`{"variable":"X","value":"y"}`, `{"type":"holding"}`, `{"channel":"fz,fz"}`, `{"operation":"pause"}`,
		`{"variables":{"variables":{"a":true}}}`, `{"timeout":-5}`, `{"callerId":"\"<>\" <"}`, `null`, `"x"`,
	} {
		f.Add(uint8(i%len(ariRoutes)), "reason_code=16", seed)
	}
	f.Fuzz(func(t *testing.T, route uint8, query, body string) {
		r := ariRoutes[int(route)%len(ariRoutes)]
		target := r.path
		if query != "" && !strings.ContainsAny(query, " #\x7f") && !strings.ContainsFunc(query, func(c rune) bool { return c < 0x20 }) {
			target += "?" + query
		}
		w := serve(srv, r.method, target, body)
		checkAnswer(t, w, r.method+" "+target)
	})
}
