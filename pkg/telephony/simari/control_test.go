package simari_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/callgate/callgate/pkg/telephony/simari"
)

// The control API refuses bad input with a message and changes nothing:
// no channel appears, none is hung up, no rule or text is recorded.
func TestControlAPIRefusesBadInputAndChangesNothing(t *testing.T) {
	srv, hs, ctl := startServer(t)
	dialEvents(t, hs, "callgate")
	ctx := context.Background()
	in, err := ctl.Inbound(ctx, simari.Inbound{CallerID: "555", Dialed: "5550100"})
	must(t, err)
	for _, tc := range []struct {
		name, method, path, body string
		code                     int
		msg                      string
	}{
		{"inbound without dialed", "POST", "/control/inbound", `{"caller_id":"1"}`, 400, "dialed is required; caller_id and dialed are printable, at most 128 bytes"},
		{"inbound with a control character", "POST", "/control/inbound", `{"caller_id":"1\n2","dialed":"3"}`, 400, ""},
		{"inbound with a long number", "POST", "/control/inbound", `{"dialed":"` + strings.Repeat("1", 129) + `"}`, 400, ""},
		{"inbound with too many args", "POST", "/control/inbound", `{"dialed":"1","args":["a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a"]}`, 400, "at most 16 args"},
		{"inbound with a comma in an arg", "POST", "/control/inbound", `{"dialed":"1","args":["a,b"]}`, 400, "args are printable, without commas, at most 128 bytes"},
		{"inbound with an unknown field", "POST", "/control/inbound", `{"dialed":"1","did":"2"}`, 400, `invalid JSON body: json: unknown field \"did\"`},
		{"inbound with trailing data", "POST", "/control/inbound", `{"dialed":"1"} {}`, 400, "invalid JSON body: trailing data"},
		{"inbound with a body over 64 KiB", "POST", "/control/inbound", `{"dialed":"` + strings.Repeat("1", 70<<10) + `"}`, 400, "request body larger than 65536 bytes"},
		{"dtmf with a letter", "POST", "/control/channels/" + in + "/dtmf", `{"digits":"12x"}`, 400, "digits are 1 to 64 of 0-9 * # A-D"},
		{"dtmf to an unknown channel", "POST", "/control/channels/nope/dtmf", `{"digits":"1"}`, 404, "Channel not found"},
		{"hangup with a cause out of range", "POST", "/control/channels/" + in + "/hangup", `{"cause":200}`, 400, "cause is a Q.850 cause, 1 to 127"},
		{"hangup of an unknown channel", "POST", "/control/channels/nope/hangup", `{}`, 404, "Channel not found"},
		{"answer an inbound channel", "POST", "/control/channels/" + in + "/answer", ``, 409, ""},
		{"behavior with an unknown outcome", "PUT", "/control/behaviors", `{"endpoint":"PJSIP/1","outcome":"maybe"}`, 400, "outcome is one of answer, busy, noanswer, congestion, fail, refuse"},
		{"behavior without endpoint", "PUT", "/control/behaviors", `{"outcome":"busy"}`, 400, "endpoint is required, printable, at most 128 bytes"},
		{"behavior with a negative delay", "PUT", "/control/behaviors", `{"endpoint":"PJSIP/1","outcome":"busy","after_ms":-1}`, 400, "after_ms is 0 to 86400000"},
		{"text without a sender", "POST", "/control/text", `{"to":"a","body":"b"}`, 400, ""},
		{"channel view of an unknown channel", "GET", "/control/channels/nope", ``, 404, "Channel not found"},
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
				t.Errorf("body %s is not an error object", body)
			}
			if ops := srv.PBX().Ops()[before:]; len(ops) > 0 {
				t.Errorf("refused request performed %v", ops)
			}
		})
	}
	v, err := ctl.Channel(ctx, in)
	must(t, err)
	if v.HungUp || v.State != "Ring" {
		t.Errorf("the inbound channel changed: %+v", v)
	}
	if texts, err := ctl.Texts(ctx); err != nil || len(texts) != 0 {
		t.Errorf("texts %v %v", texts, err)
	}
}

// Behaviors decide originated calls: a rule for an exact endpoint, a
// prefix rule, and the default.
func TestControlBehaviorsDecideOriginatedCalls(t *testing.T) {
	_, hs, ctl := startServer(t)
	dialEvents(t, hs, "callgate")
	ctx := context.Background()
	must(t, ctl.SetBehavior(ctx, simari.Behavior{Endpoint: "PJSIP/*", Outcome: "busy"}))
	must(t, ctl.SetBehavior(ctx, simari.Behavior{Endpoint: "PJSIP/7", Outcome: "congestion"}))
	must(t, ctl.SetDefaultBehavior(ctx, simari.Behavior{Outcome: "noanswer"}))
	for _, tc := range []struct {
		id, endpoint string
		hungUp       bool
		cause        int
		state        string
	}{
		{"c-busy", "PJSIP/1", true, 17, ""},
		{"c-cong", "PJSIP/7", true, 34, ""},
		{"c-ring", "IAX2/9", false, 0, "Ringing"},
	} {
		expect(t, hs, "POST", "/ari/channels/"+tc.id, `{"endpoint":"`+tc.endpoint+`","app":"callgate"}`, 200)
		v, err := ctl.Channel(ctx, tc.id)
		must(t, err)
		if v.HungUp != tc.hungUp || v.Cause != tc.cause || (tc.state != "" && v.State != tc.state) {
			t.Errorf("%s: %+v, want hung up %v cause %d state %q", tc.endpoint, v, tc.hungUp, tc.cause, tc.state)
		}
	}
	// The far end of the ringing one answers: it enters the application.
	must(t, ctl.Answer(ctx, "c-ring"))
	v, err := ctl.Channel(ctx, "c-ring")
	must(t, err)
	if v.State != "Up" || !v.InApp {
		t.Errorf("answered channel %+v, want Up in the application", v)
	}
}

// While no websocket holds the application, a call cannot enter it (in
// Asterisk, Stasis() fails and the dialplan hangs up): the control API
// refuses and no channel is created.
func TestInboundIsRefusedWhileNoApplicationListens(t *testing.T) {
	srv, hs, ctl := startServer(t)
	_, err := ctl.Inbound(context.Background(), simari.Inbound{CallerID: "555", Dialed: "5550100"})
	var ce *simari.ControlError
	if !errors.As(err, &ce) || ce.Code != 409 || !strings.Contains(ce.Message, "not registered") {
		t.Fatalf("inbound without application: %v, want 409 not registered", err)
	}
	if chans, _ := srv.PBX().Channels(context.Background()); len(chans) != 0 {
		t.Errorf("channels created: %+v", chans)
	}
	dialEvents(t, hs, "callgate")
	if _, err := ctl.Inbound(context.Background(), simari.Inbound{CallerID: "555", Dialed: "5550100"}); err != nil {
		t.Errorf("inbound once registered: %v", err)
	}
}
