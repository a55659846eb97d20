package vicidial

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/demo"
	"github.com/callgate/callgate/pkg/store/storetest"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

// TestVendorExamplesOnDemoData plays the example requests of the vendor
// document, as written, against the demo data set.
func TestVendorExamplesOnDemoData(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	ctx := context.Background()
	if err := demo.Seed(ctx, st); err != nil {
		t.Fatal(err)
	}
	pbx := sim.New("demo")
	eng := core.New(core.Options{Store: st, Tel: pbx, Now: func() time.Time { return testNow }, DialerInterval: time.Hour})
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = eng.Stop(context.Background()); _ = pbx.Close() })
	h := newHandler(eng, Options{Logger: slog.New(slog.DiscardHandler)})
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); _ = h.Close() })
	e := &env{t: t, st: st, ctx: ctx, pbx: pbx, eng: eng, h: h, srv: srv}
	if err := eng.Login(ctx, "1000", core.LoginOptions{}); err != nil {
		t.Fatal(err)
	}
	const base = "source=test&user=6666&pass=1234&agent_user=1000&function="
	examples := []struct{ query, want string }{
		{"function=version", "VERSION: 2.14-82|BUILD: 250122-1010|"},
		{base + "external_pause&value=PAUSE", "SUCCESS: external_pause function set - PAUSE|"},
		{base + "pause_code&value=BREAK", "SUCCESS: pause_code function sent - 1000\n"},
		{base + "external_dial&value=7275551212&phone_code=1&search=YES&preview=NO&focus=YES", "SUCCESS: external_dial function set - 7275551212|1000|1|YES|NO|YES||"},
		{"", ""}, // wait for the call
		{base + "recording&value=START", "SUCCESS: recording function sent - 1000|START||||"},
		{base + "recording&value=STATUS", "NOTICE: recording active - 1000|"},
		{base + "recording&value=STOP", "SUCCESS: recording function sent - 1000|STOP||||"},
		{base + "send_dtmf&value=QQQQ1234SQQQQQ6654P", "SUCCESS: send_dtmf function set - QQQQ1234SQQQQQ6654P|1000\n"},
		{base + "park_call&value=PARK_CUSTOMER", "SUCCESS: park_call function set - PARK_CUSTOMER|1000\n"},
		{base + "park_call&value=GRAB_CUSTOMER", "SUCCESS: park_call function set - GRAB_CUSTOMER|1000\n"},
		{base + "audio_playback&value=ss-noservice&stage=PLAY", "SUCCESS: audio_playback function sent - ss-noservice|PLAY|1000\n"},
		{base + "audio_playback&stage=PAUSE", "SUCCESS: audio_playback function sent - |PAUSE|1000\n"},
		{base + "audio_playback&stage=RESUME", "SUCCESS: audio_playback function sent - |RESUME|1000\n"},
		{base + "audio_playback&stage=RESTART", "SUCCESS: audio_playback function sent - |RESTART|1000\n"},
		{base + "audio_playback&value=ss-noservice&stage=PLAY&dial_override=Y", "NOTICE: audio_playback previous playback stopped - PLAY|Y|1000\nSUCCESS:"},
		{base + "audio_playback&stage=STOP", "SUCCESS: audio_playback function sent - |STOP|1000\n"},
		{base + "vm_message&value=EXship01|EXship02|EXship03", "SUCCESS: vm_message function set - 1000|1|EXship01|EXship02|EXship03|\n"},
		{base + "transfer_conference&value=DIAL_WITH_CUSTOMER&phone_number=8500", "SUCCESS: transfer_conference function set - DIAL_WITH_CUSTOMER||8500|NO|1000|M1221010000"},
		{base + "transfer_conference&value=HANGUP_XFER", "SUCCESS: transfer_conference function set - HANGUP_XFER|||NO|1000|M1221010000"},
		{base + "transfer_conference&value=LOCAL_CLOSER&ingroup_choices=SALESLINE", "SUCCESS: transfer_conference function set - LOCAL_CLOSER|SALESLINE||NO|1000|"},
		{base + "external_status&value=A", "SUCCESS: external_status function set - A|1000\n"},
		{base + "external_add_lead&phone_number=7275551212&phone_code=1&first_name=Bob&last_name=Smith&dnc_check=YES", "SUCCESS: lead added - 7275551212|TESTCAMP|998|"},
		{base + "change_ingroups&value=ADD&blended=NO&ingroup_choices=+TEST_IN2+-", "SUCCESS: change_ingroups function set - 6666|1000| TEST_IN SALESLINE TEST_IN2 -|NO|\n"},
		{base + "calls_in_queue_count&value=DISPLAY", "SUCCESS: calls_in_queue_count - 1"}, // the LOCAL_CLOSER call waits in SALESLINE
		{base + "webphone_url&value=DISPLAY", "ERROR: webphone_url error - webphone url is empty - 1000\n"},
		{base + "call_agent&value=CALL", "ERROR: call_agent error - entry is empty - 1000\n"},
		{"source=test&user=6666&pass=1234&function=refresh_panel&agent_user=1000&scriptreload=1&script2reload=1&callbacksreload=1", "SUCCESS: refresh_panel request sent - 6666|1000|1|scriptreload,script2reload,callbacksreload|\n"},
		{"source=test&user=6666&pass=1234&function=set_timer_action&agent_user=1000&value=MESSAGE_ONLY&notes=test+message&rank=15", "SUCCESS: set_timer_action lead updated - 6666|1000|MESSAGE_ONLY|test message|15\n"},
		{"source=test&user=6666&pass=1234&function=st_login_log&value=CRM1000&vendor_id=TEAM1", "SUCCESS: st_login_log user found - 1000\n"},
		{base + "external_pause&value=RESUME", "SUCCESS: external_pause function set - RESUME|"},
		{base + "logout&value=LOGOUT", "SUCCESS: logout function set - LOGOUT|"},
	}
	for _, ex := range examples {
		if ex.query == "" {
			e.waitFor("example call connected", e.connected("1000"))
			continue
		}
		res := e.do(ex.query, "")
		if res.status != 200 || !strings.HasPrefix(res.body, ex.want) {
			t.Errorf("%s\n got %q\nwant prefix %q", ex.query, res.body, ex.want)
		}
		if strings.Contains(ex.query, "LOCAL_CLOSER") {
			e.noCall("1000")
		}
	}
}
