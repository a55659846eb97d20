// Package wsdl holds the WSDL documents of the eXpand apiws.php dialect and
// a Go client generated from the document/literal one.
//
// apiws_rpcenc.wsdl is what /apiws/2/apiws.php?wsdl serves: SOAP 1.1
// rpc/encoded, laid out as NuSOAP 0.9.5 writes it, because the legacy
// clients (PHP SoapClient with positional arguments above all) only work
// against an rpc binding. apiws_doclit.wsdl (?wsdl=doclit) describes the
// same 22 operations as document/literal wrapped for toolkits that refuse
// SOAP encoding (gowsdl, JAX-WS, WCF); client.go is generated from it.
//
// Both files carry the placeholder address http://localhost/apiws/2/apiws.php;
// Render swaps it for the address the caller reached, since PHP SoapClient
// posts to soap:address and not to the URL it fetched the WSDL from.
package wsdl

//go:generate go run github.com/hooklift/gowsdl/cmd/gowsdl -d .. -p wsdl -o client.go apiws_doclit.wsdl

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"
)

// Style names one of the two WSDL documents.
type Style int

const (
	// RPCEncoded is the NuSOAP-shaped rpc/encoded WSDL, the default.
	RPCEncoded Style = iota
	// DocLiteral is the document/literal wrapped WSDL of the same operations.
	DocLiteral
)

// Placeholder is the soap:address location written in both files.
const Placeholder = "http://localhost/apiws/2/apiws.php"

var (
	//go:embed apiws_rpcenc.wsdl
	rpcEncoded []byte
	//go:embed apiws_doclit.wsdl
	docLiteral []byte
)

// Raw returns the embedded document of the style, placeholder address
// included. The slice must not be modified.
func Raw(s Style) []byte {
	if s == DocLiteral {
		return docLiteral
	}
	return rpcEncoded
}

// Render returns the document of the style with soap:address set to
// location (an absolute URL such as http://pbx.example/apiws/2/apiws.php).
// The location is attribute-escaped because it is built from request
// headers a client controls.
func Render(s Style, location string) ([]byte, error) {
	if !strings.HasPrefix(location, "http://") && !strings.HasPrefix(location, "https://") {
		return nil, fmt.Errorf("wsdl: location %q is not an http(s) URL", location)
	}
	doc := Raw(s)
	old := []byte(`location="` + Placeholder + `"`)
	if bytes.Count(doc, old) != 1 {
		return nil, fmt.Errorf("wsdl: placeholder address missing from the embedded document")
	}
	return bytes.Replace(doc, old, []byte(`location="`+escapeAttr(location)+`"`), 1), nil
}

func escapeAttr(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(s)
}
