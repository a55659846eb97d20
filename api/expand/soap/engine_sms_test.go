package soap_test

import (
	"strings"
	"testing"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

// sendSms hands the text to the PBX for each recipient (space or comma
// separated) and answers the job id statusSms follows; over the
// per-second limit it answers -2 and sends nothing; a text over 160
// characters is 0.
func TestSendSmsSendsThroughThePBXAndStatusSmsFollowsIt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		e := newEngEnv(t, st, func(o *core.Options, _ *sim.PBX) { o.SMSPerSecond = 3 })
		id := e.ret(e.rpc("sendSms", demoKey, "0", "Su pedido está listo", "099123456 099654321"))
		if id == "" || id == "0" || strings.HasPrefix(id, "-") {
			t.Fatalf("sendSms answered %q, want a job id", id)
		}
		texts := e.pbx.Texts()
		if len(texts) != 2 || texts[0].Body != "Su pedido está listo" || !strings.Contains(texts[1].To, "099654321") {
			t.Fatalf("PBX texts %+v", texts)
		}
		if got := e.ret(e.rpc("statusSms", demoKey, id)); got != "SENT" {
			t.Fatalf("statusSms %q, want SENT", got)
		}
		// Two more in the same clock second pass the limit of 3.
		if got := e.ret(e.rpc("sendSms", demoKey, "0", "hola", "099111111,099222222")); got != "-2" {
			t.Fatalf("over the per-second limit: %q, want -2", got)
		}
		if got := e.ret(e.rpc("sendSms", demoKey, "0", strings.Repeat("a", 161), "099111111")); got != "0" {
			t.Fatalf("161 characters: %q, want 0", got)
		}
		if got := e.ret(e.rpc("sendSms", demoKey, "0", "hola", "")); got != "0" {
			t.Fatalf("no recipient: %q, want 0", got)
		}
		if n := len(e.pbx.Texts()); n != 2 {
			t.Fatalf("%d texts reached the PBX, want 2", n)
		}
		for _, unknown := range []string{"999999", "abc", "0"} {
			if got := e.ret(e.rpc("statusSms", demoKey, unknown)); got != "" {
				t.Fatalf("statusSms(%s) = %q, want empty", unknown, got)
			}
		}
		checkGolden(t, "engine_sendSms_wrong_key", e.rpc("sendSms", "wrong", "0", "hola", "099111111").golden())
		checkGolden(t, "engine_statusSms_wrong_key", e.rpc("statusSms", "wrong", id).golden())
	})
}
