package soap

import (
	"strings"
	"unicode/utf8"
)

// The envelope start NuSOAP 0.9.x writes for every rpc/encoded response:
// its four namespaces in its order, encodingStyle on the Envelope, no
// newline after the XML declaration. Responses are always UTF-8 (see doc.go).
const (
	xmlDecl       = `<?xml version="1.0" encoding="UTF-8"?>`
	envNamespaces = ` xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/"`
	encStyleAttr  = ` SOAP-ENV:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"`
	envEnd        = `</SOAP-ENV:Body></SOAP-ENV:Envelope>`

	// DefaultNamespace answers doc/lit requests that came without one:
	// a literal response element must be in the schema's namespace.
	DefaultNamespace = "urn:apiws"
)

// EncodeResponse writes the answer to an operation as NuSOAP does:
//
//	<ns1:{op}Response xmlns:ns1="{request namespace}"><return xsi:type="xsd:…">…</return></ns1:{op}Response>
//
// with an unqualified wrapper when the request's namespace was empty. The
// document/literal variant drops encodingStyle and xsi:type and always
// qualifies the wrapper.
func EncodeResponse(style Style, namespace, operation string, res Result) []byte {
	var b strings.Builder
	b.Grow(len(xmlDecl) + len(envNamespaces) + len(encStyleAttr) + 2*len(operation) + len(res.value) + 200)
	b.WriteString(xmlDecl)
	b.WriteString(`<SOAP-ENV:Envelope`)
	if style == RPCEncoded {
		b.WriteString(encStyleAttr)
	}
	b.WriteString(envNamespaces)
	b.WriteString(`><SOAP-ENV:Body>`)
	if style == DocLiteral && namespace == "" {
		namespace = DefaultNamespace
	}
	wrapper := operation + "Response"
	if namespace != "" {
		wrapper = "ns1:" + wrapper
		b.WriteString("<" + wrapper + ` xmlns:ns1="` + escape(namespace) + `">`)
	} else {
		b.WriteString("<" + wrapper + ">")
	}
	if style == RPCEncoded {
		b.WriteString(`<return xsi:type="` + string(res.kind) + `">`)
	} else {
		b.WriteString(`<return>`)
	}
	b.WriteString(escape(res.value))
	b.WriteString(`</return></` + wrapper + `>`)
	b.WriteString(envEnd)
	return []byte(b.String())
}

// FaultCode is a SOAP 1.1 fault code, written with NuSOAP's prefix.
type FaultCode string

// The codes the handler uses.
const (
	FaultClient FaultCode = "SOAP-ENV:Client"
	FaultServer FaultCode = "SOAP-ENV:Server"
)

// Fault is a SOAP fault. Operations may return one (as an error) to choose
// the fault themselves; any other error becomes a generic Server fault.
type Fault struct {
	Code   FaultCode
	Actor  string
	String string
	Detail string
}

func (f *Fault) Error() string { return string(f.Code) + ": " + f.String }

func clientFault(msg string) *Fault { return &Fault{Code: FaultClient, String: msg} }

// EncodeFault writes a fault exactly as nusoap_fault::serialize() does:
// its namespaces each on a new line, a newline before the Body, and the
// four members serialised as encoded xsd:string values.
func EncodeFault(f *Fault) []byte {
	var b strings.Builder
	b.WriteString(xmlDecl)
	b.WriteString(`<SOAP-ENV:Envelope SOAP-ENV:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"`)
	b.WriteString("\n  xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\"")
	b.WriteString("\n  xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"")
	b.WriteString("\n  xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"")
	b.WriteString("\n  xmlns:SOAP-ENC=\"http://schemas.xmlsoap.org/soap/encoding/\">\n")
	b.WriteString(`<SOAP-ENV:Body><SOAP-ENV:Fault>`)
	member := func(name, v string) {
		b.WriteString(`<` + name + ` xsi:type="xsd:string">` + escape(v) + `</` + name + `>`)
	}
	member("faultcode", string(f.Code))
	member("faultactor", f.Actor)
	member("faultstring", f.String)
	member("detail", f.Detail)
	b.WriteString(`</SOAP-ENV:Fault>`)
	b.WriteString(envEnd)
	return []byte(b.String())
}

// escape copies NuSOAP's expandEntities: only & ' " < > are replaced, so
// CR, LF and TAB reach clients raw (as \n, not the \r\n a character
// reference would give PHP). Unlike NuSOAP, characters XML 1.0 cannot
// carry and invalid UTF-8 become U+FFFD, so the response stays parseable.
func escape(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case r == '&':
			b.WriteString("&amp;")
		case r == '\'':
			b.WriteString("&apos;")
		case r == '"':
			b.WriteString("&quot;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case !xmlChar(r):
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		(r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}
