package vicidial

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// testNow is the frozen wall clock of every test: the reference's example
// date, so DATE and EPOCH fields are stable in golden files.
var testNow = time.Date(2025, 1, 22, 10, 10, 0, 0, time.UTC)

type env struct {
	t   testing.TB
	st  core.Store
	pbx *sim.PBX
	eng *core.Engine
	h   *Handler
	srv *httptest.Server
	ctx context.Context
	// lead is the seeded lead 7275551212 / vendor code 1234567.
	lead core.Lead
	// skew moves the engine clock past testNow (advance).
	skew atomic.Int64
}

// advance moves the engine clock forward.
func (e *env) advance(d time.Duration) { e.skew.Add(int64(d)) }

func newEnv(t testing.TB, st core.Store, opts Options) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, st: st, ctx: ctx, pbx: sim.New("node1")}
	e.seed()
	e.eng = core.New(core.Options{Store: st, Tel: e.pbx, Bus: core.NewMemoryBus(0), Now: func() time.Time { return testNow.Add(time.Duration(e.skew.Load())) },
		DialerInterval: time.Hour})
	if err := e.eng.Start(ctx); err != nil {
		t.Fatalf("engine start: %v", err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = e.eng.Stop(sctx)
		_ = e.pbx.Close()
	})
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
		if os.Getenv("VICI_TEST_LOG") != "" {
			opts.Logger = slog.Default()
		}
	}
	e.settings(harnessSettings)
	e.h = newHandler(e.eng, opts)
	e.h.hostInfo = func() hostFacts {
		return hostFacts{"callgate-test", "go", "0.15", "12", "52428800000", "Linux callgate-test 6.1.0 #1 SMP x86_64"}
	}
	e.srv = httptest.NewServer(e.h)
	t.Cleanup(func() { e.srv.Close(); _ = e.h.Close() })
	return e
}

func (e *env) create(v any) {
	e.t.Helper()
	if err := e.st.Create(e.ctx, v); err != nil {
		e.t.Fatalf("seed %T: %v", v, err)
	}
}

func (e *env) clear(v any, col string) {
	e.t.Helper()
	if err := e.st.Updates(e.ctx, v, map[string]any{col: false}); err != nil {
		e.t.Fatalf("seed %T: %v", v, err)
	}
}

// seed provisions the vendor document's examples: API user 6666/1234,
// agent 1000, campaign TESTCAMP, in-groups TEST_IN and SALESLINE.
func (e *env) seed() {
	e.create(&core.APIUser{Dialect: Dialect, Username: "6666", Secret: "1234", Active: true, UserLevel: 9, APIAccess: true,
		AllowedFunctions: "ALL_FUNCTIONS", ModifyLeads: true, ChangeAgentCampaign: true, ModifyCampaigns: true, ManualDial: true})
	// 6680: a level-8 admin (VICIdial's 6666 is level 9), for the rights
	// only level 9 has.
	e.create(&core.APIUser{Dialect: Dialect, Username: "6680", Secret: "1234", Active: true, UserLevel: 8, APIAccess: true,
		AllowedFunctions: "ALL_FUNCTIONS", ModifyLeads: true, ModifyCampaigns: true})
	e.create(&core.APIUser{Dialect: Dialect, Username: "6667", Secret: "1234", Active: true, UserLevel: 8, APIAccess: true,
		AllowedFunctions: " version external_pause "})
	e.create(&core.APIUser{Dialect: Dialect, Username: "6668", Secret: "1234", Active: true, UserLevel: 7, APIAccess: true, AllowedFunctions: "ALL_FUNCTIONS"})
	// gorm applies column defaults to zero values on insert, so false
	// flags are written with an update.
	noapi := core.APIUser{Dialect: Dialect, Username: "noapi", Secret: "1234", Active: true, UserLevel: 8}
	e.create(&noapi)
	e.clear(&noapi, "api_access")
	inactive := core.APIUser{Dialect: Dialect, Username: "gone", Secret: "1234", UserLevel: 8, APIAccess: true, AllowedFunctions: "ALL_FUNCTIONS"}
	e.create(&inactive)
	e.clear(&inactive, "active")
	// Agent 1001 has its own VICIdial user row without agentcall_manual.
	a1001 := core.APIUser{Dialect: Dialect, Username: "1001", Secret: "1234", Active: true, UserLevel: 1}
	e.create(&a1001)
	e.clear(&a1001, "api_access")
	for _, a := range []core.Agent{
		{Username: "1000", Number: "1000", Extension: "PJSIP/1000", Password: "1234", Name: "Agent 1000", UserLevel: 1, UserGroup: "AGENTS", AltID: "crm1000", Campaign: "TESTCAMP", Active: true},
		{Username: "1001", Number: "1001", Extension: "PJSIP/1001", Password: "1234", Name: "Agent 1001", UserLevel: 1, UserGroup: "AGENTS", AltID: "crm1001", Campaign: "TESTCAMP", Active: true},
		{Username: "6666", Number: "6666", Extension: "PJSIP/6666", Password: "1234", Name: "API admin", UserLevel: 8, UserGroup: "ADMIN", Active: true},
	} {
		e.create(&a)
	}
	for _, q := range []core.Queue{
		{Name: "TEST_IN", Strategy: core.StrategyLeastRecent, Campaign: "TESTCAMP", Active: true},
		{Name: "SALESLINE", Strategy: core.StrategyLeastRecent, Campaign: "TESTCAMP", Active: true},
		{Name: "TEST_IN2", Strategy: core.StrategyLeastRecent, Active: true},
	} {
		e.create(&q)
	}
	e.create(&core.Campaign{Name: "TESTCAMP", Type: core.CampaignOutbound, DialMethod: core.DialManual, Queue: "TEST_IN", Ingroups: "TEST_IN SALESLINE TEST_IN2", Active: true})
	e.create(&core.Campaign{Name: "OUTONLY", Type: core.CampaignOutbound, DialMethod: core.DialProgressive, Active: true})
	e.create(&core.List{ID: 998, Name: "Manual dial", Campaign: "TESTCAMP", Active: true})
	e.create(&core.Route{DID: "8885551000", Queue: "TEST_IN", Campaign: "TESTCAMP"})
	e.lead = core.Lead{ListID: 998, Campaign: "TESTCAMP", Status: "NEW", PhoneCode: "1", PhoneNumber: "7275551212", VendorLeadCode: "1234567",
		FirstName: "Bob", LastName: "Smith", AltPhone: "7275550000", Address3: "7275553333", Province: "FL", SecurityPhrase: "blue", SourceID: "web",
		EntryDate: testNow, ModifyDate: testNow}
	e.create(&e.lead)
	e.create(&core.Lead{ListID: 998, Campaign: "TESTCAMP", Status: "NEW", PhoneCode: "1", PhoneNumber: "3125550199", VendorLeadCode: "1234567890",
		EntryDate: testNow, ModifyDate: testNow})
	for _, d := range []core.Disposition{
		{Code: "A", Name: "Answering Machine", Selectable: true},
		{Code: "SALE", Name: "Sale", Selectable: true, Sale: true},
		{Code: "CALLBK", Name: "Call Back", Selectable: true, Callback: true},
	} {
		e.create(&d)
	}
	e.create(&core.DNCEntry{Phone: "5550001", Reason: "test"})
	e.create(&core.DNCEntry{Phone: "5550002", Campaign: "TESTCAMP", Reason: "test"})
	e.create(&core.PauseCode{Code: "BREAK", Name: "Break", Active: true})
	// User groups: ADMIN reaches everything; LIMITED (API user 6670) only
	// campaign OUTONLY and itself; API user 6671's group GHOST is missing.
	e.create(&core.UserGroup{Name: "ADMIN", AllowedCampaigns: " -ALL-CAMPAIGNS- - ", AdminViewableGroups: " ---ALL--- "})
	e.create(&core.UserGroup{Name: "AGENTS", AllowedCampaigns: " TESTCAMP - ", AdminViewableGroups: " AGENTS "})
	e.create(&core.UserGroup{Name: "LIMITED", AllowedCampaigns: " OUTONLY - ", AdminViewableGroups: " LIMITED "})
	for _, u := range []struct{ name, group string }{{"6670", "LIMITED"}, {"6671", "GHOST"}} {
		e.create(&core.APIUser{Dialect: Dialect, Username: u.name, Secret: "1234", Active: true, UserLevel: 8, APIAccess: true, AllowedFunctions: "ALL_FUNCTIONS"})
		e.create(&core.Agent{Username: u.name, Number: u.name, Password: "1234", UserLevel: 8, UserGroup: u.group, Active: true})
	}
}

// --- engine state helpers ---------------------------------------------------

func (e *env) login(user string) {
	e.t.Helper()
	if err := e.eng.Login(e.ctx, user, core.LoginOptions{Campaign: "TESTCAMP"}); err != nil {
		e.t.Fatalf("login %s: %v", user, err)
	}
}

func (e *env) pause(user string) {
	e.t.Helper()
	if err := e.eng.Pause(e.ctx, user, ""); err != nil {
		e.t.Fatalf("pause %s: %v", user, err)
	}
}

// waitFor polls an engine condition; the engine reacts to PBX events on
// its own goroutine.
func (e *env) waitFor(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (e *env) connected(user string) func() bool {
	return func() bool {
		c, ok := e.eng.AgentCall(user)
		return ok && c.ConnectedAt != nil
	}
}

// manualCall puts the agent on an answered manual call to the seeded lead.
func (e *env) manualCall(user string) core.Call {
	e.t.Helper()
	if _, err := e.eng.Dial(e.ctx, core.DialRequest{Agent: user, Phone: e.lead.PhoneNumber, LeadID: e.lead.ID, Campaign: "TESTCAMP"}); err != nil {
		e.t.Fatalf("dial: %v", err)
	}
	e.waitFor("manual call connected", e.connected(user))
	c, _ := e.eng.AgentCall(user)
	return c
}

// inboundCall routes a call from the seeded lead's phone through TEST_IN to the agent.
func (e *env) inboundCall(user string) core.Call {
	e.t.Helper()
	e.pbx.InjectInbound(e.lead.PhoneNumber, "8885551000")
	e.waitFor("inbound call connected", e.connected(user))
	c, _ := e.eng.AgentCall(user)
	return c
}

func (e *env) noCall(user string) {
	e.t.Helper()
	e.waitFor("call over", func() bool { _, ok := e.eng.AgentCall(user); return !ok })
}

// --- golden transcripts ----------------------------------------------------

type step struct {
	name   string
	setup  func(e *env)
	query  string // GET query
	post   string // urlencoded POST body
	check  func(t *testing.T, e *env, body string)
	header bool // also record Cache-Control and Pragma
	// multipart sends these fields as multipart/form-data.
	multipart map[string]string
}

type response struct {
	status int
	header http.Header
	body   string
}

func (e *env) do(query, post string) response {
	e.t.Helper()
	url := e.srv.URL + "/agc/api.php"
	if query != "" {
		url += "?" + query
	}
	var req *http.Request
	var err error
	if post != "" {
		req, err = http.NewRequest(http.MethodPost, url, strings.NewReader(post))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req, err = http.NewRequest(http.MethodGet, url, nil)
	}
	if err != nil {
		e.t.Fatal(err)
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("request: %v", err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

func (e *env) doMultipart(query string, fields map[string]string) response {
	e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	_ = mw.Close()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/agc/api.php?"+query, &body)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("request: %v", err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

// runGolden plays the steps against a fresh environment on every
// available database and compares the transcript with testdata/<name>.golden.
func runGolden(t *testing.T, name string, opts Options, steps []step) {
	runGoldenWith(t, name, opts, nil, steps)
}

// runGoldenWith runs the steps with some VICIdial settings changed from
// the harness's.
func runGoldenWith(t *testing.T, name string, opts Options, set testSettings, steps []step) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		e := newEnv(t, st, opts)
		e.settings(set)
		var out bytes.Buffer
		for _, s := range steps {
			if s.setup != nil {
				s.setup(e)
			}
			var res response
			if s.multipart != nil {
				res = e.doMultipart(s.query, s.multipart)
			} else {
				res = e.do(s.query, s.post)
			}
			fmt.Fprintf(&out, "=== %s\n", s.name)
			if s.multipart != nil {
				keys := make([]string, 0, len(s.multipart))
				for k := range s.multipart {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				fmt.Fprintf(&out, "POST multipart /agc/api.php?%s\n", s.query)
				for _, k := range keys {
					fmt.Fprintf(&out, "field %s: %s\n", k, s.multipart[k])
				}
			} else if s.post != "" {
				fmt.Fprintf(&out, "POST /agc/api.php?%s\nbody: %s\n", s.query, s.post)
			} else {
				fmt.Fprintf(&out, "GET /agc/api.php?%s\n", s.query)
			}
			fmt.Fprintf(&out, "--- %d %s\n", res.status, res.header.Get("Content-Type"))
			if s.header {
				fmt.Fprintf(&out, "Cache-Control: %s\nPragma: %s\n", res.header.Get("Cache-Control"), res.header.Get("Pragma"))
			}
			out.WriteString(res.body)
			if !strings.HasSuffix(res.body, "\n") {
				out.WriteString("\n\\ no newline at end of body\n")
			}
			if s.check != nil {
				e.h.logs.Flush()
				s.check(t, e, res.body)
			}
		}
		path := filepath.Join("testdata", name+".golden")
		if *update {
			if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("read golden (run with -update to create): %v", err)
		}
		if got := out.String(); got != string(want) {
			t.Errorf("transcript differs from %s:\n%s", path, diff(string(want), got))
		}
	})
}

func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  want %q\n  got  %q\n", i+1, wl, gl)
			if b.Len() > 4000 {
				break
			}
		}
	}
	return b.String()
}

// auth is the credential prefix every request carries.
const auth = "source=test&user=6666&pass=1234"

func q(s string) string { return auth + "&" + s }

// testSettings are VICIdial settings by owner: "" for the system, else a
// campaign name.
type testSettings map[string]map[string]string

// harnessSettings switch the API on and give the vendor document's
// examples what they name: group alias TESTING, in-groups on TESTCAMP.
var harnessSettings = testSettings{
	"":         {setAPIActive: "1", setNotifications: "1", setGroupAliases: "TESTING=7275551211 BADCID=3"},
	"TESTCAMP": {setAllowInbound: "Y", setDefaultXferGroup: "TEST_IN"},
}

// settings stores VICIdial settings through the core service, as the
// admin API does.
func (e *env) settings(set testSettings) {
	e.t.Helper()
	for owner, vals := range set {
		scope := core.ScopeCampaign
		if owner == "" {
			scope = core.ScopeSystem
		}
		ch := map[string]*string{}
		for k, v := range vals {
			ch[k] = &v
		}
		if _, err := e.eng.Settings().Set(e.ctx, Dialect, scope, owner, ch); err != nil {
			e.t.Fatalf("settings %q: %v", owner, err)
		}
	}
}
