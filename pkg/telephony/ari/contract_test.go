package ari

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/telephony/telephonytest"
)

// The contract suite runs against a real Asterisk when CALLGATE_TEST_ARI_URL
// is set (e.g. http://127.0.0.1:8088/ari), with CALLGATE_TEST_ARI_USER,
// CALLGATE_TEST_ARI_PASSWORD and optionally CALLGATE_TEST_ARI_APP (default
// callgate). Asterisk must run deploy/asterisk/extensions.conf, whose
// callgate-test context provides the Local endpoints used here.
//
// The far ends of the test calls are driven by a second application,
// "callgate-far", run by a second Telephony: it plays music on hold to the
// answered far ends (recordings need audio), sends DTMF toward the
// application and records the DTMF it receives.
func TestContractAgainstAsterisk(t *testing.T) {
	base := os.Getenv("CALLGATE_TEST_ARI_URL")
	if base == "" {
		t.Skip("CALLGATE_TEST_ARI_URL not set: no Asterisk to run the contract suite against")
	}
	app := os.Getenv("CALLGATE_TEST_ARI_APP")
	if app == "" {
		app = "callgate"
	}
	cfg := Config{
		URL:      base,
		User:     os.Getenv("CALLGATE_TEST_ARI_USER"),
		Password: os.Getenv("CALLGATE_TEST_ARI_PASSWORD"),
		App:      app,
		NodeID:   "contract-ast-1",
		Logger:   testLogger(t),
	}
	telephonytest.Run(t, func(t *testing.T) telephonytest.Env {
		tel, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		far := startFar(t, cfg)
		return telephonytest.Env{
			Tel:                tel,
			AnswerEndpoint:     "Local/answer@callgate-test",
			BusyEndpoint:       "Local/busy@callgate-test",
			NoAnswerEndpoint:   "Local/noanswer@callgate-test",
			CongestionEndpoint: "Local/congestion@callgate-test",
			NoAnswerTimeout:    time.Second,
			Inbound:            far.inbound,
			FarDTMF:            far.sendDTMF,
			SentDTMF:           far.received,
			Media:              "sound:beep",
		}
	})
}

func testLogger(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// farEnd is the test harness's own Stasis application holding the other
// half of every test call.
type farEnd struct {
	tel  *Telephony
	mu   sync.Mutex
	dtmf map[string]string // channel id -> digits received
	n    int
}

func startFar(t *testing.T, cfg Config) *farEnd {
	t.Helper()
	cfg.App = "callgate-far"
	cfg.NodeID = "contract-far"
	tel, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f := &farEnd{tel: tel, dtmf: map[string]string{}}
	connected := make(chan struct{}, 1)
	sink := func(ev core.TelEvent) {
		switch ev.Type {
		case core.TelConnected:
			select {
			case connected <- struct{}{}:
			default:
			}
		case core.TelStasisStart:
			// The sink must not block the event path: media control runs
			// on its own goroutine.
			id := ev.ChannelID
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				_ = tel.StartMOH(ctx, id, "default")
			}()
		case core.TelDTMF:
			f.mu.Lock()
			f.dtmf[ev.ChannelID] += ev.Digit
			f.mu.Unlock()
		}
	}
	if err := tel.Start(context.Background(), sink); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tel.Close() })
	select {
	case <-connected:
	case <-time.After(10 * time.Second):
		t.Fatal("far-end application did not connect")
	}
	return f
}

// peer is the other half of a Local channel pair.
func peer(id string) string {
	if s, ok := strings.CutSuffix(id, ";2"); ok {
		return s
	}
	return id + ";2"
}

// inbound originates Local/<dialed>@callgate-test-inbound from the far
// application; its ;2 half runs the inbound dialplan into the application
// under test, unanswered, with the chosen caller id.
func (f *farEnd) inbound(ctx context.Context, callerID, dialed string) (string, error) {
	f.mu.Lock()
	f.n++
	id := "far-" + strings.ReplaceAll(time.Now().Format("150405.000000"), ".", "") + "-" + itoa(f.n)
	f.mu.Unlock()
	_, err := f.tel.Originate(ctx, core.OriginateRequest{
		ChannelID:   id,
		Endpoint:    "Local/" + dialed + "@callgate-test-inbound",
		CallerIDNum: callerID,
		Timeout:     30 * time.Second,
		Variables:   map[string]string{"__CALLGATE_TEST_CID": callerID},
		AppArgs:     []string{"far"},
	})
	if err != nil {
		return "", err
	}
	return peer(id), nil
}

func (f *farEnd) sendDTMF(ctx context.Context, channelID, digits string) error {
	return f.tel.SendDTMF(ctx, peer(channelID), digits, 100*time.Millisecond)
}

func (f *farEnd) received(channelID string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.dtmf[peer(channelID)]
}

func itoa(n int) string {
	const digits = "0123456789"
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{digits[n%10]}, b...)
	}
	return string(b)
}
