package simari_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	ariv5 "github.com/CyCoreSystems/ari/v5"
	"github.com/CyCoreSystems/ari/v5/client/native"
	"golang.org/x/net/websocket"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/telephony/ari"
	"github.com/callgate/callgate/pkg/telephony/simari"
)

// Requests without the right credentials are refused with 401 and
// Asterisk's message, on the REST interface, the events websocket and the
// control API alike; the password is never echoed.
func TestSimariRefusesWrongCredentials(t *testing.T) {
	_, hs, _ := startServer(t)
	for _, path := range []string{"/ari/channels", "/ari/events?app=callgate", "/control/texts", "/ari/applications/callgate"} {
		for _, tc := range []struct {
			name       string
			user, pass string
			basic      bool
		}{
			{"none", "", "", false},
			{"wrong password", testUser, "nope", true},
			{"wrong user", "root", testPass, true},
			{"password prefix", testUser, testPass[:4], true},
		} {
			t.Run(path+"/"+tc.name, func(t *testing.T) {
				req, err := http.NewRequest(http.MethodGet, hs.URL+path, nil)
				must(t, err)
				if tc.basic {
					req.SetBasicAuth(tc.user, tc.pass)
				}
				resp, err := hs.Client().Do(req)
				must(t, err)
				defer resp.Body.Close()
				var body strings.Builder
				_, _ = copyBody(&body, resp)
				if resp.StatusCode != 401 || body.String() != "{\"message\":\"Authentication required\"}\n" {
					t.Errorf("%d %q, want 401 Authentication required", resp.StatusCode, body.String())
				}
				if resp.Header.Get("WWW-Authenticate") == "" {
					t.Error("no WWW-Authenticate challenge")
				}
				if tc.pass != "" && strings.Contains(body.String(), tc.pass) {
					t.Error("answer echoes the password")
				}
			})
		}
	}
	// A websocket handshake without credentials fails.
	cfg, err := websocket.NewConfig("ws"+strings.TrimPrefix(hs.URL, "http")+"/ari/events?app=callgate", "http://localhost/")
	must(t, err)
	if ws, err := cfg.DialContext(context.Background()); err == nil {
		ws.Close()
		t.Error("events websocket opened without credentials")
	}
	// api_key=user:password, which Asterisk also accepts, works.
	if code, _ := callNoAuth(t, hs, "/ari/channels?api_key="+testUser+":"+testPass); code != 200 {
		t.Errorf("api_key: %d, want 200", code)
	}
}

// ARI's errors: status and message as Asterisk answers them, always a
// JSON body (ari/v5 decodes answers even on errors), and nothing changed.
func TestSimariAnswersARIErrorsAsAsterisk(t *testing.T) {
	srv, hs, ctl := startServer(t)
	dialEvents(t, hs, "callgate")
	ctx := context.Background()
	in, err := ctl.Inbound(ctx, simari.Inbound{CallerID: "555", Dialed: "5550100"})
	must(t, err)
	must(t, ctl.SetBehavior(ctx, simari.Behavior{Endpoint: "PJSIP/ring", Outcome: "noanswer"}))
	expect(t, hs, "POST", "/ari/channels/ringing-1", `{"endpoint":"PJSIP/ring","app":"callgate"}`, 200)
	expect(t, hs, "POST", "/ari/bridges/b1", `{"type":"mixing"}`, 200)
	big := `{"endpoint":"` + strings.Repeat("x", 70<<10) + `","app":"callgate"}`

	for _, tc := range []struct {
		name, method, path, body string
		code                     int
		msg                      string
	}{
		{"answer unknown channel", "POST", "/ari/channels/nope/answer", "", 404, "Channel not found"},
		{"hangup unknown channel", "DELETE", "/ari/channels/nope", "", 404, "Channel not found"},
		{"hangup with an unknown reason", "DELETE", "/ari/channels/" + in + "?reason=whatever", "", 400, "Invalid reason for hangup provided"},
		{"hangup with a reason code out of range", "DELETE", "/ari/channels/" + in + "?reason_code=300", "", 400, "Invalid reason_code"},
		{"play on a channel not in the application", "POST", "/ari/channels/ringing-1/play/p1", `{"media":"sound:beep"}`, 409, "Channel not in Stasis application"},
		{"play without media", "POST", "/ari/channels/" + in + "/play/p1", `{}`, 400, "Missing parameter media"},
		{"add an unknown channel to a bridge", "POST", "/ari/bridges/b1/addChannel", `{"channel":"nope"}`, 400, "Channel not found"},
		{"add to an unknown bridge", "POST", "/ari/bridges/nope/addChannel", `{"channel":"` + in + `"}`, 404, "Bridge not found"},
		{"add a channel not in the application", "POST", "/ari/bridges/b1/addChannel", `{"channel":"ringing-1"}`, 422, ""},
		{"create a bridge whose id exists", "POST", "/ari/bridges/b1", `{"type":"holding"}`, 409, "Bridge with id b1 already exists"},
		{"create a bridge of an unknown type", "POST", "/ari/bridges/b2", `{"type":"jukebox"}`, 400, "Invalid parameter type"},
		{"originate without endpoint", "POST", "/ari/channels", `{"app":"callgate"}`, 400, "Endpoint must be specified"},
		{"originate into another application", "POST", "/ari/channels", `{"endpoint":"PJSIP/1","app":"other"}`, 400, "Application other is not served by simari (only callgate)"},
		{"originate into the dialplan", "POST", "/ari/channels", `{"endpoint":"PJSIP/1","extension":"100"}`, 400, "simari has no dialplan: originate into application callgate"},
		{"originate with a reused channel id", "POST", "/ari/channels/" + in, `{"endpoint":"PJSIP/1","app":"callgate"}`, 409, ""},
		{"a body that is not JSON", "POST", "/ari/channels", `endpoint=PJSIP/1`, 400, "request body is not a JSON object"},
		{"a body over 64 KiB", "POST", "/ari/channels", big, 400, "request body larger than 65536 bytes"},
		{"a variable the channel does not have", "GET", "/ari/channels/" + in + "/variable?variable=NOPE", "", 404, "Provided variable was not found"},
		{"stop an unknown playback", "DELETE", "/ari/playbacks/nope", "", 404, "Playback not found"},
		{"stop an unknown recording", "POST", "/ari/recordings/live/nope/stop", "", 404, "Recording not found"},
		{"file of an unknown stored recording", "GET", "/ari/recordings/stored/nope/file", "", 404, "Recording not found"},
		{"record with a path as name", "POST", "/ari/channels/" + in + "/record", `{"name":"../etc/x","format":"wav"}`, 400, "Invalid recording name"},
		{"subscribe to an unknown channel", "POST", "/ari/applications/callgate/subscription?eventSource=channel:nope", "", 422, "Event source does not exist"},
		{"an application not served", "GET", "/ari/applications/other", "", 404, "Application not found"},
		{"an allowed event filter", "PUT", "/ari/applications/callgate/eventFilter", `{"allowed":[{"type":"StasisStart"}]}`, 400, "simari implements only a disallowed event filter"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(srv.PBX().Ops())
			code, body := call(t, hs, tc.method, tc.path, tc.body)
			if code != tc.code {
				t.Fatalf("%d %s, want %d", code, body, tc.code)
			}
			if tc.msg != "" && body != `{"message":"`+tc.msg+`"}`+"\n" {
				t.Errorf("body %s, want message %q", body, tc.msg)
			}
			if !strings.HasPrefix(body, `{"message":"`) {
				t.Errorf("body %s is not an ARI error object", body)
			}
			// Refused requests change nothing on the PBX.
			for _, op := range srv.PBX().Ops()[before:] {
				switch op.Name {
				case "channels", "bridges", "get_var":
				default:
					t.Errorf("refused request performed %s", op)
				}
			}
		})
	}
}

// ari/v5's own client decodes simari's answers into its models: channel,
// bridge, playback, live and stored recordings, application.
func TestAriV5ClientDecodesSimariAnswers(t *testing.T) {
	_, hs, ctl := startServer(t)
	dialEvents(t, hs, "callgate")
	ctx := context.Background()
	cli := native.New(&native.Options{Application: "callgate", URL: hs.URL + "/ari", Username: testUser, Password: testPass})
	in, err := ctl.Inbound(ctx, simari.Inbound{CallerID: "5551234", Dialed: "5550100"})
	must(t, err)
	must(t, cli.Channel().Answer(ariv5.NewKey(ariv5.ChannelKey, in)))

	cd, err := cli.Channel().Data(ariv5.NewKey(ariv5.ChannelKey, in))
	must(t, err)
	if cd.ID != in || cd.State != "Up" || cd.Caller.Number != "5551234" || cd.Dialplan.Exten != "5550100" ||
		cd.ChannelVars["CHANNEL(linkedid)"] != in {
		t.Errorf("channel data %+v", cd)
	}
	bh, err := cli.Bridge().Create(ariv5.NewKey(ariv5.BridgeKey, "b1"), "mixing,dtmf_events", "b1")
	must(t, err)
	must(t, bh.AddChannel(in))
	bd, err := cli.Bridge().Data(ariv5.NewKey(ariv5.BridgeKey, "b1"))
	must(t, err)
	if bd.ID != "b1" || bd.Type != "mixing" || len(bd.ChannelIDs) != 1 || bd.ChannelIDs[0] != in {
		t.Errorf("bridge data %+v", bd)
	}
	if _, err := cli.Bridge().Play(ariv5.NewKey(ariv5.BridgeKey, "b1"), "pb1", "sound:beep"); err != nil {
		t.Fatal(err)
	}
	pd, err := cli.Playback().Data(ariv5.NewKey(ariv5.PlaybackKey, "pb1"))
	must(t, err)
	if pd.ID != "pb1" || pd.MediaURI != "sound:beep" || pd.TargetURI != "bridge:b1" || pd.State != "playing" {
		t.Errorf("playback data %+v", pd)
	}
	if _, err := cli.Channel().Record(ariv5.NewKey(ariv5.ChannelKey, in), "r1", &ariv5.RecordingOptions{Format: "wav", Exists: "fail"}); err != nil {
		t.Fatal(err)
	}
	ld, err := cli.LiveRecording().Data(ariv5.NewKey(ariv5.LiveRecordingKey, "r1"))
	must(t, err)
	if ld.Name != "r1" || ld.Format != "wav" || ld.State != "recording" || ld.TargetURI != "channel:"+in {
		t.Errorf("live recording data %+v", ld)
	}
	must(t, cli.LiveRecording().Stop(ariv5.NewKey(ariv5.LiveRecordingKey, "r1")))
	eventually(t, "recording stored", func() bool {
		keys, err := cli.StoredRecording().List(nil)
		return err == nil && len(keys) == 1 && keys[0].ID == "r1"
	})
	sd, err := cli.StoredRecording().Data(ariv5.NewKey(ariv5.StoredRecordingKey, "r1"))
	must(t, err)
	if sd.Name != "r1" || sd.Format != "wav" {
		t.Errorf("stored recording data %+v", sd)
	}
	ad, err := cli.Application().Data(ariv5.NewKey(ariv5.ApplicationKey, "callgate"))
	must(t, err)
	if ad.Name != "callgate" {
		t.Errorf("application data %+v", ad)
	}
	// A refused request is a native.RequestError with Asterisk's status.
	err = cli.Channel().Answer(ariv5.NewKey(ariv5.ChannelKey, "nope"))
	if native.CodeFromError(err) != 404 {
		t.Errorf("answer unknown channel: %v, want a 404 request error", err)
	}
}

// A second websocket for the application takes it over: the first is told
// with ApplicationReplaced and closed, and events go to the second.
func TestSecondWebsocketReplacesTheApplication(t *testing.T) {
	_, hs, ctl := startServer(t)
	first := dialEvents(t, hs, "callgate")
	second := dialEvents(t, hs, "callgate")
	b := first.next(t)
	if frameType(b) != "ApplicationReplaced" || !strings.Contains(string(b), `"application":"callgate"`) {
		t.Fatalf("first websocket got %s, want ApplicationReplaced", b)
	}
	select {
	case _, open := <-first.c:
		if open {
			t.Error("first websocket got another frame")
		}
	case <-time.After(bound):
		t.Error("first websocket not closed")
	}
	_, err := ctl.Inbound(context.Background(), simari.Inbound{CallerID: "1", Dialed: "2"})
	must(t, err)
	if got := second.until(t, "StasisStart"); len(got) != 2 {
		t.Errorf("second websocket got %d frames, want ChannelCreated and StasisStart", len(got))
	}
}

// The event filter installed by the driver is honoured: disallowed types
// are not sent.
func TestDisallowedEventsAreNotSent(t *testing.T) {
	_, hs, ctl := startServer(t)
	ev := dialEvents(t, hs, "callgate")
	expect(t, hs, "PUT", "/ari/applications/callgate/eventFilter", `{"disallowed":[{"type":"ChannelCreated"}]}`, 200)
	_, err := ctl.Inbound(context.Background(), simari.Inbound{CallerID: "1", Dialed: "2"})
	must(t, err)
	if got := ev.next(t); frameType(got) != "StasisStart" {
		t.Errorf("first frame %s, want StasisStart (ChannelCreated filtered)", got)
	}
}

// An Asterisk restart (control API) drops the events websocket and every
// channel: the ARI driver reports the disconnection, reconnects by itself
// and finds no channel left.
func TestRestartDropsTheDriverWhichReconnects(t *testing.T) {
	_, hs, ctl := startServer(t)
	tel, err := ari.New(driverConfig(hs))
	must(t, err)
	got := make(chan core.TelEvent, 256)
	must(t, tel.Start(context.Background(), func(ev core.TelEvent) { got <- ev }))
	t.Cleanup(func() { _ = tel.Close() })
	wait := func(typ core.TelEventType) {
		t.Helper()
		for {
			select {
			case ev := <-got:
				if ev.Type == typ {
					return
				}
			case <-time.After(bound):
				t.Fatalf("no %s", typ)
			}
		}
	}
	wait(core.TelConnected)
	ctx := context.Background()
	_, err = ctl.Inbound(ctx, simari.Inbound{CallerID: "1", Dialed: "2"})
	must(t, err)
	wait(core.TelStasisStart)
	must(t, ctl.Restart(ctx))
	wait(core.TelDisconnected)
	wait(core.TelConnected)
	chans, err := tel.Channels(ctx)
	must(t, err)
	if len(chans) != 0 {
		t.Errorf("channels after restart: %+v", chans)
	}
}

// A client that does not read its events is dropped, as Asterisk drops a
// websocket it cannot write to, rather than holding the PBX up: the
// application is then no longer registered.
func TestUnreadWebsocketIsDropped(t *testing.T) {
	srv, err := simari.New(simari.Config{User: testUser, Password: testPass, EventBuffer: 8})
	must(t, err)
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { hs.CloseClientConnections(); hs.Close(); _ = srv.Close() })
	cfg, err := websocket.NewConfig("ws"+strings.TrimPrefix(hs.URL, "http")+"/ari/events?app=callgate", "http://localhost/")
	must(t, err)
	cfg.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(testUser+":"+testPass)))
	ws, err := cfg.DialContext(context.Background())
	must(t, err)
	defer ws.Close() // never read
	eventually(t, "application registered", func() bool { return status(t, hs, "GET", "/ari/applications/callgate", "") == 200 })
	for batch := 0; status(t, hs, "GET", "/ari/applications/callgate", "") == 200; batch++ {
		if batch == 200 {
			t.Fatal("an unread websocket was never dropped")
		}
		for i := 0; i < 500; i++ {
			srv.PBX().InjectInbound("5551234", "5550100")
		}
		_ = srv.PBX().Flush()
	}
}
