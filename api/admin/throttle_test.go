package admin

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// fakeClock is the engine clock of the throttle tests: delays are "not
// before" times, so a test passes them by moving the clock, never by sleeping.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// fromAddr is an HTTP client whose connections leave from ip (any
// 127.0.0.0/8 address is local on loopback).
func fromAddr(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
}

func throttledServer(t *testing.T, st core.Store) (*fakeClock, func(ip, token string) (int, http.Header)) {
	clk := &fakeClock{now: time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)}
	eng := core.New(core.Options{Store: st, Logger: slog.New(slog.DiscardHandler), Now: clk.Now})
	c := newServer(t, Options{Records: core.NewRecords(st), Engine: eng})
	clients := map[string]*http.Client{}
	return clk, func(ip, token string) (int, http.Header) {
		t.Helper()
		if clients[ip] == nil {
			clients[ip] = fromAddr(ip)
		}
		req, _ := http.NewRequestWithContext(context.Background(), "GET", c.base+"/agents", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := clients[ip].Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header
	}
}

// The right token is never refused: not from an address that sends wrong
// tokens, not from any other address. Wrong tokens from the failing
// address are answered 429 while its delay runs, and 401 again after.
func TestAdminTokenThrottleNeverRefusesTheRightToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		clk, get := throttledServer(t, st)
		const bad = "wrong-token-wrong-token"
		for i := 0; i < 10; i++ {
			code, _ := get("127.0.0.2", bad)
			if want := http.StatusUnauthorized; i >= core.DefaultThrottle.Free {
				want = http.StatusTooManyRequests
				if code != want {
					t.Fatalf("bad token %d from the failing address: %d, want %d", i+1, code, want)
				}
			} else if code != want {
				t.Fatalf("bad token %d: %d, want %d", i+1, code, want)
			}
		}
		for _, ip := range []string{"127.0.0.1", "127.0.0.2"} {
			if code, _ := get(ip, testToken); code != http.StatusOK {
				t.Fatalf("right token from %s after bad tokens from 127.0.0.2: %d", ip, code)
			}
		}
		if code, _ := get("127.0.0.1", bad); code != http.StatusUnauthorized {
			t.Fatalf("a bad token from another address is delayed: %d", code)
		}
		code, hdr := get("127.0.0.2", bad)
		if code != http.StatusTooManyRequests || hdr.Get("Retry-After") != "1" {
			t.Fatalf("still delayed: %d Retry-After %q", code, hdr.Get("Retry-After"))
		}
		clk.Add(time.Second)
		if code, _ := get("127.0.0.2", bad); code != http.StatusUnauthorized {
			t.Fatalf("after the delay: %d, want 401", code)
		}
		// One more failure doubles the delay.
		code, hdr = get("127.0.0.2", bad)
		if n, _ := strconv.Atoi(hdr.Get("Retry-After")); code != http.StatusTooManyRequests || n != 2 {
			t.Fatalf("next delay: %d Retry-After %q, want 429 and 2", code, hdr.Get("Retry-After"))
		}
	})
}
