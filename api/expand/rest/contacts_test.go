package rest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

const (
	base        = "campaign/external/campaigns/"
	badFormat   = `{"errrorCode":"Unknown_data_format"}`
	notFound    = `{"errrorCode":"Resource_not_found"}`
	contact1698 = `{"attempttimestamp":"","enable":true,"id":1698,"idcall":1698,"info":{"ci":"3123456-0","correo":"rangles@expand.com.uy"},"lastattempt":"","name":"Rodrigo","numcall":"27111200","state":"Pending","statelog":[]}`
)

func TestRequestsNeedBasicAuthOfTheRESTUser(t *testing.T) {
	e := newEnv(t, storetest.Open(t, storetest.SQLite))
	cases := []struct {
		name, user, pass string
		status           int
		body             string
	}{
		{"no credentials", "", "", 401, `{"errrorCode":"Authentication_failure"}`},
		{"wrong password", "external_user", "nope", 401, `{"errrorCode":"Authentication_failure"}`},
		{"user of another dialect", "integra", "integra-demo", 401, `{"errrorCode":"Authentication_failure"}`},
		{"document's user", "external_user", "1deD9=cf9", 200, contact1698},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.expect(e.callAs("GET", base+"313/contacts/1698", "", c.user, c.pass), c.status, c.body)
		})
	}
}

// The document's dialer examples sent as written, on every database.
func TestDialerExamplesAnswerAsTheDocument(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		e := newEnv(t, st)
		e.expect(e.call("GET", base+"313/contacts/1698", ""), 200, contact1698)

		add := e.call("POST", base+"313/contacts", `{
 "name": "Rodrigo",
 "numcall": "27111200",
 "enable": true,
 "info": {
  "ci": "3123456-0",
  "correo": "rangles@expand.com.uy"
 }
}`)
		var id uint64
		if _, err := fmt.Sscanf(add.body[strings.Index(add.body, `"id":`)+5:], "%d", &id); err != nil || id == 1698 {
			t.Fatalf("new contact id: %v in %s", err, add.body)
		}
		want := strings.ReplaceAll(contact1698, "1698", fmt.Sprint(id))
		e.expect(add, 201, want)
		if l := e.lead(id); l.Campaign != "dialer313" || l.Status != core.StatusNew || l.ListID != 31300 || l.PhoneNumber != "27111200" {
			t.Fatalf("added lead %+v", l)
		}

		put := e.call("PUT", base+"313/contacts/1698", `{
 "name": "Rodrigo",
 "numcall": "099267067",
 "enable": true,
 "info": {
  "ci": "36860117",
  "correo": "info@expand.com.uy"
 }
}`)
		e.expect(put, 200, `{"attempttimestamp":"","enable":true,"id":1698,"idcall":1698,"info":{"ci":"36860117","correo":"info@expand.com.uy"},"lastattempt":"","name":"Rodrigo","numcall":"099267067","state":"Pending","statelog":[]}`)
		if l := e.lead(1698); l.PhoneNumber != "099267067" || !strings.Contains(l.Attributes, "36860117") {
			t.Fatalf("lead not updated: %+v", l)
		}
	})
}

func TestBadRequestsAnswerTheDocumentsErrorAndWriteNothing(t *testing.T) {
	e := newEnv(t, storetest.Open(t, storetest.SQLite))
	cases := []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		{"malformed json", "POST", base + "313/contacts", `{"name":`, 400, badFormat},
		{"no phone", "POST", base + "313/contacts", `{"name":"Ana","enable":true}`, 400, badFormat},
		{"no name", "POST", base + "313/contacts", `{"numcall":"123","enable":true}`, 400, badFormat},
		{"enable not a boolean", "POST", base + "313/contacts", `{"name":"Ana","numcall":"1","enable":"maybe"}`, 400, badFormat},
		{"info not an object", "POST", base + "313/contacts", `{"name":"Ana","numcall":"1","info":[1]}`, 400, badFormat},
		{"trailing data", "POST", base + "313/contacts", `{"name":"Ana","numcall":"1"}{}`, 400, badFormat},
		{"campaign not a number", "POST", base + "abc/contacts", `{"name":"Ana","numcall":"1"}`, 400, badFormat},
		{"unknown campaign", "POST", base + "999/contacts", `{"name":"Ana","numcall":"1"}`, 404, notFound},
		{"unknown contact", "GET", base + "313/contacts/99999", "", 404, notFound},
		{"put unknown contact", "PUT", base + "313/contacts/99999", `{"name":"Ana","numcall":"1"}`, 404, notFound},
		{"contact id not a number", "GET", base + "313/contacts/x1", "", 400, badFormat},
		{"bad state filter", "GET", base + "313/contacts?state=Lost", "", 400, badFormat},
		{"bad order", "GET", base + "313/contacts?order=up", "", 400, badFormat},
		{"bad start", "GET", base + "313/contacts?start=-1", "", 400, badFormat},
		{"bad date", "GET", base + "313/contacts/activity?saddtimestamp=yesterday", "", 400, badFormat},
		{"bad campaign state", "GET", base + "?state=Running", "", 400, badFormat},
		{"method not allowed", "DELETE", base + "313/contacts/1698", "", 405, `{"errrorCode":"Method_not_allowed"}`},
		{"too large", "POST", base + "313/contacts", `{"name":"` + strings.Repeat("a", 1<<16) + `","numcall":"1"}`, 413, `{"errrorCode":"Request_entity_too_large"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.expect(e.call(c.method, c.path, c.body), c.status, c.want)
		})
	}
	total, _, err := e.eng.CampaignContacts(e.ctx, core.ContactQuery{Campaign: "dialer313"})
	if err != nil || total != 1 {
		t.Fatalf("contacts after refusals: %d %v", total, err)
	}
	e.expect(e.call("GET", base+"313/contacts/1698", ""), 200, contact1698)
}

func TestContactListsFilterOrderAndPage(t *testing.T) {
	e := newEnv(t, storetest.Open(t, storetest.SQLite))
	for _, b := range []string{`{"name":"Ana","numcall":"5551","enable":true}`, `{"name":"Bruno","numcall":"5552","enable":false}`} {
		if r := e.call("POST", base+"313/contacts", b); r.status != 201 {
			t.Fatalf("add: %d %s", r.status, r.body)
		}
	}
	names := func(q string) string {
		r := e.call("GET", base+"313/contacts"+q, "")
		if r.status != 200 {
			t.Fatalf("%s: %d %s", q, r.status, r.body)
		}
		var out []string
		for _, part := range strings.Split(r.body, `"name":"`)[1:] {
			out = append(out, part[:strings.Index(part, `"`)])
		}
		total := r.body[len(`{"recordsTotal":`):strings.Index(r.body, ",")]
		return total + ":" + strings.Join(out, ",")
	}
	cases := map[string]string{
		"":                                  "3:Rodrigo,Ana,Bruno",
		"?order_by=name":                    "3:Ana,Bruno,Rodrigo",
		"?order_by=name&order=desc":         "3:Rodrigo,Bruno,Ana",
		"?order_by=numcall&start=1&limit=1": "3:Ana",
		"?like=rodri":                       "1:Rodrigo",
		"?like=5552":                        "1:Bruno",
		"?state=Canceled":                   "1:Bruno",
		"?state=Pending":                    "2:Rodrigo,Ana",
		"/activity?saddtimestamp=\"2017-11-10\"&eaddtimestamp=\"2017-11-10\"&order_by=timestampadd": "2:Ana,Bruno",
		"/activity?start=5": "3:",
	}
	for q, want := range cases {
		if got := names(q); got != want {
			t.Errorf("%q: got %s want %s", q, got, want)
		}
	}
}

// statelog, lastattempt and the state come from the calls the dialer placed.
func TestContactStateComesFromRealAttempts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		e := newEnv(t, st)
		first, answered := testNow.Add(-time.Hour), testNow.Add(-30*time.Minute)
		ended := first.Add(30 * time.Second)
		calls := []core.Call{
			{GUID: "att-1", Campaign: "dialer313", LeadID: 1698, Phone: "27111200", CreatedAt: first, EndedAt: &ended, Status: core.StatusNoAnswer},
			{GUID: "att-2", Campaign: "dialer313", LeadID: 1698, Phone: "27111200", CreatedAt: answered, AnsweredAt: &answered, EndedAt: &answered, Status: "SALE"},
		}
		for i := range calls {
			if err := st.Create(e.ctx, &calls[i]); err != nil {
				t.Fatal(err)
			}
		}
		l := e.lead(1698)
		l.Status, l.CalledCount = "SALE", 2
		if err := e.eng.UpdateLead(e.ctx, &l); err != nil {
			t.Fatal(err)
		}
		e.expect(e.call("GET", base+"313/contacts/1698", ""), 200,
			`{"attempttimestamp":"2017-11-10 18:20:13","enable":true,"id":1698,"idcall":1698,"info":{"ci":"3123456-0","correo":"rangles@expand.com.uy"},"lastattempt":"Answer","name":"Rodrigo","numcall":"27111200","state":"Completed",`+
				`"statelog":[{"timestamp":"2017-11-10 17:50:13","transition":"NoAnswer"},{"timestamp":"2017-11-10 18:20:13","transition":"Answer"}]}`)
		r := e.call("GET", base+"313/contacts/activity?state=Completed&sstimestamp=2017-11-10", "")
		if r.status != 200 || !strings.HasPrefix(r.body, `{"recordsTotal":1,`) || !strings.Contains(r.body, `"statetimestamp":"2017-11-10 18:50:13"`) {
			t.Fatalf("activity: %d %s", r.status, r.body)
		}
	})
}

func TestCampaignsListAndDetail(t *testing.T) {
	e := newEnv(t, storetest.Open(t, storetest.SQLite))
	e.expect(e.call("GET", base+"313", ""), 200,
		`{"id":313,"name":"dialer313","description":"eXpand Dialer campaign 313","state":"Active","type":"outbound","dialmode":"progressive","queue":"q_ven",`+
			`"schedule":{"startdate":"","enddate":"","starttime":"","endtime":""},"redial":{"retries":3,"interval":600}}`)
	e.expect(e.call("GET", base+"4242", ""), 404, notFound)
	r := e.call("GET", base+"?state=Active&order=desc&order_by=id", "")
	if r.status != 200 || !strings.HasPrefix(r.body, `[{"id":313,`) {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	r = e.call("GET", base+"?state=Stored", "")
	if r.status != 200 || strings.Contains(r.body, `"id":313`) {
		t.Fatalf("stored: %d %s", r.status, r.body)
	}
}
