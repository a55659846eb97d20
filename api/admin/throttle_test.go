package admin

import (
	"net/http"
	"testing"

	"github.com/callgate/callgate/pkg/store/storetest"
)

// Guessing the bearer token is cut short: after the limit of bad tokens
// from one address every request answers 429, even with the right token,
// until the window passes.
func TestBadTokensFromOneAddressAreThrottled(t *testing.T) {
	c, _, _ := liveServer(t, storetest.Open(t, storetest.SQLite))
	good := c.token
	c.token = "wrong-token-wrong-token"
	for i := 0; i < tokenThrottle.Max; i++ {
		if code, _ := c.do("GET", "/agents", nil); code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, code)
		}
	}
	code, body := c.do("GET", "/agents", nil)
	if code != http.StatusTooManyRequests || string(body) != "{\"error\":\"too many failed authentications; try again later\"}\n" {
		t.Fatalf("after the limit: %d %s", code, body)
	}
	c.token = good
	if code, _ := c.do("GET", "/agents", nil); code != http.StatusTooManyRequests {
		t.Fatalf("right token while throttled: %d", code)
	}
}
