package ucontact

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/callgate/callgate/pkg/store/storetest"
)

// Every form and JSON field of every endpoint: whatever arrives, the
// answer is a status with a body in the dialect's format, never a panic or
// a 5xx.
func FuzzIntegraForms(f *testing.F) {
	paths := []string{"api/DispositionCall", "admin/addblack", "admin/addblackbulk", "admin/deleteblack", "Dialers/Respool",
		"Dialers/ScheduleDialerCall", "Dialers/DialerTask", "Dialers/RemoveContact", "Dialers/RemoveScheduleDialerCall",
		"Dialers/uploadbase", "Cdr/getrecords", "Supervisor/campaignstatus", "Supervisor/convert", "Agents/HangupPhone", "Agents/TagRecord"}
	seeds := []string{
		"campaign=Ventas-%3E&agent=Agente1&callerid=1&guid=g&l1=Venta&l2=Agendar&schedule=2026-13-01+00%3A00%3A00",
		"blacklist=%7B%22phone%22%3A12%2C%22campaign%22%3A%22*%22%7D",
		"blacklist=%5B%7B%7D%2Cnull%5D",
		"callspool=%7B%22campaign%22%3A%22Ventas-%3E%22%2C%22destination%22%3A%22%22%7D",
		"call=%7B%22calldate%22%3A%22x%22%7D",
		"fileb64=QQ%3D%3D&campaign=Ventas-%3E",
		"filter=%7B%22mindur%22%3A%5B%5D%2C%22cont%22%3A%7B%7D%7D&lastrow=-1",
		"from=2026-01-01+00%3A00%3A00&to=2025-01-01+00%3A00%3A00&campaign=x&destination=1",
		"%zz=1&&=",
	}
	for i, s := range seeds {
		f.Add(uint8(i), s)
	}
	e := newEnv(f, storetest.Open(f, storetest.SQLite))
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		e := e.in(t)
		path := paths[int(which)%len(paths)]
		r := e.do(path, "application/x-www-form-urlencoded", body, func(r *http.Request) { r.SetBasicAuth("integra", "integra-demo") })
		if r.status >= 500 {
			t.Fatalf("%s %q: %d %q", path, body, r.status, r.body)
		}
		if r.status >= 400 && path != "api/DispositionCall" && path != "Agents/TagRecord" && r.body != "0" {
			t.Fatalf("%s %q: error body %q", path, body, r.body)
		}
	})
}

// The JSON objects decoded from form fields.
func FuzzDialerObject(f *testing.F) {
	for _, s := range []string{
		`{"calldate" : null, "campaign" : "Ventas->", "destination": "12-345-678", "alternatives": "", "agent" : "", "data": "idcustomer=7:name=Seba", "source": "source", "bulk" : false, "automatic" : true }`,
		`{"campaign":"Ventas->","destination":98344484,"contact":222,"retries":0,"priority":9999,"agentphone":1001}`,
		`{"campaign":1}`, `[]`, `{"data":"=:="}`,
	} {
		f.Add(s)
	}
	e := newEnv(f, storetest.Open(f, storetest.SQLite))
	f.Fuzz(func(t *testing.T, js string) {
		e := e.in(t)
		for _, p := range []string{"Dialers/DialerTask", "Dialers/Respool"} {
			field := map[string]string{"Dialers/DialerTask": "call", "Dialers/Respool": "callspool"}[p]
			r := e.post(p, url.Values{field: {js}})
			if r.status >= 500 || (r.status != 200) != (r.body == "0") {
				t.Fatalf("%s %q: %d %q", p, js, r.status, r.body)
			}
		}
		if strings.Count(js, "[") > 1000 {
			return
		}
		_, _ = decodeBlacklist([]byte(js), true)
		_, _ = decodeBlacklist([]byte(js), false)
	})
}
