package soap_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/api/expand/soap"
)

// FuzzDecode: any body, Content-Type and SOAPAction either decode or give
// a client fault; nothing panics, the limits hold, decoding stays fast, and
// whatever decodes binds and encodes into well-formed XML.
func FuzzDecode(f *testing.F) {
	captures, _ := filepath.Glob(filepath.Join("testdata", "captures", "*.req.xml"))
	for _, c := range captures {
		b, err := os.ReadFile(c)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "text/xml; charset=utf-8", "urn:apiws#originateCall")
	}
	f.Add([]byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><e:Envelope xmlns:e=\"http://schemas.xmlsoap.org/soap/envelope/\"><e:Body><sendSms><a>\xf1</a></sendSms></e:Body></e:Envelope>"), "", "")
	f.Add(envelope(`<ns1:pauseAgent><a>k</a><b>x</b><c><item>q1</item><item>q2</item></c></ns1:pauseAgent>`), "text/xml; charset=latin1", `"urn:apiws:doclit#pauseAgent"`)
	f.Add(envelope(""), "", "urn:apiws#statusQueues")
	f.Add([]byte(`<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>`), "", "")

	lim := soap.Limits{MaxBytes: 64 << 10, MaxDepth: 16, MaxElements: 500}
	f.Fuzz(func(t *testing.T, body []byte, contentType, action string) {
		start := time.Now()
		req, fault := soap.Decode(body, contentType, action, lim)
		if elapsed := time.Since(start); elapsed > 2*time.Second {
			t.Fatalf("decoding %d bytes took %v", len(body), elapsed)
		}
		if fault != nil {
			if fault.Code != soap.FaultClient || req != nil {
				t.Fatalf("fault %+v with request %+v", fault, req)
			}
			wellFormed(t, soap.EncodeFault(fault))
			return
		}
		if req.Operation == "" {
			t.Fatal("decoded without an operation")
		}
		if len(req.Args) > lim.MaxElements {
			t.Fatalf("%d arguments beyond the element limit", len(req.Args))
		}
		op, ok := soap.LookupOperation(req.Operation)
		if !ok {
			return
		}
		params, bf := soap.Bind(op, req.Args)
		if bf != nil {
			wellFormed(t, soap.EncodeFault(bf))
			return
		}
		if len(params.Order) != len(op.Parts) {
			t.Fatalf("bound %d of %d parts", len(params.Order), len(op.Parts))
		}
		for _, style := range []soap.Style{soap.RPCEncoded, soap.DocLiteral} {
			wellFormed(t, soap.EncodeResponse(style, req.Namespace, op.Name, soap.String(strings.Join(req.ArgValues(), "|"))))
		}
	})
}

func wellFormed(t *testing.T, b []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return
			}
			t.Fatalf("encoder wrote malformed XML (%v): %q", err, b)
		}
	}
}
