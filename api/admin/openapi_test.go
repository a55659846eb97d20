package admin

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/callgate/callgate/pkg/telephony/sim"
)

var update = flag.Bool("update", false, "rewrite openapi.json from the route table")

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestOpenAPIDocumentIsUpToDate(t *testing.T) {
	gen, err := GenerateOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("openapi.json", gen, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(gen, openapiJSON) {
		t.Fatal("openapi.json is stale: run go test ./api/admin -run TestOpenAPIDocumentIsUpToDate -update")
	}
}

// TestEveryRouteIsDocumented walks the real router (simulator enabled, so
// every route is mounted) and looks each route up in the embedded document.
func TestEveryRouteIsDocumented(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(OpenAPI(), &doc); err != nil {
		t.Fatalf("embedded document is not JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("not an OpenAPI 3 document: %q", doc.OpenAPI)
	}
	a := New(Options{Sim: sim.New("doc")})
	n := 0
	err := chi.Walk(a.Router(), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		n++
		route = strings.TrimSuffix(route, "/")
		ops, ok := doc.Paths[route]
		if !ok {
			t.Errorf("route %s %s is not in openapi.json", method, route)
			return nil
		}
		if _, ok := ops[strings.ToLower(method)]; !ok {
			t.Errorf("method %s of %s is not in openapi.json", method, route)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 60 {
		t.Fatalf("walked only %d routes", n)
	}
	// And nothing documented is missing from the router.
	documented := 0
	for _, ops := range doc.Paths {
		documented += len(ops)
	}
	if documented != n {
		t.Fatalf("document has %d operations, router %d", documented, n)
	}
}
