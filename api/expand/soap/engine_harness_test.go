package soap_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/api/expand/soap"
	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/core/clocktest"
	"github.com/callgate/callgate/pkg/demo"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

// engEpoch is the fake clock's start: the date of the document's report
// examples, so dates in golden files are stable.
var engEpoch = time.Date(2012, 4, 1, 0, 2, 44, 0, time.UTC)

// engEnv is the SOAP endpoint over a real engine: demo data on a real
// store, the simulated PBX and a fake clock.
type engEnv struct {
	t   *testing.T
	ctx context.Context
	st  core.Store
	pbx *sim.PBX
	clk *clocktest.Clock
	eng *core.Engine
	srv *httptest.Server
}

func newEngEnv(t *testing.T, st core.Store, tune ...func(*core.Options, *sim.PBX)) *engEnv {
	t.Helper()
	ctx := context.Background()
	if err := demo.Seed(ctx, st); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	clk := clocktest.New(engEpoch)
	pbx := sim.New("sim-1")
	pbx.UseClock(clk)
	opt := core.Options{Store: st, Tel: pbx, Logger: log, Clock: clk, DialerInterval: time.Hour, Seed: 1}
	for _, f := range tune {
		f(&opt, pbx)
	}
	eng := core.New(opt)
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = eng.Stop(sctx)
		_ = pbx.Close()
	})
	e := &engEnv{t: t, ctx: ctx, st: st, pbx: pbx, clk: clk, eng: eng}
	e.srv = newServer(t, soap.NewOperations(eng, log), soap.Options{Logger: log})
	return e
}

// settle waits until the engine and the PBX have nothing left to do.
func (e *engEnv) settle() {
	for {
		before := e.pbx.Flush()
		e.eng.Settle()
		if e.pbx.Flush() == before {
			return
		}
	}
}

// advance moves the fake clock one due timer at a time.
func (e *engEnv) advance(d time.Duration) {
	e.settle()
	for d > 0 {
		step, ok := e.clk.NextIn()
		if !ok || step > d {
			step = d
		}
		e.clk.Advance(step)
		e.settle()
		d -= step
	}
}

// rpc sends op as PHP SoapClient does in WSDL mode (rpc/encoded, parts by
// name with xsi:type) and returns the answer once the engine settled.
func (e *engEnv) rpc(op string, args ...string) answer {
	e.t.Helper()
	o, ok := soap.LookupOperation(op)
	if !ok {
		e.t.Fatalf("no operation %s", op)
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="urn:apiws" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/" SOAP-ENV:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><SOAP-ENV:Body><ns1:` + op + `>`)
	for i, v := range args {
		p := o.Parts[i]
		fmt.Fprintf(&b, `<%s xsi:type="%s">`, p.Name, p.Type)
		_ = xml.EscapeText(&b, []byte(v))
		fmt.Fprintf(&b, `</%s>`, p.Name)
	}
	b.WriteString(`</ns1:` + op + `></SOAP-ENV:Body></SOAP-ENV:Envelope>`)
	a := post(e.t, e.srv, []byte(b.String()), map[string]string{"SOAPAction": `"urn:apiws#` + op + `"`})
	e.settle()
	return a
}

// ret is the text of the answer's return part; the test fails on a fault.
func (e *engEnv) ret(a answer) string {
	e.t.Helper()
	if a.Status != http.StatusOK {
		e.t.Fatalf("HTTP %d: %s", a.Status, a.Body)
	}
	return returnText(e.t, a.Body)
}

func returnText(t *testing.T, body []byte) string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := d.Token()
		if err != nil {
			t.Fatalf("no return part in %s: %v", body, err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "return" {
			var s string
			if err := d.DecodeElement(&s, &se); err != nil {
				t.Fatal(err)
			}
			return s
		}
	}
}

const demoKey = demo.ExpandKey
