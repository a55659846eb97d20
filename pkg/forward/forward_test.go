package forward_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/callgate/callgate/pkg/forward"
)

func conn(t *testing.T) *nats.Conn {
	url := os.Getenv("CALLGATE_TEST_NATS_URL")
	if url == "" {
		t.Skip("CALLGATE_TEST_NATS_URL not set")
	}
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// leader echoes what it received, so the test sees the request arrive as
// the client sent it.
var leader = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Add("Set-Cookie", "a=1")
	w.Header().Add("Set-Cookie", "b=2")
	w.WriteHeader(http.StatusCreated)
	fmt.Fprintf(w, "%s %s q=%s auth=%s ctype=%s via=%s remote=%t body=%s",
		r.Method, r.URL.Path, r.URL.Query().Get("q"), r.Header.Get("Authorization"), r.Header.Get("Content-Type"),
		r.Header.Get("X-Callgate-Forwarded-By"), r.RemoteAddr != "", b)
})

// A request to a standby reaches the leader's router with its method,
// path, query, headers and body, and the leader's status, headers and body
// come back byte for byte; without a leader the standby says so (503).
func TestStandbyForwardsRequestsToTheLeader(t *testing.T) {
	nc := conn(t)
	subject := fmt.Sprintf("test.forward.%d", time.Now().UnixNano())
	opt := forward.Options{Subject: subject, Node: "gw-b", MaxBody: 1024}
	standby := httptest.NewServer(forward.Handler(nc, opt))
	defer standby.Close()

	post := func(body string) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodPost, standby.URL+"/agc/api.php?q=x%20y", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer t")
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	if res, body := post("a=1"); res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "no leader") {
		t.Fatalf("no leader: %d %s", res.StatusCode, body)
	}
	sub, err := forward.Serve(nc, leader, opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, body string
		status     int
		want       string
	}{
		{"small form", "a=1&b=%C3%B1", http.StatusCreated,
			"POST /agc/api.php q=x y auth=Bearer t ctype=application/x-www-form-urlencoded via=gw-b remote=true body=a=1&b=%C3%B1"},
		{"body over the limit", strings.Repeat("x", 1025), http.StatusRequestEntityTooLarge, "request body too large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := post(tc.body)
			if res.StatusCode != tc.status || !strings.Contains(body, tc.want) {
				t.Fatalf("got %d %q, want %d %q", res.StatusCode, body, tc.status, tc.want)
			}
			if tc.status == http.StatusCreated && len(res.Header.Values("Set-Cookie")) != 2 {
				t.Fatalf("headers %v", res.Header)
			}
		})
	}
	// A deposed leader unsubscribes: the next request finds no leader.
	if err := sub.Unsubscribe(); err != nil {
		t.Fatal(err)
	}
	if res, _ := post("a=1"); res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("after unsubscribe: %d", res.StatusCode)
	}
}
