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

var pendingRE = regexp.MustCompile(`<total>(\d+)</total><pending>(\d+)</pending>`)

// A lead a CRM adds through VICIdial's non-agent API on the demo gateway is
// the engine's: ECCP counts it pending in the campaign and the admin API
// lists it (issue 13: one engine behind every dialect).
func TestNonAgentLeadIsSeenByECCPAndTheAdminAPI(t *testing.T) {
	g := startGateway(t, filepath.Join(t.TempDir(), "cg.db"))
	c, err := net.DialTimeout("tcp", g.eccpAddr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got := eccpRequest(t, c, 1, eccpDemoLogin); !strings.Contains(got, "<success/>") {
		t.Fatalf("ECCP login: %s", got)
	}
	counts := func(id int) (total, pending int) {
		m := pendingRE.FindStringSubmatch(eccpRequest(t, c, id, "<getcampaignstatus><campaign_id>1</campaign_id></getcampaignstatus>"))
		if m == nil {
			t.Fatal("no status counts in getcampaignstatus")
		}
		total, _ = strconv.Atoi(m[1])
		pending, _ = strconv.Atoi(m[2])
		return total, pending
	}
	total, pending := counts(2)

	code, body := g.get(t, "/vicidial/non_agent_api.php?source=crm&user=6666&pass=1234&function=add_lead"+
		"&phone_number=7275559123&list_id=101&first_name=Cross&add_to_hopper=Y&lookup_state=Y", false)
	if code != 200 || !strings.HasPrefix(string(body), "SUCCESS: add_lead LEAD HAS BEEN ADDED - 7275559123|101|") ||
		!strings.Contains(string(body), "NOTICE: add_lead ADDED TO HOPPER") {
		t.Fatalf("add_lead: %d %q", code, body)
	}
	if t2, p2 := counts(3); t2 != total+1 || p2 != pending+1 {
		t.Errorf("ECCP campaign counts %d/%d after add_lead, want %d/%d", t2, p2, total+1, pending+1)
	}
	_, leads := g.get(t, "/api/v1/leads?phone_number=7275559123", true)
	if !strings.Contains(string(leads), `"first_name":"Cross"`) || !strings.Contains(string(leads), `"state":"FL"`) {
		t.Errorf("admin API lead: %s", leads)
	}
}
