package ucontact

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/api/admin"
	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/core/clocktest"
	"github.com/callgate/callgate/pkg/store/storetest"
)

func TestRequestsNeedBasicAuthOfAnAPIUserOrTheToken(t *testing.T) {
	e := newEnv(t, storetest.Open(t, storetest.SQLite))
	form := url.Values{"queue": {""}}.Encode()
	cases := []struct {
		name string
		auth func(*http.Request)
		want int
	}{
		{"none", nil, 401},
		{"wrong password", func(r *http.Request) { r.SetBasicAuth("integra", "nope") }, 401},
		{"unknown user", func(r *http.Request) { r.SetBasicAuth("ghost", "integra-demo") }, 401},
		{"wrong token", func(r *http.Request) { r.Header.Set("Authorization", "Bearer tok-124") }, 401},
		{"api user", func(r *http.Request) { r.SetBasicAuth("integra", "integra-demo") }, 200},
		{"token", func(r *http.Request) { r.Header.Set("Authorization", "Bearer tok-123") }, 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do("Supervisor/campaignstatus", "application/x-www-form-urlencoded", form, c.auth)
			if r.status != c.want {
				t.Fatalf("status %d, want %d (%q)", r.status, c.want, r.body)
			}
			if c.want == 401 && (r.body != "0" || r.hdr.Get("WWW-Authenticate") == "") {
				t.Fatalf("refusal %q %v", r.body, r.hdr)
			}
		})
	}
}

func dispoForm(over map[string]string) url.Values {
	f := url.Values{"campaign": {"Ventas->"}, "agent": {"Agente1"}, "callerid": {"098344484"},
		"guid": {"7e4e7db9-f080-494e-b04b-7c8e47711558"}, "l1": {"Venta"}, "l2": {"Rellamar"}, "l3": {"OK"}}
	for k, v := range over {
		if v == "" {
			f.Del(k)
		} else {
			f.Set(k, v)
		}
	}
	return f
}

func TestDispositionCallAnswersTheDocumentsTexts(t *testing.T) {
	e := newEnv(t, storetest.Open(t, storetest.SQLite))
	cases := []struct {
		name   string
		over   map[string]string
		status int
		body   string
	}{
		{"no campaign", map[string]string{"campaign": ""}, 400, "Parâmetros errados: Campanha vazia"},
		{"no callerid", map[string]string{"callerid": ""}, 400, "Parâmetros errados: Callerid vazio"},
		{"no guid", map[string]string{"guid": ""}, 400, "Parâmetros errados: guid vazio"},
		{"no agent", map[string]string{"agent": ""}, 400, "Parâmetros errados: Agente vazio"},
		{"no level 1", map[string]string{"l1": ""}, 400, "Parâmetros errados: Valor vazio1"},
		{"unknown combination", map[string]string{"l2": "Nada"}, 400, "Disposição não encontrada para o nível1: Venta, level2: Nada, nível3: OK"},
		{"reschedule without date", map[string]string{"l2": "Agendar"}, 400, "Parâmetros incorretos: Data da programação vazia."},
		{"malformed date", map[string]string{"l2": "Agendar", "schedule": "2026-03-11 15:00"}, 400,
			"O formato da data da programação não está bem formado: El formato de la fecha tiene que ser yyyy-MM-dd HH:mm:ss"},
		{"respool", nil, 200, `{"Result":"ok","txtcode":"RELLAMAROK"}` + "\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.expect(e.post("api/DispositionCall", dispoForm(c.over)), c.status, c.body)
		})
	}
	// Nothing refused wrote anything: only the respool made the lead.
	if n := e.count(&core.DNCEntry{}, core.Eq("phone", "098344484")); n != 0 {
		t.Fatalf("%d DNC rows", n)
	}
	if n := e.count(&core.Callback{}, core.All); n != 0 {
		t.Fatalf("%d callbacks", n)
	}
}

func TestDispositionActionsChangeTheDialer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		e := newEnv(t, st)
		// A dialer contact with an alternative, already called twice.
		e.expect(e.post("Dialers/Respool", url.Values{"callspool": {`{"campaign":"Ventas->","destination":"098344484","dialerbase":"basetest","status":1,"data":"Par1=Val1:Par2=Val2","alternatives":"098124484","retries":0,"priority":9999,"agentphone":"1001"}`}}), 200, "1")
		l := e.leads("Ventas.out", "098344484")
		if len(l) != 1 {
			t.Fatalf("leads %+v", l)
		}
		if err := st.Updates(e.ctx, &core.Lead{ID: l[0].ID}, map[string]any{"status": "NA", "called_count": 2}); err != nil {
			t.Fatal(err)
		}
		e.expect(e.post("api/DispositionCall", dispoForm(nil)), 200, `{"Result":"ok","txtcode":"RELLAMAROK"}`+"\n")
		got := e.leads("Ventas.out", "098344484")[0]
		if got.Status != core.StatusNew || got.CalledCount != 0 || got.NextAttemptAt != nil {
			t.Fatalf("respool: %+v", got)
		}
		e.expect(e.post("api/DispositionCall", dispoForm(map[string]string{"l2": "Alternativo"})), 200, `{"Result":"ok","txtcode":"ALTERNATOK"}`+"\n")
		if got := e.leads("Ventas.out", "098344484")[0]; got.PhoneIndex != 1 || got.Status != core.StatusNew {
			t.Fatalf("alternative: %+v", got)
		}
		e.expect(e.post("api/DispositionCall", dispoForm(map[string]string{"l2": "Agendar", "schedule": "2026-03-11 15:00:00", "camptoreschedule": "Sales->"})), 200, `{"Result":"ok","txtcode":"AGENDAROK"}`+"\n")
		var cbs []core.Callback
		if err := st.Find(e.ctx, &cbs, core.Eq("campaign", "Sales.out")); err != nil || len(cbs) != 1 || cbs[0].Status != "ACTIVE" ||
			!cbs[0].When.Equal(testNow.Add(28*3600e9)) || cbs[0].Phone != "098344484" {
			t.Fatalf("reschedule: %+v %v", cbs, err)
		}
		e.expect(e.post("api/DispositionCall", dispoForm(map[string]string{"l2": "NoLlamar"})), 200, `{"Result":"ok","txtcode":"NOLLAMAROK"}`+"\n")
		if !e.eng.IsDNC(e.ctx, "098344484", "Ventas.out") || e.eng.IsDNC(e.ctx, "098344484", "Sales.out") {
			t.Fatal("blacklist: the number is not blocked for Ventas-> only")
		}
		var tags []core.QueueLogEntry
		if err := st.Find(e.ctx, &tags, core.Eq("event", core.QLDisposition).Asc("id")); err != nil || len(tags) != 4 || tags[0].Data2 != "Venta|Rellamar|OK" {
			t.Fatalf("disposition log %+v %v", tags, err)
		}
	})
}

func TestBlacklistAddsAndRemovesNumbers(t *testing.T) {
	e := newEnv(t, storetest.Open(t, storetest.SQLite))
	obj := `{ "phone": "12341234", "campaign": "Ventas->", "username": "username", "company": "Company name", "job_title": "Developer", "name": "Name" }`
	e.expect(e.post("admin/addblack", url.Values{"blacklist": {obj}}), 200, "1")
	if !e.eng.IsDNC(e.ctx, "12341234", "Ventas.out") {
		t.Fatal("not blocked")
	}
	e.expect(e.do("admin/addblackbulk", "application/json", `[{"phone":"555","campaign":"*"},{"phone":"556","campaign":"Power<-"}]`,
		func(r *http.Request) { r.SetBasicAuth("integra", "integra-demo") }), 200, "1")
	if !e.eng.IsDNC(e.ctx, "555", "Sales.out") || !e.eng.IsDNC(e.ctx, "556", "Power.in") {
		t.Fatal("bulk not blocked")
	}
	e.expect(e.post("admin/deleteblack", url.Values{"blacklist": {`{"phone":"12341234","campaign":"Ventas->"}`}}), 200, "1")
	e.expect(e.post("admin/deleteblackbulk", url.Values{"blacklist": {`[{"phone":"555","campaign":"*"}]`}}), 200, "1")
	if e.eng.IsDNC(e.ctx, "12341234", "Ventas.out") || e.eng.IsDNC(e.ctx, "555", "Sales.out") || !e.eng.IsDNC(e.ctx, "556", "Power.in") {
		t.Fatal("delete did not remove exactly the given entries")
	}
	for _, bad := range []url.Values{
		{"blacklist": {`{"phone":"1"}`}},
		{"blacklist": {`{"campaign":"x"}`}},
		{"blacklist": {`{not json`}},
		{},
	} {
		r := e.post("admin/addblack", bad)
		if r.status != 400 || r.body != "0" || r.hdr.Get("Integra-Error") == "" {
			t.Fatalf("%v: %d %q", bad, r.status, r.body)
		}
	}
	// A bad entry in a bulk refuses the whole batch.
	if r := e.post("admin/addblackbulk", url.Values{"blacklist": {`[{"phone":"777","campaign":"*"},{"phone":"","campaign":"*"}]`}}); r.status != 400 {
		t.Fatalf("bulk with a bad entry: %d", r.status)
	}
	if e.eng.IsDNC(e.ctx, "777", "") {
		t.Fatal("half of a refused batch was written")
	}
}

func TestDialerTaskModesAndRemovals(t *testing.T) {
	e := newEnv(t, storetest.Open(t, storetest.SQLite))
	task := func(js string) {
		e.t.Helper()
		e.expect(e.post("Dialers/DialerTask", url.Values{"call": {js}}), 200, "1")
	}
	task(`{"calldate" : null, "campaign" : "Ventas->", "destination": "12-345-678", "alternatives": "", "agent" : "", "data": "idcustomer=7:name=Seba", "source": "source", "bulk" : false, "automatic" : true }`)
	task(`{"calldate" : null, "campaign" : "Ventas->", "destination": "12-345-679", "alternatives": "", "agent" : "", "data": "idcustomer=7", "source": "source", "bulk" : false, "automatic" : false }`)
	task(`{"calldate" : null, "campaign" : "Ventas->", "destination": "12-345-680", "alternatives": "", "agent" : "Agente1", "data": "idcustomer=7", "source": "source", "bulk" : true, "automatic" : false }`)
	task(`{"calldate" : "2026-03-12 15:00:00", "campaign" : "Ventas->", "destination": "12-345-681", "alternatives": "", "agent" : "Agente1", "data": "idcustomer=7", "source": "source", "bulk" : true, "automatic" : false }`)
	if l := e.leads("Ventas.out", "12345678"); len(l) != 1 || l[0].Priority != 1 || !strings.Contains(l[0].Attributes, `"name":"Seba"`) {
		t.Fatalf("automatic: %+v", l)
	}
	if n := e.count(&core.Callback{}, core.Eq("phone", "12345678").Eq("due_at", testNow)); n != 1 {
		t.Fatalf("automatic callback now: %d", n)
	}
	if l := e.leads("Ventas.out", "12345680"); len(l) != 1 || l[0].Status != core.StatusNew || l[0].Owner != "Agente1" {
		t.Fatalf("bulk: %+v", l)
	}
	var cb core.Callback
	if err := e.st.First(e.ctx, &cb, core.Eq("phone", "12345681")); err != nil || cb.Agent != "Agente1" || !cb.AgentOnly {
		t.Fatalf("scheduled: %+v %v", cb, err)
	}
	e.expect(e.post("Dialers/RemoveScheduleDialerCall", url.Values{"campaign": {"Ventas->"}, "destination": {"12345681"},
		"from": {"2026-03-12 00:00:00"}, "to": {"2026-03-12 23:59:59"}}), 200, "1")
	if err := e.st.First(e.ctx, &cb, core.Eq("phone", "12345681")); err != nil || cb.Status != "INACTIVE" {
		t.Fatalf("schedule removal: %+v", cb)
	}
	e.expect(e.post("Dialers/RemoveContact", url.Values{"campaign": {"Ventas->"}, "number": {"12345680"}}), 200, "1")
	if l := e.leads("Ventas.out", "12345680"); l[0].Status != core.StatusRemoved {
		t.Fatalf("removal: %+v", l)
	}
	e.expect(e.post("Dialers/ScheduleDialerCall", url.Values{"callschedule": {`{ "calldate" : "2015-10-11 15:00:00", "campaign" : "Sales->", "destination" : "098344484", "alternatives" : "099124484:099121212", "agentphone" : "1001", "data" : "Par1=Val1:Par2=Val2" }`}}), 200, "1")
	if l := e.leads("Sales.out", "098344484"); len(l) != 1 {
		t.Fatalf("schedule: %+v", l)
	}
	if n := e.count(&core.LeadPhone{}, core.Eq("phone", "099121212")); n != 1 {
		t.Fatalf("alternatives: %d", n)
	}
	for _, bad := range []url.Values{
		{"call": {`{"campaign":"Ventas->"}`}},
		{"call": {`{"campaign":"Nope->","destination":"1"}`}},
		{"call": {`{"campaign":"Ventas->","destination":"1","calldate":"tomorrow"}`}},
		{"call": {`[`}},
	} {
		if r := e.post("Dialers/DialerTask", bad); r.status < 400 || r.body != "0" {
			t.Fatalf("%v: %d %q", bad, r.status, r.body)
		}
	}
}

func TestUploadBaseImportsInTheBackgroundWithLineErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		e := newEnv(t, st)
		file := "Ventas->;098344484;var1=val1:var2=val2;099124484:099111111;9999;1001\n" +
			"Ventas->;;x=1;;;\n" +
			"Sales->;098344485;;;;\n" +
			";098344486;bad;;;\n" +
			";098344487;;;abc;\n" +
			";098344488\n"
		r := e.post("Dialers/uploadbasewithtimezone", url.Values{"filename": {"base.csv"}, "fileb64": {b64(file)}, "campaign": {"Ventas->"},
			"cant": {"6"}, "username": {"integra"}, "timezone": {"America/Montevideo"}})
		e.expect(r, 200, "1")
		var id uint64
		if err := json.Unmarshal([]byte(r.hdr.Get("Integra-Import")), &id); err != nil {
			t.Fatal(err)
		}
		<-e.eng.ImportDone(id)
		job, err := e.eng.ContactImportStatus(e.ctx, id)
		if err != nil || job.Status != "done" || job.Total != 6 || job.Imported != 2 || job.Failed != 4 {
			t.Fatalf("job %+v %v", job, err)
		}
		for _, want := range []string{"line 2: no main number", "line 3: campaign", "line 4: parameters", "line 5: priority"} {
			if !strings.Contains(job.Errors, want) {
				t.Fatalf("errors %q lack %q", job.Errors, want)
			}
		}
		// agentphone 1001 is the username of the demo's VICIdial agent 1001
		// (a username wins over another agent's number).
		// The admin API shows the import with its line errors.
		adm := httptest.NewServer(admin.New(admin.Options{Records: e.eng.Records(), Engine: e.eng, Token: "adm"}))
		defer adm.Close()
		req, _ := http.NewRequest(http.MethodGet, adm.URL+"/imports/"+strconv.FormatUint(id, 10), nil)
		req.Header.Set("Authorization", "Bearer adm")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var shown core.ContactImport
		err = json.NewDecoder(res.Body).Decode(&shown)
		res.Body.Close()
		if err != nil || res.StatusCode != 200 || shown.Imported != 2 || !strings.Contains(shown.Errors, "line 2: no main number") {
			t.Fatalf("admin API: %d %+v %v", res.StatusCode, shown, err)
		}
		l := e.leads("Ventas.out", "098344484")
		if len(l) != 1 || l[0].Priority != 9999 || l[0].Owner != "1001" || !strings.Contains(l[0].Attributes, "America/Montevideo") {
			t.Fatalf("lead %+v", l)
		}
		if n := e.count(&core.LeadPhone{}, core.Eq("lead_id", l[0].ID)); n != 2 {
			t.Fatalf("alternatives %d", n)
		}
		for _, bad := range []url.Values{
			{"fileb64": {"%%%"}, "campaign": {"Ventas->"}},
			{"fileb64": {b64("a;1")}, "campaign": {"Nope->"}},
			{"fileb64": {b64("a;1")}, "campaign": {"Ventas->"}, "cant": {"x"}},
		} {
			if r := e.post("Dialers/uploadbase", bad); r.status < 400 {
				t.Fatalf("%v: %d", bad, r.status)
			}
		}
		if r := e.post("Dialers/uploadbasewithtimezone", url.Values{"fileb64": {b64("a;1")}, "campaign": {"Ventas->"}, "timezone": {"Mars/Base"}}); r.status != 400 {
			t.Fatalf("bad zone: %d", r.status)
		}
	})
}

func TestAgentCallRingsTheAgentThenTheDestination(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		e := newEnv(t, st)
		r := e.post("Agents/AgentCallwithData", url.Values{"callerid": {"099000111"}, "agent": {"Agente1"}, "phone": {"1001"}, "tech": {"SIP"},
			"context": {"from-agents"}, "outqueue": {"Ventas->"}, "destination": {"098344484"}, "data": {`{"idcustomer":7}`}, "form": {"Ficha"}})
		if r.status != 200 || len(r.body) != 36 {
			t.Fatalf("got %d %q (%s)", r.status, r.body, r.hdr.Get("Integra-Error"))
		}
		guid := r.body
		var call core.Call
		e.waitFor("the destination answered", func() bool {
			return st.First(e.ctx, &call, core.Eq("guid", guid)) == nil && call.ConnectedAt != nil
		})
		if call.Agent != "Agente1" || call.Campaign != "Ventas.out" || call.Phone != "098344484" || call.CallerID != "099000111" {
			t.Fatalf("call %+v", call)
		}
		var order []string
		for _, op := range e.pbx.Ops() {
			if op.Name == "originate" {
				order = append(order, strings.Join(op.Args, " "))
			}
		}
		if len(order) != 2 || order[0] != "PJSIP/1001" || !strings.Contains(order[1], "098344484") {
			t.Fatalf("originates %q: want the agent's phone, then the destination", order)
		}
		var screen []core.ScreenCommand
		if err := st.Find(e.ctx, &screen, core.Eq("agent", "Agente1")); err != nil || len(screen) != 1 || screen[0].Payload != "Ficha" {
			t.Fatalf("form %+v %v", screen, err)
		}
		// A second call while this one is up is refused with 0.
		r = e.post("Agents/AgentCall", url.Values{"agent": {"Agente1"}, "phone": {"1001"}, "tech": {"SIP"}, "destination": {"1"}})
		if r.status != 409 || r.body != "0" {
			t.Fatalf("busy: %d %q", r.status, r.body)
		}
		e.expect(e.post("Agents/TagRecord", url.Values{"phone": {"098344484"}, "guid": {guid}, "data": {"venta cerrada"}}), 200, "")
		if n := e.count(&core.QueueLogEntry{}, core.Eq("event", core.QLTag).Eq("data2", "venta cerrada")); n != 1 {
			t.Fatalf("tag rows %d", n)
		}
		e.expect(e.post("Agents/HangupPhone", url.Values{"phone": {"1001"}}), 200, "1")
		e.waitFor("the call ended", func() bool {
			return st.First(e.ctx, &call, core.Eq("guid", guid)) == nil && call.EndedAt != nil
		})
		if r := e.post("Agents/HangupPhone", url.Values{"phone": {"1001"}}); r.body != "0" {
			t.Fatalf("hangup without a call: %d %q", r.status, r.body)
		}
		if r := e.post("Agents/AgentCall", url.Values{"agent": {"Nobody"}, "destination": {"1"}}); r.body != "0" || r.status != 404 {
			t.Fatalf("unknown agent: %d %q", r.status, r.body)
		}
	})
}

// An uploaded base is dialed: the campaign's dialer calls the line's
// number and connects it to the campaign's free agent.
func TestUploadedBaseIsDialed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		clk := clocktest.New(testNow)
		e := newEnvClock(t, st, clk)
		if err := e.eng.Login(e.ctx, "Agente1", core.LoginOptions{Campaign: "Ventas.out"}); err != nil {
			t.Fatal(err)
		}
		r := e.post("Dialers/uploadbase", url.Values{"filename": {"b.csv"}, "fileb64": {b64("Ventas->;098344484;var1=val1;;;\n")},
			"campaign": {"Ventas->"}, "cant": {"1"}, "username": {"integra"}})
		e.expect(r, 200, "1")
		id, _ := strconv.ParseUint(r.hdr.Get("Integra-Import"), 10, 64)
		<-e.eng.ImportDone(id)
		lead := e.leads("Ventas.out", "098344484")[0]
		e.waitFor("the dialer to connect the uploaded lead", func() bool {
			clk.Advance(time.Second)
			c, ok := e.eng.AgentCall("Agente1")
			return ok && c.LeadID == lead.ID && c.ConnectedAt != nil
		})
	})
}

// A base uploaded with a time zone is called within the campaign's hours
// on that zone's clock: at 11:00 UTC a Tokyo contact (20:00 there) waits,
// a Madrid one (12:00) is dialed, though the Tokyo one ranks first.
func TestUploadedTimeZoneKeepsCallingHours(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	clk := clocktest.New(time.Date(2026, 3, 10, 11, 0, 0, 0, time.UTC))
	e := newEnvClock(t, st, clk)
	var camp core.Campaign
	if err := st.First(e.ctx, &camp, core.Eq("name", "Ventas.out")); err != nil {
		t.Fatal(err)
	}
	if err := st.Updates(e.ctx, &core.Campaign{ID: camp.ID}, map[string]any{"start_time": "09:00", "end_time": "18:00"}); err != nil {
		t.Fatal(err)
	}
	if err := e.eng.Reload(e.ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.eng.Login(e.ctx, "Agente1", core.LoginOptions{Campaign: "Ventas.out"}); err != nil {
		t.Fatal(err)
	}
	for _, up := range []struct{ line, tz string }{{"Ventas->;0811111111;;;9000;", "Asia/Tokyo"}, {"Ventas->;0922222222;;;10;", "Europe/Madrid"}} {
		r := e.post("Dialers/uploadbasewithtimezone", url.Values{"fileb64": {b64(up.line)}, "campaign": {"Ventas->"}, "timezone": {up.tz}})
		e.expect(r, 200, "1")
		id, _ := strconv.ParseUint(r.hdr.Get("Integra-Import"), 10, 64)
		<-e.eng.ImportDone(id)
	}
	madrid := e.leads("Ventas.out", "0922222222")[0]
	e.waitFor("the Madrid contact to be dialed", func() bool {
		clk.Advance(time.Second)
		c, ok := e.eng.AgentCall("Agente1")
		return ok && c.LeadID == madrid.ID
	})
	if tokyo := e.leads("Ventas.out", "0811111111")[0]; tokyo.CalledCount != 0 {
		t.Fatalf("the Tokyo contact was called out of its hours: %+v", tokyo)
	}
}

func TestOversizedBodiesAreRefused(t *testing.T) {
	e := newEnv(t, storetest.Open(t, storetest.SQLite))
	big := "fileb64=" + strings.Repeat("QUFB", 1<<18) + "&campaign=Ventas-%3E"
	r := e.post("Dialers/uploadbase", mustQuery(big))
	if r.status != 413 || r.body != "0" {
		t.Fatalf("got %d %q", r.status, r.body)
	}
	if n := e.count(&core.ContactImport{}, core.All); n != 0 {
		t.Fatalf("%d imports recorded", n)
	}
}

func mustQuery(s string) url.Values {
	v, err := url.ParseQuery(s)
	if err != nil {
		panic(err)
	}
	return v
}

// An import a restart cut short is closed as interrupted, saying how far
// it got, rather than left running forever.
func TestRestartClosesAnInterruptedImport(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	job := core.ContactImport{Campaign: "Ventas.out", Status: "running", Total: 500, Processed: 200, Imported: 200}
	e := newEnv(t, st)
	if err := st.Create(e.ctx, &job); err != nil {
		t.Fatal(err)
	}
	second := newEnv(t, st) // a restarted engine over the same store
	got, err := second.eng.ContactImportStatus(second.ctx, job.ID)
	if err != nil || got.Status != "interrupted" || got.EndedAt == nil || !strings.Contains(got.Errors, "after at least 200 of 500 lines") {
		t.Fatalf("%+v %v", got, err)
	}
}
