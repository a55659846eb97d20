package admin

import (
	"context"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/callgate/callgate/core"
)

// outboxer is the engine's webhook outbox (core/outbox.go): its messages and
// their delivery log.
type outboxer interface {
	OutboxMessages(ctx context.Context, q core.OutboxQuery) ([]core.OutboxMessage, error)
	OutboxMessage(ctx context.Context, id string) (core.OutboxMessage, []core.OutboxAttempt, error)
	RetryWebhook(ctx context.Context, id string) (core.OutboxMessage, error)
}

// outboxEntry is one message with its delivery log.
type outboxEntry struct {
	Message  core.OutboxMessage   `json:"message"`
	Attempts []core.OutboxAttempt `json:"attempts"`
}

func (a *API) outboxRoutes() []route {
	return []route{
		{method: "GET", path: "/outbox", tag: "live", summary: "Webhooks sent or to be sent, newest first",
			doc:   "status: pending, delivered or failed; topic, origin and call_id narrow the list; limit ≤ 1000 (default 100).",
			query: []string{"status", "topic", "origin", "call_id", "limit"}, resp: core.OutboxMessage{}, list: true, h: a.outboxList},
		{method: "GET", path: "/outbox/{id}", tag: "live", summary: "A webhook and its delivery log (one line per attempt)", resp: outboxEntry{}, h: a.outboxGet},
		{method: "POST", path: "/outbox/{id}/retry", tag: "live", summary: "Send a failed webhook again with a fresh set of attempts",
			doc: "409 when the message is pending or delivered.", resp: core.OutboxMessage{}, h: a.outboxRetry},
	}
}

func (a *API) outboxer() (outboxer, error) {
	if o, ok := a.eng.(outboxer); ok {
		return o, nil
	}
	return nil, &httpError{status: http.StatusNotImplemented, msg: "the webhook outbox is not available"}
}

func (a *API) outboxList(w http.ResponseWriter, r *http.Request) {
	o, err := a.outboxer()
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v := r.URL.Query()
	q := core.OutboxQuery{Status: core.OutboxStatus(v.Get("status")), Topic: v.Get("topic"), Origin: v.Get("origin")}
	for name, dst := range map[string]any{"call_id": &q.CallID, "limit": &q.Limit} {
		if s := v.Get(name); s != "" {
			n, perr := strconv.ParseUint(s, 10, 32)
			if perr != nil {
				a.fail(w, r, core.Errorf(core.EINVALID, "%s must be a number", name))
				return
			}
			switch d := dst.(type) {
			case *uint64:
				*d = n
			case *int:
				*d = int(n)
			}
		}
	}
	switch q.Status {
	case "", core.OutboxPending, core.OutboxDelivered, core.OutboxFailed:
	default:
		a.fail(w, r, core.Errorf(core.EINVALID, "status must be pending, delivered or failed"))
		return
	}
	msgs, err := o.OutboxMessages(r.Context(), q)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, nonNil(msgs))
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (a *API) outboxGet(w http.ResponseWriter, r *http.Request) {
	o, err := a.outboxer()
	if err != nil {
		a.fail(w, r, err)
		return
	}
	m, log, err := o.OutboxMessage(r.Context(), chi.URLParam(r, "id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, outboxEntry{Message: m, Attempts: nonNil(log)})
}

func (a *API) outboxRetry(w http.ResponseWriter, r *http.Request) {
	o, err := a.outboxer()
	if err != nil {
		a.fail(w, r, err)
		return
	}
	m, err := o.RetryWebhook(r.Context(), chi.URLParam(r, "id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}
