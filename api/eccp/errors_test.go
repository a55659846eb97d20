package eccp

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/callgate/callgate/core"
)

// refreshagents whose reload fails (the store is gone) answers a failure,
// never <success/>, and the failure names no database detail.
func TestRefreshAgentsFailureIsNotSuccess(t *testing.T) {
	e := newEnv(t, "sqlite")
	c := e.dial()
	c.login()
	if got := c.req("<refreshagents/>"); !strings.Contains(got, "<success/>") {
		t.Fatalf("healthy reload answered %s", got)
	}
	_ = e.st.Close()
	got := c.req("<refreshagents/>")
	if strings.Contains(got, "<success/>") {
		t.Fatalf("failed reload answered %s", got)
	}
	want := "<failure><code>500</code><message>Unable to refresh agents</message></failure>"
	if !strings.Contains(got, want) {
		t.Fatalf("answer %s, want %s", got, want)
	}
}

// unpauseagent maps engine refusals by code: only a missing agent is the
// 404, a lost login the 417, a PBX or store failure the dialer's 500;
// hangup keeps Issabel's 417 for a call that is gone.
func TestEngineFailureMapsByCode(t *testing.T) {
	unpause := func(err error) *elem {
		return engineFailure("unpauseagent", err, unpauseTexts...)
	}
	hangup := func(err error) *elem {
		return engineFailure("hangup", err, append(notInCall, text{n: 500, msg: "Cannot hangup agent call"})...)
	}
	tests := []struct {
		name string
		got  *elem
		want string
	}{
		{"unknown agent", unpause(fmt.Errorf("%w: x", core.ErrUnknownAgent)), "<code>404</code><message>Agent not found or not logged in through ECCP</message>"},
		{"logged out meanwhile", unpause(fmt.Errorf("%w: x", core.ErrNotLoggedIn)), "<code>417</code><message>Agent currently not logged in</message>"},
		{"pbx down", unpause(fmt.Errorf("unhold: %w", core.ErrNotConnected)), "<code>500</code><message>No AMI connection</message>"},
		{"store failure", unpause(errors.New("Error 1146: Table 'agents' doesn't exist")), "<code>500</code><message>Unable to stop agent break</message>"},
		{"call gone", hangup(fmt.Errorf("%w: 7", core.ErrCallNotFound)), "<code>417</code><message>Agent not in call</message>"},
		{"hangup store failure", hangup(core.Internal("Hangup", errors.New("UPDATE calls"))), "<code>500</code><message>Cannot hangup agent call</message>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := string(packet(tc.got))
			if !strings.Contains(got, "<failure>"+tc.want+"</failure>") {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}
