package eccp

import (
	"strings"
	"testing"
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
