package soap_test

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"

	"github.com/callgate/callgate/api/expand/soap"
	"github.com/callgate/callgate/soap/wsdl"
)

type attrName struct {
	Name string `xml:"name,attr"`
}

type wsdlDoc struct {
	TargetNamespace string `xml:"targetNamespace,attr"`
	Elements        []struct {
		Name   string `xml:"name,attr"`
		Fields []struct {
			Name      string `xml:"name,attr"`
			Type      string `xml:"type,attr"`
			MinOccurs string `xml:"minOccurs,attr"`
		} `xml:"complexType>sequence>element"`
	} `xml:"types>schema>element"`
	Messages []struct {
		Name  string `xml:"name,attr"`
		Parts []struct {
			Name string `xml:"name,attr"`
			Type string `xml:"type,attr"`
		} `xml:"part"`
	} `xml:"message"`
	PortOps []attrName `xml:"portType>operation"`
	Binding struct {
		SOAP struct {
			Style string `xml:"style,attr"`
		} `xml:"binding"`
		Ops []struct {
			Name string `xml:"name,attr"`
			Op   struct {
				Action string `xml:"soapAction,attr"`
			} `xml:"operation"`
			In struct {
				Use       string `xml:"use,attr"`
				Namespace string `xml:"namespace,attr"`
			} `xml:"input>body"`
		} `xml:"operation"`
	} `xml:"binding"`
	Address struct {
		Location string `xml:"location,attr"`
	} `xml:"service>port>address"`
}

func parseWSDL(t *testing.T, b []byte) wsdlDoc {
	t.Helper()
	var d wsdlDoc
	if err := xml.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// Both WSDL files describe exactly the handler's operation table: the 22
// operations of the document, their parts in order with their types, and
// the return type that decides what PHP and node clients get.
func TestWSDLFilesMatchTheOperationTable(t *testing.T) {
	table := soap.OperationTable()
	if len(table) != 22 {
		t.Fatalf("%d operations, the document has 22", len(table))
	}

	rpc := parseWSDL(t, wsdl.Raw(wsdl.RPCEncoded))
	doc := parseWSDL(t, wsdl.Raw(wsdl.DocLiteral))
	if rpc.Binding.SOAP.Style != "rpc" || doc.Binding.SOAP.Style != "document" {
		t.Fatalf("binding styles %q and %q", rpc.Binding.SOAP.Style, doc.Binding.SOAP.Style)
	}
	for _, d := range []wsdlDoc{rpc, doc} {
		if d.TargetNamespace != soap.DefaultNamespace || d.Address.Location != wsdl.Placeholder {
			t.Errorf("namespace %q location %q", d.TargetNamespace, d.Address.Location)
		}
		if len(d.PortOps) != len(table) || len(d.Binding.Ops) != len(table) {
			t.Errorf("%d portType and %d binding operations", len(d.PortOps), len(d.Binding.Ops))
		}
	}
	msgs := map[string][]string{}
	for _, m := range rpc.Messages {
		for _, p := range m.Parts {
			msgs[m.Name] = append(msgs[m.Name], p.Name+" "+p.Type)
		}
	}
	elems := map[string][]string{}
	for _, e := range doc.Elements {
		for _, f := range e.Fields {
			elems[e.Name] = append(elems[e.Name], f.Name+" "+f.Type+" "+f.MinOccurs)
		}
	}
	for i, op := range table {
		var wantRPC, wantDoc []string
		for _, p := range op.Parts {
			wantRPC = append(wantRPC, p.Name+" "+string(p.Type))
			min := ""
			if p.Optional {
				min = "0"
			}
			wantDoc = append(wantDoc, p.Name+" "+string(p.Type)+" "+min)
		}
		if got := msgs[op.Name+"Request"]; strings.Join(got, ",") != strings.Join(wantRPC, ",") {
			t.Errorf("rpc %s parts %v, want %v", op.Name, got, wantRPC)
		}
		if got := msgs[op.Name+"Response"]; len(got) != 1 || got[0] != "return "+string(op.Return) {
			t.Errorf("rpc %s return %v, want %s", op.Name, got, op.Return)
		}
		if got := elems[op.Name]; strings.Join(got, ",") != strings.Join(wantDoc, ",") {
			t.Errorf("doclit %s fields %v, want %v", op.Name, got, wantDoc)
		}
		if got := elems[op.Name+"Response"]; len(got) != 1 || got[0] != "return "+string(op.Return)+" " {
			t.Errorf("doclit %s return %v", op.Name, got)
		}
		rb, db := rpc.Binding.Ops[i], doc.Binding.Ops[i]
		if rpc.PortOps[i].Name != op.Name || rb.Name != op.Name || rb.Op.Action != "urn:apiws#"+op.Name || rb.In.Use != "encoded" || rb.In.Namespace != soap.DefaultNamespace {
			t.Errorf("rpc binding of %s: %+v", op.Name, rb)
		}
		if doc.PortOps[i].Name != op.Name || db.Name != op.Name || db.Op.Action != soap.DocLitActionPrefix+op.Name || db.In.Use != "literal" {
			t.Errorf("doclit binding of %s: %+v", op.Name, db)
		}
	}
}

// ?wsdl serves the rpc/encoded WSDL and ?wsdl=doclit the doc/lit one, with
// soap:address set to where the client reached the gateway: PHP
// SoapClient posts there, not to the URL it fetched.
func TestWSDLIsServedWithTheAddressTheClientReached(t *testing.T) {
	tests := []struct {
		name     string
		opt      soap.Options
		target   string
		headers  map[string]string
		status   int
		style    string
		location string
	}{
		{"?wsdl", soap.Options{}, "/apiws/2/apiws.php?wsdl", map[string]string{"Host": "pbx.example:8080"}, 200, "rpc", "http://pbx.example:8080/apiws/2/apiws.php"},
		{"?WSDL in capitals", soap.Options{}, "/apiws/2/apiws.php?WSDL", map[string]string{"Host": "10.0.0.7"}, 200, "rpc", "http://10.0.0.7/apiws/2/apiws.php"},
		{"?wsdl=doclit", soap.Options{}, "/apiws/2/apiws.php?wsdl=doclit", map[string]string{"Host": "pbx.example"}, 200, "document", "http://pbx.example/apiws/2/apiws.php"},
		{"the v1 path", soap.Options{}, "/apiws/1/apiws.php?wsdl", map[string]string{"Host": "pbx.example"}, 200, "rpc", "http://pbx.example/apiws/1/apiws.php"},
		{"behind a proxy", soap.Options{}, "/apiws/2/apiws.php?wsdl", map[string]string{"Host": "127.0.0.1:8080", "X-Forwarded-Host": "pbx.example, inner", "X-Forwarded-Proto": "https"}, 200, "rpc", "https://pbx.example/apiws/2/apiws.php"},
		{"configured base URL wins", soap.Options{BaseURL: "https://voice.example.com/"}, "/apiws/2/apiws.php?wsdl", map[string]string{"X-Forwarded-Host": "evil.example"}, 200, "rpc", "https://voice.example.com/apiws/2/apiws.php"},
		{"forged host is refused", soap.Options{}, "/apiws/2/apiws.php?wsdl", map[string]string{"X-Forwarded-Host": `x"/><evil a="`}, 400, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, &fakeOps{}, tc.opt)
			req, _ := http.NewRequest(http.MethodGet, srv.URL+tc.target, nil)
			for k, v := range tc.headers {
				if k == "Host" {
					req.Host = v
					continue
				}
				req.Header.Set(k, v)
			}
			got := do(t, req)
			if got.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", got.Status, tc.status, got.Body)
			}
			if tc.status != 200 {
				return
			}
			if got.ContentType != "text/xml; charset=UTF-8" {
				t.Errorf("Content-Type %q", got.ContentType)
			}
			d := parseWSDL(t, got.Body)
			if d.Binding.SOAP.Style != tc.style || d.Address.Location != tc.location {
				t.Errorf("style %q location %q, want %q %q", d.Binding.SOAP.Style, d.Address.Location, tc.style, tc.location)
			}
		})
	}
}

func TestOnlyPOSTCallsAndWSDLGetsAreServed(t *testing.T) {
	srv := newServer(t, &fakeOps{}, soap.Options{})
	for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
		req, _ := http.NewRequest(method, srv.URL+"/apiws/2/apiws.php", nil)
		got := do(t, req)
		if got.Status != http.StatusMethodNotAllowed || bytes.Contains(got.Body, []byte("Envelope")) {
			t.Errorf("%s: status %d body %s", method, got.Status, got.Body)
		}
	}
}
