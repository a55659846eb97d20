package vicidial

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/callgate/callgate/pkg/store/storetest"
)

// FuzzNonAgent sends arbitrary parameters to every non-agent function on a
// real engine with a logged-in agent: no input may panic, every answer
// keeps the content type and ends its lines, only coffee answers 418, and
// a refused login never echoes the password.
// Run it with: go test ./api/vicidial -run '^$' -fuzz FuzzNonAgent
func FuzzNonAgent(f *testing.F) {
	for fn := range nonAgentFunctions {
		f.Add("function="+fn+"&phone_number=7275551111&list_id=101&lead_id=1&agent_user=1000&campaign_id=TESTCAMP"+
			"&duplicate_check=DUPSYS&add_to_hopper=Y&callback=Y&callback_datetime=2025-13-45+99:99:99&search_method=PHONE_NUMBER"+
			"&insert_if_not_found=Y&field_name=first_name&stage=csv&header=YES", "1234")
	}
	f.Add("function=update_lead&lead_id=1&delete_lead=Y", "1234")
	f.Add("function=add_lead&phone_number=7275551111&list_id=1&duplicate_check=DUPPHONEALTCAMP360DAY-DUPTITLEALTPHONESYS-DUPNAMEPHONELIST"+
		"&usacan_prefix_check=Y&usacan_areacode_check=Y&tz_method=NANPA&multi_alt_phones=1_2_3!!___!7275550000&custom_fields=Y", "1234")
	f.Add("function=update_lead&lead_id=1&callback=Y&callback_datetime=99DAYS&custom_fields=Y&delete_cf_data=Y&callback_type=USERONLY", "1234")
	f.Add("function=update_lead&lead_id=1&callback=REMOVE&list_id_field=0&list_exists_check=Y", "1234")
	f.Add("function=list_custom_fields&list_id=---ALL---&custom_order=alpha_down", "1234")
	f.Add("function=update_list&list_id=101&custom_fields_add=Y&field_label=lead_id&field_name=x&field_size=1&field_type=NOPE&field_rank=1", "1234")
	f.Add("function=add_lead&phone_number=%00%ff&first_name="+strings.Repeat("x", 300), "1234")
	f.Add("function=check_phone_number&phone_number=7275551111&local_call_time=9am-9pm&tz_method=AREACODEPOSTALTZCODE&postal_code=33765&owner=PST", "1234")
	f.Add("function=update_list&list_id=101&list_description=--BLANK--&expiration_date=2026-99-99&reset_time=0900-2561&local_call_time=campaign"+
		"&web_form_address=http%253A%252F%252Fx%2520y&delete_leads=Y&insert_if_not_found=Y&list_name=abcdefg", "1234")
	f.Add("function=update_campaign&campaign_id=TESTCAMP&auto_dial_level=1e9&list_order=DOWN+6th+NEW&dial_status_add=XXXXXXX&dial_status_remove=NEW&reset_hopper=Y", "1234")
	f.Add("function=update_user&agent_user=1000&in_groups=TEST_IN|NOPE&reset_password=99&campaign_rank=-99&delete_user=Y&agent_user_level=0", "1234")
	f.Add("function=update_lead&lead_id=1&remove_from_hopper=Y&add_to_hopper=Y&hopper_local_call_time_check=Y", "1234")
	f.Add("function=version", "wrongpass")
	n := newNAEnv(f, storetest.Open(f, storetest.SQLite))
	n.login("1000")
	f.Fuzz(func(t *testing.T, query, pass string) {
		req := httptest.NewRequest(http.MethodGet, "/vicidial/non_agent_api.php", nil)
		req.URL.RawQuery = "source=test&user=6666&pass=" + pass + "&" + query
		rec := httptest.NewRecorder()
		n.na.ServeHTTP(rec, req)
		body := rec.Body.String()
		if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Fatalf("content type %q for %q", ct, query)
		}
		if rec.Code != http.StatusOK && rec.Code != http.StatusTeapot {
			t.Fatalf("status %d for %q", rec.Code, query)
		}
		// An empty answer is the script's own for a request with nothing to
		// do (update_lead or batch_update_lead with no field to write).
		// lead_field_info echoes its value bare, as the script does.
		bare := strings.Contains(query, "lead_field_info") && !strings.Contains(body, "ERROR")
		if rec.Code == http.StatusOK && body != "" && !bare && !strings.HasSuffix(body, "\n") {
			t.Fatalf("unterminated answer for %q: %q", query, body)
		}
		if strings.Contains(body, "Login incorrect") && len(pass) >= 3 && strings.Contains(body, "|"+pass+"|") {
			t.Fatalf("password echoed for %q: %q", query, body)
		}
	})
}
