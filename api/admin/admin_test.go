package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

const testToken = "test-admin-token-0123456789"

type client struct {
	t     testing.TB
	base  string
	token string
	hc    *http.Client // nil: http.DefaultClient
}

func newServer(t testing.TB, o Options) *client {
	t.Helper()
	o.Token = testToken
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(testWriter{t}, nil))
	}
	r := chi.NewRouter()
	r.Mount("/api/v1", New(o))
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return &client{t: t, base: srv.URL + "/api/v1", token: testToken}
}

// do sends a request; body may be a string (sent raw) or a value (JSON).
func (c *client) do(method, path string, body any) (int, []byte) {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	req.Header.Set("Content-Type", "application/json")
	hc := c.hc
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); len(out) > 0 && !strings.HasPrefix(ct, "application/json") {
		c.t.Errorf("%s %s: content type %q", method, path, ct)
	}
	return resp.StatusCode, out
}

// must sends a request and decodes the answer into out, failing unless the
// status is want.
func (c *client) must(want int, method, path string, body, out any) {
	c.t.Helper()
	st, b := c.do(method, path, body)
	if st != want {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, st, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
}

func errorText(t *testing.T, b []byte) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(b, &e); err != nil || e.Error == "" {
		t.Fatalf("not a JSON error body: %s", b)
	}
	return e.Error
}

func TestBearerTokenIsRequired(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	c := newServer(t, Options{Records: core.NewRecords(st)})
	cases := []struct {
		name, header string
		want         int
	}{
		{"no header", "", http.StatusUnauthorized},
		{"wrong token", "Bearer nope", http.StatusUnauthorized},
		{"prefix of the token", "Bearer " + testToken[:10], http.StatusUnauthorized},
		{"basic auth", "Basic dXNlcjpwYXNz", http.StatusUnauthorized},
		{"right token", "Bearer " + testToken, http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", c.base+"/agents", nil)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d want %d: %s", resp.StatusCode, tc.want, b)
			}
			if tc.want == http.StatusUnauthorized {
				errorText(t, b)
				if resp.Header.Get("WWW-Authenticate") == "" {
					t.Error("401 without WWW-Authenticate")
				}
			}
		})
	}
	t.Run("openapi document is public", func(t *testing.T) {
		resp, err := http.Get(c.base + "/openapi.json")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var doc map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || resp.StatusCode != 200 || doc["openapi"] == nil {
			t.Fatalf("status %d doc %v err %v", resp.StatusCode, doc, err)
		}
	})
}

// crudCase exercises one resource end to end.
type crudCase struct {
	path   string
	create map[string]any
	patch  map[string]any
	filter string // query string that must find the record
	check  string // field to compare after patch
}

func TestCRUDOfEveryResource(t *testing.T) {
	cases := []crudCase{
		{path: "/agents", create: map[string]any{"username": "2001", "name": "Ann", "extension": "PJSIP/2001", "password": "pw"}, patch: map[string]any{"name": "Ann B"}, filter: "username=2001", check: "name"},
		{path: "/queues", create: map[string]any{"name": "SALES", "strategy": "leastrecent"}, patch: map[string]any{"wrap_up": 5}, filter: "name=SALES", check: "wrap_up"},
		{path: "/campaigns", create: map[string]any{"name": "C1", "type": "outbound", "dial_method": "progressive"}, patch: map[string]any{"description": "d"}, filter: "name=C1", check: "description"},
		{path: "/lists", create: map[string]any{"id": 555, "name": "L", "campaign": "C1"}, patch: map[string]any{"name": "L2"}, filter: "campaign=C1", check: "name"},
		{path: "/leads", create: map[string]any{"phone_number": "5551234", "first_name": "José", "list_id": 555}, patch: map[string]any{"status": "SALE"}, filter: "phone_number=5551234", check: "status"},
		{path: "/pausecodes", create: map[string]any{"id": 7, "code": "BANO", "name": "Baño"}, patch: map[string]any{"description": "Para ir al baño"}, filter: "code=BANO", check: "description"},
		{path: "/dispositions", create: map[string]any{"code": "SALE", "name": "Sale", "sale": true}, patch: map[string]any{"action": "respool"}, filter: "code=SALE", check: "action"},
		{path: "/apiusers", create: map[string]any{"dialect": "eccp", "username": "console", "secret": "s3cret"}, patch: map[string]any{"user_level": 9}, filter: "dialect=eccp", check: "user_level"},
		{path: "/routes", create: map[string]any{"did": "5550000", "queue": "SALES"}, patch: map[string]any{"campaign": "C1"}, filter: "did=5550000", check: "campaign"},
		{path: "/dnc", create: map[string]any{"phone": "5559999", "reason": "asked"}, patch: map[string]any{"reason": "law"}, filter: "phone=5559999", check: "reason"},
		{path: "/callbacks", create: map[string]any{"lead_id": 1, "when": "2030-01-02T15:04:05Z", "campaign": "C1"}, patch: map[string]any{"comments": "call late"}, filter: "campaign=C1", check: "comments"},
		{path: "/forms", create: map[string]any{"name": "Survey"}, patch: map[string]any{"description": "desc"}, check: "description"},
	}
	storetest.Each(t, func(t *testing.T, st core.Store) {
		c := newServer(t, Options{Records: core.NewRecords(st)})
		for _, tc := range cases {
			t.Run(strings.TrimPrefix(tc.path, "/"), func(t *testing.T) {
				var created map[string]any
				c.must(http.StatusCreated, "POST", tc.path, tc.create, &created)
				rawID, ok := created["id"].(float64)
				if !ok {
					rawID, _ = created["lead_id"].(float64)
				}
				id := int64(rawID)
				if id == 0 {
					t.Fatalf("no id in %v", created)
				}
				item := tc.path + "/" + itoa(int(id))
				var got map[string]any
				c.must(http.StatusOK, "GET", item, nil, &got)
				var list []map[string]any
				c.must(http.StatusOK, "GET", tc.path+"?"+tc.filter, nil, &list)
				if len(list) != 1 {
					t.Fatalf("filter %q found %d records", tc.filter, len(list))
				}
				var patched map[string]any
				c.must(http.StatusOK, "PATCH", item, tc.patch, &patched)
				c.must(http.StatusOK, "GET", item, nil, &got)
				if jsonEq(got[tc.check]) != jsonEq(tc.patch[tc.check]) {
					t.Fatalf("after patch %s = %v, want %v", tc.check, got[tc.check], tc.patch[tc.check])
				}
				for k, v := range tc.create {
					if k == "password" || k == "secret" {
						if _, leaked := got[k]; leaked {
							t.Fatalf("secret %s is readable", k)
						}
						continue
					}
					if k == "when" || k == tc.check {
						continue
					}
					if jsonEq(got[k]) != jsonEq(v) {
						t.Errorf("%s = %v, want %v", k, got[k], v)
					}
				}
				c.must(http.StatusNoContent, "DELETE", item, nil, nil)
				st, b := c.do("GET", item, nil)
				if st != http.StatusNotFound {
					t.Fatalf("after delete: %d %s", st, b)
				}
				errorText(t, b)
			})
		}
	})
}

func jsonEq(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestBadInputIs400WithJSONError(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	c := newServer(t, Options{Records: core.NewRecords(st)})
	cases := []struct {
		name, method, path string
		body               any
		wantInError        string
	}{
		{"malformed JSON", "POST", "/agents", `{"username": "x"`, "malformed"},
		{"not JSON at all", "POST", "/agents", `username=x`, "malformed"},
		{"empty body", "POST", "/queues", ``, "JSON object"},
		{"unknown field", "POST", "/agents", `{"username":"x","colour":"red"}`, `"colour"`},
		{"wrong type", "POST", "/queues", `{"name":"Q","ring_timeout":"long"}`, "ring_timeout"},
		{"two values", "POST", "/queues", `{"name":"Q"}{"name":"R"}`, "single"},
		{"missing username", "POST", "/agents", `{"name":"No Username"}`, `"username"`},
		{"missing queue name", "POST", "/queues", `{}`, `"name"`},
		{"bad strategy", "POST", "/queues", `{"name":"Q","strategy":"fastest"}`, "strategy"},
		{"missing secret", "POST", "/apiusers", `{"dialect":"vicidial","username":"u"}`, `"secret"`},
		{"missing list id", "POST", "/lists", `{"name":"L"}`, `"id"`},
		{"missing callback time", "POST", "/callbacks", `{"lead_id":1}`, `"when"`},
		{"bad limit", "GET", "/leads?limit=-1", nil, "limit"},
		{"bad since", "GET", "/queuelog?since=yesterday", nil, "since"},
		{"member without agent", "POST", "/queues/1/members", `{"penalty":1}`, "agent"},
		{"pause code without code or name", "POST", "/pausecodes", `{"id":4}`, `"code"`},
	}
	var q map[string]any
	c.must(http.StatusCreated, "POST", "/queues", map[string]any{"name": "Q1"}, &q)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, b := c.do(tc.method, tc.path, tc.body)
			if st != http.StatusBadRequest {
				t.Fatalf("status %d: %s", st, b)
			}
			if msg := errorText(t, b); !strings.Contains(msg, tc.wantInError) {
				t.Fatalf("error %q does not mention %q", msg, tc.wantInError)
			}
		})
	}
}

func TestUnknownIDsAre404(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	c := newServer(t, Options{Records: core.NewRecords(st)})
	for _, tc := range []struct{ method, path string }{
		{"GET", "/agents/999"}, {"PUT", "/agents/999"}, {"PATCH", "/queues/999"}, {"DELETE", "/campaigns/999"},
		{"GET", "/agents/abc"}, {"GET", "/calls/12345"}, {"GET", "/queuelog/77"}, {"GET", "/queues/999/members"},
		{"DELETE", "/queues/999/members/1"}, {"GET", "/nothing-here"},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			st, b := c.do(tc.method, tc.path, `{}`)
			if st != http.StatusNotFound {
				t.Fatalf("status %d: %s", st, b)
			}
			errorText(t, b)
		})
	}
}

func TestSecretsAreWriteOnlyAndKeptOnUpdate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		c := newServer(t, Options{Records: core.NewRecords(st)})
		ctx := context.Background()
		var a map[string]any
		c.must(http.StatusCreated, "POST", "/agents", map[string]any{
			"username": "9000", "type": "Agent", "number": "9000", "eccp_password": "unaclavesecreta", "password": "pw1",
		}, &a)
		_, raw := c.do("GET", "/agents/"+jsonEq(a["id"]), nil)
		for _, secret := range []string{"unaclavesecreta", "pw1"} {
			if bytes.Contains(raw, []byte(secret)) {
				t.Fatalf("secret readable: %s", raw)
			}
		}
		c.must(http.StatusOK, "PATCH", "/agents/"+jsonEq(a["id"]), map[string]any{"name": "Renamed"}, nil)
		var got core.Agent
		if err := st.First(ctx, &got, core.Eq("username", "9000")); err != nil {
			t.Fatal(err)
		}
		// Stored hashed (compared only) or sealed (ECCP needs it in clear).
		sec := storetest.Secrets()
		if pw, err := sec.Open(got.ConsolePassword); err != nil || pw != "unaclavesecreta" || !sec.Verify(got.Password, "pw1") || got.Name != "Renamed" {
			t.Fatalf("secrets not kept: %+v", got)
		}
		c.must(http.StatusOK, "PUT", "/agents/"+jsonEq(a["id"]), map[string]any{"password": "pw2"}, nil)
		if err := st.First(ctx, &got, core.Eq("username", "9000")); err != nil || !sec.Verify(got.Password, "pw2") {
			t.Fatalf("password not changed: %+v %v", got, err)
		}

		var u map[string]any
		c.must(http.StatusCreated, "POST", "/apiusers", map[string]any{"dialect": "vicidial", "username": "6666", "secret": "1234"}, &u)
		if _, ok := u["secret"]; ok {
			t.Fatal("secret echoed")
		}
		var au core.APIUser
		if err := st.First(ctx, &au, core.Eq("username", "6666")); err != nil || !sec.Verify(au.Secret, "1234") || !au.APIAccess || au.AllowedFunctions != "ALL_FUNCTIONS" {
			t.Fatalf("api user: %+v %v", au, err)
		}
	})
}

func TestFalseFlagsAreStored(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		c := newServer(t, Options{Records: core.NewRecords(st)})
		var q map[string]any
		c.must(http.StatusCreated, "POST", "/queues", map[string]any{"name": "Q", "active": false}, &q)
		if q["active"] != false {
			t.Fatalf("response active=%v", q["active"])
		}
		var got core.Queue
		if err := st.First(context.Background(), &got, core.Eq("name", "Q")); err != nil || got.Active {
			t.Fatalf("stored active=%v err=%v", got.Active, err)
		}
		var p map[string]any
		c.must(http.StatusCreated, "POST", "/pausecodes", map[string]any{"code": "X"}, &p)
		if p["active"] != true || p["type"] != "B" || p["name"] != "X" {
			t.Fatalf("defaults not applied: %v", p)
		}
	})
}

func TestDuplicateKeysAre409(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		c := newServer(t, Options{Records: core.NewRecords(st)})
		c.must(http.StatusCreated, "POST", "/agents", map[string]any{"username": "dup"}, nil)
		code, b := c.do("POST", "/agents", map[string]any{"username": "dup"})
		if code != http.StatusConflict {
			t.Fatalf("status %d: %s", code, b)
		}
		if msg := errorText(t, b); strings.Contains(strings.ToLower(msg), "insert") {
			t.Fatalf("SQL leaked: %s", msg)
		}
	})
}

func TestQueueMembers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		eng := &fakeEngine{}
		c := newServer(t, Options{Records: core.NewRecords(st), Engine: eng})
		var q, a1, a2 map[string]any
		c.must(http.StatusCreated, "POST", "/queues", map[string]any{"name": "8000"}, &q)
		c.must(http.StatusCreated, "POST", "/agents", map[string]any{"username": "9000", "type": "Agent"}, &a1)
		c.must(http.StatusCreated, "POST", "/agents", map[string]any{"username": "1064"}, &a2)
		qid := jsonEq(q["id"])
		var m core.QueueMember
		c.must(http.StatusCreated, "POST", "/queues/"+qid+"/members", map[string]any{"agent": "9000"}, &m)
		if m.Queue != "8000" || m.Agent != "9000" {
			t.Fatalf("member names not filled: %+v", m)
		}
		c.must(http.StatusCreated, "POST", "/queues/"+qid+"/members", map[string]any{"agent_id": a2["id"], "penalty": 2}, nil)
		c.must(http.StatusOK, "POST", "/queues/"+qid+"/members", map[string]any{"agent_id": a2["id"], "penalty": 1}, nil)
		var ms []core.QueueMember
		c.must(http.StatusOK, "GET", "/queues/"+qid+"/members", nil, &ms)
		if len(ms) != 2 || ms[1].Penalty != 1 {
			t.Fatalf("members %+v", ms)
		}
		code, _ := c.do("POST", "/queues/"+qid+"/members", map[string]any{"agent": "nobody"})
		if code != http.StatusBadRequest {
			t.Fatalf("unknown agent member: %d", code)
		}
		// Renaming keeps the ACD's name index right.
		c.must(http.StatusOK, "PATCH", "/queues/"+qid, map[string]any{"name": "8002"}, nil)
		c.must(http.StatusOK, "GET", "/queues/"+qid+"/members", nil, &ms)
		for _, m := range ms {
			if m.Queue != "8002" {
				t.Fatalf("member queue name not synced: %+v", m)
			}
		}
		c.must(http.StatusNoContent, "DELETE", "/queues/"+qid+"/members/"+jsonEq(a1["id"]), nil, nil)
		code, _ = c.do("DELETE", "/queues/"+qid+"/members/"+jsonEq(a1["id"]), nil)
		if code != http.StatusNotFound {
			t.Fatalf("second delete: %d", code)
		}
		// Deleting an agent removes its memberships.
		c.must(http.StatusNoContent, "DELETE", "/agents/"+jsonEq(a2["id"]), nil, nil)
		c.must(http.StatusOK, "GET", "/queues/"+qid+"/members", nil, &ms)
		if len(ms) != 0 {
			t.Fatalf("members left: %+v", ms)
		}
		if eng.reloads.Load() == 0 {
			t.Fatal("engine never reloaded")
		}
	})
}

func TestConfigWritesReloadTheEngine(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	eng := &fakeEngine{}
	c := newServer(t, Options{Records: core.NewRecords(st), Engine: eng})
	steps := []struct {
		method, path string
		body         any
		reload       bool
	}{
		{"POST", "/agents", map[string]any{"username": "a"}, true},
		{"PATCH", "/agents/1", map[string]any{"name": "A"}, true},
		{"POST", "/queues", map[string]any{"name": "q"}, true},
		{"POST", "/campaigns", map[string]any{"name": "c"}, true},
		{"POST", "/pausecodes", map[string]any{"code": "p"}, true},
		{"DELETE", "/agents/1", nil, true},
		{"POST", "/leads", map[string]any{"phone_number": "1"}, false},
		{"GET", "/queues", nil, false},
	}
	for _, s := range steps {
		before := eng.reloads.Load()
		code, b := c.do(s.method, s.path, s.body)
		if code >= 300 {
			t.Fatalf("%s %s: %d %s", s.method, s.path, code, b)
		}
		if got := eng.reloads.Load() > before; got != s.reload {
			t.Errorf("%s %s: reloaded=%v want %v", s.method, s.path, got, s.reload)
		}
	}
}

func TestLiveOperationsWithoutEngineAre503(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	c := newServer(t, Options{Records: core.NewRecords(st)})
	c.must(http.StatusCreated, "POST", "/agents", map[string]any{"username": "a"}, nil)
	for _, p := range []string{"/agents/1/login", "/agents/1/pause", "/reload"} {
		code, b := c.do("POST", p, nil)
		if code != http.StatusServiceUnavailable {
			t.Fatalf("%s: %d %s", p, code, b)
		}
	}
	if code, _ := c.do("POST", "/sim/inbound", map[string]any{"caller_id": "1", "did": "2"}); code != http.StatusNotFound {
		t.Fatalf("sim routes must not exist without a simulator: %d", code)
	}
}

func TestReadOnlyReportsFilter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		ctx := context.Background()
		for _, e := range []core.QueueLogEntry{
			{Queue: "8000", Agent: "9000", Event: core.QLConnect, CallID: 1},
			{Queue: "8000", Agent: "1064", Event: core.QLEnterQueue, CallID: 2},
			{Queue: "8001", Agent: "9000", Event: core.QLConnect, CallID: 3},
		} {
			e.Time = mustTime(t, "2026-01-02T10:00:00Z")
			if err := st.Create(ctx, &e); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.Create(ctx, &core.APILogEntry{Dialect: "vicidial", User: "6666", Function: "external_pause", Result: "SUCCESS", Time: mustTime(t, "2026-01-02T10:00:00Z")}); err != nil {
			t.Fatal(err)
		}
		c := newServer(t, Options{Records: core.NewRecords(st)})
		var ql []core.QueueLogEntry
		c.must(http.StatusOK, "GET", "/queuelog?queue=8000&event=CONNECT", nil, &ql)
		if len(ql) != 1 || ql[0].CallID != 1 {
			t.Fatalf("queue log filter: %+v", ql)
		}
		c.must(http.StatusOK, "GET", "/queuelog?since=2026-01-02T11:00:00Z", nil, &ql)
		if len(ql) != 0 {
			t.Fatalf("since filter: %+v", ql)
		}
		c.must(http.StatusOK, "GET", "/queuelog?limit=2", nil, &ql)
		if len(ql) != 2 {
			t.Fatalf("limit: %+v", ql)
		}
		var al []core.APILogEntry
		c.must(http.StatusOK, "GET", "/apilog?function=external_pause", nil, &al)
		if len(al) != 1 || al[0].User != "6666" {
			t.Fatalf("api log: %+v", al)
		}
		if code, _ := c.do("POST", "/queuelog", map[string]any{}); code != http.StatusMethodNotAllowed {
			t.Fatalf("queue log must be read-only: %d", code)
		}
		var cdr []core.CDR
		c.must(http.StatusOK, "GET", "/cdr", nil, &cdr)
	})
}

type fakeEngine struct {
	reloads atomic.Int64
}

func (f *fakeEngine) Reload(context.Context) error { f.reloads.Add(1); return nil }
func (f *fakeEngine) Login(context.Context, string, core.LoginOptions) error {
	return core.ErrInvalid
}
func (f *fakeEngine) Logout(context.Context, string, string) (bool, error) { return false, nil }
func (f *fakeEngine) Pause(context.Context, string, string) error          { return nil }
func (f *fakeEngine) PauseByID(context.Context, string, uint) error        { return nil }
func (f *fakeEngine) Unpause(context.Context, string) error                { return nil }
func (f *fakeEngine) Session(string) (core.AgentSession, bool)             { return core.AgentSession{}, false }
func (f *fakeEngine) Sessions() []core.AgentSession                        { return nil }
func (f *fakeEngine) ActiveCalls() []core.Call                             { return nil }
func (f *fakeEngine) Dial(context.Context, core.DialRequest) (core.Call, error) {
	return core.Call{}, core.ErrNotLoggedIn
}
func (f *fakeEngine) HangupCall(context.Context, uint64, core.HangupCause) error {
	return core.ErrCallNotFound
}

func TestTimeFiltersOnQuotedColumns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		c := newServer(t, Options{Records: core.NewRecords(st)})
		c.must(http.StatusCreated, "POST", "/callbacks", map[string]any{"phone": "5551", "when": "2030-01-02T15:04:05Z"}, nil)
		c.must(http.StatusCreated, "POST", "/forms", map[string]any{"name": "F"}, nil)
		c.must(http.StatusCreated, "POST", "/formfields", map[string]any{"form_id": 1, "label": "b", "order": 2}, nil)
		c.must(http.StatusCreated, "POST", "/formfields", map[string]any{"form_id": 1, "label": "a", "order": 1}, nil)
		if code, _ := c.do("POST", "/formfields", map[string]any{"form_id": 9, "label": "x"}); code != http.StatusBadRequest {
			t.Fatalf("field of a missing form: %d", code)
		}
		var cbs []core.Callback
		c.must(http.StatusOK, "GET", "/callbacks?since=2030-01-01T00:00:00Z&until=2030-01-03T00:00:00Z", nil, &cbs)
		if len(cbs) != 1 {
			t.Fatalf("callbacks in range: %+v", cbs)
		}
		c.must(http.StatusOK, "GET", "/callbacks?until=2030-01-01T00:00:00Z", nil, &cbs)
		if len(cbs) != 0 {
			t.Fatalf("callbacks before: %+v", cbs)
		}
		var fields []core.FormField
		c.must(http.StatusOK, "GET", "/formfields?form_id=1", nil, &fields)
		if len(fields) != 2 || fields[0].Label != "a" {
			t.Fatalf("fields not in order: %+v", fields)
		}
	})
}

// testWriter sends the API's logs to the test log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// Every documented filter maps onto a real column on both databases.
func TestEveryListFilterWorks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		a := New(Options{Records: core.NewRecords(st), Token: testToken})
		c := newServer(t, Options{Records: core.NewRecords(st)})
		for _, rt := range a.routes {
			if rt.method != "GET" || !rt.list || len(rt.query) == 0 || strings.HasPrefix(rt.path, "/outbox") {
				continue // the outbox is the engine's, not a table's: outbox_test.go
			}
			for _, q := range rt.query {
				v := "x"
				switch q {
				case "limit", "offset":
					v = "1"
				case "since", "until":
					v = "2026-01-01T00:00:00Z"
				}
				if code, b := c.do("GET", rt.path+"?"+q+"="+v, nil); code != http.StatusOK {
					t.Errorf("GET %s?%s=%s: %d %s", rt.path, q, v, code, b)
				}
			}
		}
	})
}

// ECCP breaks have a name and an id only: the code defaults to the name.
func TestBreakCreatedByNameOnly(t *testing.T) {
	c := newServer(t, Options{Records: core.NewRecords(storetest.Open(t, storetest.SQLite))})
	var p map[string]any
	c.must(http.StatusCreated, "POST", "/pausecodes", map[string]any{"id": 4, "name": "Reunión"}, &p)
	if p["code"] != "Reunión" || p["type"] != "B" || p["id"] != float64(4) {
		t.Fatalf("break = %+v", p)
	}
	long := strings.Repeat("é", 40)
	c.must(http.StatusCreated, "POST", "/pausecodes", map[string]any{"name": long}, &p)
	if code := p["code"].(string); code != strings.Repeat("é", 16) {
		t.Fatalf("code of a long name = %q", code)
	}
}
