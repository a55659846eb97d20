package backend

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/net/html/charset"

	"github.com/callgate/callgate/core"
)

// The three webservices the customer's backend implements, with their
// parameters named and ordered as eXpand's document writes them.
const (
	opCallerName = "getCallerIDName"
	opPush       = "pushAgentInfo"
	opIVRCode    = "IVRCode"
)

type param struct{ name, value string }

// request renders one call of method on the backend, REST or SOAP.
func (c config) request(method string, params []param) core.WebhookRequest {
	r := core.WebhookRequest{Topic: Dialect + "." + method, Origin: Dialect, Method: "POST", Timeout: c.Timeout}
	if c.User != "" {
		r.Headers = map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(c.User+":"+c.Password))}
	}
	if c.SOAP {
		if r.Headers == nil {
			r.Headers = map[string]string{}
		}
		r.URL = c.URL
		r.ContentType = "text/xml; charset=UTF-8"
		r.Headers["SOAPAction"] = `"` + c.Namespace + "#" + method + `"`
		r.Body = soapRequest(c.Namespace, method, params)
		return r
	}
	r.URL = strings.TrimRight(c.URL, "/") + "/" + method
	r.ContentType = "application/x-www-form-urlencoded"
	r.Body = formBody(params)
	return r
}

// formBody encodes the parameters in the document's order.
func formBody(params []param) []byte {
	var b strings.Builder
	for i, p := range params {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(p.name) + "=" + url.QueryEscape(p.value))
	}
	return []byte(b.String())
}

// soapRequest is a SOAP 1.1 rpc/encoded call as NuSOAP (eXpand's own PHP
// client) writes it: the operation element in its namespace, one
// xsd:string part per parameter.
func soapRequest(ns, method string, params []param) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>`)
	b.WriteString(`<SOAP-ENV:Envelope SOAP-ENV:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"` +
		` xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema"` +
		` xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/">`)
	b.WriteString(`<SOAP-ENV:Body><ns1:` + method + ` xmlns:ns1="` + escape(ns) + `">`)
	for _, p := range params {
		b.WriteString(`<` + p.name + ` xsi:type="xsd:string">` + escape(p.value) + `</` + p.name + `>`)
	}
	b.WriteString(`</ns1:` + method + `></SOAP-ENV:Body></SOAP-ENV:Envelope>`)
	return b.Bytes()
}

func escape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(strings.ToValidUTF8(s, "")))
	return b.String()
}

// errFault: the backend answered with a SOAP fault or an error status.
var errFault = errors.New("backend refused the call")

// answer reads a backend's string answer: the body of a 2xx REST answer
// (a JSON string is decoded), or the return part of a SOAP response.
func (c config) answer(resp core.WebhookResponse) (string, error) {
	if resp.Status < 200 || resp.Status > 299 {
		return "", fmt.Errorf("%w: HTTP %d", errFault, resp.Status)
	}
	if c.SOAP {
		return soapReturn(resp.Body)
	}
	s := strings.TrimSpace(string(resp.Body))
	var js string
	if strings.HasPrefix(s, `"`) && json.Unmarshal([]byte(s), &js) == nil {
		return js, nil
	}
	return s, nil
}

// soapReturn finds the first part of the Body's first element (the
// operation's Response), whatever the names and prefixes; a Fault is an
// error.
func soapReturn(body []byte) (string, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.CharsetReader = charset.NewReaderLabel // PHP backends often answer in ISO-8859-1
	depth, inBody := 0, false
	for {
		tok, err := d.Token()
		if err != nil {
			return "", fmt.Errorf("%w: not a SOAP response (%v)", errFault, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case !inBody && t.Name.Local == "Body":
				inBody = true
				depth = 0
			case inBody && depth == 1 && t.Name.Local == "Fault":
				return "", fmt.Errorf("%w: SOAP fault", errFault)
			case inBody && depth == 2:
				var s string
				if err := d.DecodeElement(&s, &t); err != nil {
					return "", fmt.Errorf("%w: return part (%v)", errFault, err)
				}
				return s, nil
			}
		case xml.EndElement:
			depth--
			if inBody && depth < 0 {
				return "", nil // an empty response element: no return
			}
		}
	}
}
