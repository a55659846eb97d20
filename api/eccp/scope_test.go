package eccp

import (
	"context"
	"strings"
	"testing"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// By default ECCP shows only its own queues and agents (dialerd lists its
// call center's); the show_all_queues setting widens both lists to the
// whole deployment.
func TestQueueListAndActivitySummaryFollowShowAllQueues(t *testing.T) {
	for _, tc := range []struct {
		value       string
		wantTestIn  bool // TEST_IN: only agent 1000 (no ECCP password) is a member
		wantSIP1000 bool
	}{
		{"N", false, false},
		{"Y", true, true},
	} {
		t.Run(tc.value, func(t *testing.T) {
			e := newEnvSeeded(t, storetest.SQLite, seedFixture)
			v := tc.value
			if _, err := e.eng.Settings().Set(context.Background(), dialectName, core.ScopeSystem, "", map[string]*string{setShowAll: &v}); err != nil {
				t.Fatal(err)
			}
			c := e.dial()
			c.login()
			ql := c.req("<getincomingqueuelist/>")
			if !strings.Contains(ql, "<queue>8000</queue>") {
				t.Errorf("queue 8000 (ECCP agents' queue) missing: %s", ql)
			}
			if got := strings.Contains(ql, "<queue>TEST_IN</queue>"); got != tc.wantTestIn {
				t.Errorf("TEST_IN listed = %v, want %v: %s", got, tc.wantTestIn, ql)
			}
			as := c.req("<getagentactivitysummary/>")
			if !strings.Contains(as, "<agentchannel>SIP/1064</agentchannel>") {
				t.Errorf("ECCP agent SIP/1064 missing: %s", as)
			}
			if got := strings.Contains(as, "<agentchannel>SIP/1000</agentchannel>"); got != tc.wantSIP1000 {
				t.Errorf("SIP/1000 listed = %v, want %v: %s", got, tc.wantSIP1000, as)
			}
		})
	}
}
