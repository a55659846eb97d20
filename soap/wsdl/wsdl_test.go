package wsdl_test

import (
	"bytes"
	"testing"

	"github.com/callgate/callgate/soap/wsdl"
)

func TestRenderSetsTheAddressAndEscapesIt(t *testing.T) {
	tests := []struct {
		name, location, want string
		ok                   bool
	}{
		{"plain", "http://pbx.example/apiws/2/apiws.php", `location="http://pbx.example/apiws/2/apiws.php"`, true},
		{"escaped", `https://pbx.example/a"b<c>&d`, `location="https://pbx.example/a&quot;b&lt;c&gt;&amp;d"`, true},
		{"not http", "javascript:alert(1)", "", false},
	}
	for _, style := range []wsdl.Style{wsdl.RPCEncoded, wsdl.DocLiteral} {
		for _, tc := range tests {
			got, err := wsdl.Render(style, tc.location)
			if (err == nil) != tc.ok {
				t.Fatalf("%s: err %v", tc.name, err)
			}
			if !tc.ok {
				continue
			}
			if !bytes.Contains(got, []byte(tc.want)) || bytes.Contains(got, []byte(wsdl.Placeholder)) {
				t.Errorf("%s: address not set", tc.name)
			}
			if !bytes.Contains(wsdl.Raw(style), []byte(wsdl.Placeholder)) {
				t.Fatal("Render modified the embedded document")
			}
		}
	}
}
