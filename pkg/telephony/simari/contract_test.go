package simari_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/callgate/callgate/pkg/telephony/ari"
	"github.com/callgate/callgate/pkg/telephony/simari"
	"github.com/callgate/callgate/pkg/telephony/telephonytest"
)

const (
	testUser = "callgate"
	testPass = "s3cret-simari"
)

// startServer runs a simari on a loopback port for the test.
func startServer(t *testing.T) (*simari.Server, *httptest.Server, *simari.Client) {
	return startServerB(t)
}

func startServerB(t testing.TB) (*simari.Server, *httptest.Server, *simari.Client) {
	t.Helper()
	srv, err := simari.New(simari.Config{User: testUser, Password: testPass, App: "callgate", NodeID: "simari-test",
		PlaybackDuration: -1})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		hs.CloseClientConnections()
		hs.Close()
		_ = srv.Close()
	})
	return srv, hs, &simari.Client{Base: hs.URL, User: testUser, Password: testPass}
}

func driverConfig(hs *httptest.Server) ari.Config {
	return ari.Config{
		URL: hs.URL + "/ari", User: testUser, Password: testPass, App: "callgate", NodeID: "simari-test",
		ReconnectMin: 20 * time.Millisecond, ReconnectMax: 200 * time.Millisecond,
		Logger:         quiet(),
		MessageSources: []string{"endpoint:PJSIP"},
	}
}

// The telephony contract suite, run by the real ARI driver over HTTP and
// the websocket against simari: every case the simulator and a real
// Asterisk pass, through ARI's wire.
func TestARIDriverPassesContractSuiteAgainstSimari(t *testing.T) {
	telephonytest.Run(t, func(t *testing.T) telephonytest.Env {
		_, hs, ctl := startServer(t)
		ctx := context.Background()
		for ep, b := range map[string]simari.Behavior{
			"Local/answer@tt":     {Outcome: "answer", AfterMS: 2},
			"Local/busy@tt":       {Outcome: "busy", AfterMS: 5},
			"Local/noanswer@tt":   {Outcome: "noanswer"},
			"Local/congestion@tt": {Outcome: "congestion"},
		} {
			b.Endpoint = ep
			if err := ctl.SetBehavior(ctx, b); err != nil {
				t.Fatal(err)
			}
		}
		tel, err := ari.New(driverConfig(hs))
		if err != nil {
			t.Fatal(err)
		}
		return telephonytest.Env{
			Tel:                tel,
			AnswerEndpoint:     "Local/answer@tt",
			BusyEndpoint:       "Local/busy@tt",
			NoAnswerEndpoint:   "Local/noanswer@tt",
			CongestionEndpoint: "Local/congestion@tt",
			NoAnswerTimeout:    time.Second,
			Inbound: func(ctx context.Context, callerID, dialed string) (string, error) {
				return ctl.Inbound(ctx, simari.Inbound{CallerID: callerID, Dialed: dialed})
			},
			FarDTMF: func(ctx context.Context, channelID, digits string) error {
				return ctl.DTMF(ctx, channelID, digits)
			},
			SentDTMF: func(channelID string) string {
				v, _ := ctl.Channel(context.Background(), channelID)
				return v.DTMFSent
			},
		}
	})
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
