package core_test

import (
	"context"
	"strings"
	"testing"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

func init() {
	core.DeclareSettings("secrettest",
		core.SettingDef{Name: "password", Scope: core.ScopeSystem, Secret: true},
		core.SettingDef{Name: "user", Scope: core.ScopeSystem},
	)
}

// A secret setting is sealed in the store, masked in listings and given in
// clear only to the dialect that reads its values.
func TestSecretSettingsAreSealedAtRestAndMaskedWhenListed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		ctx := context.Background()
		s := core.NewSettings(st)
		pw, user := "s3cr3t-pw", "crm"
		listed, err := s.Set(ctx, "secrettest", core.ScopeSystem, "", map[string]*string{"password": &pw, "user": &user})
		must(t, err)
		for _, v := range listed {
			if v.Name == "password" && (v.Value != "********" || !v.Changed) {
				t.Fatalf("listed password %+v", v)
			}
		}
		var row core.Setting
		must(t, st.First(ctx, &row, core.Eq("dialect", "secrettest").Eq("name", "password")))
		if row.Value == "" || strings.Contains(row.Value, pw) {
			t.Fatalf("stored in clear: %q", row.Value)
		}
		vals, err := s.Values(ctx, "secrettest", core.ScopeSystem, "")
		must(t, err)
		if vals.String("password") != pw || vals.String("user") != user {
			t.Fatalf("values %v", vals)
		}
	})
}
