package vicidial

import (
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// getFrom sends query to the handler over a connection leaving from ip
// (any address of 127.0.0.0/8 is local on loopback).
func (e *env) getFrom(ip, query string) string {
	e.t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	hc := &http.Client{Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}
	res, err := hc.Get(e.srv.URL + "/agc/api.php?" + query)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

// Ten wrong passwords from one address do not lock the user out from
// another; the failing (user, address) answers LOCK until its delay has
// passed on the engine clock, then the right password is accepted again.
func TestWrongPasswordsFromOneAddressDoNotLockTheUserOut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		e := newEnv(t, st, Options{})
		const (
			bad   = "source=test&user=6666&pass=wrong&function=external_hangup&value=1&agent_user=1000"
			right = "source=test&user=6666&pass=1234&function=external_hangup&value=1&agent_user=1000"
			lock  = "ERROR: Invalid Username/Password: |6666||0|0|LOCK|\n"
			// The function runs: the agent is simply not logged in.
			ran = "ERROR: agent_user is not logged in - 1000\n"
		)
		for i := 0; i < 10; i++ {
			if got := e.getFrom("127.0.0.2", bad); !strings.HasPrefix(got, "ERROR: Invalid Username/Password: |6666||0|0|") {
				t.Fatalf("bad password %d: %q", i+1, got)
			}
		}
		if got := e.getFrom("127.0.0.1", right); got != ran {
			t.Fatalf("right password from another address: %q", got)
		}
		if got := e.getFrom("127.0.0.2", right); got != lock {
			t.Fatalf("right password from the failing address: %q, want %q", got, lock)
		}
		// Three free failures, then 1s doubling per failure: the third
		// failure set 1s; nothing counted while locked.
		e.advance(core.DefaultThrottle.Base - 1)
		if got := e.getFrom("127.0.0.2", right); got != lock {
			t.Fatalf("just before the delay ends: %q", got)
		}
		e.advance(1)
		if got := e.getFrom("127.0.0.2", right); got != ran {
			t.Fatalf("right password after the delay: %q", got)
		}
		// Success cleared the address's failures: the next mistake is
		// one of three free ones again.
		if got := e.getFrom("127.0.0.2", bad); got != "ERROR: Invalid Username/Password: |6666||0|0|BAD|0|api||\n" {
			t.Fatalf("after a success: %q", got)
		}
	})
}

// A refused login says nothing about why: unknown user, wrong password,
// inactive user, no API access and an agent's right password without API
// access all print the same line but for the user echoed.
func TestLoginErrorsRevealNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		e := newEnv(t, st, Options{})
		want := "ERROR: Invalid Username/Password: |{user}||0|0|BAD|0|api||\n"
		for i, c := range []struct{ name, user, pass string }{
			{"unknown user", "nosuchuser", "1234"},
			{"wrong password", "6666", "9999"},
			{"inactive user, right password", "gone", "1234"},
			{"no api access, right password", "noapi", "1234"},
			{"agent without api user, right password", "1000", "1234"},
			{"agent without api user, wrong password", "1000", "9999"},
		} {
			// Each from its own address, so no delay interferes.
			ip := net.IPv4(127, 0, 1, byte(10+i)).String()
			got := e.getFrom(ip, "source=test&user="+c.user+"&pass="+c.pass+"&function=external_hangup&value=1&agent_user=1000")
			if w := strings.ReplaceAll(want, "{user}", c.user); got != w {
				t.Errorf("%s: %q, want %q", c.name, got, w)
			}
		}
	})
}

// A flood of wrong passwords costs the attacker's address its delay and
// the server almost nothing: attempts inside the delay are answered LOCK
// without checking the password or writing a row, and the owner's address
// keeps working throughout.
func TestPasswordFloodIsRefusedUnchecked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		e := newEnv(t, st, Options{})
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}
		hc := &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
		locks := 0
		const flood = 300
		for i := 0; i < flood; i++ {
			res, err := hc.Get(e.srv.URL + "/agc/api.php?source=test&user=6666&pass=guess" + strconv.Itoa(i) + "&function=external_hangup&value=1&agent_user=1000")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if strings.HasSuffix(string(b), "|LOCK|\n") {
				locks++
			}
			if i%100 == 0 {
				if got := e.getFrom("127.0.0.1", "source=test&user=6666&pass=1234&function=external_hangup&value=1&agent_user=1000"); strings.Contains(got, "Invalid Username/Password") {
					t.Fatalf("owner refused during the flood: %q", got)
				}
			}
		}
		n, err := st.Count(e.ctx, &core.LoginFailure{}, core.All)
		if err != nil || n != int64(core.DefaultThrottle.Free) || locks != flood-core.DefaultThrottle.Free {
			t.Fatalf("failures recorded %d (%v), LOCK answers %d of %d", n, err, locks, flood)
		}
	})
}
