package backend

import (
	"testing"

	"github.com/callgate/callgate/core"
)

// Whatever a backend answers, reading it gives a string or an error, never
// a panic; a SOAP fault is never read as a name.
func FuzzBackendAnswer(f *testing.F) {
	for _, s := range []string{
		`<?xml version="1.0"?><E:Envelope xmlns:E="http://schemas.xmlsoap.org/soap/envelope/"><E:Body><r><return>Juan</return></r></E:Body></E:Envelope>`,
		`<E:Envelope xmlns:E="x"><E:Body><E:Fault><faultstring>no</faultstring></E:Fault></E:Body></E:Envelope>`,
		`<?xml version="1.0" encoding="ISO-8859-1"?><Envelope><Body><r><return>Jos` + "\xe9" + `</return></r></Body></Envelope>`,
		`<Envelope><Body><r/></Body></Envelope>`, `"Juan"`, `Juan Perez`, ``, `<`, `<a><b>`,
	} {
		f.Add([]byte(s), true, 200)
		f.Add([]byte(s), false, 200)
	}
	f.Add([]byte("x"), false, 500)
	f.Fuzz(func(t *testing.T, body []byte, soap bool, status int) {
		c := config{SOAP: soap}
		s, err := c.answer(core.WebhookResponse{Status: status, Body: body})
		if err != nil && s != "" {
			t.Fatalf("error %v with answer %q", err, s)
		}
		if (status < 200 || status > 299) && err == nil {
			t.Fatalf("status %d read as an answer", status)
		}
	})
}

func TestSOAPAnswersAreReadWhateverThePrefixesAndCharset(t *testing.T) {
	cases := []struct{ body, want string }{
		{`<?xml version="1.0" encoding="ISO-8859-1"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body><ns1:getCallerIDNameResponse xmlns:ns1="urn:crm"><return xsi:type="xsd:string">Jos` + "\xe9" + ` P&#233;rez</return></ns1:getCallerIDNameResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>`, "José Pérez"},
		{`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header/><soap:Body><m:R xmlns:m="u"><m:name>Ana</m:name></m:R></soap:Body></soap:Envelope>`, "Ana"},
		{`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><m:R xmlns:m="u"/></soap:Body></soap:Envelope>`, ""},
	}
	for _, tc := range cases {
		got, err := config{SOAP: true}.answer(core.WebhookResponse{Status: 200, Body: []byte(tc.body)})
		if err != nil || got != tc.want {
			t.Errorf("answer %q, %v; want %q", got, err, tc.want)
		}
	}
	if _, err := (config{SOAP: true}).answer(core.WebhookResponse{Status: 200, Body: []byte(`<E:Envelope xmlns:E="e"><E:Body><E:Fault><faultcode>x</faultcode></E:Fault></E:Body></E:Envelope>`)}); err == nil {
		t.Error("a fault read as an answer")
	}
}
