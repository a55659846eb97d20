package admin

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// Hostile or oversized values are refused with a 400 naming the field,
// before anything is written.
func TestHostileOrLongInputIs400NamingTheField(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	c := newServer(t, Options{Records: core.NewRecords(st)})
	long := strings.Repeat("A", 4096)
	cases := []struct {
		name, path string
		body       map[string]any
		field      string
	}{
		{"path in agent username", "/agents", map[string]any{"username": "../../../tmp/pwn"}, "username"},
		{"long agent name", "/agents", map[string]any{"username": "u1", "name": long}, "name"},
		{"control character in agent name", "/agents", map[string]any{"username": "u1", "name": "a\x1b[31mb"}, "name"},
		{"long agent username", "/agents", map[string]any{"username": long}, "username"},
		{"agent type with slash", "/agents", map[string]any{"username": "u1", "type": "SIP/../x"}, "type"},
		{"agent extension with spaces", "/agents", map[string]any{"username": "u1", "extension": "PJSIP/1 ; x"}, "extension"},
		{"long agent password", "/agents", map[string]any{"username": "u1", "password": long}, "password"},
		{"queue name with slash", "/queues", map[string]any{"name": "q/../../x"}, "name"},
		{"campaign name with space", "/campaigns", map[string]any{"name": "MY CAMP"}, "name"},
		{"campaign in-group path", "/campaigns", map[string]any{"name": "C1", "ingroups": "TEST_IN ../x"}, "ingroups"},
		{"disposition code with quote", "/dispositions", map[string]any{"code": `S"ALE`}, "code"},
		{"api user name with newline", "/apiusers", map[string]any{"dialect": "vicidial", "username": "a\nb", "secret": "s3cret"}, "username"},
		{"user group with slash", "/usergroups", map[string]any{"name": "A/B"}, "name"},
		{"route DID with space", "/routes", map[string]any{"did": "555 8000", "queue": "8000"}, "did"},
		{"long pause code name", "/pausecodes", map[string]any{"name": long}, "name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, b := c.do("POST", tc.path, tc.body)
			if code != http.StatusBadRequest {
				t.Fatalf("status %d: %.200s", code, b)
			}
			msg := errorText(t, b)
			if !strings.Contains(msg, fmt.Sprintf("%q", tc.field)) {
				t.Fatalf("error %q does not name %q", msg, tc.field)
			}
			if len(msg) > 300 {
				t.Fatalf("error echoes the input (%d bytes)", len(msg))
			}
		})
	}
	for _, m := range []any{&core.Agent{}, &core.Queue{}, &core.Campaign{}, &core.Disposition{}, &core.APIUser{}, &core.UserGroup{}, &core.Route{}, &core.PauseCode{}} {
		n, err := st.Count(t.Context(), m, core.All)
		if err != nil || n != 0 {
			t.Errorf("%T: %d rows stored after refused writes (%v)", m, n, err)
		}
	}
}

// An update is held to the same rules, and the stored record is untouched.
func TestHostileUpdateIs400AndKeepsTheRecord(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	c := newServer(t, Options{Records: core.NewRecords(st)})
	var a core.Agent
	c.must(http.StatusCreated, "POST", "/agents", map[string]any{"username": "1064", "type": "SIP", "extension": "PJSIP/1064", "name": "Agente 1064"}, &a)
	for _, method := range []string{"PUT", "PATCH"} {
		code, b := c.do(method, fmt.Sprintf("/agents/%d", a.ID), map[string]any{"username": "../../etc/passwd"})
		if code != http.StatusBadRequest || !strings.Contains(errorText(t, b), `"username"`) {
			t.Fatalf("%s: %d %s", method, code, b)
		}
	}
	var got core.Agent
	c.must(http.StatusOK, "GET", fmt.Sprintf("/agents/%d", a.ID), nil, &got)
	if got.Username != "1064" {
		t.Fatalf("username changed to %q", got.Username)
	}
}

// The vendor documents' values stay accepted: ECCP names are type+number,
// break names are display text, VICIdial identifiers are plain.
func TestVendorExampleValuesAreAccepted(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	c := newServer(t, Options{Records: core.NewRecords(st)})
	for _, tc := range []struct {
		path string
		body map[string]any
	}{
		{"/agents", map[string]any{"number": "9000", "type": "Agent", "name": "Agente 9000"}},
		{"/agents", map[string]any{"username": "ana.perez@example.com", "number": "1065", "type": "SIP", "extension": "PJSIP/1065", "name": "Ana Pérez"}},
		{"/pausecodes", map[string]any{"name": "Baño", "description": "Para ir al baño"}},
		{"/campaigns", map[string]any{"name": "TESTCAMP", "trunk": "PJSIP/{number}@trunk", "ingroups": "TEST_IN SALESLINE"}},
		{"/queues", map[string]any{"name": "TEST_IN", "did": "7275550100", "script": "Hola,\n\tbuenos días"}},
		{"/dispositions", map[string]any{"code": "CALLBK", "name": "Call Back"}},
		{"/usergroups", map[string]any{"name": "ADMIN", "allowed_campaigns": " -ALL-CAMPAIGNS- - "}},
	} {
		c.must(http.StatusCreated, "POST", tc.path, tc.body, nil)
	}
}
