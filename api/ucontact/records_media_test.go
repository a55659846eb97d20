package ucontact

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hajimehoshi/go-mp3"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/demo"
	"github.com/callgate/callgate/pkg/media"
	"github.com/callgate/callgate/pkg/store/storetest"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

// The recording of a call placed through AgentCall is served at
// /records/<guid>.mp3 and /records/<YYYYMMDD>/<guid>.mp3 as an MP3 a real
// decoder reads back with the recording's length: the whole media pipeline
// (simulated PBX audio, archive by day folder, lame), no fake store.
func TestRecordURLServesADecodableMP3(t *testing.T) {
	if !(media.Lame{}).Available() {
		t.Skip("lame not installed (scripts/services.sh installs it)")
	}
	ctx, cancel := context.WithCancel(context.Background())
	st := storetest.Open(t, storetest.SQLite)
	if err := demo.Seed(ctx, st); err != nil {
		t.Fatal(err)
	}
	pbx := sim.New("node1")
	var clkMu sync.Mutex
	simNow := time.Date(2026, 3, 10, 11, 0, 0, 0, time.UTC)
	pbx.SetClock(func() time.Time { clkMu.Lock(); defer clkMu.Unlock(); return simNow })
	archived := make(chan error, 4)
	svc := media.New(media.Options{PBX: pbx, Rows: core.NewRecords(st), Store: media.DirStore{Root: t.TempDir()},
		Encoder: media.Lame{}, OnArchived: func(_ core.Recording, err error) { archived <- err }})
	eng := core.New(core.Options{Store: st, Tel: pbx, Logger: slog.New(slog.DiscardHandler), Media: svc, DialerInterval: time.Hour})
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
	hopt := Options{MaxBody: 1 << 20, Logger: slog.New(slog.DiscardHandler)}
	mux := http.NewServeMux()
	mux.Handle("/Integra/resources/", http.StripPrefix("/Integra/resources", New(eng, hopt)))
	mux.Handle("/records/", http.StripPrefix("/records", NewRecords(eng, hopt)))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	e := &env{t: t, ctx: ctx, st: st, pbx: pbx, eng: eng, srv: srv}

	r := e.post("Agents/AgentCall", url.Values{"callerid": {"9901"}, "agent": {"Agente1"}, "phone": {"1001"}, "tech": {"SIP"},
		"outqueue": {"Ventas->"}, "destination": {"098344484"}})
	if r.status != 200 || r.body == "0" {
		t.Fatalf("AgentCall: %d %q", r.status, r.body)
	}
	var c core.Call
	e.waitFor("answer", func() bool { return st.First(ctx, &c, core.Eq("guid", r.body)) == nil && c.ConnectedAt != nil })
	rec, err := eng.StartRecording(ctx, c.Agent)
	if err != nil {
		t.Fatal(err)
	}
	clkMu.Lock()
	simNow = simNow.Add(3 * time.Second)
	clkMu.Unlock()
	if rec, err = eng.StopRecording(ctx, c.Agent); err != nil {
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
	for _, path := range []string{"/records/" + rec.GUID + ".mp3", "/records/" + rec.Start.Format("20060102") + "/" + rec.GUID + ".mp3"} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.SetBasicAuth(demo.UContactAPIUser, demo.UContactAPIPass)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "audio/mpeg" {
			t.Fatalf("%s: %d %s %.80q", path, res.StatusCode, res.Header.Get("Content-Type"), body)
		}
		dec, err := mp3.NewDecoder(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s: decode: %v", path, err)
		}
		pcm, err := io.ReadAll(dec)
		if err != nil {
			t.Fatalf("%s: decode: %v", path, err)
		}
		got := time.Duration(len(pcm)/4) * time.Second / time.Duration(dec.SampleRate())
		if got < 2900*time.Millisecond || got > 3200*time.Millisecond {
			t.Fatalf("%s lasts %v, want about 3s", path, got)
		}
	}
	res, err := http.Get(srv.URL + "/records/" + rec.GUID + ".mp3")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized || strings.Contains(res.Header.Get("Content-Type"), "audio") {
		t.Fatalf("without credentials: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}
