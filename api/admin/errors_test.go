package admin

import (
	"net/http"
	"strings"
	"testing"

	"github.com/callgate/callgate/pkg/store/storetest"
)

// Engine refusals reach the wire through the code table: state conflicts
// are 409, bad references 400, unknown resources 404, and a store failure
// never carries SQL.
func TestEngineErrorsMapByCode(t *testing.T) {
	st := storetest.Open(t, "sqlite")
	c, _, _ := liveServer(t, st)
	c.must(http.StatusOK, "POST", "/agents/1/login", map[string]any{"campaign": "TESTCAMP"}, nil)
	steps := []struct {
		name, path string
		body       any
		want       int
		wantBody   string
		before     func()
	}{
		{"unpause when not paused", "/agents/1/unpause", nil, http.StatusConflict, "agent not paused", nil},
		{"pause with an unknown code", "/agents/1/pause", map[string]any{"code": "NOPE"}, http.StatusBadRequest, "unknown pause code", nil},
		{"hang up an unknown call", "/calls/999/hangup", nil, http.StatusNotFound, "not found", nil},
		{"unknown agent", "/agents/99/login", nil, http.StatusNotFound, "not found", nil},
	}
	for _, s := range steps {
		if s.before != nil {
			s.before()
		}
		code, b := c.do("POST", s.path, s.body)
		if code != s.want || !strings.Contains(string(b), s.wantBody) {
			t.Fatalf("%s: %d %s, want %d with %q", s.name, code, b, s.want, s.wantBody)
		}
		if strings.Contains(strings.ToUpper(string(b)), "SELECT") || strings.Contains(strings.ToUpper(string(b)), "SQL") {
			t.Fatalf("%s: body leaks SQL: %s", s.name, b)
		}
	}
}
