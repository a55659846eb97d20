package soap_test

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/callgate/callgate/api/expand/soap"
)

var originateArgs = map[string]string{
	"authorizedKey": "goodkey", "src": "100", "srcCallerID": "Ana", "dst": "099123456",
	"dstCallerID": "Bob", "timeout": "30", "callinfo": "info<&>",
}

// Every request captured from a real legacy client, replayed through the
// handler: the parameters the operation receives are asserted and the
// response pinned.
func TestCapturedClientRequestsReachTheOperationWithTheirParameters(t *testing.T) {
	tests := []struct {
		capture    string
		soapAction string
		op         string
		params     map[string]string
		golden     string
	}{
		{"php_soapclient_wsdl_rpcenc_originateCall.req.xml", `"urn:apiws#originateCall"`, "originateCall", originateArgs, "capture_php_wsdl_originateCall"},
		{"node_soap_rpcenc_originateCall.req.xml", `"urn:apiws#originateCall"`, "originateCall", originateArgs, "capture_node_soap_originateCall"},
		// PHP SoapClient without a WSDL names the parts param0, param1: bound by position.
		{"php_soapclient_nowsdl_param0_originateCallStatus.req.xml", `"urn:apiws#originateCallStatus"`, "originateCallStatus",
			map[string]string{"authorizedKey": "goodkey", "originatedID": "42"}, "capture_php_nowsdl_originateCallStatus"},
		// The NuSOAP client declares ISO-8859-1 but sends UTF-8 bytes: read as UTF-8.
		{"nusoap_client_latin1decl_utf8bytes_sendSms.req.xml", `"urn:apiws#sendSms"`, "sendSms",
			map[string]string{"authorizedKey": "goodkey", "msgId": "0", "msgData": "Atención: términos y condiciones", "msgRecip": "099123456"}, "capture_nusoap_latin1decl_sendSms"},
	}
	for _, tc := range tests {
		t.Run(tc.capture, func(t *testing.T) {
			ops := &fakeOps{}
			srv := newServer(t, ops, soap.Options{})
			got := post(t, srv, readCapture(t, tc.capture), map[string]string{"SOAPAction": tc.soapAction})
			if got.Status != 200 {
				t.Fatalf("status %d: %s", got.Status, got.Body)
			}
			c := ops.last(t)
			if c.Op != tc.op {
				t.Errorf("operation %q, want %q", c.Op, tc.op)
			}
			if !reflect.DeepEqual(c.Params.Values, tc.params) {
				t.Errorf("params %q, want %q", c.Params.Values, tc.params)
			}
			op, _ := soap.LookupOperation(tc.op)
			for i, p := range op.Parts {
				if c.Params.Order[i] != p.Name {
					t.Errorf("param order %v does not follow the WSDL", c.Params.Order)
					break
				}
			}
			checkGolden(t, tc.golden, got.golden())
		})
	}
}

// PHP SoapClient's positional call made against a doc/lit WSDL loses the
// key and writes a second Body child (research §4.3). NuSOAP would answer
// -1; the gateway says what is missing and never calls the operation.
func TestPositionalCallAgainstDocLitWSDLIsAFaultNamingTheMissingPart(t *testing.T) {
	ops := &fakeOps{}
	srv := newServer(t, ops, soap.Options{})
	got := post(t, srv, readCapture(t, "php_soapclient_POSITIONAL_vs_DOCLIT_broken.req.xml"), map[string]string{"SOAPAction": `"urn:apiws:doclit#originateCallStatus"`})
	if got.Status != 500 {
		t.Fatalf("status %d, want 500", got.Status)
	}
	if !bytes.Contains(got.Body, []byte("missing parameter &apos;authorizedKey&apos;")) {
		t.Errorf("fault does not name the missing part: %s", got.Body)
	}
	if ops.count() != 0 {
		t.Error("the operation was called")
	}
	checkGolden(t, "capture_php_positional_vs_doclit", got.golden())
}

// The gateway's rpc/encoded answers are NuSOAP's bytes: the UTF-8 NuSOAP
// server's capture exactly, and the default (ISO-8859-1) server's with only
// the declared charset changed, since the gateway always answers UTF-8.
func TestResponsesAreByteIdenticalToNuSOAP(t *testing.T) {
	ops := &fakeOps{}
	srv := newServer(t, ops, soap.Options{})

	t.Run("cdrData against NuSOAP UTF-8", func(t *testing.T) {
		req := []byte(`<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="urn:apiws" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" SOAP-ENV:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><SOAP-ENV:Body><ns1:cdrData><authorizedKey xsi:type="xsd:string">goodkey</authorizedKey><uniqueid xsi:type="xsd:string"></uniqueid><inicio xsi:type="xsd:string">2024-01-01 00:00:00</inicio><fin xsi:type="xsd:string">2024-01-02 00:00:00</fin></ns1:cdrData></SOAP-ENV:Body></SOAP-ENV:Envelope>`)
		got := post(t, srv, req, nil)
		for _, capture := range []string{"nusoap_utf8_server_cdrData.resp.http", "go_proto_cdrData.resp.http"} {
			want := httpBody(t, readCapture(t, capture))
			if !bytes.Equal(got.Body, want) {
				t.Errorf("body differs from %s\n got: %s\nwant: %s", capture, got.Body, want)
			}
		}
		if got.ContentType != "text/xml; charset=UTF-8" {
			t.Errorf("Content-Type %q", got.ContentType)
		}
	})

	t.Run("originateCallStatus against default NuSOAP", func(t *testing.T) {
		got := post(t, srv, readCapture(t, "php_soapclient_nowsdl_param0_originateCallStatus.req.xml"), nil)
		want := toUTF8Decl(httpBody(t, readCapture(t, "nusoap_default_server_originateCallStatus.resp.http")))
		if !bytes.Equal(got.Body, want) {
			t.Errorf("\n got: %s\nwant: %s", got.Body, want)
		}
	})

	// PHP SoapClient against a NuSOAP WSDL with namespace="" sends
	// xmlns:ns1="": the answer's wrapper is unqualified, as NuSOAP's.
	for i, x := range parseWire(t, readCapture(t, "php_soapclient_vs_nusoap_default_nonamespace.wire.txt")) {
		t.Run(x.Title, func(t *testing.T) {
			got := post(t, srv, x.Request, nil)
			want := toUTF8Decl(x.Response)
			if !bytes.Equal(got.Body, want) {
				t.Errorf("exchange %d\n got: %s\nwant: %s", i, got.Body, want)
			}
		})
	}
}
