package soap

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
)

// Namespaces the decoder recognises.
const (
	nsEnvelope11 = "http://schemas.xmlsoap.org/soap/envelope/"
	nsEnvelope12 = "http://www.w3.org/2003/05/soap-envelope"
	nsEncoding   = "http://schemas.xmlsoap.org/soap/encoding/"
	nsXSI        = "http://www.w3.org/2001/XMLSchema-instance"
)

// DocLitActionPrefix starts every soapAction of apiws_doclit.wsdl. It is
// how a request made from the doc/lit WSDL is told apart from an rpc one
// when the body carries no encoding marks (node-soap's rpc requests carry
// none either).
const DocLitActionPrefix = "urn:apiws:doclit#"

// Style is the SOAP binding style a request was made in; the response is
// written in the same style.
type Style int

const (
	// RPCEncoded: the legacy NuSOAP style and the default.
	RPCEncoded Style = iota
	// DocLiteral: a request made from apiws_doclit.wsdl.
	DocLiteral
)

func (s Style) String() string {
	if s == DocLiteral {
		return "document/literal"
	}
	return "rpc/encoded"
}

// Limits bound what one request may cost.
type Limits struct {
	MaxBytes    int64 // body size
	MaxDepth    int   // element nesting
	MaxElements int   // elements in the whole document
}

// DefaultLimits are generous for apiws calls (a few short strings each).
var DefaultLimits = Limits{MaxBytes: 1 << 20, MaxDepth: 32, MaxElements: 2000}

// Request is a decoded SOAP call.
type Request struct {
	// Operation is the local name of the Body's first element, or the
	// SOAPAction's last "#" or "/" segment when the Body is empty.
	Operation string
	// Namespace is the operation element's namespace, echoed in the
	// response wrapper as NuSOAP does ("" when the client sent none).
	Namespace string
	Args      []Arg
	Style     Style
	// SOAPAction is the header value without its quotes.
	SOAPAction string
}

// Decode parses a SOAP 1.1 (or 1.2) request body. contentType and
// soapAction are the HTTP headers (either may be empty). Errors are
// *Fault values ready to send.
func Decode(body []byte, contentType, soapAction string, lim Limits) (*Request, *Fault) {
	if lim.MaxBytes > 0 && int64(len(body)) > lim.MaxBytes {
		return nil, clientFault(fmt.Sprintf("request body exceeds %d bytes", lim.MaxBytes))
	}
	action := strings.Trim(strings.TrimSpace(soapAction), `"`)
	var src io.Reader = bytes.NewReader(body)
	if !utf8.Valid(body) && !declaresEncoding(body) {
		// No encoding in an XML declaration: the HTTP charset decides, as
		// XML's rules for external entities say.
		if cs := contentTypeCharset(contentType); cs != "" {
			r, err := charset.NewReaderLabel(cs, src)
			if err != nil {
				return nil, clientFault(fmt.Sprintf("unsupported encoding %q", cs))
			}
			src = r
		}
	}
	d := xml.NewDecoder(src)
	d.Strict = true
	d.CharsetReader = charsetReader(body, contentType)

	req := &Request{SOAPAction: action}
	encoded := false
	depth, elements := 0, 0
	// Path state: 1 Envelope, 2 Header/Body, 3 operation, 4 argument,
	// 5 array item. Anything deeper is refused.
	var (
		inBody, inHeader, opSeen, opDone bool
		arg                              *Arg
		argHasChildren                   bool
		text                             strings.Builder
		itemText                         strings.Builder
	)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, parseFault(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			elements++
			if lim.MaxDepth > 0 && depth > lim.MaxDepth {
				return nil, clientFault(fmt.Sprintf("XML nesting exceeds %d levels", lim.MaxDepth))
			}
			if lim.MaxElements > 0 && elements > lim.MaxElements {
				return nil, clientFault(fmt.Sprintf("XML has more than %d elements", lim.MaxElements))
			}
			if hasEncodingStyle(t.Attr) {
				encoded = true
			}
			switch {
			case depth == 1:
				if t.Name.Local != "Envelope" || (t.Name.Space != nsEnvelope11 && t.Name.Space != nsEnvelope12) {
					return nil, clientFault("the document element is not a SOAP Envelope")
				}
			case depth == 2:
				switch {
				case t.Name.Local == "Header" && !inBody:
					inHeader = true
				case t.Name.Local == "Body":
					inBody = true
				default:
					return nil, clientFault(fmt.Sprintf("unexpected element '%s' in the SOAP Envelope", t.Name.Local))
				}
			case inHeader:
				// Headers are skipped; nothing in apiws uses them and NuSOAP
				// ignores those without mustUnderstand handling too.
			case depth == 3:
				if opSeen {
					// A second Body child: PHP SoapClient's positional call
					// against a doc/lit WSDL writes one. It is not an argument
					// of the first; ignoring it lets Bind report what is missing.
					opDone = true
					continue
				}
				opSeen = true
				req.Operation = t.Name.Local
				req.Namespace = t.Name.Space
			case opDone:
				// Inside an ignored trailing Body child.
			case depth == 4:
				if href := attr(t.Attr, "", "href"); href != "" {
					return nil, clientFault("multi-reference (href) values are not supported")
				}
				xt := attr(t.Attr, nsXSI, "type")
				if xt != "" {
					encoded = true
				}
				req.Args = append(req.Args, Arg{Name: t.Name.Local, XSIType: xt, Nil: isTrue(attr(t.Attr, nsXSI, "nil"))})
				arg = &req.Args[len(req.Args)-1]
				argHasChildren = false
				text.Reset()
			case depth == 5:
				// An array item (SOAP-ENC:Array of scalars, or a struct whose
				// members are all scalars): collected as a list.
				if arg == nil {
					return nil, clientFault("malformed SOAP Body")
				}
				if !argHasChildren && strings.TrimSpace(text.String()) != "" {
					return nil, clientFault(fmt.Sprintf("parameter '%s' mixes text and elements", arg.Name))
				}
				argHasChildren = true
				itemText.Reset()
			default:
				return nil, clientFault("parameter values nested deeper than an array are not supported")
			}
		case xml.EndElement:
			switch {
			case depth == 2:
				inHeader = false
			case inHeader || opDone:
			case depth == 4 && arg != nil:
				if !argHasChildren {
					arg.Value = text.String()
				} else {
					arg.Value = strings.Join(arg.Items, ",")
				}
				arg = nil
			case depth == 5 && arg != nil:
				arg.Items = append(arg.Items, itemText.String())
			}
			depth--
		case xml.Directive:
			// encoding/xml never expands DTD entities, but nothing a SOAP
			// client sends needs a DOCTYPE (SOAP 1.1 section 3 forbids it).
			return nil, clientFault("a DTD is not allowed in a SOAP message")
		case xml.CharData:
			switch {
			case inHeader || opDone:
			case depth == 4 && arg != nil:
				text.Write(t)
			case depth == 5 && arg != nil:
				itemText.Write(t)
			}
		}
	}
	if !inBody {
		return nil, clientFault("the SOAP Envelope has no Body")
	}
	if req.Operation == "" {
		req.Operation = actionOperation(action)
		if req.Operation == "" {
			return nil, clientFault("the SOAP Body names no operation")
		}
	}
	if !encoded && strings.HasPrefix(action, DocLitActionPrefix) {
		req.Style = DocLiteral
	}
	return req, nil
}

// actionOperation is the last "#" or "/" segment of a SOAPAction.
func actionOperation(action string) string {
	if i := strings.LastIndexAny(action, "#/"); i >= 0 {
		return action[i+1:]
	}
	return action
}

func hasEncodingStyle(attrs []xml.Attr) bool {
	for _, a := range attrs {
		if a.Name.Local == "encodingStyle" && strings.Contains(a.Value, nsEncoding) {
			return true
		}
	}
	return false
}

func attr(attrs []xml.Attr, space, local string) string {
	for _, a := range attrs {
		if a.Name.Local == local && (space == "" || a.Name.Space == space) {
			return a.Value
		}
	}
	return ""
}

func isTrue(s string) bool { s = strings.TrimSpace(s); return s == "true" || s == "1" }

// charsetReader decodes the declared encoding, with one exception copied
// from the research: the NuSOAP client declares ISO-8859-1 but sends the
// PHP string's bytes, usually UTF-8. A body that is valid UTF-8 and not
// plain ASCII is read as UTF-8 whatever it declares, which puts correct
// text into the engine in both cases (a genuine Latin-1 body with
// non-ASCII letters is practically never valid UTF-8).
func charsetReader(body []byte, contentType string) func(string, io.Reader) (io.Reader, error) {
	validUTF8 := utf8.Valid(body)
	return func(label string, in io.Reader) (io.Reader, error) {
		if validUTF8 {
			return in, nil
		}
		if label == "" {
			label = contentTypeCharset(contentType)
		}
		r, err := charset.NewReaderLabel(label, in)
		if err != nil {
			return nil, fmt.Errorf("unsupported encoding %q", label)
		}
		return r, nil
	}
}

// declaresEncoding reports whether the body starts with an XML declaration
// carrying an encoding pseudo-attribute.
func declaresEncoding(body []byte) bool {
	b := bytes.TrimLeft(body, "\xef\xbb\xbf \t\r\n")
	if !bytes.HasPrefix(b, []byte("<?xml")) {
		return false
	}
	end := bytes.Index(b, []byte("?>"))
	return end > 0 && bytes.Contains(b[:end], []byte("encoding"))
}

func contentTypeCharset(ct string) string {
	_, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return ""
	}
	return params["charset"]
}

func parseFault(err error) *Fault {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return &Fault{Code: FaultClient, String: fmt.Sprintf("error in msg parsing: XML error parsing SOAP payload on line %d: %s", se.Line, se.Msg)}
	}
	return &Fault{Code: FaultClient, String: "error in msg parsing: " + err.Error()}
}
