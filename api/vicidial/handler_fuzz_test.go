package vicidial

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/callgate/callgate/pkg/store/storetest"
)

// badLogin is the refused-login line with its password field empty.
var badLogin = regexp.MustCompile(`^ERROR: Invalid Username/Password: \|[^|]*\|\|`)

// FuzzHandler sends arbitrary query strings for every function to the
// handler on a real engine with a logged-in agent on a live call: no input
// may panic, every answer keeps the API's content type, and a refused login
// never echoes the password.
// Run it with: go test ./api/vicidial -run '^$' -fuzz FuzzHandler
func FuzzHandler(f *testing.F) {
	for _, fn := range []string{"version", "external_hangup", "external_status", "external_pause", "logout",
		"external_dial", "preview_dial_action", "external_add_lead", "change_ingroups", "update_fields",
		"refresh_panel", "set_timer_action", "st_login_log", "st_get_agent_active_lead", "ra_call_control",
		"send_dtmf", "transfer_conference", "park_call", "recording", "webphone_url", "call_agent", "pause_code",
		"audio_playback", "switch_lead", "calls_in_queue_count", "force_fronter_leave_3way",
		"force_fronter_audio_stop", "send_notification", "vm_message", "webserver"} {
		f.Add("function=" + fn + "&agent_user=1000&value=x&phone_number=5551234&lead_id=1&ingroup_choices=TEST_IN")
	}
	e := newEnv(f, storetest.Open(f, storetest.SQLite), Options{})
	e.login("1000")
	e.pause("1000")
	e.manualCall("1000")
	f.Fuzz(func(t *testing.T, query string) {
		req := httptest.NewRequest(http.MethodGet, "/agc/api.php", nil)
		req.URL.RawQuery = auth + "&" + query
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Fatalf("content type %q for %q", ct, query)
		}
		if body := rec.Body.String(); strings.Contains(body, "Invalid Username/Password") && !badLogin.MatchString(body) {
			t.Fatalf("password echoed for %q: %q", query, body)
		}
	})
}
