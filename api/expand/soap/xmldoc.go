package soap

import (
	"encoding/xml"
	"strings"
)

// xmlDoc builds the small XML documents operations return as xsd:string,
// shaped as the document's examples: a declaration, one element per line.
type xmlDoc struct{ b strings.Builder }

// attrEscaper escapes a double-quoted attribute value: the markup
// characters and the whitespace a parser would otherwise normalise; the
// apostrophe stays as written, as in the document's durations.
var attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "\t", "&#x9;", "\n", "&#xA;", "\r", "&#xD;")

func newXMLDoc(root string) *xmlDoc {
	d := newXMLProlog()
	d.b.WriteString("<" + root + ">\n")
	return d
}

// newXMLProlog starts a document whose root the caller writes (it has
// attributes).
func newXMLProlog() *xmlDoc {
	d := &xmlDoc{}
	d.b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	return d
}

// xattr is one attribute, written in the given order.
type xattr struct{ k, v string }

// open writes <name a="v"...>, or an empty element when closed is true.
func (d *xmlDoc) elem(name string, closed bool, attrs ...xattr) {
	d.b.WriteString("<" + name)
	for _, a := range attrs {
		d.b.WriteString(" " + a.k + `="` + attrEscaper.Replace(a.v) + `"`)
	}
	if closed {
		d.b.WriteString("/>\n")
	} else {
		d.b.WriteString(">\n")
	}
}

// text writes <name attrs>text</name>.
func (d *xmlDoc) text(name, text string, attrs ...xattr) {
	d.b.WriteString("<" + name)
	for _, a := range attrs {
		d.b.WriteString(" " + a.k + `="` + attrEscaper.Replace(a.v) + `"`)
	}
	d.b.WriteString(">")
	_ = xml.EscapeText(&d.b, []byte(text))
	d.b.WriteString("</" + name + ">\n")
}

func (d *xmlDoc) end(name string) { d.b.WriteString("</" + name + ">\n") }

func (d *xmlDoc) done(root string) string {
	d.end(root)
	return d.b.String()
}
