package ari

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/callgate/callgate/core"
)

func chanJSON(id, state string) string {
	return fmt.Sprintf(`{"id":%q,"name":"Local/x@y-0001;1","state":%q,"caller":{"name":"","number":"100"},"connected":{"name":"","number":""},"dialplan":{"context":"y","exten":"x","priority":1},"creationtime":"2026-11-21T05:00:00.000+0000"}`, id, state)
}

func frame(typ, app, extra string) string {
	return fmt.Sprintf(`{"type":%q,"application":%q,"timestamp":"2026-11-21T05:00:00.000+0000"%s}`, typ, app, extra)
}

func newTestTranslator(owned ...string) (*translator, *[]string) {
	set := map[string]bool{}
	for _, id := range owned {
		set[id] = true
	}
	var entered []string
	return &translator{
		app:     "callgate",
		node:    "n1",
		owned:   func(id string) bool { return set[id] },
		adopt:   func(id string) { set[id] = true },
		forget:  func(id string) { delete(set, id) },
		entered: func(id string) { entered = append(entered, id) },
		state:   map[string]*chanState{},
	}, &entered
}

func TestTranslatorFiltersAndDeduplicates(t *testing.T) {
	tests := []struct {
		name   string
		owned  []string
		frames []string
		want   []string // "type channel" per event
	}{
		{"the ;2 half of our Local channel is noise",
			[]string{"c1"},
			[]string{
				frame("ChannelStateChange", "callgate", `,"channel":`+chanJSON("c1;2", "Up")),
				frame("ChannelDestroyed", "callgate", `,"cause":16,"cause_txt":"Normal Clearing","channel":`+chanJSON("c1;2", "Up")),
			},
			nil},
		{"a ;2 half that enters the application is followed to its hangup",
			nil,
			[]string{
				frame("StasisStart", "callgate", `,"args":["inbound","7000"],"channel":`+chanJSON("x;2", "Ring")),
				frame("ChannelStateChange", "callgate", `,"channel":`+chanJSON("x;2", "Up")),
				frame("ChannelDestroyed", "callgate", `,"cause":16,"cause_txt":"Normal Clearing","channel":`+chanJSON("x;2", "Up")),
				frame("ChannelStateChange", "callgate", `,"channel":`+chanJSON("x;2", "Up")),
			},
			[]string{"stasis_start x;2", "answered x;2", "hangup x;2"}},
		{"another application's events are ignored",
			nil,
			[]string{frame("StasisStart", "callgate-far", `,"args":[],"channel":`+chanJSON("f1", "Up"))},
			nil},
		{"answered is reported once whether the state change or StasisStart comes first",
			[]string{"c1"},
			[]string{
				frame("ChannelStateChange", "callgate", `,"channel":`+chanJSON("c1", "Ringing")),
				frame("ChannelStateChange", "callgate", `,"channel":`+chanJSON("c1", "Ringing")),
				frame("ChannelStateChange", "callgate", `,"channel":`+chanJSON("c1", "Up")),
				frame("StasisStart", "callgate", `,"args":["a"],"channel":`+chanJSON("c1", "Up")),
			},
			[]string{"ringing c1", "answered c1", "stasis_start c1"}},
		{"an up channel entering the application is answered first",
			[]string{"c2"},
			[]string{frame("StasisStart", "callgate", `,"args":[],"channel":`+chanJSON("c2", "Up"))},
			[]string{"answered c2", "stasis_start c2"}},
		{"a channel destroyed twice is hung up once",
			[]string{"c3"},
			[]string{
				frame("ChannelDestroyed", "callgate", `,"cause":17,"cause_txt":"User busy","channel":`+chanJSON("c3", "Up")),
				frame("ChannelDestroyed", "callgate", `,"cause":17,"cause_txt":"User busy","channel":`+chanJSON("c3", "Up")),
			},
			[]string{"hangup c3"}},
		{"playback and recording targets",
			nil,
			[]string{
				frame("PlaybackStarted", "callgate", `,"playback":{"id":"p1","media_uri":"sound:beep","target_uri":"channel:c9","state":"playing"}`),
				frame("PlaybackFinished", "callgate", `,"playback":{"id":"p2","media_uri":"sound:beep","target_uri":"bridge:b1","state":"done"}`),
				frame("RecordingFailed", "callgate", `,"recording":{"name":"r1","format":"wav","target_uri":"channel:c9","state":"failed","cause":"No audio"}`),
			},
			[]string{"playback_started c9", "playback_finished ", "recording_failed c9"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr, _ := newTestTranslator(tc.owned...)
			var got []string
			for _, f := range tc.frames {
				evs, err := tr.translate([]byte(f), nil)
				if err != nil {
					t.Fatalf("frame %s: %v", f, err)
				}
				for _, ev := range evs {
					got = append(got, string(ev.Type)+" "+ev.ChannelID)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("events = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestTranslatorFieldsOfStasisStartDTMFHangupAndText(t *testing.T) {
	tr, entered := newTestTranslator()
	vars := `"channelvars":{"CHANNEL(linkedid)":"1700000000.1"}`
	ch := strings.TrimSuffix(chanJSON("in1", "Ring"), "}") + "," + vars + "}"
	evs, _ := tr.translate([]byte(frame("StasisStart", "callgate", `,"args":["inbound","7000"],"channel":`+ch)), nil)
	if len(evs) != 1 {
		t.Fatalf("events = %+v", evs)
	}
	e := evs[0]
	if e.Type != core.TelStasisStart || e.Dialed != "7000" || e.CallerID != "100" || e.LinkedID != "1700000000.1" ||
		e.UniqueID != "in1" || e.Node != "n1" || !slices.Equal(e.Args, []string{"inbound", "7000"}) || e.Time.IsZero() {
		t.Errorf("StasisStart = %+v", e)
	}
	if !slices.Equal(*entered, []string{"in1"}) {
		t.Errorf("entered = %v: a channel entering the application must be followed", *entered)
	}
	evs, _ = tr.translate([]byte(frame("ChannelDtmfReceived", "callgate", `,"digit":"#","duration_ms":120,"channel":`+chanJSON("in1", "Up"))), nil)
	if evs[0].Digit != "#" || evs[0].Duration.Milliseconds() != 120 {
		t.Errorf("DTMF = %+v", evs[0])
	}
	evs, _ = tr.translate([]byte(frame("ChannelDestroyed", "callgate", `,"cause":34,"cause_txt":"Circuit/channel congestion","channel":`+chanJSON("in1", "Up"))), nil)
	if evs[0].Type != core.TelHangup || evs[0].Cause != core.CauseCongestion || evs[0].CauseText != "Circuit/channel congestion" {
		t.Errorf("hangup = %+v", evs[0])
	}
	evs, _ = tr.translate([]byte(frame("TextMessageReceived", "callgate", `,"message":{"from":"pjsip:5551234","to":"pjsip:callgate","body":"Olá, ção","variables":{"X":"1"}},"endpoint":{"technology":"PJSIP","resource":"trunk"}`)), nil)
	if evs[0].Type != core.TelTextReceived || evs[0].From != "pjsip:5551234" || evs[0].To != "pjsip:callgate" || evs[0].Text != "Olá, ção" {
		t.Errorf("text = %+v", evs[0])
	}
}

// BenchmarkEventPath measures frames per second from the websocket queue to
// the sink (decode + translate + deliver), the path that must outrun
// Asterisk during a burst.
func BenchmarkEventPath(b *testing.B) {
	tr, _ := newTestTranslator()
	tr.entered = nil
	raw := []byte(dtmfFrame("chan-1", "5", 100))
	q := core.NewFIFO[item]()
	var out []core.TelEvent
	delivered := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q.Push(item{raw: raw})
		if i%256 == 255 || i == b.N-1 {
			batch := q.Take()
			for j := range batch {
				out, _ = tr.translate(batch[j].raw, out[:0])
				delivered += len(out)
			}
			q.Recycle(batch)
		}
	}
	b.StopTimer()
	if delivered != b.N {
		b.Fatalf("delivered %d of %d", delivered, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
