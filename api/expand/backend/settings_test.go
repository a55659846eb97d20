package backend_test

import (
	"context"
	"testing"

	"github.com/callgate/callgate/api/expand/backend"
	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

func TestBackendSettingsRefuseBadValuesAndNeverShowThePassword(t *testing.T) {
	ctx := context.Background()
	s := core.NewSettings(storetest.Open(t, storetest.SQLite))
	for name, v := range map[string]string{
		backend.SetURL: "ftp://crm", backend.SetProtocol: "xml", backend.SetTimeout: "50", backend.SetCacheTTL: "-1",
	} {
		if _, err := s.Set(ctx, backend.Dialect, core.ScopeSystem, "", map[string]*string{name: &v}); core.ErrorCode(err) != core.EINVALID {
			t.Errorf("%s=%q: %v", name, v, err)
		}
	}
	url, pw := "https://crm.example/ws", "crm-pass"
	list, err := s.Set(ctx, backend.Dialect, core.ScopeSystem, "", map[string]*string{backend.SetURL: &url, backend.SetPassword: &pw})
	must(t, err)
	for _, v := range list {
		if v.Value == pw {
			t.Fatalf("%s lists the password", v.Name)
		}
	}
}
