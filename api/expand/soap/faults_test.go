package soap_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/callgate/callgate/api/expand/soap"
)

const envOpen = `<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="urn:apiws" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><SOAP-ENV:Body>`
const envClose = `</SOAP-ENV:Body></SOAP-ENV:Envelope>`

func envelope(body string) []byte { return []byte(envOpen + body + envClose) }

// Bad requests answer HTTP 500 with a NuSOAP-shaped SOAP-ENV:Fault and
// never reach the operations.
func TestBadRequestsAnswerNuSOAPFaultsWithoutCallingTheOperation(t *testing.T) {
	small := soap.Options{Limits: soap.Limits{MaxBytes: 600}}
	shallow := soap.Options{Limits: soap.Limits{MaxDepth: 5}}
	few := soap.Options{Limits: soap.Limits{MaxElements: 20}}
	tests := []struct {
		name   string
		opt    soap.Options
		body   []byte
		action string
		code   string
		text   string
	}{
		{"malformed XML", soap.Options{}, []byte(envOpen + `<ns1:originateCallStatus><authorizedKey>k</authorizedKey>`), "", "SOAP-ENV:Client", "error in msg parsing"},
		{"not XML at all", soap.Options{}, []byte("authorizedKey=k&originatedID=1"), "", "SOAP-ENV:Client", "error in msg parsing"},
		{"not a SOAP envelope", soap.Options{}, []byte(`<?xml version="1.0"?><originateCallStatus><authorizedKey>k</authorizedKey></originateCallStatus>`), "", "SOAP-ENV:Client", "not a SOAP Envelope"},
		{"envelope without body", soap.Options{}, []byte(`<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"></SOAP-ENV:Envelope>`), "", "SOAP-ENV:Client", "has no Body"},
		{"empty body and no SOAPAction", soap.Options{}, envelope(""), "", "SOAP-ENV:Client", "names no operation"},
		{"unknown operation", soap.Options{}, envelope(`<ns1:dropDatabase><authorizedKey>k</authorizedKey></ns1:dropDatabase>`), "", "SOAP-ENV:Client", "Operation &apos;dropDatabase&apos; is not defined in the WSDL for this service"},
		{"operation names are case-sensitive", soap.Options{}, envelope(`<ns1:OriginateCallStatus><a>k</a><b>1</b></ns1:OriginateCallStatus>`), "", "SOAP-ENV:Client", "is not defined in the WSDL"},
		{"missing parameter", soap.Options{}, envelope(`<ns1:originateCallStatus><authorizedKey>k</authorizedKey></ns1:originateCallStatus>`), "", "SOAP-ENV:Client", "missing parameter &apos;originatedID&apos;"},
		{"nil required parameter", soap.Options{}, envelope(`<ns1:originateCallStatus><authorizedKey>k</authorizedKey><originatedID xsi:nil="true"/></ns1:originateCallStatus>`), "", "SOAP-ENV:Client", "missing parameter &apos;originatedID&apos;"},
		{"wrong type", soap.Options{}, envelope(`<ns1:originateCall><authorizedKey>k</authorizedKey><src>1</src><srcCallerID/><dst>2</dst><dstCallerID/><timeout xsi:type="xsd:int">soon</timeout><callinfo/></ns1:originateCall>`), "", "SOAP-ENV:Client", "must be an xsd:int"},
		{"too many parameters", soap.Options{}, envelope(`<ns1:statusSms><a>k</a><b>1</b><c>2</c></ns1:statusSms>`), "", "SOAP-ENV:Client", "takes 2 parameters, 3 were sent"},
		{"multi-reference values", soap.Options{}, envelope(`<ns1:statusSms><authorizedKey href="#id1"/><idSMS>1</idSMS></ns1:statusSms>`), "", "SOAP-ENV:Client", "href"},
		{"DTD", soap.Options{}, []byte(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body/></SOAP-ENV:Envelope>`), "", "SOAP-ENV:Client", "DTD"},
		{"oversized body", small, envelope(`<ns1:statusSms><authorizedKey>` + strings.Repeat("k", 700) + `</authorizedKey><idSMS>1</idSMS></ns1:statusSms>`), "", "SOAP-ENV:Client", "exceeds 600 bytes"},
		{"too deep", shallow, envelope(`<ns1:statusSms><a><b><c><d>k</d></c></b></a><idSMS>1</idSMS></ns1:statusSms>`), "", "SOAP-ENV:Client", "nesting exceeds 5 levels"},
		{"too many elements", few, envelope(`<ns1:pauseAgent><authorizedKey>k</authorizedKey><agent>a</agent><queues>` + strings.Repeat("<item>q</item>", 30) + `</queues></ns1:pauseAgent>`), "", "SOAP-ENV:Client", "more than 20 elements"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ops := &fakeOps{}
			srv := newServer(t, ops, tc.opt)
			got := post(t, srv, tc.body, map[string]string{"SOAPAction": tc.action})
			if got.Status != 500 {
				t.Fatalf("status %d, want 500: %s", got.Status, got.Body)
			}
			if !bytes.Contains(got.Body, []byte(`<faultcode xsi:type="xsd:string">`+tc.code+`</faultcode>`)) {
				t.Errorf("fault code is not %s: %s", tc.code, got.Body)
			}
			if !bytes.Contains(got.Body, []byte(tc.text)) {
				t.Errorf("fault string lacks %q: %s", tc.text, got.Body)
			}
			if ops.count() != 0 {
				t.Error("the operation was called")
			}
			checkGolden(t, "fault_"+strings.ReplaceAll(tc.name, " ", "_"), got.golden())
		})
	}
}

// Failures of the operations themselves: a *Fault is sent as given, any
// other error and a result of the wrong type become a Server fault that
// does not leak the error text.
func TestOperationFailuresBecomeServerFaultsWithoutInternalText(t *testing.T) {
	req := envelope(`<ns1:statusSms><authorizedKey>k</authorizedKey><idSMS>7</idSMS></ns1:statusSms>`)
	tests := []struct {
		name   string
		answer func(string, soap.Params) (soap.Result, error)
		code   string
		text   string
	}{
		{"plain error", func(string, soap.Params) (soap.Result, error) {
			return soap.Result{}, errors.New("dial tcp 10.0.0.5:3306: secret detail")
		}, "SOAP-ENV:Server", "internal error"},
		{"fault chosen by the operation", func(string, soap.Params) (soap.Result, error) {
			return soap.Result{}, &soap.Fault{Code: soap.FaultClient, String: "SMS module disabled", Detail: "sms"}
		}, "SOAP-ENV:Client", "SMS module disabled"},
		{"result of the wrong type", func(string, soap.Params) (soap.Result, error) {
			return soap.Int(1), nil
		}, "SOAP-ENV:Server", "internal error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, &fakeOps{override: tc.answer}, soap.Options{})
			got := post(t, srv, req, nil)
			if got.Status != 500 || !bytes.Contains(got.Body, []byte(tc.code)) || !bytes.Contains(got.Body, []byte(tc.text)) {
				t.Fatalf("status %d body %s", got.Status, got.Body)
			}
			if bytes.Contains(got.Body, []byte("secret")) {
				t.Error("the error text leaked into the fault")
			}
			checkGolden(t, "opfault_"+strings.ReplaceAll(tc.name, " ", "_"), got.golden())
		})
	}
}

// Business errors such as a wrong key are normal answers carrying the
// document's code, not faults.
func TestWrongKeyIsANormalAnswerNotAFault(t *testing.T) {
	srv := newServer(t, &fakeOps{}, soap.Options{})
	got := post(t, srv, envelope(`<ns1:originateCallStatus><authorizedKey>bad</authorizedKey><originatedID>e68af1aa</originatedID></ns1:originateCallStatus>`), nil)
	if got.Status != 200 || !bytes.Contains(got.Body, []byte(`<return xsi:type="xsd:int">-1</return>`)) {
		t.Fatalf("status %d body %s", got.Status, got.Body)
	}
}

func TestCancelledRequestContextReachesTheOperation(t *testing.T) {
	seen := make(chan error, 1)
	ops := &ctxOps{seen: seen}
	srv := newServer(t, ops, soap.Options{})
	post(t, srv, envelope(`<ns1:statusSms><authorizedKey>k</authorizedKey><idSMS>7</idSMS></ns1:statusSms>`), nil)
	if err := <-seen; err != nil {
		t.Fatalf("context already done during the call: %v", err)
	}
}

type ctxOps struct{ seen chan error }

func (o *ctxOps) Call(ctx context.Context, _ string, _ soap.Params) (soap.Result, error) {
	o.seen <- ctx.Err()
	return soap.String("SENT"), nil
}

// A body streamed without Content-Length is cut at the limit too.
func TestOversizedStreamedBodyIsAFault(t *testing.T) {
	ops := &fakeOps{}
	srv := newServer(t, ops, soap.Options{Limits: soap.Limits{MaxBytes: 600}})
	body := envelope(`<ns1:statusSms><authorizedKey>` + strings.Repeat("k", 5000) + `</authorizedKey><idSMS>1</idSMS></ns1:statusSms>`)
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/apiws/2/apiws.php", io.MultiReader(bytes.NewReader(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = -1
	got := do(t, req)
	if got.Status != 500 || !bytes.Contains(got.Body, []byte("exceeds 600 bytes")) || ops.count() != 0 {
		t.Fatalf("status %d body %s", got.Status, got.Body)
	}
}
