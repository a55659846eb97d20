package soap_test

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/callgate/callgate/api/expand/soap"
)

// Request shapes real clients send (or may send) that must all reach the
// operation with the same parameters.
func TestRequestShapesBindToTheDeclaredParts(t *testing.T) {
	latin1 := []byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\"><SOAP-ENV:Body><m:sendSms xmlns:m=\"urn:apiws\"><authorizedKey>k</authorizedKey><msgId>0</msgId><msgData>Atenci\xf3n \xd1and\xfa</msgData><msgRecip>099</msgRecip></m:sendSms></SOAP-ENV:Body></SOAP-ENV:Envelope>")
	noDeclLatin1 := []byte("<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\"><SOAP-ENV:Body><sendSms><authorizedKey>k</authorizedKey><msgId>0</msgId><msgData>Atenci\xf3n \xd1and\xfa</msgData><msgRecip>099</msgRecip></sendSms></SOAP-ENV:Body></SOAP-ENV:Envelope>")
	sms := map[string]string{"authorizedKey": "k", "msgId": "0", "msgData": "Atención Ñandú", "msgRecip": "099"}
	pause := map[string]string{"authorizedKey": "k", "agent": "pperez", "queues": "q_ven,q_tec", "pauseDTMF": ""}
	tests := []struct {
		name        string
		body        []byte
		contentType string
		action      string
		op          string
		want        map[string]string
	}{
		{"genuine ISO-8859-1 bytes are transcoded", latin1, "text/xml", "", "sendSms", sms},
		{"the HTTP charset applies when the XML declares none", noDeclLatin1, "text/xml; charset=ISO-8859-1", "", "sendSms", sms},
		{"named parts in any order and letter case",
			envelope(`<ns1:originateCallStatus><ORIGINATEDID>e68af1aa</ORIGINATEDID><authorizedkey>k</authorizedkey></ns1:originateCallStatus>`), "", "", "originateCallStatus",
			map[string]string{"authorizedKey": "k", "originatedID": "e68af1aa"}},
		{"unknown names bind by position",
			envelope(`<ns1:originateCallStatus><autorizedkey>k</autorizedkey><id>e68af1aa</id></ns1:originateCallStatus>`), "", "", "originateCallStatus",
			map[string]string{"authorizedKey": "k", "originatedID": "e68af1aa"}},
		{"absent optional parts read as empty",
			envelope(`<ns1:queueData><Cola>q_ven</Cola><FechaInicio>2012-05-02 00:00:00</FechaInicio><FechaFin>2012-05-03 00:00:00</FechaFin></ns1:queueData>`), "", "", "queueData",
			map[string]string{"Cola": "q_ven", "Agente": "", "FechaInicio": "2012-05-02 00:00:00", "FechaFin": "2012-05-03 00:00:00"}},
		{"SOAP-ENC array of queues is joined with commas, nil optional is empty",
			envelope(`<ns1:pauseAgent><p0>k</p0><p1>pperez</p1><p2 xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/" xsi:type="SOAP-ENC:Array" SOAP-ENC:arrayType="xsd:string[2]"><item xsi:type="xsd:string">q_ven</item><item xsi:type="xsd:string">q_tec</item></p2><p3 xsi:nil="true"/></ns1:pauseAgent>`), "", "", "pauseAgent", pause},
		{"SOAP headers are skipped",
			[]byte(`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:apiws"><soapenv:Header><urn:auth><user>x</user></urn:auth></soapenv:Header><soapenv:Body><urn:statusSms><authorizedKey>k</authorizedKey><idSMS>12</idSMS></urn:statusSms></soapenv:Body></soapenv:Envelope>`), "", "", "statusSms",
			map[string]string{"authorizedKey": "k", "idSMS": "12"}},
		{"a SOAP 1.2 envelope is accepted",
			[]byte(`<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><statusSms xmlns="urn:other"><authorizedKey>k</authorizedKey><idSMS>12</idSMS></statusSms></env:Body></env:Envelope>`), "application/soap+xml; charset=utf-8", "", "statusSms",
			map[string]string{"authorizedKey": "k", "idSMS": "12"}},
		{"whitespace and CR/LF inside values are kept",
			envelope("<ns1:sendSms><authorizedKey>k</authorizedKey><msgId>0</msgId><msgData> a\r\nb\t</msgData><msgRecip>099 098</msgRecip></ns1:sendSms>"), "", "", "sendSms",
			map[string]string{"authorizedKey": "k", "msgId": "0", "msgData": " a\nb\t", "msgRecip": "099 098"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ops := &fakeOps{override: func(op string, _ soap.Params) (soap.Result, error) {
				o, _ := soap.LookupOperation(op)
				switch o.Return {
				case soap.XSDInt:
					return soap.Int(0), nil
				case soap.XSDBoolean:
					return soap.Bool(true), nil
				}
				return soap.String(""), nil
			}}
			srv := newServer(t, ops, soap.Options{})
			ct := tc.contentType
			if ct == "" {
				ct = "text/xml; charset=utf-8"
			}
			got := post(t, srv, tc.body, map[string]string{"Content-Type": ct, "SOAPAction": tc.action})
			if got.Status != 200 {
				t.Fatalf("status %d: %s", got.Status, got.Body)
			}
			c := ops.last(t)
			if c.Op != tc.op || !reflect.DeepEqual(c.Params.Values, tc.want) {
				t.Errorf("got %s %q, want %s %q", c.Op, c.Params.Values, tc.op, tc.want)
			}
		})
	}
}

// The response follows the request's style and echoes its namespace, as
// NuSOAP does; doc/lit is recognised by the doc/lit WSDL's soapAction when
// the body carries no encoding marks.
func TestResponseStyleAndNamespaceFollowTheRequest(t *testing.T) {
	plain := `<statusSms xmlns="urn:x-client"><authorizedKey>k</authorizedKey><idSMS>1</idSMS></statusSms>`
	encoded := `<ns1:statusSms><authorizedKey xsi:type="xsd:string">k</authorizedKey><idSMS xsi:type="xsd:string">1</idSMS></ns1:statusSms>`
	tests := []struct {
		name, body, action string
		style              soap.Style
		wrapper            string
	}{
		{"rpc without encoding marks (node-soap)", plain, `"urn:apiws#statusSms"`, soap.RPCEncoded, `<ns1:statusSmsResponse xmlns:ns1="urn:x-client"><return xsi:type="xsd:string">SENT</return>`},
		{"no SOAPAction at all", plain, ``, soap.RPCEncoded, `<ns1:statusSmsResponse xmlns:ns1="urn:x-client"><return xsi:type="xsd:string">SENT</return>`},
		{"doc/lit soapAction", plain, `"urn:apiws:doclit#statusSms"`, soap.DocLiteral, `<ns1:statusSmsResponse xmlns:ns1="urn:x-client"><return>SENT</return>`},
		{"encoding marks win over a doc/lit soapAction", encoded, `urn:apiws:doclit#statusSms`, soap.RPCEncoded, `<ns1:statusSmsResponse xmlns:ns1="urn:apiws"><return xsi:type="xsd:string">SENT</return>`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, f := soap.Decode(envelope(tc.body), "text/xml", tc.action, soap.DefaultLimits)
			if f != nil {
				t.Fatal(f)
			}
			if req.Style != tc.style {
				t.Errorf("style %v, want %v", req.Style, tc.style)
			}
			srv := newServer(t, &fakeOps{override: func(string, soap.Params) (soap.Result, error) { return soap.String("SENT"), nil }}, soap.Options{})
			got := post(t, srv, envelope(tc.body), map[string]string{"SOAPAction": tc.action})
			if !bytes.Contains(got.Body, []byte(tc.wrapper)) {
				t.Errorf("response lacks %s: %s", tc.wrapper, got.Body)
			}
			hasEnc := bytes.Contains(got.Body, []byte("SOAP-ENV:encodingStyle"))
			if hasEnc != (tc.style == soap.RPCEncoded) {
				t.Errorf("encodingStyle present=%v for %v: %s", hasEnc, tc.style, got.Body)
			}
		})
	}
}

func TestEmptyBodyDispatchesOnTheSOAPActionLikeNuSOAP(t *testing.T) {
	req, f := soap.Decode(envelope(""), "", `"urn:apiws#extensionPbx"`, soap.DefaultLimits)
	if f != nil {
		t.Fatal(f)
	}
	if req.Operation != "extensionPbx" || len(req.Args) != 0 {
		t.Fatalf("got %+v", req)
	}
}

// NuSOAP's escaping: only & ' " < > are replaced; CR/LF/TAB go out raw;
// characters XML cannot carry become U+FFFD instead of breaking the XML.
func TestResultTextIsEscapedAsNuSOAPDoes(t *testing.T) {
	got := soap.EncodeResponse(soap.RPCEncoded, "", "statusSms", soap.String("a&b'c\"d<e>f\r\ng\th\x01i\xffj"))
	want := `<return xsi:type="xsd:string">a&amp;b&apos;c&quot;d&lt;e&gt;f` + "\r\ng\th\uFFFDi\uFFFDj</return>"
	if !bytes.Contains(got, []byte(want)) {
		t.Fatalf("got %s", got)
	}
	if !bytes.Contains(got, []byte(`<statusSmsResponse><return`)) {
		t.Fatalf("an empty namespace must give an unqualified wrapper: %s", got)
	}
	got = soap.EncodeResponse(soap.RPCEncoded, "", "loginAgent", soap.Bool(false))
	if !bytes.Contains(got, []byte(`<return xsi:type="xsd:boolean">false</return>`)) {
		t.Fatalf("got %s", got)
	}
}
