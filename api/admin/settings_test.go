package admin

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// A dialect of the tests' own, so the admin API is proven without a real
// dialect's declarations.
func init() {
	core.DeclareSettings("admintest",
		core.SettingDef{Name: "api_enabled", Scope: core.ScopeSystem, Kind: core.SettingEnum, Choices: []string{"0", "1"}, Default: "1"},
		core.SettingDef{Name: "webphone_url", Scope: core.ScopeSystem, Default: ""},
		core.SettingDef{Name: "list_id", Scope: core.ScopeCampaign, Kind: core.SettingInt, Min: 1, Max: 99999, Default: "101"},
		core.SettingDef{Name: "alias", Scope: core.ScopeUser, Default: "none"},
		core.SettingDef{Name: "description", Scope: core.ScopeList, Default: ""},
	)
}

func settingValue(t *testing.T, vals []core.SettingValue, name string) core.SettingValue {
	t.Helper()
	for _, v := range vals {
		if v.Name == name {
			return v
		}
	}
	t.Fatalf("setting %s missing from %+v", name, vals)
	return core.SettingValue{}
}

func TestSettingsShowDefaultsUntilChanged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		c := newServer(t, Options{Records: core.NewRecords(st)})
		var vals []core.SettingValue
		c.must(http.StatusOK, "GET", "/settings/admintest", nil, &vals)
		if v := settingValue(t, vals, "api_enabled"); v.Value != "1" || v.Changed || v.Default != "1" {
			t.Fatalf("default not shown: %+v", v)
		}
		c.must(http.StatusOK, "PUT", "/settings/admintest", map[string]any{"api_enabled": "0", "webphone_url": "https://phone.example/"}, &vals)
		if v := settingValue(t, vals, "api_enabled"); v.Value != "0" || !v.Changed {
			t.Fatalf("change not shown: %+v", v)
		}
		got, err := core.NewSettings(st).Values(context.Background(), "admintest", core.ScopeSystem, "")
		if err != nil || got.String("webphone_url") != "https://phone.example/" || got.Bool("api_enabled") {
			t.Fatalf("engine reads %v, %v", got, err)
		}
		// null restores the default and removes the row.
		c.must(http.StatusOK, "PUT", "/settings/admintest", map[string]any{"api_enabled": nil}, &vals)
		if v := settingValue(t, vals, "api_enabled"); v.Value != "1" || v.Changed {
			t.Fatalf("default not restored: %+v", v)
		}
		if n, _ := st.Count(context.Background(), &core.Setting{}, core.Eq("name", "api_enabled")); n != 0 {
			t.Fatalf("%d rows left after reset", n)
		}
	})
}

func TestSettingsRefuseBadChangesWhole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		c := newServer(t, Options{Records: core.NewRecords(st)})
		c.must(http.StatusCreated, "POST", "/campaigns", map[string]any{"name": "TESTCAMP"}, nil)
		for _, tc := range []struct {
			name, path string
			body       any
			status     int
			msg        string
		}{
			{"bad enum", "/settings/admintest", map[string]any{"webphone_url": "x", "api_enabled": "Y"}, 400, `"api_enabled": must be one of 0, 1`},
			{"unknown name", "/settings/admintest", map[string]any{"webphone_url": "x", "nope": "1"}, 400, `"nope": unknown setting`},
			{"two lines", "/settings/admintest", map[string]any{"webphone_url": "a\nb"}, 400, "one line"},
			{"int out of range", "/settings/admintest/campaigns/TESTCAMP", map[string]any{"list_id": "0"}, 400, "between 1 and 99999"},
			{"not an int", "/settings/admintest/campaigns/TESTCAMP", map[string]any{"list_id": "12a"}, 400, "integer"},
			{"campaign missing", "/settings/admintest/campaigns/NOPE", map[string]any{"list_id": "5"}, 404, `campaign "NOPE" not found`},
			{"user missing", "/settings/admintest/users/nobody", map[string]any{"alias": "x"}, 404, `agent "nobody" not found`},
			{"dialect missing", "/settings/nodialect", map[string]any{}, 404, "no settings declared"},
			{"not an object", "/settings/admintest", `["x"]`, 400, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				code, b := c.do("PUT", tc.path, tc.body)
				if code != tc.status {
					t.Fatalf("status %d, want %d: %s", code, tc.status, b)
				}
				if msg := errorText(t, b); !strings.Contains(msg, tc.msg) {
					t.Fatalf("error %q, want %q", msg, tc.msg)
				}
			})
		}
		if n, _ := st.Count(context.Background(), &core.Setting{}, core.All); n != 0 {
			t.Fatalf("a refused change wrote %d rows", n)
		}
	})
}

func TestCampaignAndUserSettingsAreKeptApart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		c := newServer(t, Options{Records: core.NewRecords(st)})
		c.must(http.StatusCreated, "POST", "/campaigns", map[string]any{"name": "A"}, nil)
		c.must(http.StatusCreated, "POST", "/campaigns", map[string]any{"name": "B"}, nil)
		c.must(http.StatusCreated, "POST", "/agents", map[string]any{"username": "6666"}, nil)
		c.must(http.StatusOK, "PUT", "/settings/admintest/campaigns/A", map[string]any{"list_id": "998"}, nil)
		c.must(http.StatusOK, "PUT", "/settings/admintest/campaigns/A", map[string]any{"list_id": "997"}, nil)
		c.must(http.StatusOK, "PUT", "/settings/admintest/users/6666", map[string]any{"alias": "sales"}, nil)
		var vals []core.SettingValue
		c.must(http.StatusOK, "GET", "/settings/admintest/campaigns/A", nil, &vals)
		if v := settingValue(t, vals, "list_id"); v.Value != "997" {
			t.Fatalf("campaign A: %+v", v)
		}
		c.must(http.StatusOK, "GET", "/settings/admintest/campaigns/B", nil, &vals)
		if v := settingValue(t, vals, "list_id"); v.Value != "101" || v.Changed {
			t.Fatalf("campaign B: %+v", v)
		}
		c.must(http.StatusOK, "GET", "/settings/admintest/users/6666", nil, &vals)
		if v := settingValue(t, vals, "alias"); v.Value != "sales" {
			t.Fatalf("user: %+v", v)
		}
	})
}

func TestListSettingsNeedAnExistingList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		c := newServer(t, Options{Records: core.NewRecords(st)})
		if err := st.Create(context.Background(), &core.List{ID: 101, Name: "Main", Active: true}); err != nil {
			t.Fatal(err)
		}
		c.must(http.StatusOK, "PUT", "/settings/admintest/lists/101", map[string]any{"description": "spring"}, nil)
		var vals []core.SettingValue
		c.must(http.StatusOK, "GET", "/settings/admintest/lists/101", nil, &vals)
		if v := settingValue(t, vals, "description"); v.Value != "spring" || !v.Changed {
			t.Fatalf("list 101: %+v", v)
		}
		c.must(http.StatusNotFound, "GET", "/settings/admintest/lists/102", nil, nil)
		c.must(http.StatusBadRequest, "GET", "/settings/admintest/lists/0101", nil, nil)
	})
}
