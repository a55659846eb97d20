package core_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/core/clocktest"
	"github.com/callgate/callgate/pkg/store/storetest"
	"github.com/callgate/callgate/pkg/telephony/sim"
	"github.com/callgate/callgate/pkg/webhook"
)

// receiver is a real HTTP server that answers with the statuses it is
// given, in turn (200 once they run out), and reports every body it got.
type receiver struct {
	srv      *httptest.Server
	mu       sync.Mutex
	statuses []int
	got      chan string
	hold     chan struct{} // when set, every request waits for it to close
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	r := &receiver{statuses: statuses, got: make(chan string, 100)}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		status, hold := 200, r.hold
		if len(r.statuses) > 0 {
			status, r.statuses = r.statuses[0], r.statuses[1:]
		}
		r.mu.Unlock()
		if hold != nil {
			select {
			case <-hold:
			case <-req.Context().Done():
				return
			}
		}
		r.got <- req.Header.Get("X-Test") + ":" + string(b)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, "answer")
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) next(t *testing.T) string {
	t.Helper()
	select {
	case s := <-r.got:
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("the receiver got nothing")
		return ""
	}
}

type outboxEnv struct {
	t   *testing.T
	ctx context.Context
	st  core.Store
	clk *clocktest.Clock
	e   *core.Engine
	sub core.Subscription
}

func newOutboxEnv(t *testing.T, st core.Store, clk *clocktest.Clock) *outboxEnv {
	ctx := context.Background()
	bus := core.NewMemoryBus(0)
	sub, err := bus.Subscribe(0, 100)
	must(t, err)
	e := core.New(core.Options{Store: st, Tel: sim.New("sim-1"), Bus: bus, Clock: clk, DialerInterval: time.Hour,
		Logger: slog.New(slog.DiscardHandler), Webhooks: webhook.NewHTTPSender()})
	must(t, e.Start(ctx))
	env := &outboxEnv{t: t, ctx: ctx, st: st, clk: clk, e: e, sub: sub}
	t.Cleanup(env.stop)
	return env
}

func (env *outboxEnv) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = env.e.Stop(ctx)
}

// ended waits for the webhook.ended event of message id.
func (env *outboxEnv) ended(id string) core.OutboxMessage {
	env.t.Helper()
	for {
		select {
		case ev := <-env.sub.C():
			if d, ok := ev.Data.(core.WebhookDelivered); ok && d.Message.MsgID == id {
				return d.Message
			}
		case <-time.After(10 * time.Second):
			env.t.Fatalf("webhook %s never ended", id)
		}
	}
}

// allEnded waits for the webhook.ended events of ids, in any order, and
// requires each delivered.
func (env *outboxEnv) allEnded(ids ...string) {
	env.t.Helper()
	left := map[string]bool{}
	for _, id := range ids {
		left[id] = true
	}
	for len(left) > 0 {
		select {
		case ev := <-env.sub.C():
			if d, ok := ev.Data.(core.WebhookDelivered); ok && left[d.Message.MsgID] {
				if d.Message.Status != core.OutboxDelivered {
					env.t.Fatalf("message %s: %+v", d.Message.MsgID, d.Message)
				}
				delete(left, d.Message.MsgID)
			}
		case <-time.After(10 * time.Second):
			env.t.Fatalf("webhooks %v never ended", left)
		}
	}
}

func (env *outboxEnv) enqueue(r core.WebhookRequest) string {
	env.t.Helper()
	id, err := env.e.EnqueueWebhook(env.ctx, r)
	must(env.t, err)
	return id
}

func TestOutboxRetriesWithBackoffAndKeepsOrderPerKey(t *testing.T) {
	for _, kind := range storetest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			clk := clocktest.New(time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC))
			env := newOutboxEnv(t, storetest.Open(t, kind), clk)
			rcv := newReceiver(t, 500)
			timers := clk.Pending()
			first := env.enqueue(core.WebhookRequest{Topic: "test.start", URL: rcv.srv.URL, Body: []byte("start"),
				OrderKey: "call-1", Headers: map[string]string{"X-Test": "h"}})
			second := env.enqueue(core.WebhookRequest{Topic: "test.end", URL: rcv.srv.URL, Body: []byte("end"), OrderKey: "call-1"})
			if got := rcv.next(t); got != "h:start" {
				t.Fatalf("first request %q", got)
			}
			// The 500 arms the backoff; "end" must not overtake "start".
			clk.BlockUntil(timers + 1)
			select {
			case got := <-rcv.got:
				t.Fatalf("%q sent while the first message waits for its retry", got)
			default:
			}
			clk.Advance(2 * time.Second)
			if got := rcv.next(t); got != "h:start" {
				t.Fatalf("retry %q", got)
			}
			if m := env.ended(first); m.Status != core.OutboxDelivered || m.Attempts != 2 {
				t.Fatalf("first message %+v", m)
			}
			if got := rcv.next(t); got != ":end" {
				t.Fatalf("second request %q", got)
			}
			env.ended(second)
			m, log, err := env.e.OutboxMessage(env.ctx, first)
			must(t, err)
			if m.Status != core.OutboxDelivered || len(log) != 2 || log[0].Status != 500 || log[0].Error != "HTTP status 500" ||
				log[1].Status != 200 || log[1].Response != "answer" || !log[1].At.Equal(log[0].At.Add(2*time.Second)) {
				t.Fatalf("stored %+v, log %+v", m, log)
			}
		})
	}
}

func TestOutboxGivesUpAfterItsAttemptsAndAnOperatorRetryDeliversIt(t *testing.T) {
	clk := clocktest.New(time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC))
	env := newOutboxEnv(t, sqlite(t), clk)
	rcv := newReceiver(t, 503, 503)
	// Counted before the enqueue: the first refusal may arm its retry
	// before the test looks.
	timers := clk.Pending()
	id := env.enqueue(core.WebhookRequest{Topic: "test", URL: rcv.srv.URL, MaxAttempts: 2})
	rcv.next(t)
	clk.BlockUntil(timers + 1)
	clk.Advance(2 * time.Second)
	rcv.next(t)
	if m := env.ended(id); m.Status != core.OutboxFailed || m.Attempts != 2 || m.LastStatus != 503 {
		t.Fatalf("after its attempts: %+v", m)
	}
	if _, err := env.e.RetryWebhook(env.ctx, "nope"); core.ErrorCode(err) != core.ENOTFOUND {
		t.Fatalf("retry of an unknown id: %v", err)
	}
	_, err := env.e.RetryWebhook(env.ctx, id)
	must(t, err)
	rcv.next(t)
	if m := env.ended(id); m.Status != core.OutboxDelivered {
		t.Fatalf("after the retry: %+v", m)
	}
	if _, err := env.e.RetryWebhook(env.ctx, id); core.ErrorCode(err) != core.ECONFLICT {
		t.Fatalf("retry of a delivered message: %v", err)
	}
	failed, err := env.e.OutboxMessages(env.ctx, core.OutboxQuery{Status: core.OutboxFailed})
	must(t, err)
	if len(failed) != 0 {
		t.Fatalf("failed messages left: %+v", failed)
	}
}

// A message whose receiver hangs when the gateway stops is sent again by
// the next gateway on the same store, and only once.
func TestOutboxMessagePendingAtStopIsDeliveredAfterRestart(t *testing.T) {
	for _, kind := range storetest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			st := storetest.Open(t, kind)
			clk := clocktest.New(time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC))
			rcv := newReceiver(t)
			rcv.hold = make(chan struct{})
			env := newOutboxEnv(t, st, clk)
			id := env.enqueue(core.WebhookRequest{Topic: "test", URL: rcv.srv.URL, Body: []byte("once"),
				Headers: map[string]string{"X-Test": "Basic c2VjcmV0"}})
			env.stop() // interrupts the request in flight
			var stored core.OutboxMessage
			must(t, st.First(env.ctx, &stored, core.Eq("msg_id", id)))
			if stored.Headers == "" || strings.Contains(stored.Headers, "c2VjcmV0") {
				t.Fatalf("headers at rest: %q, want them sealed", stored.Headers)
			}
			rcv.mu.Lock()
			rcv.hold = nil
			rcv.mu.Unlock()
			env2 := newOutboxEnv(t, st, clk)
			if got := rcv.next(t); got != "Basic c2VjcmV0:once" {
				t.Fatalf("after restart %q", got)
			}
			if m := env2.ended(id); m.Status != core.OutboxDelivered || m.Attempts != 1 {
				t.Fatalf("%+v", m)
			}
			select {
			case got := <-rcv.got:
				t.Fatalf("sent twice: %q", got)
			default:
			}
		})
	}
}

// Enqueueing never waits for receivers: with every receiver hung, more
// messages than the concurrency bound are accepted at once.
func TestOutboxEnqueueNeverWaitsForAHungReceiver(t *testing.T) {
	env := newOutboxEnv(t, sqlite(t), clocktest.New(time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)))
	rcv := newReceiver(t)
	rcv.hold = make(chan struct{})
	defer close(rcv.hold)
	for range 30 {
		env.enqueue(core.WebhookRequest{Topic: "test", URL: rcv.srv.URL})
	}
	pending, err := env.e.OutboxMessages(env.ctx, core.OutboxQuery{Status: core.OutboxPending})
	must(t, err)
	if len(pending) != 30 {
		t.Fatalf("%d pending", len(pending))
	}
}

func TestCallWebhookAnswersWithinItsTimeoutAndIsLogged(t *testing.T) {
	env := newOutboxEnv(t, sqlite(t), clocktest.New(time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)))
	rcv := newReceiver(t, 404)
	resp, err := env.e.CallWebhook(env.ctx, core.WebhookRequest{Topic: "query", URL: rcv.srv.URL, Body: []byte("q")})
	must(t, err)
	if resp.Status != 404 || string(resp.Body) != "answer" {
		t.Fatalf("%+v", resp)
	}
	hung := newReceiver(t)
	hung.hold = make(chan struct{})
	defer close(hung.hold)
	_, err = env.e.CallWebhook(env.ctx, core.WebhookRequest{Topic: "query", URL: hung.srv.URL, Timeout: 20 * time.Millisecond})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("hung receiver: %v", err)
	}
}

func TestWebhookRequestsThatCouldNeverBeSentAreRefused(t *testing.T) {
	env := newOutboxEnv(t, sqlite(t), clocktest.New(time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)))
	for name, r := range map[string]core.WebhookRequest{
		"no url":        {Topic: "t"},
		"not http":      {Topic: "t", URL: "file:///etc/passwd"},
		"body too big":  {Topic: "t", URL: "http://127.0.0.1/", Body: make([]byte, core.MaxWebhookBody+1)},
		"header inject": {Topic: "t", URL: "http://127.0.0.1/", Method: "POST /x HTTP/1.1\r\n"},
	} {
		if _, err := env.e.EnqueueWebhook(env.ctx, r); core.ErrorCode(err) != core.EINVALID {
			t.Errorf("%s: %v", name, err)
		}
	}
	none := core.New(core.Options{Store: sqlite(t), Tel: sim.New("sim-1")})
	if _, err := none.EnqueueWebhook(env.ctx, core.WebhookRequest{Topic: "t", URL: "http://127.0.0.1/"}); core.ErrorCode(err) != core.EUNAVAILABLE {
		t.Fatalf("no sender: %v", err)
	}
}

// A message derived from a bus event (Source, SourceSeq) is enqueued once:
// the same event handled again (a new leader replaying what its
// predecessor handled) gets the first message's id and sends nothing more;
// the consumer resumes after the last event it enqueued a message for, as
// far as the bus reaches.
func TestWebhookOfAnEventIsEnqueuedOnceAndItsConsumerResumesAfterIt(t *testing.T) {
	for _, kind := range storetest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			st := storetest.Open(t, kind)
			clk := clocktest.New(time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC))
			rcv := newReceiver(t)
			env := newOutboxEnv(t, st, clk)
			if next := env.e.WebhookSourceStart(env.ctx, "hooks"); next != 1 {
				t.Fatalf("a consumer that enqueued nothing starts at %d, want 1 (the engine's first event)", next)
			}
			for range 5 { // events on the bus, so sequence 3 is one it holds
				env.e.Bus().Publish(core.PBXConnection{Connected: true}, "")
			}
			r := core.WebhookRequest{Topic: "test", URL: rcv.srv.URL, Body: []byte("once"), Source: "hooks", SourceSeq: 3}
			id := env.enqueue(r)
			if again := env.enqueue(r); again != id {
				t.Fatalf("the same event enqueued again: %s, want %s", again, id)
			}
			other := env.enqueue(core.WebhookRequest{Topic: "test", URL: rcv.srv.URL, Body: []byte("other"), Source: "elsewhere", SourceSeq: 3})
			if other == id {
				t.Fatal("another source's message for the same sequence was taken for this one")
			}
			var first core.OutboxMessage
			must(t, st.First(env.ctx, &first, core.Eq("msg_id", id)))
			if first.Source == nil || !strings.HasPrefix(*first.Source, "hooks/") || first.SourceSeq == nil || *first.SourceSeq != 3 {
				t.Fatalf("stored source %v seq %v", first.Source, first.SourceSeq)
			}
			if n, _ := st.Count(env.ctx, &core.OutboxMessage{}, core.Eq("source", *first.Source)); n != 1 {
				t.Fatalf("%d messages of source hooks, want 1", n)
			}
			if next := env.e.WebhookSourceStart(env.ctx, "hooks"); next != 4 {
				t.Fatalf("consumer resumes at %d, want 4", next)
			}
			late := env.enqueue(core.WebhookRequest{Topic: "test", URL: rcv.srv.URL, Body: []byte("late"), Source: "hooks", SourceSeq: 900})
			if next := env.e.WebhookSourceStart(env.ctx, "hooks"); next != 1 {
				t.Fatalf("consumer past the bus's end resumes at %d, want 1 (the engine's first event)", next)
			}
			got := map[string]int{}
			env.allEnded(id, other, late)
			for range 3 {
				got[rcv.next(t)]++
			}
			// A restart with a memory bus: its sequences start over in a new
			// epoch, where the old messages neither place nor stop anyone.
			env.stop()
			env2 := newOutboxEnv(t, st, clk)
			if next := env2.e.WebhookSourceStart(env2.ctx, "hooks"); next != 1 {
				t.Fatalf("after a restart the consumer resumes at %d, want 1 (the new engine's first event)", next)
			}
			again := env2.enqueue(r)
			if again == id {
				t.Fatal("sequence 3 of the new bus was taken for the old bus's")
			}
			env2.ended(again)
			got[rcv.next(t)]++
			if got[":once"] != 2 || got[":other"] != 1 || got[":late"] != 1 {
				t.Fatalf("deliveries %v, want once (in each epoch) twice, other and late once", got)
			}
		})
	}
}
