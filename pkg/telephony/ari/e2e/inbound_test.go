package e2e

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// An inbound call waits in the queue's holding bridge with music on hold
// until an agent is free, then talks to an on-hook agent (whose phone is
// rung on a Local channel) in a mixing bridge; the agent holds and
// resumes, records, plays a prompt, exchanges DTMF both ways, is listened
// to by a supervisor, and the caller hangs up.
func TestInboundCallThroughQueueToOnHookAgent(t *testing.T) {
	for _, kind := range storetest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			v := newEnv(t, envOpt{store: kind})
			f := v.far

			cust := f.inbound("5551234", did)
			var call core.Call
			eventually(t, "call queued", func() bool {
				w := v.e.Waiting("sales")
				if len(w) == 1 {
					call = w[0]
				}
				return len(w) == 1
			})
			if call.ChannelID != cust {
				t.Fatalf("queued call is on channel %q, want the inbound channel %q", call.ChannelID, cust)
			}
			if call.Phone != "5551234" || call.DID != did {
				t.Errorf("call phone %q did %q, want 5551234 / %s", call.Phone, call.DID, did)
			}
			eventually(t, "caller in the queue's holding bridge", func() bool { return f.inBridge("queue-sales", cust) })
			if c := f.channels()[cust]; c.State != "Up" {
				t.Errorf("queued caller's channel is %s, want Up (answered by the engine)", c.State)
			}
			if b := f.bridges()["queue-sales"]; b.Kind != core.BridgeHolding {
				t.Errorf("queue bridge kind %q, want holding", b.Kind)
			}
			// The holding bridge plays music on hold through an announcer
			// channel (chan_bridge_media), which ARI does not list.
			if out := cli(t, "core show channels concise"); out != "" && !hasMOHAnnouncer(out, "queue-sales") {
				t.Errorf("no music-on-hold announcer in bridge queue-sales:\n%s", out)
			}

			v.login("a1")
			c := v.connected("a1")
			if c.ID != call.ID {
				t.Fatalf("a1 got call %d, want %d", c.ID, call.ID)
			}
			bridge := fmt.Sprintf("call-%d", c.ID)
			eventually(t, "caller and agent leg in the call bridge", func() bool {
				return f.inBridge(bridge, cust) && c.AgentChannelID != "" && f.inBridge(bridge, c.AgentChannelID)
			})
			if f.inBridge("queue-sales", cust) {
				t.Error("caller still in the queue bridge after connecting")
			}
			if got := v.queueLog(c.ID); !contains(got, core.QLEnterQueue, core.QLRinging, core.QLConnect) {
				t.Errorf("queue log %v, want ENTERQUEUE, RINGING, CONNECT", got)
			}
			v.noFailures()

			// Hold: the caller leaves the call bridge and hears music.
			must(t, v.e.HoldCall(v.ctx, "a1"))
			eventually(t, "caller out of the call bridge on hold", func() bool { return !f.inBridge(bridge, cust) })
			if s, _ := v.e.Session("a1"); !s.OnHold {
				t.Error("agent not flagged on hold")
			}
			must(t, v.e.UnholdCall(v.ctx, "a1"))
			eventually(t, "caller back in the call bridge", func() bool { return f.inBridge(bridge, cust) })
			v.noFailures()

			// Park / grab: the same media path, another state.
			must(t, v.e.Park(v.ctx, "a1"))
			eventually(t, "caller parked", func() bool { return !f.inBridge(bridge, cust) })
			if held, parked := v.e.CallHeld("a1"); !parked || held {
				t.Errorf("CallHeld = held %v parked %v, want parked", held, parked)
			}
			must(t, v.e.Grab(v.ctx, "a1"))
			eventually(t, "caller grabbed back", func() bool { return f.inBridge(bridge, cust) })
			v.noFailures()

			// Record the call bridge (music from both far ends feeds it).
			rec, err := v.e.StartRecording(v.ctx, "a1")
			must(t, err)
			time.Sleep(1500 * time.Millisecond)
			must(t, v.e.MuteRecording(v.ctx, "a1", true))
			must(t, v.e.MuteRecording(v.ctx, "a1", false))
			stopped, err := v.e.StopRecording(v.ctx, "a1")
			must(t, err)
			if stopped.Status != "done" || stopped.Name != rec.Name {
				t.Errorf("stopped recording %+v", stopped)
			}
			if st := ariStatus(t, "/recordings/stored/"+rec.Name); st != 200 {
				t.Errorf("GET /recordings/stored/%s: %d, want 200", rec.Name, st)
			}
			checkRecordingFile(t, rec.Name)
			v.noFailures()

			// Play the stored recording into the call bridge: it plays to
			// its end (PlaybackFinished frees the call's playback slot).
			pb, err := v.e.Play(v.ctx, "a1", "recording:"+rec.Name)
			must(t, err)
			if st := ariStatus(t, "/playbacks/"+pb); st != 200 {
				t.Errorf("GET /playbacks/%s right after Play: %d, want 200", pb, st)
			}
			eventually(t, "recording played to its end", func() bool { return ariStatus(t, "/playbacks/"+pb) == 404 })
			eventually(t, "engine saw the playback finish", func() bool {
				return errors.Is(v.e.ControlPlayback(v.ctx, "a1", core.PlaybackPause), core.ErrNoPlayback)
			})
			// A tone plays until stopped: pause, resume, stop.
			pb, err = v.e.Play(v.ctx, "a1", "tone:ring")
			must(t, err)
			if pb == "" {
				t.Error("no playback id")
			}
			time.Sleep(200 * time.Millisecond) // past "queued": Asterisk refuses to pause a playback not yet started
			must(t, v.e.ControlPlayback(v.ctx, "a1", core.PlaybackPause))
			must(t, v.e.ControlPlayback(v.ctx, "a1", core.PlaybackResume))
			must(t, v.e.ControlPlayback(v.ctx, "a1", core.PlaybackStop))
			v.noFailures()

			// DTMF from the caller reaches the engine (and the bus) ...
			f.sendDTMF(cust, "42#")
			eventually(t, "caller's DTMF published", func() bool {
				var got string
				for _, d := range published[core.DTMFReceived](v) {
					if d.CallID == c.ID && d.ChannelID == cust {
						got += d.Digit
					}
				}
				return got == "42#"
			})
			// ... and DTMF from the agent reaches the caller.
			must(t, v.e.SendDTMF(v.ctx, "a1", "7*"))
			eventually(t, "agent's DTMF heard by the caller", func() bool { return f.received(cust) == "7*" })

			// A supervisor listens: a snoop on the agent's leg and the
			// supervisor's phone share a mixing bridge.
			must(t, v.e.Snoop(v.ctx, answerEP, "a1", "listen"))
			var snoopBridge string
			eventually(t, "supervisor bridged with the snoop channel", func() bool {
				for id, b := range f.bridges() {
					if strings.HasPrefix(id, "snoop-") && len(b.Channels) == 2 {
						snoopBridge = id
						return true
					}
				}
				return false
			})
			v.noFailures()

			// The caller hangs up: everything is torn down, a1 is free.
			f.hangupFar(cust)
			done := v.ended(c.ID)
			if done.HangupBy != "caller" {
				t.Errorf("hangup by %q, want caller", done.HangupBy)
			}
			v.waitState("a1", core.AgentAvailable)
			eventually(t, "call bridge and agent leg gone", func() bool {
				_, b := f.bridges()[bridge]
				return !b && !f.alive(c.AgentChannelID)
			})
			if got := v.queueLog(c.ID); !contains(got, core.QLConnect, core.QLCompleteCaller) {
				t.Errorf("queue log %v, want ... COMPLETECALLER", got)
			}
			var cdr core.CDR
			must(t, v.st.First(v.ctx, &cdr, core.Eq("call_id", c.ID)))
			if cdr.Disposition != "ANSWERED" || cdr.Recording == "" {
				t.Errorf("CDR %+v, want ANSWERED with the recording", cdr)
			}
			// The supervisor's leg and its snoop end with the call.
			eventually(t, "no channel or snoop bridge left on Asterisk", func() bool {
				_, b := f.bridges()[snoopBridge]
				return len(f.channels()) == 0 && !b
			})
			v.noFailures()
		})
	}
}

// checkRecordingFile looks for the recording in the spool of a local test
// Asterisk when CALLGATE_TEST_ARI_SPOOL names it; ARI is asked otherwise.
func checkRecordingFile(t *testing.T, name string) {
	t.Helper()
	spool := os.Getenv("CALLGATE_TEST_ARI_SPOOL")
	if spool == "" {
		return
	}
	path := filepath.Join(spool, "recording", name+".wav")
	eventually(t, "recording file "+path, func() bool {
		st, err := os.Stat(path)
		return err == nil && st.Size() > 44
	})
}

// hasMOHAnnouncer reads `core show channels concise` (fields separated by
// '!', the bridge id 13th) for ARI's music-on-hold announcer in bridge.
func hasMOHAnnouncer(concise, bridge string) bool {
	for _, line := range strings.Split(concise, "\n") {
		f := strings.Split(line, "!")
		if strings.HasPrefix(line, "Announcer/ARI_MOH") && len(f) > 12 && f[12] == bridge {
			return true
		}
	}
	return false
}
