package admin

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

func TestLineAdminKeepsThePhonePasswordWriteOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		c := newServer(t, Options{Records: core.NewRecords(st)})
		var created map[string]any
		c.must(http.StatusCreated, "POST", "/infocaller/lines", map[string]any{"number": "900111222", "international": "34900111222", "phone_password": "3956", "capacity": 2}, &created)
		if created["state"] != "on" || created["webhook_format"] != "JSON" {
			t.Fatalf("defaults not applied: %v", created)
		}
		_, body := c.do("GET", "/infocaller/lines?number=900111222", nil)
		if strings.Contains(string(body), "3956") || strings.Contains(string(body), "phone_password") {
			t.Fatalf("password echoed: %s", body)
		}
		var l core.Line
		if err := st.First(context.Background(), &l, core.Eq("number", "900111222")); err != nil || l.PhonePassword == "" {
			t.Fatalf("password not stored: %v %+v", err, l)
		}
	})
}

func TestLineAndRuleGroupAdminRejectBadValues(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		c := newServer(t, Options{Records: core.NewRecords(st)})
		for _, tc := range []struct {
			path string
			body map[string]any
		}{
			{"/infocaller/lines", map[string]any{"number": "1", "state": "maybe"}},
			{"/infocaller/lines", map[string]any{"number": "1", "webhook_format": "CSV"}},
			{"/infocaller/lines", map[string]any{"number": "1", "capacity": -1}},
			{"/infocaller/lines", map[string]any{"state": "on"}},
			{"/infocaller/rulegroups", map[string]any{"line_number": "1"}},
			{"/infocaller/rulegroups", map[string]any{"line_number": "1", "name": "X", "kind": "outbound"}},
		} {
			if code, b := c.do("POST", tc.path, tc.body); code != http.StatusBadRequest {
				t.Errorf("%s %v: %d %s", tc.path, tc.body, code, b)
			}
		}
		c.must(http.StatusCreated, "POST", "/infocaller/rulegroups", map[string]any{"line_number": "1", "name": "EMISION", "script": "welcome"}, nil)
		var list []core.RuleGroup
		c.must(http.StatusOK, "GET", "/infocaller/rulegroups?name=EMISION", nil, &list)
		if len(list) != 1 || list[0].Kind != core.RuleGroupEmission || list[0].Script != "welcome" {
			t.Fatalf("rule group: %+v", list)
		}
	})
}

func TestScriptAdminValidatesTheNodes(t *testing.T) {
	c := newServer(t, Options{Records: core.NewRecords(storetest.Open(t, storetest.SQLite))})
	for _, nodes := range []string{
		``, `{}`, `[]`, `[{"id":"a","type":"dance"}]`,
		`[{"id":"a","type":"end"},{"id":"a","type":"end"}]`,
		`[{"id":"a","type":"message","next":"b"}]`,
		`[{"id":"a","type":"message","sound":"x","next":"nowhere"}]`,
		`[{"id":"a","type":"menu","options":{"x":"a"}}]`,
		`[{"id":"a","type":"input","var":"bad var","max_digits":4}]`,
		`[{"id":"a","type":"input","var":"PIN","max_digits":0}]`,
		`[{"id":"a","type":"condition","var":"PIN","op":"like","then":"a"}]`,
		`[{"id":"a","type":"goto"}]`,
		`[{"id":"a","type":"transfer"}]`,
	} {
		if code, b := c.do("POST", "/infocaller/scripts", map[string]any{"name": "S", "nodes": nodes}); code != http.StatusBadRequest {
			t.Errorf("%s: %d %s", nodes, code, b)
		}
	}
	good := `[{"id":"m","type":"menu","sound":"s","options":{"1":"q","#":"e"},"default":"e"},{"id":"q","type":"transfer","queue":"8000"},{"id":"e","type":"end"}]`
	c.must(http.StatusCreated, "POST", "/infocaller/scripts", map[string]any{"name": "S", "nodes": good}, nil)
}
