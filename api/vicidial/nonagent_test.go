package vicidial

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// naEnv is the agent API environment with non_agent_api.php served too.
type naEnv struct {
	*env
	na  *NonAgentHandler
	srv *httptest.Server
}

func newNAEnv(t testing.TB, st core.Store) *naEnv {
	e := newEnv(t, st, Options{})
	na := newNonAgentHandler(e.eng, Options{Logger: e.h.log}, e.h)
	n := &naEnv{env: e, na: na, srv: httptest.NewServer(na)}
	t.Cleanup(func() { n.srv.Close(); na.logs.Close() })
	// List 101 feeds TESTCAMP; list 102 feeds OUTONLY.
	e.create(&core.List{ID: 101, Name: "Vendor leads", Campaign: "TESTCAMP", Active: true})
	e.create(&core.List{ID: 102, Name: "Outbound", Campaign: "OUTONLY", Active: true})
	return n
}

func (n *naEnv) get(query, post string) response {
	n.t.Helper()
	url := n.srv.URL + "/vicidial/non_agent_api.php"
	if query != "" {
		url += "?" + query
	}
	method, body := http.MethodGet, io.Reader(nil)
	if post != "" {
		method, body = http.MethodPost, strings.NewReader(post)
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		n.t.Fatal(err)
	}
	if post != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := n.srv.Client().Do(req)
	if err != nil {
		n.t.Fatalf("request: %v", err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

type naStep struct {
	name        string
	setup       func(n *naEnv)
	query, post string
	check       func(t *testing.T, n *naEnv, body string)
}

// runNAGolden plays steps on every database and compares the transcript
// with testdata/nonagent/<name>.golden.
func runNAGolden(t *testing.T, name string, steps []naStep) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		n := newNAEnv(t, st)
		var out bytes.Buffer
		for _, s := range steps {
			if s.setup != nil {
				s.setup(n)
			}
			res := n.get(s.query, s.post)
			fmt.Fprintf(&out, "=== %s\nGET ?%s\n", s.name, s.query)
			if s.post != "" {
				fmt.Fprintf(&out, "body: %s\n", s.post)
			}
			fmt.Fprintf(&out, "--- %d %s\n%s", res.status, res.header.Get("Content-Type"), res.body)
			if !strings.HasSuffix(res.body, "\n") {
				out.WriteString("\n\\ no newline at end of body\n")
			}
			if s.check != nil {
				n.na.logs.Flush()
				s.check(t, n, res.body)
			}
		}
		path := filepath.Join("testdata", "nonagent", name+".golden")
		if *update {
			if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("read golden (run with -update to create): %v", err)
		}
		if got := out.String(); got != string(want) {
			t.Errorf("transcript differs from %s:\n%s", path, diff(string(want), got))
		}
	})
}

const naAuth = "source=test&user=6666&pass=1234"

func naq(s string) string { return naAuth + "&" + s }

// leadByPhone is the engine's one lead with that phone, or fails.
func (n *naEnv) leadByPhone(t *testing.T, phone string) core.Lead {
	t.Helper()
	ls, err := n.eng.FindLeads(n.ctx, core.LeadQuery{Phone: phone})
	if err != nil || len(ls) != 1 {
		t.Fatalf("leads with %s: %v %v", phone, ls, err)
	}
	return ls[0]
}

func TestNonAgentGenericLines(t *testing.T) {
	runNAGolden(t, "generic", []naStep{
		{name: "version before auth, trailing pipe", query: "function=version"},
		{name: "coffee is a teapot", query: "function=coffee"},
		{name: "bad password is not echoed", query: "source=test&user=6666&pass=secretpw&function=add_lead"},
		{name: "unknown function", query: naq("function=nosuch")},
		{name: "empty function", query: naAuth},
		{name: "short source gives two lines", query: "source=x&user=6666&pass=1234&function=add_lead"},
		{name: "function not in allowed list", query: "source=test&user=6667&pass=1234&function=add_lead&phone_number=7275551111"},
		{name: "level 7 cannot add leads", query: "source=test&user=6668&pass=1234&function=add_lead&phone_number=7275551111",
			check: func(t *testing.T, n *naEnv, _ string) {
				if ls, _ := n.eng.FindLeads(n.ctx, core.LeadQuery{Phone: "7275551111"}); len(ls) != 0 {
					t.Errorf("refused add_lead stored %v", ls)
				}
			}},
		{name: "POST body, GET wins", query: "function=version", post: "function=add_lead"},
		{name: "POST only", post: naq("function=nosuch")},
	})
}

func TestNonAgentAddLead(t *testing.T) {
	runNAGolden(t, "add_lead", []naStep{
		{name: "reference example", query: naq("function=add_lead&phone_number=7275551111&phone_code=1&list_id=101&first_name=Bob&last_name=Wilson&vendor_lead_code=V100"),
			check: func(t *testing.T, n *naEnv, _ string) {
				l := n.leadByPhone(t, "7275551111")
				if l.ListID != 101 || l.Campaign != "TESTCAMP" || l.FirstName != "Bob" || l.VendorLeadCode != "V100" || l.Status != "NEW" {
					t.Errorf("stored lead %+v", l)
				}
			}},
		{name: "too short", query: naq("function=add_lead&phone_number=12345&list_id=101")},
		{name: "too long", query: naq("function=add_lead&phone_number=12345678901234567&list_id=101")},
		{name: "system DNC", query: naq("function=add_lead&phone_number=5550001&list_id=101&dnc_check=Y")},
		{name: "campaign DNC", query: naq("function=add_lead&phone_number=5550002&list_id=101&campaign_dnc_check=Y")},
		{name: "duplicate in list", query: naq("function=add_lead&phone_number=7275551111&list_id=101&duplicate_check=DUPLIST")},
		{name: "duplicate in campaign lists", query: naq("function=add_lead&phone_number=7275551212&list_id=101&duplicate_check=DUPCAMP")},
		{name: "duplicate in system", query: naq("function=add_lead&phone_number=7275551212&list_id=102&duplicate_check=DUPSYS")},
		{name: "list exists check", query: naq("function=add_lead&phone_number=7275559999&list_id=555&list_exists_check=Y")},
		{name: "hopper and callback", query: naq("function=add_lead&phone_number=7275552222&list_id=102&add_to_hopper=Y&hopper_priority=50&callback=Y&campaign_id=OUTONLY&callback_datetime=2025-01-23+09:00:00&callback_type=USERONLY&callback_user=1000"),
			check: func(t *testing.T, n *naEnv, _ string) {
				l := n.leadByPhone(t, "7275552222")
				cbs, _ := n.eng.LeadCallbacks(n.ctx, l.ID)
				if l.Priority != 50 || len(cbs) != 1 || cbs[0].Agent != "1000" || !cbs[0].AgentOnly {
					t.Errorf("lead %+v callbacks %+v", l, cbs)
				}
			}},
		{name: "callback campaign not valid", query: naq("function=add_lead&phone_number=7275553333&list_id=102&callback=Y&campaign_id=NOPE")},
	})
}

func TestNonAgentUpdateLead(t *testing.T) {
	runNAGolden(t, "update_lead", []naStep{
		{name: "by vendor code", query: naq("function=update_lead&search_method=VENDOR_LEAD_CODE&vendor_lead_code=1234567&first_name=Robert&status=SALE"),
			check: func(t *testing.T, n *naEnv, _ string) {
				l := n.leadByPhone(t, "7275551212")
				if l.FirstName != "Robert" || l.Status != "SALE" {
					t.Errorf("lead %+v", l)
				}
			}},
		{name: "blank a field", query: naq("function=update_lead&lead_id=1&last_name=--BLANK--")},
		{name: "no update reports", query: naq("function=update_lead&search_method=PHONE_NUMBER&phone_number=3125550199&no_update=Y")},
		{name: "no valid search method", query: naq("function=update_lead&search_method=EMAIL&lead_id=1")},
		{name: "not found", query: naq("function=update_lead&lead_id=9999&first_name=X")},
		{name: "insert if not found", query: naq("function=update_lead&search_method=PHONE_NUMBER&phone_number=7275554444&insert_if_not_found=Y&list_id=101&first_name=Ann")},
		{name: "insert refused without list", query: naq("function=update_lead&search_method=PHONE_NUMBER&phone_number=7275554445&insert_if_not_found=Y")},
		{name: "delete", query: naq("function=update_lead&lead_id=2&delete_lead=Y"),
			check: func(t *testing.T, n *naEnv, _ string) {
				if _, err := n.eng.Lead(n.ctx, 2); err == nil {
					t.Error("deleted lead still there")
				}
			}},
	})
}

func TestNonAgentLeadInfoAndDNC(t *testing.T) {
	runNAGolden(t, "lead_info", []naStep{
		{name: "lead_all_info", query: naq("function=lead_all_info&lead_id=1")},
		{name: "lead_all_info csv header", query: naq("function=lead_all_info&lead_id=1&stage=csv&header=YES")},
		{name: "lead_all_info missing", query: naq("function=lead_all_info&lead_id=777")},
		{name: "lead_field_info", query: naq("function=lead_field_info&lead_id=1&field_name=first_name")},
		{name: "lead_field_info bad field", query: naq("function=lead_field_info&lead_id=1&field_name=password")},
		{name: "lead_search two phones", query: naq("function=lead_search&phone_number=7275551212,3125550199&stage=tab")},
		{name: "lead_search none", query: naq("function=lead_search&phone_number=9999999999")},
		{name: "add dnc", query: naq("function=add_dnc_phone&phone_number=7275550101"),
			check: func(t *testing.T, n *naEnv, _ string) {
				if !n.eng.OnDNC(n.ctx, "7275550101", "") {
					t.Error("not on the system DNC list")
				}
			}},
		{name: "add dnc again", query: naq("function=add_dnc_phone&phone_number=7275550101")},
		{name: "add campaign dnc", query: naq("function=add_dnc_phone&phone_number=7275550101&campaign_id=TESTCAMP")},
		{name: "add dnc unknown campaign", query: naq("function=add_dnc_phone&phone_number=7275550101&campaign_id=NOPE")},
		{name: "delete dnc", query: naq("function=delete_dnc_phone&phone_number=7275550101"),
			check: func(t *testing.T, n *naEnv, _ string) {
				if n.eng.OnDNC(n.ctx, "7275550101", "") {
					t.Error("still on the system DNC list")
				}
			}},
		{name: "delete dnc not there", query: naq("function=delete_dnc_phone&phone_number=7275550101")},
	})
}

func TestNonAgentLiveStatus(t *testing.T) {
	runNAGolden(t, "live_status", []naStep{
		{name: "agent_status missing agent", query: naq("function=agent_status")},
		{name: "agent_status unknown", query: naq("function=agent_status&agent_user=4242")},
		{name: "agent_status logged out", query: naq("function=agent_status&agent_user=1000")},
		{name: "logged_in_agents none", query: naq("function=logged_in_agents")},
		{name: "agent_status paused", setup: func(n *naEnv) { n.login("1000"); n.pause("1000") },
			query: naq("function=agent_status&agent_user=1000&header=YES")},
		{name: "logged_in_agents", query: naq("function=logged_in_agents&header=YES&show_sub_status=YES")},
		{name: "logged_in_agents other campaign", query: naq("function=logged_in_agents&campaigns=OUTONLY")},
		{name: "campaigns_list", query: naq("function=campaigns_list&header=YES")},
		{name: "hopper_list", query: naq("function=hopper_list&campaign_id=TESTCAMP&header=YES")},
		{name: "hopper_list unknown", query: naq("function=hopper_list&campaign_id=NOPE")},
		{name: "reports need level 7", query: "source=test&user=1001&pass=1234&function=agent_status&agent_user=1000"},
	})
}
