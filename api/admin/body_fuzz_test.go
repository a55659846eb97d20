package admin

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

// FuzzWriteBodies sends arbitrary bodies to every route that takes one, on
// a live engine with the simulator, calling the handler in process so a
// panic fails the run: nothing may answer 5xx (but 503) and every refusal is
// a JSON {"error": "..."} body.
// Run it with: go test ./api/admin -run '^$' -fuzz FuzzWriteBodies
func FuzzWriteBodies(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"username":"x","extension":"SIP/x"}`, `{"name":"Q","strategy":"linear"}`, `{"caller_id":"1","did":"5558000"}`,
		`{"agent":"1064","phone":"5551234"}`, `{"id":-1}`, `[1,2]`, `{"when":"yesterday"}`, `{"did":"` + strings.Repeat("9", 500) + `"}`,
		`{"outcome":"busy","endpoint":"SIP/*","after_ms":-5}`, `null`, `{"timeout":1e309}`,
	} {
		for i := 0; i < 3; i++ {
			f.Add(uint8(i*17), s)
		}
	}
	st := storetest.Open(f, storetest.SQLite)
	pbx := sim.New("fz")
	eng := core.New(core.Options{Store: st, Tel: pbx, Logger: slog.New(slog.DiscardHandler)})
	if err := eng.Start(context.Background()); err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = eng.Stop(ctx)
	})
	api := New(Options{Records: core.NewRecords(st), Engine: eng, Sim: pbx, Token: testToken})
	do := func(method, path, body string) (int, []byte) {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+testToken)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		return rec.Code, rec.Body.Bytes()
	}
	for _, p := range [][2]string{
		{"/campaigns", `{"name":"TESTCAMP"}`}, {"/queues", `{"name":"8000","did":"5558000"}`},
		{"/agents", `{"username":"1064","type":"SIP","extension":"SIP/1064"}`}, {"/queues/1/members", `{"agent":"1064"}`},
		{"/pausecodes", `{"id":2,"code":"BANO","name":"Baño"}`},
	} {
		if code, out := do("POST", p[0], p[1]); code != http.StatusCreated {
			f.Fatalf("provision %s: %d %s", p[0], code, out)
		}
	}
	var writes []route
	for _, rt := range api.routes {
		if rt.method == http.MethodPost || rt.method == http.MethodPut || rt.method == http.MethodPatch {
			writes = append(writes, rt)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		rt := writes[int(which)%len(writes)]
		path := strings.NewReplacer("{id}", "1", "{channelID}", "fz-in-1").Replace(rt.path)
		code, out := do(rt.method, path, body)
		if code >= 500 && code != http.StatusServiceUnavailable {
			t.Fatalf("%s %s %q: %d %s", rt.method, path, body, code, out)
		}
		if code >= 400 {
			var e struct{ Error string }
			if err := json.Unmarshal(out, &e); err != nil || e.Error == "" {
				t.Fatalf("%s %s %q: %d with a non-JSON error %q", rt.method, path, body, code, out)
			}
		}
	})
}
