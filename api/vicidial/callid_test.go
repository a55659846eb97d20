package vicidial

import (
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// The VICIdial call id lives in the engine's external ids: an id kept
// there names the call (whatever the call's start now reads), and an id
// built from the call's shape is kept there the first time it is used.
func TestCallIDsLiveInTheExternalIDTable(t *testing.T) {
	cases := []struct {
		name   string
		stored string // kept before any function asks; "" for none
		asked  func(call core.Call) string
		want   string
	}{
		{name: "a kept id names the call", stored: "Y1111111111000000777",
			asked: func(core.Call) string { return "Y1111111111000000777" }, want: "ERROR: stage is not valid - PARK"},
		{name: "a kept id wins over the built one", stored: "Y1111111111000000777",
			asked: buildCallID, want: "ERROR: no active call found"},
		{name: "a built id is recognised and kept", asked: buildCallID, want: "ERROR: stage is not valid - PARK"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, st core.Store) {
				e := newEnv(t, st, Options{})
				e.login("1000")
				call := e.inboundCall("1000")
				ids := e.eng.ExternalIDs()
				if tc.stored != "" {
					if err := ids.Set(e.ctx, core.EntityCall, Dialect, tc.stored, call.ID); err != nil {
						t.Fatal(err)
					}
				}
				cid := tc.asked(call)
				res := e.do(q("function=ra_call_control&value="+cid+"&agent_user=1000&stage=PARK"), "")
				if !strings.HasPrefix(res.body, tc.want) {
					t.Fatalf("ra_call_control %s: %q, want %q", cid, res.body, tc.want)
				}
				want := tc.stored
				if want == "" {
					want = cid
				}
				if got, err := ids.External(e.ctx, core.EntityCall, Dialect, call.ID); err != nil || got != want {
					t.Fatalf("kept id %q, %v; want %q", got, err, want)
				}
			})
		})
	}
}

// VICIdial builds call ids as prefix + date("mdHis") cut to nine digits +
// the lead id padded to ten (vdc_db_query.php), so a CRM can read the
// lead id back out of the id.
func TestCallIDCarriesTheLeadID(t *testing.T) {
	at := time.Date(2026, 12, 4, 9, 5, 7, 0, time.UTC)
	for _, tc := range []struct {
		name string
		call core.Call
		want string
	}{
		{"manual call", core.Call{ID: 9, LeadID: 1234, Direction: core.CallManual, CreatedAt: at}, "M204090507" + "0000001234"},
		{"inbound call", core.Call{ID: 9, LeadID: 7, Direction: core.CallInbound, CreatedAt: at}, "Y204090507" + "0000000007"},
		{"auto-dialed call", core.Call{ID: 9, LeadID: 7, Direction: core.CallOutbound, CreatedAt: at}, "V204090507" + "0000000007"},
		{"lead id over ten digits keeps its last ten", core.Call{LeadID: 123456789012, Direction: core.CallManual, CreatedAt: at}, "M204090507" + "3456789012"},
		{"a call with no lead carries its own number", core.Call{ID: 42, Direction: core.CallInbound, CreatedAt: at}, "Y204090507" + "0000000042"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := buildCallID(tc.call); got != tc.want || len(got) != 20 {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}
