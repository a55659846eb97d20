package rest

import (
	"testing"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

const lists = "external/lists/simple"

// The document's list examples as written, then the element life cycle,
// asserted on the core's lists as routing reads them.
func TestSimpleListExamplesAnswerAsTheDocument(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		e := newEnv(t, st)
		r := e.call("GET", lists, "")
		e.expect(r, 200, `{"data":[{"alias":"Vendedores","description":"Asocia CallerID de llamantes con extensiones de ejecutivos de venta. Mantenido por SAP.","id":1,"name":"vendedores","type":"simple"},`+
			`{"alias":"Cartera","description":"Asocia CallerID de llamantes con la extension del ejecutivo de cartera que debe atenderlo. Mantenido por SAP","id":2,"name":"cartera","type":"simple"}]}`)
		e.expect(e.call("GET", lists+"/cartera", ""), 200, `{"alias":"Cartera","description":"Asocia CallerID de llamantes con la extension del ejecutivo de cartera que debe atenderlo. Mantenido por SAP","id":2,"name":"cartera","type":"simple"}`)
		e.expect(e.call("GET", lists+"/cartera/elements", ""), 200, `{"data":[{"id":1,"key":"27111200","value":"200"}]}`)

		e.expect(e.call("POST", lists+"/cartera/elements", `{"key": "27126666", "value": "112"}`), 201, `{"id":2,"key":"27126666","value":"112"}`)
		if v, ok := e.eng.LookupSimpleList(e.ctx, "cartera", "27126666"); !ok || v != "112" {
			t.Fatalf("lookup after add: %q %v", v, ok)
		}
		e.expect(e.call("POST", lists+"/cartera/elements", `{"key": "27126666", "value": "999"}`), 409, `{"errrorCode":"Conflict"}`)
		e.expect(e.call("PUT", lists+"/cartera/elements/27126666", `{"value": "valor nuevo"}`), 200, `{"id":2,"key":"27126666","value":"valor nuevo"}`)
		e.expect(e.call("GET", lists+"/cartera/elements/27126666", ""), 200, `{"id":2,"key":"27126666","value":"valor nuevo"}`)
		e.expect(e.call("DELETE", lists+"/cartera/elements/27126666", ""), 200, `{"id":2,"key":"27126666","value":"valor nuevo"}`)
		if _, ok := e.eng.LookupSimpleList(e.ctx, "cartera", "27126666"); ok {
			t.Fatal("deleted key still found")
		}
		e.expect(e.call("GET", lists+"/cartera/elements/27126666", ""), 404, notFound)
	})
}

func TestSimpleListErrors(t *testing.T) {
	e := newEnv(t, storetest.Open(t, storetest.SQLite))
	cases := []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		{"unknown list", "GET", lists + "/nada", "", 404, notFound},
		{"elements of unknown list", "POST", lists + "/nada/elements", `{"key":"1","value":"2"}`, 404, notFound},
		{"malformed body", "POST", lists + "/cartera/elements", `{"key":`, 400, badFormat},
		{"no key", "POST", lists + "/cartera/elements", `{"value":"2"}`, 400, badFormat},
		{"key an object", "POST", lists + "/cartera/elements", `{"key":{},"value":"2"}`, 400, badFormat},
		{"put without value", "PUT", lists + "/cartera/elements/27111200", `{}`, 400, badFormat},
		{"put unknown key", "PUT", lists + "/cartera/elements/000", `{"value":"1"}`, 404, notFound},
		{"delete unknown key", "DELETE", lists + "/cartera/elements/000", "", 404, notFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.expect(e.call(c.method, c.path, c.body), c.status, c.want)
		})
	}
	if v, _ := e.eng.LookupSimpleList(e.ctx, "cartera", "27111200"); v != "200" {
		t.Fatalf("refusals changed the list: %q", v)
	}
}
