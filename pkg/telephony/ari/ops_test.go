package ari

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
)

// TestOperationsMapToARIRequests checks what each port method sends to
// Asterisk: method, path, query and JSON body.
func TestOperationsMapToARIRequests(t *testing.T) {
	f := newFakeARI(t)
	tel, _ := startTel(t, f, nil)
	ctx := t.Context()
	ch := core.MediaTarget{Kind: core.TargetChannel, ID: "c1"}
	br := core.MediaTarget{Kind: core.TargetBridge, ID: "b1"}

	tests := []struct {
		name   string
		do     func() error
		method string
		path   string
		query  url.Values
		body   map[string]any // nil: no body checked
	}{
		{"originate with caller id, timeout, variables, args and link",
			func() error {
				id, err := tel.Originate(ctx, core.OriginateRequest{
					ChannelID: "c1", Endpoint: "PJSIP/1064", CallerIDNum: "5551234", CallerIDName: "Ana \"Bé\"",
					Timeout: 1500 * time.Millisecond, Variables: map[string]string{"CG_CALL": "42"},
					AppArgs: []string{"dialer", "7"}, OtherChannelID: "c0",
				})
				if err == nil && id != "c1" {
					return errors.New("originate returned " + id)
				}
				return err
			},
			"POST", "/channels", nil,
			map[string]any{
				"endpoint": "PJSIP/1064", "timeout": 2.0, "callerId": `"Ana Bé" <5551234>`, "app": "callgate",
				"appArgs": "dialer,7", "channelId": "c1", "originator": "c0", "variables": map[string]any{"CG_CALL": "42"},
			}},
		{"answer", func() error { return tel.Answer(ctx, "c1") }, "POST", "/channels/c1/answer", nil, nil},
		{"ring", func() error { return tel.Ring(ctx, "c1") }, "POST", "/channels/c1/ring", nil, nil},
		{"hangup busy uses the named reason", func() error { return tel.Hangup(ctx, "c1", core.CauseBusy) },
			"DELETE", "/channels/c1", url.Values{"reason": {"busy"}}, nil},
		{"hangup no answer", func() error { return tel.Hangup(ctx, "c1", core.CauseNoAnswer) },
			"DELETE", "/channels/c1", url.Values{"reason": {"no_answer"}}, nil},
		{"hangup with an unnamed cause uses reason_code", func() error { return tel.Hangup(ctx, "c1", 102) },
			"DELETE", "/channels/c1", url.Values{"reason_code": {"102"}}, nil},
		{"continue defaults priority 1", func() error { return tel.Continue(ctx, "c1", "callgate-out", "5551234", 0) },
			"POST", "/channels/c1/continue", nil, map[string]any{"context": "callgate-out", "extension": "5551234", "priority": 1.0}},
		{"mixing bridge keeps DTMF events", func() error { return tel.CreateBridge(ctx, "b1", core.BridgeMixing) },
			"POST", "/bridges/b1", nil, map[string]any{"bridgeId": "b1", "type": "mixing,dtmf_events", "name": "b1"}},
		{"holding bridge", func() error { return tel.CreateBridge(ctx, "q1", core.BridgeHolding) },
			"POST", "/bridges/q1", nil, map[string]any{"bridgeId": "q1", "type": "holding", "name": "q1"}},
		{"add to bridge", func() error { return tel.AddToBridge(ctx, "b1", "c1") },
			"POST", "/bridges/b1/addChannel", nil, map[string]any{"channel": "c1"}},
		{"remove from bridge", func() error { return tel.RemoveFromBridge(ctx, "b1", "c1") },
			"POST", "/bridges/b1/removeChannel", nil, map[string]any{"channel": "c1"}},
		{"hold", func() error { return tel.Hold(ctx, "c1") }, "POST", "/channels/c1/hold", nil, nil},
		{"unhold", func() error { return tel.Unhold(ctx, "c1") }, "DELETE", "/channels/c1/hold", nil, nil},
		{"channel moh", func() error { return tel.StartMOH(ctx, "c1", "sales") },
			"POST", "/channels/c1/moh", nil, map[string]any{"mohClass": "sales"}},
		{"stop channel moh", func() error { return tel.StopMOH(ctx, "c1") }, "DELETE", "/channels/c1/moh", nil, nil},
		{"bridge moh", func() error { return tel.BridgeMOH(ctx, "q1", "default") },
			"POST", "/bridges/q1/moh", nil, map[string]any{"mohClass": "default"}},
		{"stop bridge moh", func() error { return tel.BridgeStopMOH(ctx, "q1") }, "DELETE", "/bridges/q1/moh", nil, nil},
		{"send dtmf with explicit durations", func() error { return tel.SendDTMF(ctx, "c1", "12#", 250*time.Millisecond) },
			"POST", "/channels/c1/dtmf", nil, map[string]any{"dtmf": "12#", "between": 250.0, "duration": 100.0}},
		{"play on channel", func() error { return tel.Play(ctx, "p1", ch, "sound:beep") },
			"POST", "/channels/c1/play/p1", nil, map[string]any{"media": "sound:beep"}},
		{"play on bridge", func() error { return tel.Play(ctx, "p2", br, "tone:ring") },
			"POST", "/bridges/b1/play/p2", nil, map[string]any{"media": "tone:ring"}},
		{"stop playback", func() error { return tel.ControlPlayback(ctx, "p1", core.PlaybackStop) },
			"DELETE", "/playbacks/p1", nil, nil},
		{"pause playback", func() error { return tel.ControlPlayback(ctx, "p1", core.PlaybackPause) },
			"POST", "/playbacks/p1/control", nil, map[string]any{"operation": "pause"}},
		{"resume playback", func() error { return tel.ControlPlayback(ctx, "p1", core.PlaybackResume) },
			"POST", "/playbacks/p1/control", nil, map[string]any{"operation": "unpause"}},
		{"record bridge", func() error { return tel.Record(ctx, br, "r1", "") },
			"POST", "/bridges/b1/record", nil, map[string]any{
				"name": "r1", "format": "wav", "ifExists": "fail", "terminateOn": "none",
				"beep": false, "maxDurationSeconds": 0.0, "maxSilenceSeconds": 0.0}},
		{"record channel", func() error { return tel.Record(ctx, ch, "r2", "gsm") },
			"POST", "/channels/c1/record", nil, map[string]any{
				"name": "r2", "format": "gsm", "ifExists": "fail", "terminateOn": "none",
				"beep": false, "maxDurationSeconds": 0.0, "maxSilenceSeconds": 0.0}},
		{"stop recording", func() error { return tel.StopRecording(ctx, "r1") }, "POST", "/recordings/live/r1/stop", nil, nil},
		{"mute recording", func() error { return tel.MuteRecording(ctx, "r1", true) }, "POST", "/recordings/live/r1/mute", nil, nil},
		{"unmute recording", func() error { return tel.MuteRecording(ctx, "r1", false) }, "DELETE", "/recordings/live/r1/mute", nil, nil},
		{"snoop enters the app with its spied channel", func() error { return tel.Snoop(ctx, "c1", "s1", core.SnoopBoth, "") },
			"POST", "/channels/c1/snoop/s1", nil, map[string]any{"app": "callgate", "appArgs": "snoop,c1", "spy": "both", "whisper": "none"}},
		{"set var", func() error { return tel.SetVar(ctx, "c1", "CG_X", "a b") },
			"POST", "/channels/c1/variable", nil, map[string]any{"variable": "CG_X", "value": "a b"}},
		{"get var", func() error {
			v, err := tel.GetVar(ctx, "c1", "CALLERID(num)")
			if err == nil && v != "v-CALLERID(num)" {
				return errors.New("GetVar = " + v)
			}
			return err
		}, "GET", "/channels/c1/variable", url.Values{"variable": {"CALLERID(num)"}}, nil},
		{"send text wraps variables as Asterisk expects", func() error {
			return tel.SendText(ctx, "pjsip:trunk", "pjsip:5551234@trunk", "hola ção", map[string]string{"X-Campaign": "7"})
		}, "PUT", "/endpoints/sendMessage",
			url.Values{"from": {"pjsip:trunk"}, "to": {"pjsip:5551234@trunk"}, "body": {"hola ção"}},
			map[string]any{"variables": map[string]any{"X-Campaign": "7"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f.clearRequests()
			if err := tc.do(); err != nil {
				t.Fatalf("error: %v", err)
			}
			reqs := f.requests()
			if len(reqs) == 0 {
				t.Fatal("no request sent")
			}
			r := reqs[0]
			if r.Method != tc.method || r.Path != tc.path {
				t.Fatalf("request = %s %s, want %s %s", r.Method, r.Path, tc.method, tc.path)
			}
			if tc.query != nil {
				got, _ := url.ParseQuery(r.Query)
				if !reflect.DeepEqual(got, tc.query) {
					t.Errorf("query = %v, want %v", got, tc.query)
				}
			}
			if tc.body != nil {
				var got map[string]any
				if err := json.Unmarshal([]byte(r.Body), &got); err != nil {
					t.Fatalf("body %q: %v", r.Body, err)
				}
				if !reflect.DeepEqual(got, tc.body) {
					t.Errorf("body = %v\n want %v", got, tc.body)
				}
			}
		})
	}
}

func TestErrorsMapToNotFoundAndKeepOtherFailures(t *testing.T) {
	f := newFakeARI(t)
	tel, _ := startTel(t, f, nil)
	ctx := t.Context()
	f.respond("POST", "/channels/gone/answer", 404, `{"message":"Channel not found"}`)
	f.respond("POST", "/bridges/b1/addChannel", 400, `{"message":"Channel not found"}`)
	f.respond("DELETE", "/playbacks/gone", 404, `{"message":"Playback not found"}`)
	f.respond("GET", "/channels/c1/variable", 404, `{"message":"Provided variable was not found"}`)
	f.respond("GET", "/channels/gone/variable", 404, `{"message":"Provided channel was not found"}`)
	f.respond("POST", "/channels/busy/hold", 409, `{"message":"Channel not in Stasis application"}`)
	f.respond("DELETE", "/channels/gone", 404, `{"message":"Channel not found"}`)
	f.respond("DELETE", "/channels/gone2", 404, `{"message":"Channel not found"}`)

	notFound := map[string]error{
		"answer unknown channel":        tel.Answer(ctx, "gone"),
		"add unknown channel to bridge": tel.AddToBridge(ctx, "b1", "gone"),
		"stop unknown playback":         tel.ControlPlayback(ctx, "gone", core.PlaybackStop),
		"hangup unknown channel":        tel.Hangup(ctx, "gone", core.CauseNormal),
		"hangup unknown with raw code":  tel.Hangup(ctx, "gone2", 99),
		"get var of an unknown channel": func() error { _, err := tel.GetVar(ctx, "gone", "X"); return err }(),
	}
	for name, err := range notFound {
		if !errors.Is(err, core.ErrNotFound) {
			t.Errorf("%s: %v, want core.ErrNotFound", name, err)
		}
	}
	v, err := tel.GetVar(ctx, "c1", "NEVER_SET")
	if err != nil || v != "" {
		t.Errorf("unset variable: %q, %v; want empty and no error", v, err)
	}
	err = tel.Hold(ctx, "busy")
	var ae *Error
	if !errors.As(err, &ae) || ae.Code != 409 || errors.Is(err, core.ErrNotFound) {
		t.Errorf("409 answer: %v, want an *Error with code 409 that is not ErrNotFound", err)
	}
}

func TestChannelsAndBridgesListingForResync(t *testing.T) {
	f := newFakeARI(t)
	f.channels = `[{"id":"c1","name":"PJSIP/1064-00000001","state":"Up","protocol_id":"abc","caller":{"name":"Ana","number":"5551234"},"connected":{"name":"","number":"1064"},"accountcode":"","dialplan":{"context":"callgate-inbound","exten":"7000","priority":2,"app_name":"Stasis","app_data":"callgate,inbound,7000"},"creationtime":"2026-11-21T05:00:01.250+0000","language":"es","channelvars":{"CHANNEL(linkedid)":"c0"}},
	               {"id":"c2","name":"Local/x@y-00000002;1","state":"Ringing","caller":{"name":"","number":""},"connected":{"name":"","number":""},"dialplan":{"context":"y","exten":"x","priority":1},"creationtime":"2026-11-21T05:00:02.000+0000"}]`
	f.bridges = `[{"id":"b1","technology":"simple_bridge","bridge_type":"mixing","bridge_class":"stasis","creator":"Stasis","name":"b1","channels":["c1"],"creationtime":"2026-11-21T05:00:01.300+0000","video_mode":"none"},
	              {"id":"q1","technology":"holding_bridge","bridge_type":"holding","bridge_class":"stasis","creator":"Stasis","name":"q1","channels":[]}]`
	tel, _ := startTel(t, f, nil)
	chans, err := tel.Channels(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []core.ChannelInfo{
		{ID: "c1", Name: "PJSIP/1064-00000001", State: "Up", CallerID: "5551234", Connected: "1064", Dialed: "7000",
			Created: time.Date(2026, 11, 21, 5, 0, 1, 250e6, time.UTC), LinkedID: "c0", Bridges: []string{"b1"}},
		{ID: "c2", Name: "Local/x@y-00000002;1", State: "Ringing", Dialed: "x",
			Created: time.Date(2026, 11, 21, 5, 0, 2, 0, time.UTC), LinkedID: "c2"},
	}
	if len(chans) != len(want) {
		t.Fatalf("channels = %+v", chans)
	}
	for i := range want {
		got := chans[i]
		if !got.Created.Equal(want[i].Created) {
			t.Errorf("channel %d created %v, want %v", i, got.Created, want[i].Created)
		}
		got.Created = want[i].Created
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("channel %d = %+v\n want %+v", i, got, want[i])
		}
	}
	bridges, err := tel.Bridges(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	wantB := []core.BridgeInfo{{ID: "b1", Kind: core.BridgeMixing, Channels: []string{"c1"}}, {ID: "q1", Kind: core.BridgeHolding, Channels: []string{}}}
	if !reflect.DeepEqual(bridges, wantB) {
		t.Errorf("bridges = %+v, want %+v", bridges, wantB)
	}
}

func TestNewValidatesConfig(t *testing.T) {
	ok := Config{URL: "http://127.0.0.1:8088/ari", User: "u", Password: "p", NodeID: "ast1"}
	tests := []struct {
		name    string
		mutate  func(*Config)
		wantErr error
	}{
		{"valid", func(*Config) {}, nil},
		{"node id is required", func(c *Config) { c.NodeID = "" }, errAny},
		{"user is required", func(c *Config) { c.User = "" }, errAny},
		{"bad url", func(c *Config) { c.URL = "ftp://x" }, errAny},
		{"credentials in the url are refused", func(c *Config) { c.URL = "http://u:p@127.0.0.1:8088/ari" }, errAny},
		{"ari-proxy is a named but unimplemented transport", func(c *Config) { c.Transport = TransportProxy }, ErrProxyNotImplemented},
		{"unknown transport", func(c *Config) { c.Transport = "carrier-pigeon" }, errAny},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.mutate(&c)
			tel, err := New(c)
			switch {
			case tc.wantErr == nil && err != nil:
				t.Fatalf("unexpected error %v", err)
			case tc.wantErr == errAny && err == nil:
				t.Fatal("want an error")
			case tc.wantErr != nil && tc.wantErr != errAny && !errors.Is(err, tc.wantErr):
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			if err == nil {
				if tel.NodeID() != "ast1" || tel.cfg.WSURL != "ws://127.0.0.1:8088/ari/events" || tel.cfg.App != "callgate" {
					t.Errorf("defaults: node %q ws %q app %q", tel.NodeID(), tel.cfg.WSURL, tel.cfg.App)
				}
				_ = tel.Close() // Close without Start is fine
			}
		})
	}
}

var errAny = errors.New("any error")

func TestContextCancelStopsWaitingForARI(t *testing.T) {
	f := newFakeARI(t)
	tel, _ := startTel(t, f, nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := tel.Answer(ctx, "c1"); !errors.Is(err, context.Canceled) {
		t.Fatalf("answer with a cancelled context: %v", err)
	}
}
