package eccp

import (
	"bytes"
	"strings"
	"testing"
)

func frameAll(in []byte, chunk int) (docs []string, err error) {
	f := newFramer(1 << 16)
	for len(in) > 0 {
		n := min(chunk, len(in))
		f.feed(in[:n])
		in = in[n:]
		for {
			d, e := f.next()
			if e != nil {
				return docs, e
			}
			if d == nil {
				break
			}
			docs = append(docs, string(d))
		}
	}
	return docs, nil
}

func TestFramerSplitsByNestingDepth(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
		bad      bool
	}{
		{"one", `<request id="1"><getpauses/></request>`, []string{`<request id="1"><getpauses/></request>`}, false},
		{"declaration kept", "<?xml version=\"1.0\"?>\n<a/>", []string{"<?xml version=\"1.0\"?>\n<a/>"}, false},
		{"whitespace between", " \n<a></a>\r\n\t<b/>\n", []string{"<a></a>", "<b/>"}, false},
		{"no separator", "<a/><b><c/></b>", []string{"<a/>", "<b><c/></b>"}, false},
		{"gt in attribute", `<a x="1>2"><b y='/>'/></a>`, []string{`<a x="1>2"><b y='/>'/></a>`}, false},
		{"comment and cdata", "<a><!-- </a> --><![CDATA[</a>]]></a>", []string{"<a><!-- </a> --><![CDATA[</a>]]></a>"}, false},
		{"incomplete waits", "<a><b>", nil, false},
		{"text at top level", "x<a/>", nil, true},
		{"mismatched end", "<a></b>", nil, true},
		{"stray end", "</a>", nil, true},
		{"doctype", "<!DOCTYPE a><a/>", nil, true},
		{"doc then garbage", "<a/>zz", []string{"<a/>"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, chunk := range []int{1, 2, 3, 7, 1 << 20} {
				docs, err := frameAll([]byte(tc.in), chunk)
				if (err != nil) != tc.bad {
					t.Fatalf("chunk %d: err = %v, want bad=%v", chunk, err, tc.bad)
				}
				if strings.Join(docs, "|") != strings.Join(tc.want, "|") {
					t.Fatalf("chunk %d: docs = %q, want %q", chunk, docs, tc.want)
				}
			}
		})
	}
}

func TestFramerRejectsOversizedDocuments(t *testing.T) {
	f := newFramer(100)
	f.feed([]byte("<a>" + strings.Repeat("x", 200)))
	if _, err := f.next(); err == nil {
		t.Fatal("oversized document accepted")
	}
}

func TestEncoderMatchesPHPAsXML(t *testing.T) {
	root := newElem("response").setAttr("id", `7"<&>`+"\n")
	b := root.add("getpauses_response")
	p := b.add("pause").setAttr("id", "2")
	p.addText("name", "Baño & <más> \"x\" 'y'")
	p.add("empty")
	p.addText("emoji", "😀\r")
	got := string(packet(root))
	want := "<?xml version=\"1.0\"?>\n<response id=\"7&quot;&lt;&amp;&gt;&#10;\"><getpauses_response><pause id=\"2\"><name>Ba&#xF1;o &amp; &lt;m&#xE1;s&gt; \"x\" 'y'</name><empty/><emoji>&#x1F600;&#13;</emoji></pause></getpauses_response></response>\n"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// FuzzFramer checks that framing never panics and does not depend on how
// the input is split into reads, and that every document it yields is
// complete XML or rejected by the parser without harm.
func FuzzFramer(f *testing.F) {
	for _, s := range []string{
		"<?xml version=\"1.0\"?>\n<request id=\"1\"><login><username>a</username><password>b</password></login></request>\n",
		"<request id='2'><getpauses/></request><request id='3'><getpauses/></request>",
		"<a x=\"1>2\"><![CDATA[<]]><!-- c --></a>",
		"<a></b>",
		"  <?xml?><a/>",
	} {
		f.Add([]byte(s), uint8(1))
	}
	f.Fuzz(func(t *testing.T, in []byte, chunk uint8) {
		whole, errWhole := frameAll(in, len(in)+1)
		split, errSplit := frameAll(in, int(chunk)%17+1)
		if (errWhole == nil) != (errSplit == nil) {
			t.Fatalf("error depends on read size: %v vs %v", errWhole, errSplit)
		}
		if strings.Join(whole, "\x00") != strings.Join(split, "\x00") {
			t.Fatalf("documents depend on read size: %q vs %q", whole, split)
		}
		for _, d := range whole {
			if !bytes.Contains(in, []byte(d)) {
				t.Fatalf("document %q not in input", d)
			}
			if root, err := parseDoc([]byte(d)); err == nil && root.name == "" {
				t.Fatalf("parsed a nameless root from %q", d)
			}
		}
	})
}

// A bad element name or a stray quote is refused at once, as expat does,
// instead of waiting for a document that can never be well formed.
func TestFramerRefusesBadTokensEarly(t *testing.T) {
	for _, in := range []string{
		`<request id="2"><0bad`,
		`<request id="2"><a"x>`,
		`<request id="2"><a b"c">`,
		`<1/>`,
	} {
		f := newFramer(0)
		f.feed([]byte(in))
		if _, err := f.next(); err != errMalformed {
			t.Errorf("%q: err = %v, want errMalformed", in, err)
		}
	}
	f := newFramer(0)
	f.feed([]byte(`<request id="2" x='1'><a b="c" d = "e"/></request>`))
	if doc, err := f.next(); err != nil || doc == nil {
		t.Fatalf("well-formed document: %q %v", doc, err)
	}
}
