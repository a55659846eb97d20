package core_test

import (
	"errors"
	"testing"

	"github.com/callgate/callgate/core"
)

// With no call, a persistent agent's recording and playback act on its own
// line; a new line after logging in again starts clean, and the recording
// of the old line is closed.
func TestAgentLineMediaFollowsTheLine(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{persist: true})
	h.login("a1")
	s1, _ := h.e.Session("a1")
	rec, err := h.e.StartRecording(h.ctx, "a1")
	must(t, err)
	if pr, ok := h.pbx.Recording(rec.Name); !ok || !pr.Live || pr.Target.ID != s1.ChannelID || rec.CallID != 0 {
		t.Fatalf("recording %+v on PBX %+v", rec, pr)
	}
	if again, _ := h.e.StartRecording(h.ctx, "a1"); again.ID != rec.ID {
		t.Fatalf("second START made recording %d, want %d kept", again.ID, rec.ID)
	}
	id, err := h.e.Play(h.ctx, "a1", "beep")
	must(t, err)
	if pb, ok := h.pbx.Playback(id); !ok || pb.Target.ID != s1.ChannelID || pb.Media != "sound:beep" {
		t.Fatalf("playback %+v, %v", pb, ok)
	}
	must(t, h.e.ControlPlayback(h.ctx, "a1", core.PlaybackPause))
	if pb, _ := h.pbx.Playback(id); !pb.Paused {
		t.Fatalf("playback not paused: %+v", pb)
	}

	_, err = h.e.Logout(h.ctx, "a1", "test")
	must(t, err)
	h.login("a1")
	s2, _ := h.e.Session("a1")
	if s2.ChannelID == s1.ChannelID {
		t.Fatal("same line after logging in again")
	}
	if cur, ok := h.e.CurrentRecording("a1"); ok {
		t.Fatalf("old line's recording still current: %+v", cur)
	}
	if err := h.e.ControlPlayback(h.ctx, "a1", core.PlaybackStop); !errors.Is(err, core.ErrNoCall) {
		t.Fatalf("old line's playback still controllable: %v", err)
	}
	rec2, err := h.e.StartRecording(h.ctx, "a1")
	must(t, err)
	if rec2.ID == rec.ID {
		t.Fatal("old recording returned for the new line")
	}
	if pr, _ := h.pbx.Recording(rec2.Name); pr.Target.ID != s2.ChannelID {
		t.Fatalf("new recording on %q, want %q", pr.Target.ID, s2.ChannelID)
	}
	_, err = h.e.StopRecording(h.ctx, "a1")
	must(t, err)
	if pr, _ := h.pbx.Recording(rec2.Name); pr.Live {
		t.Fatal("recording still live after STOP")
	}
}

// An on-hook agent has no line between calls: nothing to record or play.
func TestOnHookAgentWithoutCallHasNoLineMedia(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	h.login("a1")
	if _, err := h.e.StartRecording(h.ctx, "a1"); !errors.Is(err, core.ErrNoCall) {
		t.Fatalf("START: %v, want ErrNoCall", err)
	}
	if _, err := h.e.Play(h.ctx, "a1", "beep"); !errors.Is(err, core.ErrNoCall) {
		t.Fatalf("PLAY: %v, want ErrNoCall", err)
	}
}
