package vicidial

import (
	"testing"
)

// api.php strips the 99 prefix of a vtiger callback's number and dials the
// rest; vtiger's own lookup needs enable_vtiger_integration, off by default.
func TestGoldenExternalDialVtigerCallback(t *testing.T) {
	base := "function=external_dial&phone_code=1&search=NO&preview=NO&focus=YES&agent_user=1000"
	dialed := func(want string) func(t *testing.T, e *env, body string) {
		return func(t *testing.T, e *env, body string) {
			e.waitFor("call placed", func() bool { _, ok := e.eng.AgentCall("1000"); return ok })
			if c, _ := e.eng.AgentCall("1000"); c.Phone != want {
				t.Errorf("dialed %q, want %q", c.Phone, want)
			}
		}
	}
	runGolden(t, "external_dial_vtiger", Options{}, []step{
		{name: "vtiger callback dials without the 99 prefix", setup: agentPaused,
			query: q(base + "&value=997275551212&vtiger_callback=YES"), check: dialed("7275551212")},
		{name: "lower-case yes is filtered out and the prefix stays",
			setup: func(e *env) { _ = e.eng.Hangup(e.ctx, "1000"); e.noCall("1000"); endWrap(e, "1000") },
			query: q(base + "&value=997275551212&vtiger_callback=yes"), check: dialed("997275551212")},
	})
}
