package admin

import (
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/core/clocktest"
	"github.com/callgate/callgate/pkg/store/storetest"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

func TestTextMessagesThroughTheEngine(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	pbx := sim.New("t1")
	eng := core.New(core.Options{Store: st, Tel: pbx, Logger: slog.New(slog.DiscardHandler), SMSPerSecond: 2,
		// A frozen clock: the per-second budget cannot roll over mid-test.
		Clock: clocktest.New(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))})
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = eng.Stop(ctx)
	})
	c := newServer(t, Options{Records: core.NewRecords(st), Engine: eng, Sim: pbx})

	var m core.SMS
	c.must(http.StatusCreated, "POST", "/sms", map[string]any{"to": []string{"099123456", "pjsip:1064"}, "body": "hola"}, &m)
	if m.Status != core.SMSSent || m.ID == 0 || len(pbx.Texts()) != 2 || pbx.Texts()[0].To != "pjsip:099123456" {
		t.Fatalf("job %+v, texts %+v", m, pbx.Texts())
	}
	var got core.SMS
	c.must(http.StatusOK, "GET", "/sms/1", nil, &got)
	if got.Status != core.SMSSent || got.Recipients != "099123456,pjsip:1064" || got.Origin != "admin" {
		t.Fatalf("stored %+v", got)
	}
	for _, tc := range []struct {
		name, method, path string
		body               any
		want               int
	}{
		{"over the per-second limit", "POST", "/sms", map[string]any{"to": []string{"1"}, "body": "x"}, http.StatusTooManyRequests},
		{"no recipient", "POST", "/sms", map[string]any{"body": "x"}, http.StatusBadRequest},
		{"unknown field", "POST", "/sms", map[string]any{"to": []string{"1"}, "body": "x", "nope": 1}, http.StatusBadRequest},
		{"unknown job", "GET", "/sms/999", nil, http.StatusNotFound},
		{"job id not a number", "GET", "/sms/abc", nil, http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, b := c.do(tc.method, tc.path, tc.body); code != tc.want {
				t.Fatalf("status %d (%s), want %d", code, b, tc.want)
			}
		})
	}
	if n, _ := st.Count(context.Background(), &core.SMS{}, core.All); n != 1 || len(pbx.Texts()) != 2 {
		t.Fatalf("%d jobs, %d texts after refused requests", n, len(pbx.Texts()))
	}
}
