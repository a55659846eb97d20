package vicidial

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/callgate/callgate/api/admin"
	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// Settings changed through the admin API change what api.php answers on
// the next request: no restart, no configuration file.
func TestSettingsChangedThroughTheAdminAPIAreHonoured(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		e := newEnv(t, st, Options{})
		adm := httptest.NewServer(admin.New(admin.Options{Records: e.eng.Records(), Engine: e.eng, Token: "tok"}))
		t.Cleanup(adm.Close)
		put := func(path, body string) {
			t.Helper()
			req, _ := http.NewRequest(http.MethodPut, adm.URL+"/settings/vicidial"+path, bytes.NewBufferString(body))
			req.Header.Set("Authorization", "Bearer tok")
			resp, err := http.DefaultClient.Do(req)
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("PUT %s: %v %v", path, resp.Status, err)
			}
			resp.Body.Close()
		}
		e.login("1000")
		e.pause("1000")
		for _, tc := range []struct {
			name, path, body, query, want string
			check                         func(t *testing.T)
		}{
			{name: "manual_dial_list_id decides external_add_lead's list",
				path: "/campaigns/TESTCAMP", body: `{"manual_dial_list_id":"101"}`,
				query: "function=external_add_lead&phone_number=7275557777&phone_code=1&agent_user=1000",
				want:  "SUCCESS: lead added - 7275557777|TESTCAMP|101|",
				check: func(t *testing.T) {
					var l core.Lead
					if err := e.st.First(e.ctx, &l, core.Eq("phone_number", "7275557777")); err != nil || l.ListID != 101 {
						t.Errorf("lead %+v, %v", l, err)
					}
				}},
			{name: "campaign_allow_inbound N refuses in-group changes",
				path: "/campaigns/TESTCAMP", body: `{"campaign_allow_inbound":"N"}`,
				query: "function=change_ingroups&value=CHANGE&blended=NO&agent_user=1000&ingroup_choices=+TEST_IN+-",
				want:  "ERROR: campaign does not allow inbound calls - 1000\n"},
			{name: "group_aliases are read on each request",
				path: "", body: `{"group_aliases":"SALES=3125550000"}`,
				query: "function=external_dial&value=7275551212&phone_code=1&search=NO&preview=NO&focus=YES&agent_user=1000&group_alias=TESTING",
				want:  "ERROR: group_alias is not valid - 1000|TESTING"},
			{name: "vdc_agent_api_active 0 switches the API off",
				path: "", body: `{"vdc_agent_api_active":"0"}`,
				query: "function=external_pause&value=PAUSE&agent_user=1000",
				want:  "ERROR: System API NOT ACTIVE\n"},
			{name: "back to VICIdial's default (null) keeps it off",
				path: "", body: `{"vdc_agent_api_active":null}`,
				query: "function=external_pause&value=PAUSE&agent_user=1000",
				want:  "ERROR: System API NOT ACTIVE\n"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				put(tc.path, tc.body)
				res := e.do(q(tc.query), "")
				if !strings.HasPrefix(res.body, tc.want) {
					t.Fatalf("got %q, want prefix %q", res.body, tc.want)
				}
				if tc.check != nil {
					tc.check(t)
				}
			})
		}
	})
}
