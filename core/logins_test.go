package core_test

import (
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

func TestLoginThrottleBlocksAfterMaxFailures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		h := newHarness(t, st, harnessOpt{})
		lim := core.LoginThrottle{Max: 3, Window: time.Minute}
		for i := 0; i < 3; i++ {
			if h.e.LoginBlocked(h.ctx, "eccp", "bob", lim) {
				t.Fatalf("blocked after %d failures", i)
			}
			h.e.LoginFailed(h.ctx, "eccp", "bob", "127.0.0.1", lim.Window)
		}
		if !h.e.LoginBlocked(h.ctx, "eccp", "bob", lim) {
			t.Fatal("not blocked after 3 failures")
		}
		if h.e.LoginBlocked(h.ctx, "admin", "bob", lim) || h.e.LoginBlocked(h.ctx, "eccp", "alice", lim) {
			t.Fatal("the limit leaked to another dialect or name")
		}
		h.e.LoginSucceeded(h.ctx, "eccp", "bob")
		if h.e.LoginBlocked(h.ctx, "eccp", "bob", lim) {
			t.Fatal("still blocked after a success cleared it")
		}
	})
}
