package vicidial

import (
	"testing"

	"github.com/callgate/callgate/core"
)

// An action the engine refuses answers the function's nearest ERROR line
// (the table in refusals.go), never SUCCESS.
func TestGoldenEngineRefusals(t *testing.T) {
	conference := func(e *env) {
		e.manualCall("1000")
		if err := e.eng.Transfer(e.ctx, "1000", core.TransferRequest{Kind: core.TransferConference, Target: "8500"}); err != nil {
			e.t.Fatalf("transfer: %v", err)
		}
	}
	parked := func(want bool) func(t *testing.T, e *env, body string) {
		return func(t *testing.T, e *env, body string) {
			c, _ := e.eng.AgentCall("1000")
			if (c.State == core.CallParked) != want {
				t.Errorf("call state %s, want parked=%v", c.State, want)
			}
		}
	}
	runGolden(t, "engine_refusals", Options{}, []step{
		{name: "audio PLAY without a call", setup: agentLoggedIn, query: q("function=audio_playback&value=hello&stage=PLAY&agent_user=1000")},
		{name: "recording START without a call", query: q("function=recording&value=START&agent_user=1000")},
		{name: "send_dtmf without a call", query: q("function=send_dtmf&value=123&agent_user=1000")},
		{name: "status without any call", query: q("function=external_status&value=A&agent_user=1000")},
		{name: "PARK_XFER without a transfer leg", setup: agentOnManualCall, query: q("function=park_call&value=PARK_XFER&agent_user=1000"), check: parked(false)},
		{name: "GRAB_CUSTOMER of a customer not parked", query: q("function=park_call&value=GRAB_CUSTOMER&agent_user=1000")},
		{name: "PARK_XFER parks the customer while the agent talks to the leg", setup: func(e *env) { _ = e.eng.Hangup(e.ctx, "1000"); e.noCall("1000"); e.pause("1000"); conference(e) },
			query: q("function=park_call&value=PARK_XFER&agent_user=1000"), check: parked(true)},
		{name: "SWAP_PARK_XFER grabs the parked customer back", query: q("function=park_call&value=SWAP_PARK_XFER&agent_user=1000"), check: parked(false)},
		{name: "SWAP_PARK_XFER parks again", query: q("function=park_call&value=SWAP_PARK_XFER&agent_user=1000"), check: parked(true)},
		{name: "GRAB_XFER grabs back", query: q("function=park_call&value=GRAB_XFER&agent_user=1000"), check: parked(false)},
		{name: "a second transfer while one is up", query: q("function=transfer_conference&value=DIAL_WITH_CUSTOMER&phone_number=8501&agent_user=1000")},
	})
}
