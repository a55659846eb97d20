package soap_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"regexp"
	"testing"
	"time"

	"github.com/hajimehoshi/go-mp3"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/media"
	"github.com/callgate/callgate/pkg/store/storetest"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

var recordingRE = regexp.MustCompile(`<recording status="1" uniqueid="([^"]+)" encoding="base64">([A-Za-z0-9+/=]+)</recording>`)

// recordingPbx answers a recorded call's audio as an MP3 that a real
// decoder reads back, base64 in the document's <record> XML.
func TestRecordingPbxAnswersTheCallsRecordingAsMP3(t *testing.T) {
	if !(media.Lame{}).Available() {
		t.Skip("lame not installed (scripts/services.sh installs it)")
	}
	st := storetest.Open(t, storetest.SQLite)
	archived := make(chan error, 4)
	var svc *media.Service
	e := newEngEnv(t, st, func(o *core.Options, pbx *sim.PBX) {
		svc = media.New(media.Options{PBX: pbx, Rows: core.NewRecords(st), Store: media.DirStore{Root: t.TempDir()}, Encoder: media.Lame{},
			OnArchived: func(_ core.Recording, err error) { archived <- err }})
		o.Media = svc
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); svc.Run(ctx, e.eng.Bus()) }()
	t.Cleanup(func() { cancel(); <-done })

	if err := st.Create(e.ctx, &core.Route{DID: "5557000", Queue: "q_tec"}); err != nil {
		t.Fatal(err)
	}
	if err := e.eng.Reload(e.ctx); err != nil {
		t.Fatal(err)
	}
	if e.ret(e.rpc("loginAgent", demoKey, "ngarcia", "101")) != "true" {
		t.Fatal("login refused")
	}
	e.pbx.InjectInbound("099123456", "5557000")
	e.advance(5 * time.Second)
	call, ok := e.eng.AgentCall("ngarcia")
	if !ok || call.State != core.CallConnected {
		t.Fatalf("agent call %+v %v", call, ok)
	}
	if got := e.ret(e.rpc("recordingPbx", demoKey, call.UniqueID)); !bytes.Contains([]byte(got), []byte(`status="0"`)) {
		t.Fatalf("before any recording: %s", got)
	}
	if _, err := e.eng.StartRecording(e.ctx, "ngarcia"); err != nil {
		t.Fatal(err)
	}
	e.advance(3 * time.Second)
	if _, err := e.eng.StopRecording(e.ctx, "ngarcia"); err != nil {
		t.Fatal(err)
	}
	e.settle()
	select {
	case err := <-archived:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("recording not archived")
	}
	got := e.ret(e.rpc("recordingPbx", demoKey, call.UniqueID))
	m := recordingRE.FindStringSubmatch(got)
	if m == nil || m[1] != call.UniqueID {
		t.Fatalf("recordingPbx: %.300s", got)
	}
	audio, err := base64.StdEncoding.DecodeString(m[2])
	if err != nil {
		t.Fatal(err)
	}
	dec, err := mp3.NewDecoder(bytes.NewReader(audio))
	if err != nil {
		t.Fatalf("not an MP3: %v", err)
	}
	pcm, err := io.ReadAll(dec)
	if err != nil {
		t.Fatal(err)
	}
	// 16-bit stereo: 4 bytes a sample; the recording lasted 3 s.
	if secs := float64(len(pcm)) / 4 / float64(dec.SampleRate()); secs < 2.5 || secs > 3.6 {
		t.Fatalf("decoded %.2f s of audio, want about 3", secs)
	}
}
