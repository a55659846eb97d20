package soap_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/callgate/callgate/api/expand/soap"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// call is one Operations.Call the handler made.
type call struct {
	Op     string
	Params soap.Params
}

// fakeOps answers like the research's NuSOAP reference server
// (nusoap-ref/apiws/2/apiws.php), so the captured NuSOAP responses can be
// compared byte for byte. It exists only in tests: the real operations
// act on the engine.
type fakeOps struct {
	mu    sync.Mutex
	calls []call
	// override, when set, answers instead of the reference behaviour.
	override func(op string, p soap.Params) (soap.Result, error)
}

const goodKey = "goodkey"

// cdrXML is the document the reference server's cdrData returns.
const cdrXML = `<?xml version="1.0" encoding="UTF-8"?><cdrs from="2024-01-01 00:00:00"><cdr><src>100</src><dst>099 123 456</dst><disposition>ANSWERED</disposition><note>ñ &amp; ü</note></cdr></cdrs>`

func (f *fakeOps) Call(_ context.Context, op string, p soap.Params) (soap.Result, error) {
	f.mu.Lock()
	f.calls = append(f.calls, call{Op: op, Params: p})
	f.mu.Unlock()
	if f.override != nil {
		return f.override(op, p)
	}
	bad := p.Get("authorizedKey") != goodKey
	switch op {
	case "originateCall":
		if bad {
			return soap.String("-1"), nil
		}
		return soap.String(fmt.Sprintf("ORIG-%s-%s-%d-%s", p.Get("src"), p.Get("dst"), p.Int("timeout"), p.Get("callinfo"))), nil
	case "originateCallStatus":
		if bad {
			return soap.Int(-1), nil
		}
		return soap.Int(3), nil
	case "sendSms":
		if bad {
			return soap.String("-1"), nil
		}
		return soap.String(p.Get("msgData")), nil
	case "cdrData":
		return soap.String(cdrXML), nil
	}
	return soap.Result{}, errors.New("fakeOps: no answer for " + op)
}

func (f *fakeOps) last(t *testing.T) call {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) == 0 {
		t.Fatal("the handler made no Operations call")
	}
	return f.calls[len(f.calls)-1]
}

func (f *fakeOps) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// answer is an HTTP response reduced to what clients see.
type answer struct {
	Status      int
	ContentType string
	Body        []byte
}

func (a answer) golden() []byte {
	return []byte(fmt.Sprintf("HTTP %d\nContent-Type: %s\n\n%s\n", a.Status, a.ContentType, a.Body))
}

func newServer(t *testing.T, ops soap.Operations, opt soap.Options) *httptest.Server {
	t.Helper()
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	mux := http.NewServeMux()
	h := soap.NewHandler(ops, opt)
	mux.Handle("/apiws/2/apiws.php", h)
	mux.Handle("/apiws/1/apiws.php", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func post(t *testing.T, srv *httptest.Server, body []byte, headers map[string]string) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/apiws/2/apiws.php", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) answer {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Body: b}
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file\n got: %s\nwant: %s", name, got, want)
	}
}

func readCapture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "captures", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// httpBody returns the body of a captured HTTP response (.resp.http).
func httpBody(t *testing.T, raw []byte) []byte {
	t.Helper()
	i := bytes.Index(raw, []byte("\r\n\r\n"))
	if i < 0 {
		t.Fatal("capture has no header/body separator")
	}
	return bytes.TrimRight(raw[i+4:], "\n")
}

// toUTF8Decl turns a default (ISO-8859-1) NuSOAP body into what a NuSOAP
// configured for UTF-8 sends, which is the gateway's charset. Only valid
// for ASCII bodies.
func toUTF8Decl(b []byte) []byte {
	return bytes.Replace(b, []byte(`encoding="ISO-8859-1"`), []byte(`encoding="UTF-8"`), 1)
}

// wireExchange is one request/response pair of a .wire.txt capture.
type wireExchange struct {
	Title    string
	Request  []byte
	Response []byte
}

// parseWire splits the research's wire dumps ("=== title REQUEST" …
// "=== RESPONSE" …) into exchanges.
func parseWire(t *testing.T, raw []byte) []wireExchange {
	t.Helper()
	var out []wireExchange
	inResponse := false
	for _, line := range strings.SplitAfter(string(raw), "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "=== ") && strings.HasSuffix(trimmed, " REQUEST"):
			out = append(out, wireExchange{Title: strings.TrimSuffix(strings.TrimPrefix(trimmed, "=== "), " REQUEST")})
			inResponse = false
		case trimmed == "=== RESPONSE":
			inResponse = true
		case len(out) > 0:
			x := &out[len(out)-1]
			if inResponse {
				x.Response = append(x.Response, line...)
			} else {
				x.Request = append(x.Request, line...)
			}
		}
	}
	for i := range out {
		out[i].Request = bytes.TrimSpace(out[i].Request)
		out[i].Response = bytes.TrimSpace(out[i].Response)
	}
	if len(out) == 0 {
		t.Fatal("no exchanges in the wire capture")
	}
	return out
}
