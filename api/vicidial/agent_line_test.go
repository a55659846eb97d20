package vicidial

import (
	"testing"

	"github.com/callgate/callgate/core"
)

// VICIdial's agent sits in its own conference between calls, and recording
// START / audio_playback PLAY act on that conference. A persistent agent's
// line is Callgate's equivalent: with no call they act on it, for real.
func TestGoldenRecordingAndPlaybackOnTheAgentsOwnLine(t *testing.T) {
	persistentPaused := func(e *env) {
		yes := true
		if err := e.eng.Login(e.ctx, "1000", core.LoginOptions{Campaign: "TESTCAMP", Persistent: &yes}); err != nil {
			e.t.Fatal(err)
		}
		e.pause("1000")
	}
	line := func(e *env) string {
		s, _ := e.eng.Session("1000")
		if s.ChannelID == "" {
			e.t.Fatal("persistent agent without a line")
		}
		return s.ChannelID
	}
	var rec core.Recording
	runGolden(t, "agent_line_media", Options{}, []step{
		{name: "recording start with no call records the agent's line", setup: persistentPaused,
			query: q("function=recording&value=START&agent_user=1000"),
			check: func(t *testing.T, e *env, body string) {
				var ok bool
				rec, ok = e.eng.CurrentRecording("1000")
				if !ok || rec.CallID != 0 || rec.Status != "recording" {
					t.Fatalf("recording %+v, %v", rec, ok)
				}
				pr, ok := e.pbx.Recording(rec.Name)
				if !ok || !pr.Live || pr.Target != (core.MediaTarget{Kind: core.TargetChannel, ID: line(e)}) {
					t.Fatalf("PBX recording %+v, %v", pr, ok)
				}
			}},
		{name: "status shows it", query: q("function=recording&value=STATUS&agent_user=1000")},
		{name: "recording stop ends it", query: q("function=recording&value=STOP&agent_user=1000"),
			check: func(t *testing.T, e *env, body string) {
				if pr, _ := e.pbx.Recording(rec.Name); pr.Live {
					t.Errorf("PBX still records %s", rec.Name)
				}
				var got core.Recording
				if err := e.st.First(e.ctx, &got, core.ByID(rec.ID)); err != nil || got.Status != "done" || got.End == nil {
					t.Errorf("stored recording %+v, %v", got, err)
				}
			}},
		{name: "nothing to stop before playing", query: q("function=audio_playback&stage=STOP&agent_user=1000")},
		{name: "play with no call plays to the agent's line", query: q("function=audio_playback&value=beep&stage=PLAY&agent_user=1000")},
		{name: "pause acts on that playback", query: q("function=audio_playback&stage=PAUSE&agent_user=1000")},
		{name: "stop ends it", query: q("function=audio_playback&stage=STOP&agent_user=1000")},
		{name: "an on-hook agent has no line to record", setup: func(e *env) { e.login("1001"); e.pause("1001") },
			query: q("function=recording&value=START&agent_user=1001")},
		{name: "nor to play to", query: q("function=audio_playback&value=beep&stage=PLAY&agent_user=1001")},
	})
}
