package ari

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
)

var update = flag.Bool("update", false, "rewrite golden files")

const (
	framesFile = "testdata/asterisk22-frames.jsonl"
	goldenFile = "testdata/asterisk22-events.golden"
)

// TestRealAsteriskFramesTranslateToGoldenEvents replays websocket frames
// captured from Asterisk 22.10.1 (TestCaptureAsteriskFrames) through the
// translator: the exact JSON Asterisk sends (string creationtime,
// channelvars, Local ;2 halves, types ari/v5 does not know) must become the
// core events in the golden file.
func TestRealAsteriskFramesTranslateToGoldenEvents(t *testing.T) {
	raw, err := os.ReadFile(framesFile)
	if err != nil {
		t.Fatal(err)
	}
	// Replay ownership as the live run had it: every channel the harness
	// originated or snooped has a "cap-" id; ;2 halves are adopted only when
	// they enter the application.
	owned := map[string]bool{}
	tr := &translator{
		app:    "callgate",
		node:   "golden-node",
		owned:  func(id string) bool { return owned[id] || (strings.HasPrefix(id, "cap-") && !isLocalHalf2(id)) },
		adopt:  func(id string) { owned[id] = true },
		forget: func(id string) { delete(owned, id) },
		state:  map[string]*chanState{},
	}
	var got bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var out []core.TelEvent
	for sc.Scan() {
		out, err = tr.translate(sc.Bytes(), out[:0])
		if err != nil {
			t.Fatalf("frame %s: %v", sc.Text(), err)
		}
		for _, ev := range out {
			b, _ := json.Marshal(ev)
			got.Write(b)
			got.WriteByte('\n')
		}
	}
	if *update {
		if err := os.WriteFile(goldenFile, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		gl, wl := strings.Split(got.String(), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("line %d differs:\n got  %s\n want %s", i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("got %d lines, want %d", len(gl), len(wl))
	}
}

// TestCaptureAsteriskFrames records the raw frames of a scripted session on
// a real Asterisk into testdata (CALLGATE_TEST_ARI_CAPTURE=1 plus the
// contract variables). It is a tool for refreshing the golden files.
func TestCaptureAsteriskFrames(t *testing.T) {
	base := os.Getenv("CALLGATE_TEST_ARI_URL")
	if base == "" || os.Getenv("CALLGATE_TEST_ARI_CAPTURE") == "" {
		t.Skip("CALLGATE_TEST_ARI_URL and CALLGATE_TEST_ARI_CAPTURE not set")
	}
	cfg := Config{URL: base, User: os.Getenv("CALLGATE_TEST_ARI_USER"), Password: os.Getenv("CALLGATE_TEST_ARI_PASSWORD"),
		App: "callgate", NodeID: "capture", Logger: testLogger(t)}
	tel, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var frames [][]byte
	tel.tap = func(raw []byte) {
		mu.Lock()
		frames = append(frames, append([]byte(nil), raw...))
		mu.Unlock()
	}
	far := startFar(t, cfg)
	rec := newRecorder()
	if err := tel.Start(t.Context(), rec.sink); err != nil {
		t.Fatal(err)
	}
	defer tel.Close()
	rec.waitFor(t, "connected", func(evs []core.TelEvent) bool { return countType(evs, core.TelConnected) == 1 })
	ctx := t.Context()
	has := func(typ core.TelEventType, id string) func([]core.TelEvent) bool {
		return func(evs []core.TelEvent) bool {
			for _, e := range evs {
				if e.Type == typ && (e.ChannelID == id || e.PlaybackID == id || e.RecordingName == id) {
					return true
				}
			}
			return false
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"cap-out-1", "cap-snoop-1", "cap-busy-1", "cap-noans-1"} {
		_ = tel.Hangup(ctx, id, core.CauseNormal) // leftovers of an interrupted capture
	}
	_ = tel.DestroyBridge(ctx, "cap-br-1")
	time.Sleep(200 * time.Millisecond)
	mu.Lock()
	frames = nil
	mu.Unlock()
	_, err = tel.Originate(ctx, core.OriginateRequest{ChannelID: "cap-out-1", Endpoint: "Local/answer@callgate-test",
		CallerIDNum: "5550100", CallerIDName: "Callgate", Timeout: 5 * time.Second,
		Variables: map[string]string{"CG_CAMPAIGN": "spring"}, AppArgs: []string{"dialer", "42"}})
	must(err)
	rec.waitFor(t, "answered", has(core.TelStasisStart, "cap-out-1"))
	time.Sleep(300 * time.Millisecond) // the far half enters callgate-far just after answering
	must(tel.SendDTMF(ctx, "cap-out-1", "12", 50*time.Millisecond))
	waitUntil(t, "far end got 12", func() bool { return far.received("cap-out-1") == "12" })
	must(far.sendDTMF(ctx, "cap-out-1", "4#"))
	rec.waitFor(t, "dtmf from far", func(evs []core.TelEvent) bool { return countType(evs, core.TelDTMF) == 2 })
	must(tel.Play(ctx, "cap-pb-1", core.MediaTarget{Kind: core.TargetChannel, ID: "cap-out-1"}, "sound:beep"))
	rec.waitFor(t, "playback finished", has(core.TelPlaybackFinished, "cap-pb-1"))
	must(tel.CreateBridge(ctx, "cap-br-1", core.BridgeMixing))
	must(tel.AddToBridge(ctx, "cap-br-1", "cap-out-1"))
	must(tel.Record(ctx, core.MediaTarget{Kind: core.TargetBridge, ID: "cap-br-1"}, "cap-rec-1", "wav"))
	rec.waitFor(t, "recording started", has(core.TelRecordingStarted, "cap-rec-1"))
	time.Sleep(1200 * time.Millisecond)
	must(tel.StopRecording(ctx, "cap-rec-1"))
	rec.waitFor(t, "recording finished", has(core.TelRecordingFinished, "cap-rec-1"))
	must(tel.Snoop(ctx, "cap-out-1", "cap-snoop-1", core.SnoopBoth, core.SnoopNone))
	rec.waitFor(t, "snoop", has(core.TelStasisStart, "cap-snoop-1"))
	must(tel.Hangup(ctx, "cap-snoop-1", core.CauseNormal))
	rec.waitFor(t, "snoop hangup", has(core.TelHangup, "cap-snoop-1"))
	must(tel.DestroyBridge(ctx, "cap-br-1"))
	must(tel.Hangup(ctx, "cap-out-1", core.CauseBusy))
	rec.waitFor(t, "hangup", has(core.TelHangup, "cap-out-1"))

	_, err = tel.Originate(ctx, core.OriginateRequest{ChannelID: "cap-busy-1", Endpoint: "Local/busy@callgate-test", Timeout: 5 * time.Second})
	must(err)
	rec.waitFor(t, "busy", has(core.TelHangup, "cap-busy-1"))
	_, err = tel.Originate(ctx, core.OriginateRequest{ChannelID: "cap-noans-1", Endpoint: "Local/noanswer@callgate-test", Timeout: time.Second})
	must(err)
	rec.waitFor(t, "no answer", has(core.TelHangup, "cap-noans-1"))

	in, err := far.inbound(ctx, "5550199", "7000")
	must(err)
	rec.waitFor(t, "inbound", has(core.TelStasisStart, in))
	must(tel.Ring(ctx, in))
	must(tel.Answer(ctx, in))
	rec.waitFor(t, "inbound answered", has(core.TelAnswered, in))
	must(tel.Hangup(ctx, in, core.CauseNormal))
	rec.waitFor(t, "inbound hangup", has(core.TelHangup, in))
	time.Sleep(200 * time.Millisecond)

	mu.Lock()
	defer mu.Unlock()
	var b bytes.Buffer
	for _, f := range frames {
		var v any
		if json.Unmarshal(f, &v) != nil {
			continue
		}
		b.Write(f)
		b.WriteByte('\n')
	}
	must(os.MkdirAll(filepath.Dir(framesFile), 0o755))
	must(os.WriteFile(framesFile, b.Bytes(), 0o644))
	fmt.Printf("captured %d frames\n", len(frames))
}
