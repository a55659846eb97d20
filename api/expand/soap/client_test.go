package soap_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"reflect"
	"sync"
	"testing"

	gowsdlsoap "github.com/hooklift/gowsdl/soap"

	"github.com/callgate/callgate/api/expand/soap"
	"github.com/callgate/callgate/soap/wsdl"
)

// recorder is the generated client's HTTP client: it keeps the last
// request and response bodies so the test can look at the wire.
type recorder struct {
	mu        sync.Mutex
	req, resp []byte
}

func (r *recorder) Do(req *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	rb, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(rb))
	r.mu.Lock()
	r.req, r.resp = body, rb
	r.mu.Unlock()
	return resp, nil
}

// The gowsdl v0.5.0 client generated from apiws_doclit.wsdl talks to the
// handler: its requests decode as document/literal with every field bound,
// and it decodes the doc/lit answers.
func TestGeneratedDocLitClientRoundTrips(t *testing.T) {
	ops := &fakeOps{}
	srv := newServer(t, ops, soap.Options{})
	rec := &recorder{}
	client := wsdl.NewApiwsPortType(gowsdlsoap.NewClient(srv.URL+"/apiws/2/apiws.php", gowsdlsoap.WithHTTPClient(rec)))
	ctx := context.Background()

	resp, err := client.OriginateCallContext(ctx, &wsdl.OriginateCall{
		AuthorizedKey: goodKey, Src: "100", SrcCallerID: "Ana", Dst: "099123456", DstCallerID: "Bob", Timeout: 30, Callinfo: "info<&>",
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Return_ != "ORIG-100-099123456-30-info<&>" {
		t.Errorf("return %q", resp.Return_)
	}
	if got := ops.last(t); got.Op != "originateCall" || !reflect.DeepEqual(got.Params.Values, originateArgs) {
		t.Errorf("operation got %s %q", got.Op, got.Params.Values)
	}
	req, f := soap.Decode(rec.req, "text/xml", "urn:apiws:doclit#originateCall", soap.DefaultLimits)
	if f != nil || req.Style != soap.DocLiteral {
		t.Fatalf("the generated client's request did not decode as doc/lit: %v %+v", f, req)
	}
	if bytes.Contains(rec.resp, []byte("encodingStyle")) || bytes.Contains(rec.resp, []byte("xsi:type")) {
		t.Errorf("doc/lit answer carries encoding marks: %s", rec.resp)
	}

	status, err := client.OriginateCallStatusContext(ctx, &wsdl.OriginateCallStatus{AuthorizedKey: goodKey, OriginatedID: "42"})
	if err != nil || status.Return_ != 3 {
		t.Fatalf("status %+v err %v", status, err)
	}

	// gowsdl omits empty fields (omitempty everywhere): a call without the
	// key reaches the client as a fault, which v0.5.0 reports as an HTTP
	// 500 error rather than a *soap.SOAPFault.
	_, err = client.OriginateCallStatusContext(ctx, &wsdl.OriginateCallStatus{OriginatedID: "42"})
	var he *gowsdlsoap.HTTPError
	if !errors.As(err, &he) || he.StatusCode != 500 || !bytes.Contains(he.ResponseBody, []byte("missing parameter &apos;authorizedKey&apos;")) {
		t.Fatalf("err %v", err)
	}
}
