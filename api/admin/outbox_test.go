package admin

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
	"github.com/callgate/callgate/pkg/telephony/sim"
	"github.com/callgate/callgate/pkg/webhook"
)

// The delivery log through the admin API: a webhook to a receiver that
// refuses it is listed failed with its attempt, retried by the operator,
// and then delivered.
func TestOutboxDeliveryLogAndRetryThroughTheAdminAPI(t *testing.T) {
	status := make(chan int, 2)
	status <- http.StatusServiceUnavailable
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case s := <-status:
			w.WriteHeader(s)
		default:
		}
	}))
	t.Cleanup(rcv.Close)
	st := storetest.Open(t, storetest.SQLite)
	bus := core.NewMemoryBus(0)
	sub, err := bus.Subscribe(0, 10)
	if err != nil {
		t.Fatal(err)
	}
	eng := core.New(core.Options{Store: st, Tel: sim.New("t1"), Bus: bus, Logger: slog.New(slog.DiscardHandler), Webhooks: webhook.NewHTTPSender()})
	ctx := context.Background()
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = eng.Stop(ctx)
	})
	ended := func() core.OutboxMessage {
		for ev := range sub.C() {
			if d, ok := ev.Data.(core.WebhookDelivered); ok {
				return d.Message
			}
		}
		t.Fatal("bus closed")
		return core.OutboxMessage{}
	}
	c := newServer(t, Options{Records: core.NewRecords(st), Engine: eng})
	id, err := eng.EnqueueWebhook(ctx, core.WebhookRequest{Topic: "test.hook", Origin: "test", URL: rcv.URL, MaxAttempts: 1, CallID: 7})
	if err != nil {
		t.Fatal(err)
	}
	if m := ended(); m.Status != core.OutboxFailed {
		t.Fatalf("%+v", m)
	}
	var list []core.OutboxMessage
	c.must(http.StatusOK, "GET", "/outbox?status=failed&call_id=7", nil, &list)
	if len(list) != 1 || list[0].MsgID != id || list[0].LastStatus != 503 {
		t.Fatalf("list %+v", list)
	}
	var entry outboxEntry
	c.must(http.StatusOK, "GET", "/outbox/"+id, nil, &entry)
	if len(entry.Attempts) != 1 || entry.Attempts[0].Error != "HTTP status 503" {
		t.Fatalf("entry %+v", entry)
	}
	c.must(http.StatusOK, "POST", "/outbox/"+id+"/retry", nil, nil)
	if m := ended(); m.Status != core.OutboxDelivered {
		t.Fatalf("after retry %+v", m)
	}
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{"POST", "/outbox/" + id + "/retry", http.StatusConflict},
		{"GET", "/outbox/ffffffffffffffff", http.StatusNotFound},
		{"GET", "/outbox?status=lost", http.StatusBadRequest},
		{"GET", "/outbox?limit=x", http.StatusBadRequest},
	} {
		if code, b := c.do(tc.method, tc.path, nil); code != tc.want {
			t.Errorf("%s %s: %d (%s), want %d", tc.method, tc.path, code, b, tc.want)
		}
	}
}
