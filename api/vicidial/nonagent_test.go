package vicidial

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

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
		{name: "campaign DNC", query: naq("function=add_lead&phone_number=5550002&list_id=101&campaign_dnc_check=Y&campaign_id=TESTCAMP")},
		{name: "campaign DNC checks campaign_id only", query: naq("function=add_lead&phone_number=5550002&list_id=101&campaign_dnc_check=Y")},
		{name: "duplicate in list", query: naq("function=add_lead&phone_number=7275551111&list_id=101&duplicate_check=DUPLIST")},
		{name: "duplicate in campaign lists", query: naq("function=add_lead&phone_number=7275551212&list_id=101&duplicate_check=DUPCAMP")},
		{name: "duplicate in system", query: naq("function=add_lead&phone_number=7275551212&list_id=102&duplicate_check=DUPSYS")},
		{name: "list exists check", query: naq("function=add_lead&phone_number=7275559999&list_id=555&list_exists_check=Y")},
		{name: "hopper and callback", query: naq("function=add_lead&phone_number=7275552222&list_id=102&add_to_hopper=Y&hopper_priority=50&callback=Y&campaign_id=OUTONLY&callback_datetime=2025-01-23+09:00:00&callback_type=USERONLY&callback_user=1000"),
			check: func(t *testing.T, n *naEnv, _ string) {
				l := n.leadByPhone(t, "7275552222")
				cbs, _ := n.eng.LeadCallbacks(n.ctx, l.ID)
				if l.Status != "CBHOLD" || len(cbs) != 1 || cbs[0].Agent != "1000" || !cbs[0].AgentOnly {
					t.Errorf("lead %+v callbacks %+v", l, cbs)
				}
			}},
		{name: "callback campaign not valid", query: naq("function=add_lead&phone_number=7275553333&list_id=102&callback=Y&campaign_id=NOPE")},
		{name: "state looked up, zone by owner", query: naq("function=add_lead&phone_number=3125554444&list_id=102&lookup_state=Y&tz_method=TZCODE&owner=PST"),
			check: func(t *testing.T, n *naEnv, _ string) {
				if l := n.leadByPhone(t, "3125554444"); l.State != "IL" || l.GMTOffset != "-8.00" {
					t.Errorf("lead state %q gmt %q, want IL -8.00", l.State, l.GMTOffset)
				}
			}},
		{name: "hopper outside the campaign's hours on the lead's clock",
			setup: func(n *naEnv) {
				if err := n.eng.UpdateCampaign(n.ctx, "OUTONLY", map[string]any{"start_time": "09:00", "end_time": "21:00"}); err != nil {
					panic(err)
				}
			},
			query: naq("function=add_lead&phone_number=2135555555&list_id=102&add_to_hopper=Y&hopper_local_call_time_check=Y")},
		{name: "hopper inside the campaign's hours abroad",
			query: naq("function=add_lead&phone_code=44&phone_number=2071234567&list_id=102&add_to_hopper=Y&hopper_local_call_time_check=Y")},
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
		{name: "no valid search method", query: naq("function=update_lead&search_method=EMAIL_ADDRESS&lead_id=1")},
		{name: "not found", query: naq("function=update_lead&lead_id=9999&first_name=X")},
		{name: "insert if not found", query: naq("function=update_lead&search_method=PHONE_NUMBER&phone_number=7275554444&insert_if_not_found=Y&list_id=101&first_name=Ann")},
		{name: "to the hopper", query: naq("function=update_lead&lead_id=3&add_to_hopper=Y&hopper_priority=20"),
			check: func(t *testing.T, n *naEnv, _ string) {
				if l, _ := n.eng.Lead(n.ctx, 3); core.HopperState(l) != core.HopperReady || l.Priority != 20 {
					t.Errorf("lead 3 hopper %q priority %d", core.HopperState(l), l.Priority)
				}
			}},
		{name: "to the hopper again", query: naq("function=update_lead&lead_id=3&add_to_hopper=Y")},
		{name: "out of the hopper", query: naq("function=update_lead&lead_id=3&remove_from_hopper=Y&add_to_hopper=Y"),
			check: func(t *testing.T, n *naEnv, _ string) {
				if l, _ := n.eng.Lead(n.ctx, 3); core.HopperState(l) != "" || l.Priority != 0 {
					t.Errorf("lead 3 hopper %q priority %d", core.HopperState(l), l.Priority)
				}
			}},
		{name: "out of the hopper when not in it", query: naq("function=update_lead&lead_id=3&remove_from_hopper=Y")},
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
		{name: "lead_all_info by phone", query: naq("function=lead_all_info&phone_number=7275551212&stage=newline")},
		{name: "lead_all_info nothing to search", query: naq("function=lead_all_info&phone_number=123")},
		{name: "lead_field_info", query: naq("function=lead_field_info&lead_id=1&field_name=first_name")},
		{name: "lead_field_info bad field", query: naq("function=lead_field_info&lead_id=1&field_name=password")},
		{name: "lead_field_info entry date", query: naq("function=lead_field_info&lead_id=1&field_name=entry_date")},
		{name: "lead_field_info missing lead", query: naq("function=lead_field_info&lead_id=777&field_name=first_name")},
		{name: "lead_field_info no field", query: naq("function=lead_field_info&lead_id=1")},
		{name: "lead_search two phones", query: naq("function=lead_search&phone_number=7275551212,3125550199&stage=tab")},
		{name: "lead_search none", query: naq("function=lead_search&phone_number=9999999999")},
		{name: "lead_search by vendor codes, header", query: naq("function=lead_search&search_method=VENDOR_LEAD_CODE&vendor_lead_code=1234567,NOPE,1234567890&header=YES")},
		{name: "lead_search vendor code first, then phones", query: naq("function=lead_search&search_method=VENDOR_LEAD_CODE_PHONE_NUMBER&vendor_lead_code=NOPE&phone_number=7275551212,123,3125550199")},
		{name: "lead_search by lead ids prints only phone and vendor keys", query: naq("function=lead_search&search_method=LEAD_ID&lead_id=1&lead_ids=1,2")},
		{name: "lead_search no valid method", query: naq("function=lead_search&search_method=LEAD_ID&phone_number=7275551212")},
		{name: "add dnc", query: naq("function=add_dnc_phone&phone_number=7275550101&campaign_id=SYSTEM_INTERNAL"),
			check: func(t *testing.T, n *naEnv, _ string) {
				if !n.eng.OnDNC(n.ctx, "7275550101", "") {
					t.Error("not on the system DNC list")
				}
			}},
		{name: "add dnc again", query: naq("function=add_dnc_phone&phone_number=7275550101&campaign_id=SYSTEM_INTERNAL")},
		{name: "add campaign dnc", query: naq("function=add_dnc_phone&phone_number=7275550101&campaign_id=TESTCAMP")},
		{name: "add dnc without campaign", query: naq("function=add_dnc_phone&phone_number=7275550101")},
		{name: "add dnc unknown campaign", query: naq("function=add_dnc_phone&phone_number=7275550101&campaign_id=NOPE")},
		{name: "delete dnc", query: naq("function=delete_dnc_phone&phone_number=7275550101&campaign_id=SYSTEM_INTERNAL"),
			check: func(t *testing.T, n *naEnv, _ string) {
				if n.eng.OnDNC(n.ctx, "7275550101", "") {
					t.Error("still on the system DNC list")
				}
			}},
		{name: "delete dnc not there", query: naq("function=delete_dnc_phone&phone_number=7275550101&campaign_id=SYSTEM_INTERNAL")},
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

func TestNonAgentListsAndLeadQueries(t *testing.T) {
	runNAGolden(t, "lists", []naStep{
		{name: "batch update", query: naq("function=batch_update_lead&lead_ids=1,2,999&status=B&owner=team2"),
			check: func(t *testing.T, n *naEnv, _ string) {
				l, _ := n.eng.Lead(n.ctx, 2)
				if l.Status != "B" || l.Owner != "team2" {
					t.Errorf("lead 2 %+v", l)
				}
			}},
		{name: "batch update nothing to set", query: naq("function=batch_update_lead&lead_ids=1")},
		{name: "batch update no leads", query: naq("function=batch_update_lead&status=B")},
		{name: "batch update no matches", query: naq("function=batch_update_lead&lead_ids=998,999&status=B")},
		{name: "batch update list exists check", query: naq("function=batch_update_lead&lead_ids=1&list_id_field=4444&list_exists_check=Y")},
		{name: "batch update, records takes the highest ids", query: naq("function=batch_update_lead&lead_ids=1,2&owner=solo&records=1"),
			check: func(t *testing.T, n *naEnv, _ string) {
				l1, _ := n.eng.Lead(n.ctx, 1)
				l2, _ := n.eng.Lead(n.ctx, 2)
				if l1.Owner != "team2" || l2.Owner != "solo" {
					t.Errorf("lead 1 owner %q, lead 2 owner %q: want only the highest id changed", l1.Owner, l2.Owner)
				}
			}},
		{name: "lead_status_search without date", query: naq("function=lead_status_search&status=B&header=YES")},
		{name: "lead_status_search by lead", query: naq("function=lead_status_search&lead_id=1")},
		{name: "lead_status_search no calls", query: naq("function=lead_status_search&status=B&date=2025-01-22")},
		{name: "hopper_bulk_insert", query: naq("function=hopper_bulk_insert&lead_ids=2,4242,1&hopper_priority=50"),
			check: func(t *testing.T, n *naEnv, _ string) {
				next, err := n.eng.NextLeads(n.ctx, "TESTCAMP", 5)
				if err != nil || len(next) == 0 || next[0].ID != 2 && next[0].ID != 1 {
					t.Errorf("the campaign's next leads %v (%v): want the inserted leads first", next, err)
				}
			}},
		{name: "hopper_bulk_insert none found", query: naq("function=hopper_bulk_insert&lead_ids=4242")},
		{name: "hopper_bulk_insert already in the hopper", query: naq("function=hopper_bulk_insert&lead_ids=2")},
		{name: "hopper_bulk_insert outside local time",
			setup: func(n *naEnv) {
				n.create(&core.Lead{ID: 777, ListID: 101, Campaign: "TESTCAMP", Status: "NEW", PhoneCode: "1", PhoneNumber: "2135550123", GMTOffset: "-8.00", State: "CA"})
				if err := n.eng.UpdateCampaign(n.ctx, "TESTCAMP", map[string]any{"start_time": "09:00", "end_time": "21:00"}); err != nil {
					panic(err)
				}
			},
			query: naq("function=hopper_bulk_insert&lead_ids=777&hopper_local_call_time_check=Y")},
		{name: "lead_callback_info none", query: naq("function=lead_callback_info&lead_id=1")},
		{name: "lead_callback_info", setup: func(n *naEnv) {
			n.create(&core.Callback{LeadID: 1, ListID: 998, Campaign: "TESTCAMP", Agent: "1000", AgentOnly: true, Phone: "7275551212",
				When: testNow.Add(time.Hour), Status: "ACTIVE", Comments: "call back", CreatedAt: testNow})
		}, query: naq("function=lead_callback_info&lead_id=1&header=YES")},
		{name: "lead_callback_info archive", query: naq("function=lead_callback_info&lead_id=1&search_location=ARCHIVE")},
		{name: "check_phone_number ok", query: naq("function=check_phone_number&phone_number=7275551212&local_call_time=24hours")},
		{name: "check_phone_number outside call time, every method", query: naq("function=check_phone_number&phone_number=7275551212&local_call_time=9am-9pm&tz_method=AREACODEPOSTALTZCODE&postal_code=33765&state=FL&owner=PST")},
		{name: "check_phone_number postal and tzcode not run", query: naq("function=check_phone_number&phone_number=7275551212&local_call_time=9am-9pm&tz_method=POSTAL-TZCODE&owner=LONGOWNER")},
		{name: "check_phone_number abroad inside call time", query: naq("function=check_phone_number&phone_code=44&phone_number=2071234567&local_call_time=9am-5pm")},
		{name: "check_phone_number non-geographic", query: naq("function=check_phone_number&phone_number=8005551212&local_call_time=9am-9pm")},
		{name: "check_phone_number unknown call time", query: naq("function=check_phone_number&phone_number=7275551212&local_call_time=8am-11pm")},
		{name: "check_phone_number nanpa", query: naq("function=check_phone_number&phone_number=7275551212&local_call_time=24hours&tz_method=NANPA")},
		{name: "check_phone_number dnc", query: naq("function=check_phone_number&phone_number=5550001&dnc_check=Y&local_call_time=24hours")},
		{name: "check_phone_number campaign dnc", query: naq("function=check_phone_number&phone_number=5550002&campaign_id=TESTCAMP&campaign_dnc_check=Y&local_call_time=24hours")},
		{name: "check_phone_number short", query: naq("function=check_phone_number&phone_number=555&local_call_time=24hours")},
		{name: "add_list", query: naq("function=add_list&list_id=5001&list_name=Spring+leads&campaign_id=OUTONLY&active=Y")},
		{name: "add_list exists", query: naq("function=add_list&list_id=5001&list_name=Again&campaign_id=OUTONLY")},
		{name: "add_list bad campaign", query: naq("function=add_list&list_id=5002&list_name=Bad&campaign_id=NOPE")},
		{name: "add_list missing name", query: naq("function=add_list&list_id=5003")},
		{name: "update_list moves leads and resets", query: naq("function=update_list&list_id=998&campaign_id=OUTONLY&reset_list=Y"),
			check: func(t *testing.T, n *naEnv, _ string) {
				l, _ := n.eng.Lead(n.ctx, 2)
				if l.Campaign != "OUTONLY" || l.Status != "NEW" {
					t.Errorf("lead 2 after list update %+v", l)
				}
			}},
		{name: "update_list missing", query: naq("function=update_list&list_id=4242")},
		{name: "add_list with options", query: naq("function=add_list&list_id=5004&list_name=Options+list&campaign_id=OUTONLY&list_description=Spring+push&expiration_date=2025-12-31&local_call_time=9am-5pm&reset_time=0900-1700&web_form_address=http%253A%252F%252Fcrm.example.com%252Flead%253Fid%253D1&xferconf_one=8005551212"),
			check: func(t *testing.T, n *naEnv, _ string) {
				v, err := n.eng.Settings().Values(n.ctx, Dialect, core.ScopeList, "5004")
				if err != nil || v.String("list_description") != "Spring push" || v.String("local_call_time") != "9am-5pm" ||
					v.String("web_form_address") != "http://crm.example.com/lead?id=1" || v.String("xferconf_a_number") != "8005551212" {
					t.Errorf("list settings %v (%v)", v, err)
				}
			}},
		{name: "add_list unknown call time", query: naq("function=add_list&list_id=5006&list_name=Bad+time&campaign_id=OUTONLY&local_call_time=8am-11pm"),
			check: func(t *testing.T, n *naEnv, _ string) {
				if _, err := n.eng.FindList(n.ctx, 5006); err == nil {
					t.Error("the refused list was added")
				}
			}},
		{name: "add_list unknown script", query: naq("function=add_list&list_id=5006&list_name=Bad+script&campaign_id=OUTONLY&script=SALES1")},
		{name: "update_list options", query: naq("function=update_list&list_id=5004&list_description=--BLANK--&expiration_date=2026-01-31&tz_method=POSTAL_CODE&outbound_cid=7275551000")},
		{name: "list_info shows the expiration", query: naq("function=list_info&list_id=5004")},
		{name: "update_list bad values end the function",
			query: naq("function=update_list&list_id=5004&list_name=abc&active=Y")},
		{name: "update_list bad active", query: naq("function=update_list&list_id=5004&active=X")},
		{name: "update_list bad tz_method", query: naq("function=update_list&list_id=5004&tz_method=AREACODE")},
		{name: "update_list bad outbound cid", query: naq("function=update_list&list_id=5004&outbound_cid=123")},
		{name: "update_list bad campaign", query: naq("function=update_list&list_id=5004&campaign_id=NOPE")},
		{name: "update_list sends to add_list", query: naq("function=update_list&list_id=5005&insert_if_not_found=Y&list_name=Inserted&campaign_id=OUTONLY")},
		{name: "update_list delete needs delete_lists", query: "source=test&user=6680&pass=1234&function=update_list&list_id=5005&delete_list=Y"},
		{name: "update_list deletes leads and the list",
			setup: func(n *naEnv) {
				n.create(&core.APIUser{Dialect: Dialect, Username: "6669", Secret: "1234", Active: true, UserLevel: 9, APIAccess: true,
					AllowedFunctions: "ALL_FUNCTIONS", ModifyLeads: true, ModifyCampaigns: true})
				n.create(&core.Lead{ID: 900, ListID: 5005, Campaign: "OUTONLY", Status: "NEW", PhoneNumber: "7275550900"})
			},
			query: "source=test&user=6669&pass=1234&function=update_list&list_id=5005&delete_leads=Y&delete_list=Y",
			check: func(t *testing.T, n *naEnv, _ string) {
				if _, err := n.eng.FindList(n.ctx, 5005); err == nil {
					t.Error("list 5005 still exists")
				}
				if _, err := n.eng.Lead(n.ctx, 900); err == nil {
					t.Error("lead 900 still exists")
				}
			}},
		{name: "list_info", query: naq("function=list_info&list_id=998&header=YES")},
		{name: "list_info with counts", query: naq("function=list_info&list_id=998&leads_counts=Y&dialable_count=Y&header=YES&stage=csv")},
		{name: "list_info no header no counts", query: naq("function=list_info&list_id=998")},
		{name: "list_info short id", query: naq("function=list_info&list_id=9")},
		{name: "list_info missing", query: naq("function=list_info&list_id=4242")},
		{name: "agent_campaigns", query: naq("function=agent_campaigns&agent_user=1000&header=YES")},
		{name: "agent_campaigns one campaign", query: naq("function=agent_campaigns&agent_user=1000&campaign_id=TESTCAMP&ignore_agentdirect=Y")},
		{name: "agent_campaigns no campaign", query: naq("function=agent_campaigns&agent_user=1000&campaign_id=NOSUCH")},
		{name: "agent_campaigns unknown", query: naq("function=agent_campaigns&agent_user=nobody")},
		{name: "ingroup_list", query: naq("function=ingroup_list&stage=csv")},
		{name: "ingroup_list chooser field", query: naq("function=ingroup_list&comments=group_field%27);alert(1)//")},
		{name: "user_details", query: naq("function=user_details&agent_user=1000&header=YES")},
		{name: "user_details unknown", query: naq("function=user_details&agent_user=nobody")},
		{name: "level 7 cannot add lists", query: "source=test&user=6668&pass=1234&function=add_list&list_id=5009&list_name=xx"},
	})
}

func TestNonAgentRecordingsQueuesAndMonitor(t *testing.T) {
	runNAGolden(t, "live_more", []naStep{
		{name: "recording_lookup one point", query: naq("function=recording_lookup&agent_user=1000")},
		{name: "recording_lookup none", query: naq("function=recording_lookup&agent_user=1000&date=2025-01-22")},
		{name: "recording_lookup by lead", setup: func(n *naEnv) {
			n.create(&core.Recording{GUID: "g1", CallID: 7, LeadID: 1, Agent: "1000", Name: "r1", File: "20250122-101000_7275551212_1000-all.wav",
				Start: testNow, Length: 42, Status: "done", MediaFile: "20250122/g1.mp3"})
			n.create(&core.Recording{GUID: "g2", CallID: 8, LeadID: 2, Agent: "1000", Name: "r2", File: "r2.wav", Start: testNow.Add(time.Minute), Length: 5, Status: "done"})
		}, query: naq("function=recording_lookup&lead_id=1&header=YES")},
		{name: "recording_lookup agent and date with duration", query: naq("function=recording_lookup&agent_user=1000&date=2025-01-22&duration=Y")},
		{name: "recording_lookup bad date", query: naq("function=recording_lookup&lead_id=1&date=2025-1-2")},
		{name: "in_group_status needs groups", query: naq("function=in_group_status")},
		{name: "in_group_status", setup: func(n *naEnv) {
			n.login("1000")
			if err := n.eng.SetAgentQueues(n.ctx, "1000", []string{"TEST_IN"}, true); err != nil {
				t.Fatal(err)
			}
		},
			query: naq("function=in_group_status&in_groups=TEST_IN|SALESLINE&header=YES")},
		{name: "blind_monitor bad session", query: naq("function=blind_monitor&phone_login=350a&session_id=1234567&stage=MONITOR")},
		{name: "blind_monitor bad phone", setup: func(n *naEnv) { n.pause("1000"); n.manualCall("1000") },
			query: naq("function=blind_monitor&phone_login=nope&session_id=8600051&stage=MONITOR")},
		{name: "blind_monitor listen", setup: func(n *naEnv) {
			n.create(&core.Agent{Username: "sup1", Number: "350", Extension: "PJSIP/350", PhoneLogin: "350a", Password: "x", UserLevel: 9, Active: true})
		}, query: naq("function=blind_monitor&phone_login=350a&session_id=8600051&stage=BARGE"),
			check: func(t *testing.T, n *naEnv, _ string) {
				n.waitFor("the supervisor's phone to ring", func() bool {
					chans, _ := n.pbx.Channels(n.ctx)
					for _, ch := range chans {
						if strings.Contains(ch.Name+" "+ch.Dialed, "PJSIP/350") {
							return true
						}
					}
					return false
				})
			}},
		{name: "blind_monitor HIJACK is not served", query: naq("function=blind_monitor&phone_login=350a&session_id=8600051&stage=HIJACK")},
		{name: "blind_monitor BARGESWAP barges", setup: func(n *naEnv) {
			n.create(&core.Agent{Username: "sup2", Number: "351", Extension: "PJSIP/351", PhoneLogin: "351a", Password: "x", UserLevel: 9, Active: true})
		}, query: naq("function=blind_monitor&phone_login=351a&session_id=8600051&stage=BARGESWAP"),
			check: func(t *testing.T, n *naEnv, _ string) {
				n.waitFor("the second supervisor's phone to ring", func() bool {
					chans, _ := n.pbx.Channels(n.ctx)
					for _, ch := range chans {
						if strings.Contains(ch.Name+" "+ch.Dialed, "PJSIP/351") {
							return true
						}
					}
					return false
				})
			}},
	})
}

// seedCalls stores a day of calls: an answered outbound sale, an
// unanswered outbound attempt and an inbound DID call that reached agent
// 1000; API user 6669 has level 9.
func (n *naEnv) seedCalls() {
	at := func(d time.Duration) *time.Time { t := testNow.Add(d); return &t }
	n.create(&core.Call{GUID: "c1", Direction: core.CallOutbound, State: core.CallDone, Campaign: "TESTCAMP", LeadID: 1, ListID: 998,
		Agent: "1000", Phone: "7275551212", Status: "SALE", CreatedAt: testNow, ConnectedAt: at(10 * time.Second),
		EndedAt: at(70 * time.Second), HangupBy: "agent"})
	n.create(&core.Call{GUID: "c2", Direction: core.CallOutbound, State: core.CallDone, Campaign: "TESTCAMP", LeadID: 2, ListID: 998,
		Phone: "3125550199", Status: "NA", CreatedAt: testNow.Add(time.Hour), EndedAt: at(time.Hour + 30*time.Second), HangupBy: "system"})
	n.create(&core.Call{GUID: "c3", Direction: core.CallInbound, State: core.CallDone, Campaign: "TESTCAMP", Queue: "TEST_IN",
		DID: "8885551000", Agent: "1000", Phone: "3125557777", Status: "A", CreatedAt: testNow.Add(2 * time.Hour),
		QueuedAt: at(2*time.Hour + time.Second), ConnectedAt: at(2*time.Hour + 5*time.Second), EndedAt: at(2*time.Hour + 65*time.Second), HangupBy: "caller"})
	n.create(&core.APIUser{Dialect: Dialect, Username: "6669", Secret: "1234", Active: true, UserLevel: 9, APIAccess: true, AllowedFunctions: "ALL_FUNCTIONS"})
}

func TestNonAgentReports(t *testing.T) {
	const admin9 = "source=test&user=6669&pass=1234&"
	runNAGolden(t, "reports", []naStep{
		{name: "did_log_export", setup: (*naEnv).seedCalls, query: naq("function=did_log_export&phone_number=8885551000&date=2025-01-22&header=YES")},
		{name: "did_log_export other day", query: naq("function=did_log_export&phone_number=8885551000&date=2025-01-21")},
		{name: "did_log_export bad date", query: naq("function=did_log_export&phone_number=8885551000&date=22-01-2025")},
		{name: "phone_number_log", query: naq("function=phone_number_log&phone_number=7275551212,3125550199&header=YES")},
		{name: "phone_number_log last of all", query: naq("function=phone_number_log&phone_number=7275551212&type=ALL&detail=LAST&stage=csv")},
		{name: "phone_number_log inbound only", query: naq("function=phone_number_log&phone_number=7275551212&type=IN")},
		{name: "phone_number_log no valid number", query: naq("function=phone_number_log&phone_number=123")},
		{name: "phone_number_log none", query: naq("function=phone_number_log&phone_number=9999999999")},
		{name: "call_status_stats needs level 9", query: "source=test&user=6680&pass=1234&function=call_status_stats&campaigns=TESTCAMP"},
		{name: "call_status_stats missing campaigns", query: admin9 + "function=call_status_stats"},
		{name: "call_status_stats", query: admin9 + "function=call_status_stats&campaigns=---ALL---&ingroups=TEST_IN&query_date=2025-01-22"},
		{name: "call_status_stats over a range with the campaign's in-groups", query: admin9 + "function=call_status_stats&campaigns=TESTCAMP&query_date=2025-01-21&end_date=2025-01-22&query_time=10:00:00&end_time=10:30:00"},
		{name: "call_status_stats filtered statuses", query: admin9 + "function=call_status_stats&campaigns=TESTCAMP&statuses=SALE&query_date=2025-01-22"},
		{name: "call_dispo_report", query: admin9 + "function=call_dispo_report&query_date=2025-01-22&campaigns=---ALL---&ingroups=---ALL---"},
		{name: "call_dispo_report by status", query: admin9 + "function=call_dispo_report&query_date=2025-01-22&campaigns=TESTCAMP&ingroups=TEST_IN-SALESLINE&status_breakdown=1&show_percentages=1"},
		{name: "call_dispo_report one user", query: admin9 + "function=call_dispo_report&query_date=2025-01-20&end_date=2025-01-23&campaigns=ALLCAMPAIGNS&users=1000&status_breakdown=Y"},
		{name: "call_dispo_report empty day", query: admin9 + "function=call_dispo_report&query_date=2025-01-20&campaigns=TESTCAMP"},
		{name: "call_dispo_report without campaigns", query: admin9 + "function=call_dispo_report&query_date=2025-01-22"},
		{name: "agent_stats_export", query: naq("function=agent_stats_export&datetime_start=2025-01-22+00:00:00&datetime_end=2025-01-22+23:59:59&header=YES")},
		{name: "agent_stats_export by campaign in seconds", query: naq("function=agent_stats_export&datetime_start=2025-01-22+00:00:00&datetime_end=2025-01-22+23:59:59&group_by_campaign=YES&time_format=S&stage=csv")},
		{name: "agent_stats_export one agent in minutes", query: naq("function=agent_stats_export&agent_user=1000&datetime_start=2025-01-22+00:00:00&datetime_end=2025-01-22+23:59:59&time_format=M")},
		{name: "agent_stats_export without period", query: naq("function=agent_stats_export&agent_user=1000")},
		{name: "agent_stats_export bad period", query: naq("function=agent_stats_export&datetime_start=2025-01-22+00:00:00&datetime_end=2025-01-21+23:59:59")},
		{name: "update_log_entry rewrites the newest call of the lead", query: naq("function=update_log_entry&group=TESTCAMP&call_id=M1221010000000000001&status=CALLBK"),
			check: func(t *testing.T, n *naEnv, _ string) {
				var c core.Call
				if err := n.st.First(n.ctx, &c, core.Eq("guid", "c1")); err != nil || c.Status != "CALLBK" {
					t.Errorf("call c1 status %q (%v), want CALLBK", c.Status, err)
				}
				if l, _ := n.eng.Lead(n.ctx, 1); l.Status == "CALLBK" {
					t.Errorf("the lead's status changed too")
				}
			}},
		{name: "update_log_entry in-group", query: naq("function=update_log_entry&group=TEST_IN&call_id=M1221010000000000000&status=B")},
		{name: "update_log_entry unknown group", query: naq("function=update_log_entry&group=NOPE&call_id=M1221010000000000001&status=B")},
		{name: "update_log_entry long fields refused", query: naq("function=update_log_entry&group=TESTCAMP&call_id=M1221010000000000001&status=LONGSTATUS")},
	})
}

func TestNonAgentUsersAndCampaigns(t *testing.T) {
	runNAGolden(t, "users", []naStep{
		{name: "add_user", query: naq("function=add_user&agent_user=2001&agent_pass=s3cret99&agent_user_level=1&agent_full_name=New+Agent&agent_user_group=AGENTS&phone_login=2001p"),
			check: func(t *testing.T, n *naEnv, body string) {
				if strings.Contains(body, "s3cret99") {
					t.Error("new password echoed")
				}
				a, err := n.eng.FindAgent(n.ctx, "2001")
				if err != nil || a.Name != "New Agent" || a.UserGroup != "AGENTS" || a.Password == "s3cret99" {
					t.Errorf("agent %+v %v (password must be hashed)", a, err)
				}
				if !n.eng.Credentials().Verify(a.Password, "s3cret99") {
					t.Error("stored password does not verify")
				}
			}},
		{name: "add_user exists", query: naq("function=add_user&agent_user=2001&agent_pass=x1x1&agent_user_level=1&agent_full_name=Dup&agent_user_group=AGENTS")},
		{name: "add_user level above own", query: "source=test&user=6680&pass=1234&function=add_user&agent_user=2002&agent_pass=x1x1&agent_user_level=9&agent_full_name=Boss&agent_user_group=AGENTS"},
		{name: "add_user unknown group", query: naq("function=add_user&agent_user=2002&agent_pass=x1x1&agent_user_level=1&agent_full_name=A&agent_user_group=NOPE")},
		{name: "add_user missing fields", query: naq("function=add_user&agent_user=2002")},
		{name: "update_user", query: naq("function=update_user&agent_user=2001&agent_full_name=Renamed&active=N"),
			check: func(t *testing.T, n *naEnv, _ string) {
				if a, _ := n.eng.FindAgent(n.ctx, "2001"); a.Name != "Renamed" || a.Active {
					t.Errorf("agent %+v", a)
				}
			}},
		{name: "update_user unknown", query: naq("function=update_user&agent_user=nobody&agent_full_name=X")},
		{name: "update_user options", query: naq("function=update_user&agent_user=2001&phone_pass=abcd&email=agent@example.com&custom_one=Team+A&custom_three=crm2001&hotkeys_active=1&wrapup_seconds_override=30&in_groups=TEST_IN|SALESLINE&voicemail_id=2001"),
			check: func(t *testing.T, n *naEnv, _ string) {
				a, _ := n.eng.FindAgent(n.ctx, "2001")
				v, _ := n.eng.Settings().Values(n.ctx, Dialect, core.ScopeUser, "2001")
				if a.Email != "agent@example.com" || a.AltID != "crm2001" || v.String("custom_one") != "Team A" ||
					v.String("hotkeys_active") != "1" || v.String("wrapup_seconds_override") != "30" {
					t.Errorf("agent %+v settings %v", a, v)
				}
				if qs := n.eng.AgentQueues("2001"); !slices.Equal(qs, []string{"SALESLINE", "TEST_IN"}) {
					t.Errorf("agent 2001 queues %v", qs)
				}
			}},
		{name: "update_user bad hotkeys", query: naq("function=update_user&agent_user=2001&hotkeys_active=5&active=N")},
		{name: "update_user bad email", query: naq("function=update_user&agent_user=2001&email=a@b")},
		{name: "update_user bad level", query: naq("function=update_user&agent_user=2001&agent_user_level=12")},
		{name: "update_user ranks", query: naq("function=update_user&agent_user=2001&campaign_rank=5&ingroup_grade=11")},
		{name: "update_user password reset without mail", query: naq("function=update_user&agent_user=2001&reset_password=10&active=Y")},
		{name: "update_user nothing", query: naq("function=update_user&agent_user=2001")},
		{name: "update_user delete needs delete_users", query: "source=test&user=6680&pass=1234&function=update_user&agent_user=2001&delete_user=Y"},
		{name: "copy_user", query: naq("function=copy_user&agent_user=2003&agent_pass=p4ss&agent_full_name=Copy&source_user=1000")},
		{name: "copy_user from unknown", query: naq("function=copy_user&agent_user=2004&agent_pass=p4ss&agent_full_name=Copy&source_user=nobody")},
		{name: "update_user delete", query: naq("function=update_user&agent_user=2003&delete_user=Y"),
			check: func(t *testing.T, n *naEnv, _ string) {
				if _, err := n.eng.FindAgent(n.ctx, "2003"); err == nil {
					t.Error("deleted agent still there")
				}
			}},
		{name: "update_user delete logged in", setup: func(n *naEnv) { n.login("1001") }, query: naq("function=update_user&agent_user=1001&delete_user=Y")},
		{name: "update_campaign", query: naq("function=update_campaign&campaign_id=OUTONLY&dial_method=ADAPT_TAPERED&auto_dial_level=2.5&dial_timeout=30&campaign_name=Spring"),
			check: func(t *testing.T, n *naEnv, _ string) {
				c, ok := n.eng.Campaign("OUTONLY")
				if !ok || c.DialMethod != core.DialPredictive || c.DialRatio != 2.5 || c.DialTimeout != 30 || c.Description != "Spring" {
					t.Errorf("engine campaign %+v", c)
				}
			}},
		{name: "update_campaign bad timeout", query: naq("function=update_campaign&campaign_id=OUTONLY&dial_timeout=500")},
		{name: "update_campaign bad method", query: naq("function=update_campaign&campaign_id=OUTONLY&dial_method=WILD")},
		{name: "update_campaign nothing", query: naq("function=update_campaign&campaign_id=OUTONLY")},
		{name: "update_campaign settings and dial statuses",
			query: naq("function=update_campaign&campaign_id=OUTONLY&list_order=DOWN+COUNT&hopper_level=500&outbound_cid=7275551000&dial_status_add=CALLBK&dial_status_remove=NA&xferconf_one=8005551212&webform_one=https://crm.example.com/?id=1&lead_filter_id=---NONE---&reset_hopper=Y"),
			check: func(t *testing.T, n *naEnv, _ string) {
				camp, _ := n.eng.FindCampaign(n.ctx, "OUTONLY")
				statuses := core.DialStatusesOf(camp)
				if camp.CallerID != "7275551000" || statuses[0] != "CALLBK" || slices.Contains(statuses, "NA") {
					t.Errorf("campaign caller id %q dial statuses %v", camp.CallerID, statuses)
				}
				v, _ := n.eng.Settings().Values(n.ctx, Dialect, core.ScopeCampaign, "OUTONLY")
				if v.String("lead_order") != "DOWN COUNT" || v.String("hopper_level") != "500" || v.String("web_form_address") != "https://crm.example.com/?id=1" {
					t.Errorf("campaign settings %v", v)
				}
			}},
		{name: "campaigns_list shows them", query: naq("function=campaigns_list&campaign_id=OUTONLY")},
		{name: "update_campaign level over the system limit", query: naq("function=update_campaign&campaign_id=OUTONLY&auto_dial_level=5")},
		{name: "update_campaign unknown lead filter", query: naq("function=update_campaign&campaign_id=OUTONLY&lead_filter_id=F1")},
		{name: "update_campaign bad list order", query: naq("function=update_campaign&campaign_id=OUTONLY&list_order=SIDEWAYS")},
		{name: "update_campaign removing a status it lacks", query: naq("function=update_campaign&campaign_id=OUTONLY&dial_status_remove=XYZ")},
		{name: "update_campaign short name", query: naq("function=update_campaign&campaign_id=OUTONLY&campaign_name=Abc")},
		{name: "update_campaign id too long", query: naq("function=update_campaign&campaign_id=OUTONLYLONG")},
		{name: "add_group_alias", query: naq("function=add_group_alias&group_alias_id=SALES_CID&group_alias_name=Sales+line&caller_id_number=7275551000&caller_id_name=Sales"),
			check: func(t *testing.T, n *naEnv, _ string) {
				v, _ := n.eng.Settings().Values(n.ctx, Dialect, core.ScopeSystem, "")
				if cid, ok := aliasCallerID(v, "SALES_CID"); !ok || cid != "7275551000" {
					t.Errorf("group_aliases %q", v.String(setGroupAliases))
				}
			}},
		{name: "add_group_alias again", query: naq("function=add_group_alias&group_alias_id=SALES_CID&caller_id_number=7275551000")},
		{name: "add_group_alias id from the number", query: naq("function=add_group_alias&caller_id_number=7275552000")},
		{name: "add_group_alias short number", query: naq("function=add_group_alias&group_alias_id=X1&caller_id_number=123")},
		{name: "add_group_alias needs level 8", query: "source=test&user=6668&pass=1234&function=add_group_alias&caller_id_number=7275553000"},
		{name: "server_refresh", setup: func(n *naEnv) {
			// Written behind the engine's back: only a reload shows it.
			n.create(&core.Queue{Name: "REFRESHQ", Strategy: core.StrategyRingAll, RingTimeout: 15, Active: true})
		}, query: naq("function=server_refresh&stage=REFRESH"),
			check: func(t *testing.T, n *naEnv, _ string) {
				if _, ok := n.eng.Queue("REFRESHQ"); !ok {
					t.Error("the engine does not hold the queue after server_refresh")
				}
			}},
		{name: "server_refresh without the stage", query: naq("function=server_refresh")},
		{name: "server_refresh needs level 8", query: "source=test&user=6668&pass=1234&function=server_refresh&stage=REFRESH"},
		{name: "lead_dearchive of an active lead", query: naq("function=lead_dearchive&lead_id=1&stage=LIVE")},
		{name: "lead_dearchive without a lead", query: naq("function=lead_dearchive")},
		{name: "lead_dearchive needs modify_leads", query: "source=test&user=6668&pass=1234&function=lead_dearchive&lead_id=1"},
		{name: "update_campaign unknown", query: naq("function=update_campaign&campaign_id=NOPE&active=N")},
	})
}

func TestNonAgentPhones(t *testing.T) {
	runNAGolden(t, "phones", []naStep{
		{name: "add_phone", query: naq("function=add_phone&extension=350&dialplan_number=350&voicemail_id=350&phone_login=350a&phone_pass=test350&protocol=PJSIP&phone_full_name=Supervisor+desk"),
			check: func(t *testing.T, n *naEnv, body string) {
				p, err := n.eng.PhoneByLogin(n.ctx, "350a")
				if err != nil || p.Endpoint() != "PJSIP/350" || p.Password == "test350" || strings.Contains(body, "test350") {
					t.Errorf("phone %+v %v (password sealed, never echoed)", p, err)
				}
			}},
		{name: "add_phone exists", query: naq("function=add_phone&extension=350&dialplan_number=350&phone_login=350b&phone_pass=test350")},
		{name: "add_phone bad protocol", query: naq("function=add_phone&extension=351&dialplan_number=351&phone_login=351a&phone_pass=test351&protocol=ZAP")},
		{name: "add_phone missing", query: naq("function=add_phone&extension=352")},
		{name: "update_phone", query: naq("function=update_phone&extension=350&protocol=SIP&phone_full_name=Desk+2")},
		{name: "update_phone nothing", query: naq("function=update_phone&extension=350")},
		{name: "update_phone unknown", query: naq("function=update_phone&extension=999&active=N")},
		{name: "blind_monitor rings the provisioned phone", setup: func(n *naEnv) {
			n.login("1000")
			n.pause("1000")
			n.manualCall("1000")
		}, query: naq("function=blind_monitor&phone_login=350a&session_id=8600051&stage=WHISPER"),
			check: func(t *testing.T, n *naEnv, _ string) {
				n.waitFor("the phone to ring", func() bool {
					chans, _ := n.pbx.Channels(n.ctx)
					for _, ch := range chans {
						if strings.Contains(ch.Name+" "+ch.Dialed, "SIP/350") {
							return true
						}
					}
					return false
				})
			}},
		{name: "update_phone delete", query: naq("function=update_phone&extension=350&delete_phone=Y")},
	})
}

func TestNonAgentCallidAndUserGroupStatus(t *testing.T) {
	var cid string
	runNAGolden(t, "callid", []naStep{
		{name: "user_group_status needs groups", query: naq("function=user_group_status")},
		{name: "user_group_status none", query: naq("function=user_group_status&user_groups=AGENTS")},
		{name: "callid_info unknown", query: naq("function=callid_info&call_id=M1221010000000000099")},
		{name: "callid_info too short", query: naq("function=callid_info&call_id=M12210100")},
		{name: "callid_info wrong prefix", query: naq("function=callid_info&call_id=Q1221010000000000001")},
		{name: "user_group_status", setup: func(n *naEnv) {
			n.login("1000")
			n.pause("1000")
			n.manualCall("1000")
			n.login("1001")
		}, query: naq("function=user_group_status&user_groups=AGENTS|ADMIN&header=YES")},
		{name: "agent_status on a call gives the call id", query: naq("function=agent_status&agent_user=1000"),
			check: func(t *testing.T, n *naEnv, body string) {
				cid = strings.Split(body, "|")[1]
				if !strings.HasPrefix(cid, "M") {
					t.Fatalf("call id %q", cid)
				}
			}},
		{name: "callid_info of the live call", query: naq("function=callid_info&call_id=M1221010000000000001&header=YES"),
			check: func(t *testing.T, n *naEnv, body string) {
				if cid != "M1221010000000000001" {
					t.Errorf("agent_status call id %q, callid_info asked for M1221010000000000001", cid)
				}
			}},
		{name: "callid_info detail", query: naq("function=callid_info&call_id=M1221010000000000001&detail=YES&header=YES&stage=tab")},
	})
}
