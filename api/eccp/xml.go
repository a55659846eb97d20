package eccp

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// elem is a small XML tree used both for parsed requests and for the
// packets we write. Element order is significant on the wire, so children
// are a slice and attributes keep insertion order.
type elem struct {
	name  string
	attrs []xml.Attr
	text  string
	kids  []*elem
}

func newElem(name string) *elem { return &elem{name: name} }

// add appends an empty child element and returns it.
func (e *elem) add(name string) *elem {
	c := &elem{name: name}
	e.kids = append(e.kids, c)
	return c
}

// addText appends a child holding text.
func (e *elem) addText(name, text string) *elem {
	c := &elem{name: name, text: text}
	e.kids = append(e.kids, c)
	return c
}

func (e *elem) addInt(name string, v int64) *elem { return e.addText(name, strconv.FormatInt(v, 10)) }

func (e *elem) setAttr(name, value string) *elem {
	e.attrs = append(e.attrs, xml.Attr{Name: xml.Name{Local: name}, Value: value})
	return e
}

// child returns the first child called name, like PHP's $x->name.
func (e *elem) child(name string) *elem {
	if e == nil {
		return nil
	}
	for _, c := range e.kids {
		if c.name == name {
			return c
		}
	}
	return nil
}

func (e *elem) children(name string) []*elem {
	if e == nil {
		return nil
	}
	var out []*elem
	for _, c := range e.kids {
		if c.name == name {
			out = append(out, c)
		}
	}
	return out
}

// has reports isset($x->name): the child exists, even when empty.
func (e *elem) has(name string) bool { return e.child(name) != nil }

// str is (string)$x->name: the child's text, "" when absent.
func (e *elem) str(name string) string {
	if c := e.child(name); c != nil {
		return c.text
	}
	return ""
}

func (e *elem) attr(name string) (string, bool) {
	if e == nil {
		return "", false
	}
	for _, a := range e.attrs {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// phpInt mimics PHP's (int) cast of a string: leading whitespace, optional
// sign, then as many digits as there are; anything else is 0.
func phpInt(s string) int64 {
	s = strings.TrimLeft(s, " \t\n\r\v\f")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var n int64
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if n > (1<<62)/10 {
			break
		}
		n = n*10 + int64(s[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}

// --- encoder --------------------------------------------------------------

const xmlDecl = "<?xml version=\"1.0\"?>\n"

// packet renders root the way PHP's SimpleXMLElement::asXML() does for a
// document without an encoding: declaration, newline, the root on one line,
// newline. Writing it with one Write matters: the PHP client breaks when the
// trailing newline arrives alone (and see session.trimNewline).
func packet(root *elem) []byte {
	var b bytes.Buffer
	b.Grow(256)
	b.WriteString(xmlDecl)
	writeElem(&b, root)
	b.WriteByte('\n')
	return b.Bytes()
}

func writeElem(b *bytes.Buffer, e *elem) {
	b.WriteByte('<')
	b.WriteString(e.name)
	for _, a := range e.attrs {
		b.WriteByte(' ')
		b.WriteString(a.Name.Local)
		b.WriteString(`="`)
		escape(b, a.Value, true)
		b.WriteByte('"')
	}
	if e.text == "" && len(e.kids) == 0 {
		b.WriteString("/>")
		return
	}
	b.WriteByte('>')
	escape(b, e.text, false)
	for _, c := range e.kids {
		writeElem(b, c)
	}
	b.WriteString("</")
	b.WriteString(e.name)
	b.WriteByte('>')
}

const hexDigits = "0123456789ABCDEF"

// escape follows libxml2's serializer for an encoding-less document: the
// markup characters as entities, every non-ASCII character as an upper-case
// hex character reference, and in attributes also quotes and the
// whitespace characters a parser would otherwise normalise.
func escape(b *bytes.Buffer, s string, attr bool) {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == '&':
				b.WriteString("&amp;")
			case c == '<':
				b.WriteString("&lt;")
			case c == '>':
				b.WriteString("&gt;")
			case c == '\r':
				b.WriteString("&#13;")
			case attr && c == '"':
				b.WriteString("&quot;")
			case attr && c == '\n':
				b.WriteString("&#10;")
			case attr && c == '\t':
				b.WriteString("&#9;")
			case c < 0x20 && c != '\n' && c != '\t':
				// Not representable in XML 1.0; dropping it keeps the
				// packet parseable for the client.
			default:
				b.WriteByte(c)
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == utf8.RuneError && size == 1 {
			continue
		}
		writeCharRef(b, r)
	}
}

func writeCharRef(b *bytes.Buffer, r rune) {
	var tmp [8]byte
	n := len(tmp)
	for v := uint32(r); ; v >>= 4 {
		n--
		tmp[n] = hexDigits[v&0xF]
		if v < 16 {
			break
		}
	}
	b.WriteString("&#x")
	b.Write(tmp[n:])
	b.WriteByte(';')
}

// --- framer ---------------------------------------------------------------

// errMalformed is any input the ECCP packet splitter or parser rejects.
var errMalformed = errors.New("eccp: malformed XML")

const (
	scanText = iota
	scanStartTag
	scanEndTag
	scanPI
	scanComment
	scanCDATA
)

// nameStart reports whether c may begin an element name: an ASCII letter,
// '_' or ':', or the first byte of a non-ASCII UTF-8 character.
func nameStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':' || c >= 0x80
}

// framer splits a byte stream into XML documents the way the real server
// does: by element nesting depth, with no delimiter. Whitespace and XML
// declarations between documents are skipped. Its state survives partial
// input, so feeding one byte at a time costs no rescanning.
type framer struct {
	buf      []byte
	pos      int // next byte to examine
	docStart int // first byte of the current document, -1 before it
	depth    int
	mode     int
	quote    byte
	max      int
	tagStart int      // offset of the '<' of the tag being scanned
	sig      byte     // last non-space byte of the tag scanned so far
	stack    []string // open element names, to catch mismatched end tags early
}

func newFramer(max int) *framer {
	if max <= 0 {
		max = 1 << 20
	}
	return &framer{docStart: -1, max: max}
}

func (f *framer) feed(p []byte) { f.buf = append(f.buf, p...) }

// next returns the next complete document, nil when more input is needed,
// or errMalformed.
func (f *framer) next() ([]byte, error) {
	for f.pos < len(f.buf) {
		if f.docStart >= 0 && f.pos-f.docStart > f.max {
			return nil, errMalformed
		}
		switch f.mode {
		case scanText:
			c := f.buf[f.pos]
			if c != '<' {
				if f.depth == 0 {
					if !isSpace(c) {
						return nil, errMalformed
					}
					if f.docStart < 0 {
						// Drop leading whitespace so the buffer does not grow.
						f.buf = f.buf[:copy(f.buf, f.buf[f.pos+1:])]
						f.pos = 0
						continue
					}
				}
				f.pos++
				continue
			}
			rest := f.buf[f.pos:]
			if len(rest) < 2 {
				return nil, nil
			}
			if f.docStart < 0 {
				f.docStart = f.pos
			}
			switch rest[1] {
			case '?':
				f.mode = scanPI
				f.pos += 2
			case '/':
				if f.depth == 0 {
					return nil, errMalformed
				}
				f.mode = scanEndTag
				f.tagStart = f.pos
				f.pos += 2
			case '!':
				switch {
				case bytes.HasPrefix(rest, []byte("<!--")):
					f.mode = scanComment
					f.pos += 4
				case bytes.HasPrefix(rest, []byte("<![CDATA[")):
					if f.depth == 0 {
						return nil, errMalformed
					}
					f.mode = scanCDATA
					f.pos += 9
				case bytes.HasPrefix([]byte("<![CDATA["), rest) || bytes.HasPrefix([]byte("<!--"), rest):
					return nil, nil
				default:
					// DOCTYPE and friends: the protocol never sends them and
					// they open the door to entity expansion.
					return nil, errMalformed
				}
			default:
				// Like expat, refuse a bad element name at once instead of
				// waiting for a document that can never be well formed.
				if !nameStart(rest[1]) {
					return nil, errMalformed
				}
				f.mode = scanStartTag
				f.tagStart = f.pos
				f.sig = 0
				f.pos++
			}
		case scanPI, scanComment, scanCDATA:
			term := map[int]string{scanPI: "?>", scanComment: "-->", scanCDATA: "]]>"}[f.mode]
			i := bytes.Index(f.buf[f.pos:], []byte(term))
			if i < 0 {
				// Keep the last bytes: the terminator may be split.
				if n := len(f.buf) - (len(term) - 1); n > f.pos {
					f.pos = n
				}
				return nil, nil
			}
			f.pos += i + len(term)
			f.mode = scanText
		case scanStartTag, scanEndTag:
			c := f.buf[f.pos]
			if f.quote != 0 {
				if c == f.quote {
					f.quote = 0
					f.sig = c
				}
				f.pos++
				continue
			}
			switch c {
			case '"', '\'':
				// A quoted value only ever follows '=' in a start tag.
				if f.mode == scanEndTag || f.sig != '=' {
					return nil, errMalformed
				}
				f.quote = c
			case '<':
				return nil, errMalformed
			case '>':
				selfClosing := f.mode == scanStartTag && f.buf[f.pos-1] == '/'
				endTag := f.mode == scanEndTag
				name := tagName(f.buf[f.tagStart:f.pos])
				f.pos++
				f.mode = scanText
				switch {
				case endTag:
					if len(f.stack) == 0 || f.stack[len(f.stack)-1] != name {
						return nil, errMalformed
					}
					f.stack = f.stack[:len(f.stack)-1]
					f.depth--
				case !selfClosing:
					if name == "" {
						return nil, errMalformed
					}
					f.stack = append(f.stack, name)
					f.depth++
				}
				if f.depth == 0 {
					doc := append([]byte(nil), f.buf[f.docStart:f.pos]...)
					f.buf = f.buf[:copy(f.buf, f.buf[f.pos:])]
					f.pos, f.docStart = 0, -1
					return doc, nil
				}
				continue
			}
			if !isSpace(c) {
				f.sig = c
			}
			f.pos++
		}
	}
	return nil, nil
}

// tagName extracts the element name from "<name ...", "</name" or "<name/".
func tagName(tag []byte) string {
	tag = bytes.TrimPrefix(bytes.TrimPrefix(tag, []byte("<")), []byte("/"))
	end := bytes.IndexAny(tag, " \t\r\n/>")
	if end >= 0 {
		tag = tag[:end]
	}
	return string(tag)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// parseDoc turns one framed document into a tree. Text of an element is the
// concatenation of its own character data, as SimpleXML's string cast.
func parseDoc(doc []byte) (*elem, error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = true
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		switch strings.ToLower(label) {
		case "utf-8", "utf8", "us-ascii", "ascii":
			return in, nil
		case "iso-8859-1", "latin1", "latin-1":
			return latin1Reader{in}, nil
		}
		return nil, errMalformed
	}
	var stack []*elem
	var root *elem
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, errMalformed
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Space != "" {
				t.Name.Local = t.Name.Space + ":" + t.Name.Local
			}
			e := &elem{name: t.Name.Local}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
					continue
				}
				e.attrs = append(e.attrs, xml.Attr{Name: xml.Name{Local: a.Name.Local}, Value: a.Value})
			}
			if len(stack) == 0 {
				if root != nil {
					return nil, errMalformed
				}
				root = e
			} else {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, e)
			}
			stack = append(stack, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(t)
			} else if len(bytes.TrimSpace(t)) > 0 {
				return nil, errMalformed
			}
		case xml.Directive:
			return nil, errMalformed
		}
	}
	if root == nil || len(stack) != 0 {
		return nil, errMalformed
	}
	return root, nil
}

type latin1Reader struct{ r io.Reader }

func (l latin1Reader) Read(p []byte) (int, error) {
	// Each Latin-1 byte may need two UTF-8 bytes, so read half.
	half := make([]byte, (len(p)+1)/2)
	n, err := l.r.Read(half)
	out := p[:0]
	for _, c := range half[:n] {
		out = utf8.AppendRune(out, rune(c))
	}
	return len(out), err
}
