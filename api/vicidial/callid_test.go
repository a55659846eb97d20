package vicidial

import (
	"strings"
	"testing"

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
