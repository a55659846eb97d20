package rest

import (
	"testing"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

const outgoing = "external/outgoingcalls/call"

const addBody = `{
"queue": "tecnologia",
"phone": ["21232322","099999999"],
"contact": "Pedro",
"subject": "Confirmacion contrato ADSL",
"calldate" : "2016-11-10 15:00",
"expiration" : 0,
"agent" : "pperez",
"link": {
"nombre de link": "http://www.link.com"
}
}`

// The document's pending-call examples as written: create, get, modify,
// list, cancel; each checked on the core's callback.
func TestPendingCallExamplesAnswerAsTheDocument(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		e := newEnv(t, st)
		e.expect(e.call("POST", outgoing, addBody), 201, `{"callid":1}`)
		var cb core.Callback
		if err := st.First(e.ctx, &cb, core.Eq("id", 1)); err != nil || cb.Status != "ACTIVE" || cb.Agent != "pperez" || !cb.AgentOnly || cb.Phone != "21232322" {
			t.Fatalf("callback %+v %v", cb, err)
		}
		one := `{"id":1,"queue":"tecnologia","phone":["21232322","099999999"],"contact":"Pedro","subject":"Confirmacion contrato ADSL","calldate":"2016-11-10 15:00","expiration":%d,"agent":"pperez","status":"%s","link":{"nombre de link":"http://www.link.com"}}`
		e.expect(e.call("GET", outgoing+"/1", ""), 200, sprintf(one, 0, "PENDING"))
		put := `{"queue": "tecnologia","phone": ["21232322","099999999"],"contact": "Pedro","subject": "Confirmacion contrato ADSL","calldate" : "2016-11-10 15:00","expiration" : 86400,"agent" : "pperez","link": {"nombre de link": "http://www.link.com"}}`
		e.expect(e.call("PUT", outgoing+"/1", put), 200, `{"callid":1}`)
		// testNow (2017-11-10) is past 2016-11-10 15:00 + 86400 s: the notice expired.
		e.expect(e.call("GET", outgoing+"/1", ""), 200, sprintf(one, 86400, "EXPIRED"))
		e.expect(e.call("GET", outgoing+"/?agent=pperez&status=EXPIRED", ""), 200, `{"data":[`+sprintf(one, 86400, "EXPIRED")+`]}`)
		e.expect(e.call("GET", outgoing+"?phone=099999999&startdate=2016-11-10&enddate=2016-11-10", ""), 200, `{"data":[`+sprintf(one, 86400, "EXPIRED")+`]}`)
		e.expect(e.call("GET", outgoing+"?queue=q_ven", ""), 200, `{"data":[]}`)
		e.expect(e.call("DELETE", outgoing+"/1", ""), 200, `"ok"`)
		if err := st.First(e.ctx, &cb, core.Eq("id", 1)); err != nil || cb.Status != "INACTIVE" {
			t.Fatalf("canceled callback %+v %v", cb, err)
		}
		e.expect(e.call("GET", outgoing+"/1", ""), 200, sprintf(one, 86400, "CANCELED"))
		e.expect(e.call("PUT", outgoing+"/1", put), 409, `{"errrorCode":"Conflict"}`)
	})
}

func TestPendingCallRefusalsWriteNothing(t *testing.T) {
	e := newEnv(t, storetest.Open(t, storetest.SQLite))
	cases := []struct{ name, body string }{
		{"invalid queue", `{"queue":"nada","phone":["1"],"calldate":"2016-11-10 15:00","agent":"pperez"}`},
		{"invalid agent", `{"queue":"tecnologia","phone":["1"],"calldate":"2016-11-10 15:00","agent":"nadie"}`},
		{"invalid date", `{"queue":"tecnologia","phone":["1"],"calldate":"mañana","agent":"pperez"}`},
		{"no phone", `{"queue":"tecnologia","phone":[],"calldate":"2016-11-10 15:00"}`},
		{"negative expiration", `{"queue":"tecnologia","phone":"1","calldate":"2016-11-10 15:00","expiration":-1}`},
		{"malformed", `{"queue":`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.expect(e.call("POST", outgoing, c.body), 400, badFormat)
		})
	}
	var n int64
	n, _ = e.st.Count(e.ctx, &core.Callback{}, core.All)
	if n != 0 {
		t.Fatalf("%d callbacks after refusals", n)
	}
	e.expect(e.call("GET", outgoing+"/77", ""), 404, notFound)
	e.expect(e.call("DELETE", outgoing+"/77", ""), 404, notFound)
	e.expect(e.call("GET", outgoing+"?status=LOST", ""), 400, badFormat)
}
