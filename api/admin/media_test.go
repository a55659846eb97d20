package admin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hajimehoshi/go-mp3"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/media"
	"github.com/callgate/callgate/pkg/store/storetest"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

// The whole recording media pipeline without Asterisk: a simulated call is
// recorded for three seconds of the PBX's clock, the finished file is
// archived by day folder, and the admin API serves it as an MP3 that a real
// decoder reads back with the recording's duration.
func TestRecordedCallIsServedAsDecodableMP3(t *testing.T) {
	if !(media.Lame{}).Available() {
		t.Skip("lame not installed (scripts/services.sh installs it)")
	}
	st := storetest.Open(t, storetest.SQLite)
	pbx := sim.New("t1")
	var clkMu sync.Mutex
	simNow := time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC)
	pbx.SetClock(func() time.Time { clkMu.Lock(); defer clkMu.Unlock(); return simNow })
	dir := t.TempDir()
	archived := make(chan error, 4)
	svc := media.New(media.Options{
		PBX: pbx, Rows: core.NewRecords(st), Store: media.DirStore{Root: dir}, Encoder: media.Lame{},
		OnArchived: func(_ core.Recording, err error) { archived <- err },
	})
	eng := core.New(core.Options{Store: st, Tel: pbx, Logger: slog.New(slog.DiscardHandler), Media: svc})
	ctx, cancel := context.WithCancel(context.Background())
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); svc.Run(ctx, eng.Bus()) }()
	t.Cleanup(func() {
		cancel()
		<-done
		sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer scancel()
		_ = eng.Stop(sctx)
	})

	c := newServer(t, Options{Records: core.NewRecords(st), Engine: eng, Sim: pbx, Media: svc})
	c.must(http.StatusCreated, "POST", "/queues", map[string]any{"name": "8000", "did": "5558000"}, nil)
	c.must(http.StatusCreated, "POST", "/agents", map[string]any{"username": "1064", "type": "SIP", "extension": "SIP/1064"}, nil)
	c.must(http.StatusCreated, "POST", "/queues/1/members", map[string]any{"agent": "1064"}, nil)
	c.must(http.StatusOK, "POST", "/agents/1/login", nil, nil)
	c.must(http.StatusCreated, "POST", "/sim/inbound", map[string]any{"caller_id": "5551234", "did": "5558000"}, nil)
	waitUntil(t, func() bool { c, ok := eng.AgentCall("1064"); return ok && c.State == core.CallConnected })

	rec, err := eng.StartRecording(ctx, "1064")
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := c.do("GET", fmt.Sprintf("/recordings/%d/media", rec.ID), nil); code != http.StatusNotFound {
		t.Fatalf("media of a running recording: %d, want 404", code)
	}
	clkMu.Lock()
	simNow = simNow.Add(3 * time.Second)
	clkMu.Unlock()
	if rec, err = eng.StopRecording(ctx, "1064"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-archived:
		if err != nil {
			t.Fatalf("archive: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("recording never archived")
	}
	day := rec.Start.UTC().Format("20060102")
	var row core.Recording
	c.must(http.StatusOK, "GET", fmt.Sprintf("/recordings/%d", rec.ID), nil, &row)
	if row.MediaStatus != "stored" || row.MediaFile != day+"/"+rec.GUID+".wav" {
		t.Fatalf("row after archiving: media_status %q media_file %q", row.MediaStatus, row.MediaFile)
	}
	for _, ext := range []string{"wav", "mp3"} {
		if _, err := os.Stat(filepath.Join(dir, day, rec.GUID+"."+ext)); err != nil {
			t.Errorf("store lacks %s/%s.%s: %v", day, rec.GUID, ext, err)
		}
	}

	code, body := getRaw(t, c, fmt.Sprintf("/recordings/%d/media?format=mp3", rec.ID))
	if code != http.StatusOK {
		t.Fatalf("mp3: %d %s", code, body)
	}
	dec, err := mp3.NewDecoder(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("decode mp3: %v", err)
	}
	pcm, err := io.ReadAll(dec)
	if err != nil {
		t.Fatalf("decode mp3: %v", err)
	}
	// go-mp3 yields 16-bit stereo; the encoder pads a frame or two.
	got := time.Duration(len(pcm)/4) * time.Second / time.Duration(dec.SampleRate())
	if got < 2900*time.Millisecond || got > 3200*time.Millisecond {
		t.Fatalf("mp3 lasts %v, want about 3s", got)
	}

	// Dialects reach the same audio through the engine.
	rc, _, err := eng.RecordingAudio(ctx, rec.ID, "mp3")
	if err != nil {
		t.Fatal(err)
	}
	viaEngine, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(viaEngine, body) {
		t.Fatalf("engine served %d bytes, admin API %d", len(viaEngine), len(body))
	}
	if _, _, err := eng.RecordingAudio(ctx, 999, "mp3"); !errors.Is(err, core.ErrNoRecord) {
		t.Fatalf("unknown recording through the engine: %v", err)
	}

	code, body = getRaw(t, c, fmt.Sprintf("/recordings/%d/media?format=wav", rec.ID))
	if code != http.StatusOK || !bytes.HasPrefix(body, []byte("RIFF")) || len(body) != 44+2*8000*3 {
		t.Fatalf("wav: %d, %d bytes", code, len(body))
	}

	for _, tc := range []struct {
		path string
		want int
	}{
		{fmt.Sprintf("/recordings/%d/media?format=ogg", rec.ID), http.StatusBadRequest},
		{fmt.Sprintf("/recordings/%d/media?format=../../etc/passwd", rec.ID), http.StatusBadRequest},
		{fmt.Sprintf("/recordings/%d/media?format=gsm", rec.ID), http.StatusBadRequest},
		{"/recordings/999/media", http.StatusNotFound},
		{"/recordings/x/media", http.StatusNotFound},
	} {
		if code, b := c.do("GET", tc.path, nil); code != tc.want {
			t.Errorf("GET %s: %d %s, want %d", tc.path, code, b, tc.want)
		}
	}
}

func TestRecordingMediaWithoutStoreIs503(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	c := newServer(t, Options{Records: core.NewRecords(st)})
	if code, _ := c.do("GET", "/recordings/1/media", nil); code != http.StatusServiceUnavailable {
		t.Fatalf("got %d, want 503", code)
	}
}

// getRaw fetches a non-JSON body (client.do insists on JSON).
func getRaw(t *testing.T, c *client, path string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", c.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}
