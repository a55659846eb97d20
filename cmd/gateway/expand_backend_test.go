package main

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
)

// The demo gateway with eXpand's backend configured over the admin API: a
// caller listed in the queue's caller list reaches its agent, named by the
// customer's SOAP backend, which is told who answered (pushAgentInfo).
func TestGatewayNamesListedCallersAndRoutesThemToTheirAgent(t *testing.T) {
	g := startGateway(t, filepath.Join(t.TempDir(), "cg.db"))
	pushed := make(chan string, 8)
	crm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var env struct {
			Body struct {
				Op struct {
					XMLName xml.Name
					Parts   []struct {
						XMLName xml.Name
						Value   string `xml:",chardata"`
					} `xml:",any"`
				} `xml:",any"`
			} `xml:"Body"`
		}
		b, _ := io.ReadAll(r.Body)
		if err := xml.Unmarshal(b, &env); err != nil {
			t.Errorf("crm: %v", err)
		}
		ret := "Juan Perez"
		if env.Body.Op.XMLName.Local == "pushAgentInfo" {
			ret = "true"
			pushed <- string(b)
		}
		fmt.Fprintf(w, `<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body><r><return>%s</return></r></SOAP-ENV:Body></SOAP-ENV:Envelope>`, ret)
	}))
	defer crm.Close()

	if code, b := g.do(t, "PUT", "/api/v1/settings/expand", `{"backend_url":"`+crm.URL+`","backend_protocol":"soap"}`, true); code != 200 {
		t.Fatalf("settings: %d %s", code, b)
	}
	var queues []core.Queue
	_, b := g.get(t, "/api/v1/queues?name=8000", true)
	if err := json.Unmarshal(b, &queues); err != nil || len(queues) != 1 {
		t.Fatalf("queue 8000: %s", b)
	}
	if code, b := g.do(t, "PATCH", fmt.Sprintf("/api/v1/queues/%d", queues[0].ID), `{"caller_list":"cartera"}`, true); code != 200 {
		t.Fatalf("caller list: %d %s", code, b)
	}
	req, _ := http.NewRequest("POST", g.httpBase+"/expandweb3/api/external/lists/simple/cartera/elements", strings.NewReader(`{"key":"5551234","value":"1000"}`))
	req.SetBasicAuth("external_user", "1deD9=cf9")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("list element: %v %v", err, resp)
	}
	resp.Body.Close()
	for _, user := range []string{"1064", "1000"} {
		var agents []core.Agent
		_, b := g.get(t, "/api/v1/agents?username="+user, true)
		if err := json.Unmarshal(b, &agents); err != nil || len(agents) != 1 {
			t.Fatalf("agent %s: %s", user, b)
		}
		if code, b := g.do(t, "POST", fmt.Sprintf("/api/v1/agents/%d/login", agents[0].ID), "", true); code != 200 {
			t.Fatalf("login %s: %d %s", user, code, b)
		}
		// A VICIdial agent logs in paused: ready it.
		_, _ = g.do(t, "POST", fmt.Sprintf("/api/v1/agents/%d/unpause", agents[0].ID), "", true)
	}
	if code, b := g.do(t, "POST", "/api/v1/sim/inbound", `{"caller_id":"5551234","did":"5558000"}`, true); code != http.StatusCreated {
		t.Fatalf("inbound: %d %s", code, b)
	}
	var push string
	select {
	case push = <-pushed:
	case <-time.After(10 * time.Second):
		_, calls := g.get(t, "/api/v1/calls/active", true)
		_, out := g.get(t, "/api/v1/outbox", true)
		t.Fatalf("no pushAgentInfo; calls %s; outbox %s", calls, out)
	}
	if !strings.Contains(push, "Juan Perez &lt;5551234&gt;") || !strings.Contains(push, "PJSIP/1000<") {
		t.Fatalf("pushAgentInfo %s", push)
	}
	var calls []core.Call
	_, b = g.get(t, "/api/v1/calls/active", true)
	if err := json.Unmarshal(b, &calls); err != nil || len(calls) != 1 || calls[0].Agent != "1000" || calls[0].CallerName != "Juan Perez" {
		t.Fatalf("active calls: %s", b)
	}
}
