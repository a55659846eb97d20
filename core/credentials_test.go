package core_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// countingSecrets counts the slow hash checks of the facility it wraps.
type countingSecrets struct {
	core.Secrets
	verifies atomic.Int64
}

func (c *countingSecrets) Verify(hash, given string) bool {
	c.verifies.Add(1)
	return c.Secrets.Verify(hash, given)
}

type credClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *credClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *credClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func credEngine(t *testing.T, st core.Store) (*core.Engine, *credClock, *countingSecrets) {
	clk := &credClock{now: time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)}
	sec := &countingSecrets{Secrets: storetest.Secrets()}
	e := core.New(core.Options{Store: st, Logger: slog.New(slog.DiscardHandler), Now: clk.Now, Secrets: sec})
	return e, clk, sec
}

func attempt(e *core.Engine, principal, source string, right bool) core.LoginVerdict {
	return e.Credentials().Check(context.Background(),
		core.LoginAttempt{Dialect: "test", Principal: principal, Source: source}, func() bool { return right })
}

func TestLoginDelaysGrowPerPrincipalAndSource(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		e, clk, _ := credEngine(t, st)
		p := core.DefaultThrottle
		for i := 1; i <= p.Free; i++ {
			if v := attempt(e, "bob", "10.0.0.2:5555", false); v.Outcome != core.LoginRejected {
				t.Fatalf("free failure %d: %+v", i, v)
			}
		}
		// The port is not part of the source.
		v := attempt(e, "bob", "10.0.0.2:6666", true)
		if v.Outcome != core.LoginDelayed || !v.RetryAt.Equal(clk.Now().Add(p.Base)) {
			t.Fatalf("after %d failures: %+v, want delayed until +%v", p.Free, v, p.Base)
		}
		for _, c := range []struct{ name, principal, source string }{
			{"same principal, other source", "bob", "10.0.0.1:1"},
			{"other principal, same source", "alice", "10.0.0.2:1"},
		} {
			if v := attempt(e, c.principal, c.source, true); v.Outcome != core.LoginAccepted {
				t.Errorf("%s: %+v", c.name, v)
			}
		}
		// Each failure after the delay doubles it, up to the cap.
		want := p.Base
		for i := 0; i < 14; i++ {
			clk.Add(want)
			if v := attempt(e, "bob", "10.0.0.2", false); v.Outcome != core.LoginRejected {
				t.Fatalf("failure after waiting %v: %+v", want, v)
			}
			want = min(2*want, p.Max)
			v := attempt(e, "bob", "10.0.0.2", true)
			if v.Outcome != core.LoginDelayed || !v.RetryAt.Equal(clk.Now().Add(want)) {
				t.Fatalf("delay %d: %+v, want +%v", i, v, want)
			}
		}
		if want != p.Max {
			t.Fatalf("delay never reached its cap: %v", want)
		}
		clk.Add(want)
		if v := attempt(e, "bob", "10.0.0.2", true); v.Outcome != core.LoginAccepted {
			t.Fatalf("right password once the delay passed: %+v", v)
		}
		// The success cleared that source's failures for bob.
		if v := attempt(e, "bob", "10.0.0.2", false); v.Outcome != core.LoginRejected {
			t.Fatalf("after a success: %+v", v)
		}
		if v := attempt(e, "bob", "10.0.0.2", true); v.Outcome != core.LoginAccepted {
			t.Fatalf("one failure after a success delays: %+v", v)
		}
	})
}

// A source failing across many principals is slowed for all of them, and
// only that source is.
func TestSprayingSourceIsDelayed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		e, _, _ := credEngine(t, st)
		for i := 0; i < core.DefaultThrottle.SprayFree; i++ {
			if v := attempt(e, fmt.Sprintf("user%d", i), "10.0.0.9", false); v.Outcome != core.LoginRejected {
				t.Fatalf("failure %d: %+v", i, v)
			}
		}
		if v := attempt(e, "fresh", "10.0.0.9", true); v.Outcome != core.LoginDelayed {
			t.Fatalf("spraying source, new principal: %+v", v)
		}
		if v := attempt(e, "fresh", "10.0.0.8", true); v.Outcome != core.LoginAccepted {
			t.Fatalf("other source: %+v", v)
		}
	})
}

// RightFirst (the admin token) checks before any delay: the right
// credential is accepted from a delayed source, wrong ones are delayed.
func TestRightFirstNeverRefusesTheRightCredential(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		e, _, _ := credEngine(t, st)
		check := func(right bool) core.LoginOutcome {
			return e.Credentials().Check(context.Background(),
				core.LoginAttempt{Dialect: "admin", Source: "10.0.0.2", RightFirst: true}, func() bool { return right }).Outcome
		}
		for i := 0; i < 10; i++ {
			check(false)
		}
		if got := check(false); got != core.LoginDelayed {
			t.Fatalf("wrong token from a failing source: %v", got)
		}
		if got := check(true); got != core.LoginAccepted {
			t.Fatalf("right token from a failing source: %v", got)
		}
	})
}

// A repeated right password costs one slow hash; wrong passwords and
// unknown principals always pay one; a new hash is checked again.
func TestVerifyCachesOnlySuccesses(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	e, _, sec := credEngine(t, st)
	cred := e.Credentials()
	h1, _ := sec.Hash("s3cret")
	h2, _ := sec.Hash("s3cret")
	for _, c := range []struct {
		name          string
		stored, given string
		want          bool
		slow          int64
	}{
		{"first right", h1, "s3cret", true, 1},
		{"repeated right", h1, "s3cret", true, 0},
		{"wrong", h1, "s3creT", false, 1},
		{"wrong again", h1, "s3creT", false, 1},
		{"unknown principal", "", "s3cret", false, 1},
		{"changed hash", h2, "s3cret", true, 1},
		{"clear text row", "s3cret", "s3cret", true, 0},
	} {
		before := sec.verifies.Load()
		if got := cred.Verify(c.stored, c.given); got != c.want {
			t.Errorf("%s: %v", c.name, got)
		}
		if n := sec.verifies.Load() - before; n != c.slow {
			t.Errorf("%s: %d slow hashes, want %d", c.name, n, c.slow)
		}
	}
	sealed, _ := sec.Seal("unaclavesecreta")
	if pw, err := cred.Reveal(sealed); err != nil || pw != "unaclavesecreta" {
		t.Errorf("reveal sealed: %q %v", pw, err)
	}
	if _, err := cred.Reveal(h1); err == nil {
		t.Error("a hash revealed")
	}
}

// A burst of first logins with one right password pays one slow hash,
// however the requests interleave.
func TestConcurrentFirstLoginsHashOnce(t *testing.T) {
	e, _, sec := credEngine(t, storetest.Open(t, storetest.SQLite))
	h, _ := sec.Hash("s3cret")
	var wg sync.WaitGroup
	var wrong atomic.Int64
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !e.Credentials().Verify(h, "s3cret") {
				wrong.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := sec.verifies.Load(); n != 1 || wrong.Load() != 0 {
		t.Fatalf("%d slow hashes, %d refusals; want 1 and 0", n, wrong.Load())
	}
}

func TestSourceAddrIsOneKeyPerClient(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"127.0.0.2:5555", "127.0.0.2"},
		{"[::ffff:127.0.0.2]:5555", "127.0.0.2"},
		{"[2001:db8::1]:80", "2001:db8::1"},
		{"[fe80::1%eth0]:80", "fe80::1"},
		{"10.0.0.1", "10.0.0.1"},
		{"not an address", "not an address"},
	} {
		if got := core.SourceAddr(c.in); got != c.want {
			t.Errorf("SourceAddr(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
