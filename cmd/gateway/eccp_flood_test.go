package main

import (
	"net"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// eccpRequest sends one ECCP request on c and returns the response packet,
// skipping events.
func eccpRequest(t *testing.T, c net.Conn, id int, body string) string {
	t.Helper()
	if _, err := c.Write([]byte("<?xml version=\"1.0\"?>\n<request id=\"" + strconv.Itoa(id) + "\">" + body + "</request>\n")); err != nil {
		t.Fatalf("write: %v", err)
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var got strings.Builder
	buf := make([]byte, 64<<10)
	for {
		n, err := c.Read(buf)
		got.Write(buf[:n])
		s := got.String()
		if i := strings.Index(s, "<response id=\""+strconv.Itoa(id)+"\""); i >= 0 {
			if j := strings.Index(s[i:], "</response>"); j >= 0 {
				return s[i : i+j+len("</response>")]
			}
		}
		if err != nil {
			t.Fatalf("reading response %d: %v (got %q)", id, err, s)
		}
	}
}

const eccpDemoLogin = "<login><username>agentconsole</username><password>agentconsole</password></login>"

var sourceCapRE = regexp.MustCompile(`(?m)^callgate_eccp_connections_rejected_total\{reason="source_cap"\} (\d+)$`)

// Hundreds of idle ECCP connections from one address neither stop the
// process nor HTTP, a logged-in console keeps its answers and a new one
// still gets in (issue 7: the gateway used to exit on EMFILE).
func TestIdleECCPFloodDoesNotStopTheGateway(t *testing.T) {
	const flood = 300 // well past the default 64 per source, bounded
	g := startGateway(t, filepath.Join(t.TempDir(), "callgate.db"))

	dial := func() net.Conn {
		c, err := net.DialTimeout("tcp", g.eccpAddr, 5*time.Second)
		if err != nil {
			t.Fatalf("dial ECCP: %v", err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	console := dial()
	if r := eccpRequest(t, console, 1, eccpDemoLogin); !strings.Contains(r, "<success/>") {
		t.Fatalf("console login: %s", r)
	}
	for range flood {
		dial()
	}
	waitFor(t, "the flood to run into the per-source cap", func() bool {
		_, b := g.get(t, "/metrics", false)
		m := sourceCapRE.FindSubmatch(b)
		return m != nil && string(m[1]) == strconv.Itoa(flood-64)
	})

	if code, b := g.get(t, "/healthz", false); code != 200 {
		t.Fatalf("healthz under flood: %d %s", code, b)
	}
	if r := eccpRequest(t, console, 2, "<getrequestlist/>"); !strings.Contains(r, "getrequestlist_response") {
		t.Fatalf("console under flood: %s", r)
	}
	// The newcomer closes the oldest idle connection to get in.
	if r := eccpRequest(t, dial(), 1, eccpDemoLogin); !strings.Contains(r, "<success/>") {
		t.Fatalf("new console under flood: %s", r)
	}
	_, b := g.get(t, "/metrics", false)
	for _, want := range []string{
		`callgate_eccp_connections_rejected_total{reason="source_cap"} ` + strconv.Itoa(flood-64+1),
		`callgate_eccp_connections_rejected_total{reason="global_cap"} 0`,
		`callgate_eccp_connections_rejected_total{reason="login_timeout"} 0`,
		"callgate_eccp_sessions_unauthenticated 63",
		"callgate_eccp_sessions 65",
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// A gateway that had failed would return its error here.
	if err := g.stop(); err != nil {
		t.Fatalf("gateway stopped with %v", err)
	}
}
