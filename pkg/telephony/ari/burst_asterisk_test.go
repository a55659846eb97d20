package ari

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/callgate/callgate/core"
)

// TestRealAsteriskBurstOf10000EventsLosesNone has a real Asterisk publish
// 10,000 user events to the application while the dispatcher is stalled:
// the reader must take every frame off the websocket (Asterisk would drop a
// consumer slower than 100 ms and never replay), and once released all
// 10,000 reach the dispatcher in the order Asterisk sent them.
func TestRealAsteriskBurstOf10000EventsLosesNone(t *testing.T) {
	base := os.Getenv("CALLGATE_TEST_ARI_URL")
	if base == "" {
		t.Skip("CALLGATE_TEST_ARI_URL not set")
	}
	const n, workers = 10000, 4
	tel, err := New(Config{URL: base, User: os.Getenv("CALLGATE_TEST_ARI_USER"), Password: os.Getenv("CALLGATE_TEST_ARI_PASSWORD"),
		App: "callgate-burst", NodeID: "burst", Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	var seenMu sync.Mutex
	var seen [workers][]int
	var once sync.Once
	tel.tap = func(raw []byte) {
		var ev struct {
			Type      string            `json:"type"`
			Eventname string            `json:"eventname"`
			Userevent map[string]string `json:"userevent"`
		}
		if json.Unmarshal(raw, &ev) != nil || ev.Type != "ChannelUserevent" || ev.Eventname != "burst" {
			return
		}
		once.Do(func() { <-release }) // the engine is busy: the event path stalls
		w, _ := strconv.Atoi(ev.Userevent["w"])
		i, _ := strconv.Atoi(ev.Userevent["i"])
		seenMu.Lock()
		seen[w] = append(seen[w], i)
		seenMu.Unlock()
	}
	rec := newRecorder()
	if err := tel.Start(t.Context(), rec.sink); err != nil {
		t.Fatal(err)
	}
	defer tel.Close()
	rec.waitFor(t, "connected", func(evs []core.TelEvent) bool { return countType(evs, core.TelConnected) == 1 })
	before := tel.framesRead.Load()

	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				body := map[string]any{"variables": map[string]string{"w": strconv.Itoa(w), "i": strconv.Itoa(i)}}
				q := url.Values{"application": {"callgate-burst"}}
				if err := tel.rest(t.Context(), "user event", http.MethodPost, "/events/user/burst", q, body, nil); err != nil {
					errs <- fmt.Errorf("event %d: %w", i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	waitUntil(t, "10,000 frames read while the event path is stalled", func() bool { return tel.framesRead.Load()-before >= n })
	close(release)
	waitUntil(t, "10,000 events dispatched", func() bool {
		seenMu.Lock()
		defer seenMu.Unlock()
		total := 0
		for w := range workers {
			total += len(seen[w])
		}
		return total == n
	})
	seenMu.Lock()
	defer seenMu.Unlock()
	for w := range workers {
		for k, i := range seen[w] {
			if want := w + k*workers; i != want {
				t.Fatalf("worker %d: event %d is %d, want %d (lost or reordered)", w, k, i, want)
			}
		}
	}
	if countType(rec.events(), core.TelDisconnected) != 0 {
		t.Fatal("Asterisk dropped the websocket during the burst")
	}
}
