package vicidial

import (
	"strings"
	"testing"

	"github.com/callgate/callgate/pkg/store/storetest"
)

// AGENTDIRECT really hands the customer to the named agent, and a
// consultative in-group transfer brings a free member of the in-group
// into a 3-way call.
func TestTransferConferenceToAgentsReallyHappens(t *testing.T) {
	e := newEnv(t, storetest.Open(t, storetest.SQLite), Options{})
	e.login("1000")
	e.pause("1000")
	e.login("1001")
	e.pause("1001")
	call := e.manualCall("1000")
	if err := e.eng.Unpause(e.ctx, "1001"); err != nil {
		t.Fatal(err)
	}
	r := e.do(q("function=transfer_conference&agent_user=1000&value=LOCAL_CLOSER&ingroup_choices=AGENTDIRECT&phone_number=1001"), "")
	if !strings.HasPrefix(r.body, "SUCCESS: transfer_conference function set - LOCAL_CLOSER|AGENTDIRECT|1001|") {
		t.Fatalf("body %q", r.body)
	}
	e.waitFor("1001 has the customer", func() bool {
		c, ok := e.eng.AgentCall("1001")
		return ok && c.ID == call.ID && c.ConnectedAt != nil
	})

	// 1001 now consults the TEST_IN in-group, whose free member is 1000.
	endWrap(e, "1000")
	if err := e.eng.Unpause(e.ctx, "1000"); err != nil {
		t.Fatal(err)
	}
	if err := e.eng.SetAgentQueues(e.ctx, "1000", []string{"TEST_IN"}, false); err != nil {
		t.Fatal(err)
	}
	r = e.do(q("function=transfer_conference&agent_user=1001&value=DIAL_WITH_CUSTOMER&ingroup_choices=TEST_IN&consultative=YES"), "")
	if !strings.HasPrefix(r.body, "SUCCESS: transfer_conference function set - DIAL_WITH_CUSTOMER|TEST_IN||YES|1001|") {
		t.Fatalf("body %q", r.body)
	}
	e.waitFor("1000 conferenced in", func() bool {
		s, ok := e.eng.Session("1000")
		return ok && s.CallID == call.ID
	})
}
