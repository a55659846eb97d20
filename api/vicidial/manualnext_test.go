package vicidial

import (
	"strings"
	"testing"

	"github.com/callgate/callgate/pkg/store/storetest"
)

// external_dial MANUALNEXT really dials the campaign's next lead for the
// agent, as the agent screen's "dial next number" does.
func TestExternalDialManualNextDialsTheNextLead(t *testing.T) {
	e := newEnv(t, storetest.Open(t, storetest.SQLite), Options{})
	e.login("1000")
	e.pause("1000")
	r := e.do(q("function=external_dial&value=MANUALNEXT&search=YES&preview=NO&focus=YES&agent_user=1000"), "")
	if !strings.HasPrefix(r.body, "SUCCESS: external_dial function set - MANUALNEXT|1000|") {
		t.Fatalf("body %q", r.body)
	}
	e.waitFor("next lead dialed and connected", e.connected("1000"))
	c, _ := e.eng.AgentCall("1000")
	if c.LeadID == 0 || c.Campaign != "TESTCAMP" {
		t.Fatalf("call %+v", c)
	}
}
