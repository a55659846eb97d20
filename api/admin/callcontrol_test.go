package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

// connectedCall logs agent 1064 in and connects an inbound call to it.
func connectedCall(t *testing.T, c *client, eng *core.Engine, login bool) core.Call {
	t.Helper()
	if login {
		c.must(http.StatusOK, "POST", "/agents/1/login", nil, nil)
	}
	c.must(http.StatusCreated, "POST", "/sim/inbound", map[string]any{"caller_id": "5551234", "did": "5558000"}, nil)
	waitUntil(t, func() bool { c, ok := eng.AgentCall("1064"); return ok && c.State == core.CallConnected })
	call, _ := eng.AgentCall("1064")
	return call
}

// snoopChannel is the PBX's snoop channel on target, if any.
func snoopChannel(t *testing.T, pbx *sim.PBX) (sim.ChannelState, bool) {
	infos, err := pbx.Channels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range infos {
		if ch, ok := pbx.Channel(in.ID); ok && ch.SnoopOf != "" && !ch.HungUp {
			return ch, true
		}
	}
	return sim.ChannelState{}, false
}

// Every call-control action goes through the engine to the PBX: the answer
// shows the engine's state after it, the simulated PBX shows the effect,
// and an action the engine refuses is an error, never "ok".
func TestCallControlDrivesTheEngineAndThePBX(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		c, pbx, eng := liveServer(t, st)
		call := connectedCall(t, c, eng, true)
		base := fmt.Sprintf("/calls/%d/", call.ID)
		customer := func() sim.ChannelState { ch, _ := pbx.Channel(call.ChannelID); return ch }
		var recName, playID string
		steps := []struct {
			name, path string
			body       any
			want       int
			check      func(st callState)
		}{
			{"hold", "hold", nil, 200, func(st callState) {
				if held, _ := eng.CallHeld("1064"); !held || !st.Held || st.Call.State != core.CallOnHold {
					t.Fatalf("engine held %v, answer %+v", held, st)
				}
				if ch := customer(); ch.MOH == "" || ch.Bridge != "" {
					t.Fatalf("customer on hold is %+v", ch)
				}
			}},
			{"hold twice", "hold", nil, 409, nil},
			{"unhold", "unhold", nil, 200, func(st callState) {
				if held, _ := eng.CallHeld("1064"); held || st.Held {
					t.Fatalf("still held: %+v", st)
				}
				if ch := customer(); ch.MOH != "" || ch.Bridge != call.BridgeID {
					t.Fatalf("customer after unhold is %+v", ch)
				}
			}},
			{"unhold when not held", "unhold", nil, 409, nil},
			{"park", "park", nil, 200, func(st callState) {
				if _, parked := eng.CallHeld("1064"); !parked || !st.Parked || customer().MOH == "" {
					t.Fatalf("not parked: %+v", st)
				}
			}},
			{"grab", "grab", nil, 200, func(st callState) {
				if _, parked := eng.CallHeld("1064"); parked || customer().Bridge != call.BridgeID {
					t.Fatalf("still parked: %+v", st)
				}
			}},
			{"grab when not parked", "grab", nil, 409, nil},
			{"dtmf", "dtmf", map[string]any{"digits": "12#"}, 200, func(callState) {
				if got := customer().DTMFSent; got != "12#" {
					t.Fatalf("customer received DTMF %q", got)
				}
			}},
			{"dtmf with a bad digit", "dtmf", map[string]any{"digits": "1x"}, 400, nil},
			{"dtmf without digits", "dtmf", nil, 400, nil},
			{"record", "recording/start", nil, 200, func(st callState) {
				if st.Recording == nil || st.Recording.Name == "" {
					t.Fatalf("answer %+v", st)
				}
				recName = st.Recording.Name
				if r, ok := pbx.Recording(recName); !ok || !r.Live {
					t.Fatalf("PBX recording %q: %+v", recName, r)
				}
			}},
			{"mute the recording", "recording/mute", nil, 200, func(callState) {
				if r, _ := pbx.Recording(recName); !r.Muted {
					t.Fatalf("PBX recording %+v not muted", r)
				}
			}},
			{"unmute the recording", "recording/mute", map[string]any{"mute": false}, 200, func(callState) {
				if r, _ := pbx.Recording(recName); r.Muted {
					t.Fatalf("PBX recording %+v still muted", r)
				}
			}},
			{"stop recording", "recording/stop", nil, 200, func(callState) {
				if r, _ := pbx.Recording(recName); r.Live {
					t.Fatalf("PBX recording %+v still live", r)
				}
			}},
			{"stop recording twice", "recording/stop", nil, 409, nil},
			{"play", "playback", map[string]any{"media": "hello-world"}, 200, func(st callState) {
				playID = st.Playback
				if pb, ok := pbx.Playback(playID); !ok || pb.Media != "sound:hello-world" {
					t.Fatalf("PBX playback %q: %+v", playID, pb)
				}
			}},
			{"pause the playback", "playback/control", map[string]any{"op": "pause"}, 200, func(callState) {
				if pb, _ := pbx.Playback(playID); !pb.Paused {
					t.Fatalf("PBX playback %+v not paused", pb)
				}
			}},
			{"stop the playback", "playback/control", map[string]any{"op": "stop"}, 200, func(callState) {
				if _, ok := pbx.Playback(playID); ok {
					t.Fatal("PBX playback still running")
				}
			}},
			{"control without a playback", "playback/control", map[string]any{"op": "pause"}, 409, nil},
			{"bad playback op", "playback/control", map[string]any{"op": "rewind"}, 400, nil},
			{"play without media", "playback", map[string]any{}, 400, nil},
			{"snoop with a bad mode", "snoop", map[string]any{"endpoint": "SIP/2000", "mode": "shout"}, 400, nil},
			{"snoop without endpoint", "snoop", map[string]any{"mode": "listen"}, 400, nil},
			{"whisper", "snoop", map[string]any{"endpoint": "SIP/2000", "mode": "whisper"}, 200, func(callState) {
				waitUntil(t, func() bool { _, ok := snoopChannel(t, pbx); return ok })
				if sn, _ := snoopChannel(t, pbx); sn.Whisper != core.SnoopOut || sn.Spy != core.SnoopBoth {
					t.Fatalf("snoop channel %+v", sn)
				}
			}},
			{"complete without a transfer", "transfer/complete", nil, 409, nil},
			{"cancel without a transfer", "transfer/cancel", nil, 409, nil},
			{"transfer without kind", "transfer", map[string]any{"target": "2001"}, 400, nil},
			{"transfer of an unknown kind", "transfer", map[string]any{"kind": "sideways", "target": "2001"}, 400, nil},
			{"transfer without target", "transfer", map[string]any{"kind": "blind"}, 400, nil},
			{"transfer to an unknown queue", "transfer", map[string]any{"kind": "queue", "queue": "nope"}, 400, nil},
			{"conference", "conference", map[string]any{"target": "2001"}, 200, func(st callState) {
				if st.TransferKind == "" || st.TransferTarget == "" {
					t.Fatalf("no pending conference: %+v", st)
				}
			}},
			{"cancel the conference", "transfer/cancel", nil, 200, func(st callState) {
				if k, _ := eng.TransferState("1064"); k != "" || st.TransferKind != "" {
					t.Fatalf("conference still pending: %q %+v", k, st)
				}
			}},
			{"attended transfer", "transfer", map[string]any{"kind": "attended", "target": "2002"}, 200, func(st callState) {
				if k, target := eng.TransferState("1064"); k == "" || target == "" {
					t.Fatalf("no pending transfer: %+v", st)
				}
			}},
			{"complete the transfer", "transfer/complete", nil, 200, func(st callState) {
				if _, ok := eng.AgentCall("1064"); ok {
					t.Fatal("the agent still has the call after completing the transfer")
				}
				if st.Call.ID != call.ID || st.Call.Transferred == "" {
					t.Fatalf("answer %+v", st)
				}
			}},
			{"hold after the agent left", "hold", nil, 409, nil},
		}
		for _, step := range steps {
			code, b := c.do("POST", base+step.path, step.body)
			if code != step.want {
				t.Fatalf("%s: status %d want %d: %s", step.name, code, step.want, b)
			}
			var out callState
			if err := json.Unmarshal(b, &out); err != nil {
				t.Fatalf("%s: %s", step.name, b)
			}
			if code == 200 && !out.OK {
				t.Fatalf("%s: %s", step.name, b)
			}
			if step.check != nil {
				step.check(out)
			}
		}
	})
}

// A blind transfer releases the agent at once; the call then answers 409
// to agent actions, and unknown calls 404.
func TestCallControlBlindTransferAndUnknownCalls(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	c, pbx, eng := liveServer(t, st)
	call := connectedCall(t, c, eng, true)
	mark := len(pbx.Ops())
	var out callState
	c.must(http.StatusOK, "POST", fmt.Sprintf("/calls/%d/transfer", call.ID), map[string]any{"kind": "blind", "target": "3000"}, &out)
	if _, ok := eng.AgentCall("1064"); ok {
		t.Fatal("agent still on the call after a blind transfer")
	}
	if out.Call.Transferred == "" {
		t.Fatalf("answer %+v", out)
	}
	ops := pbx.Ops()[mark:]
	if !slices.ContainsFunc(ops, func(o sim.Op) bool { return o.Name == "originate" || o.Name == "continue" }) {
		t.Fatalf("no transfer on the PBX: %v", ops)
	}
	if code, b := c.do("POST", fmt.Sprintf("/calls/%d/dtmf", call.ID), map[string]any{"digits": "1"}); code != http.StatusConflict {
		t.Fatalf("dtmf after the transfer: %d %s", code, b)
	}
	if code, _ := c.do("POST", "/calls/999999/hold", nil); code != http.StatusNotFound {
		t.Fatalf("unknown call: %d", code)
	}
	if code, _ := c.do("POST", "/calls/abc/hold", nil); code != http.StatusNotFound {
		t.Fatalf("bad call id: %d", code)
	}
}
