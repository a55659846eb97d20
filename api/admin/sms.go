package admin

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/callgate/callgate/core"
)

// smsInput is a text message request: recipients are numbers (sent through
// sms.endpoint) or message URIs such as pjsip:1064.
type smsInput struct {
	To    []string `json:"to"`
	From  string   `json:"from"`
	Body  string   `json:"body"`
	Draft bool     `json:"draft"`
}

// texter is the engine's text message service (core/messaging.go).
type texter interface {
	SendSMS(ctx context.Context, req core.SMSRequest) (core.SMS, error)
	SMSStatus(ctx context.Context, id uint) (core.SMS, error)
}

func (a *API) smsRoutes() []route {
	return []route{
		{method: "POST", path: "/sms", tag: "live", summary: "Send a text message to one or more recipients", body: smsInput{}, resp: core.SMS{}, status: http.StatusCreated,
			doc: "Sent through the PBX's message routing before the answer: 201 with status SENT (or DRAFT with draft=true). A PBX refusal stops the job (ERROR, 503); over sms.per_second nothing is sent (429).",
			h:   a.sendSMS},
		{method: "GET", path: "/sms/{id}", tag: "live", summary: "A text message job and its status (PENDING, SENT, ERROR, DRAFT)", resp: core.SMS{}, h: a.smsStatus},
	}
}

func (a *API) texter() (texter, error) {
	if t, ok := a.eng.(texter); ok {
		return t, nil
	}
	return nil, &httpError{status: http.StatusNotImplemented, msg: "text messages are not available"}
}

func (a *API) sendSMS(w http.ResponseWriter, r *http.Request) {
	var in smsInput
	t, err := a.texter()
	if err == nil {
		err = decode(w, r, &in)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	m, err := t.SendSMS(r.Context(), core.SMSRequest{To: in.To, From: in.From, Body: in.Body, Draft: in.Draft, Origin: "admin"})
	if err != nil {
		a.fail(w, r, smsError(err))
		return
	}
	writeJSON(w, http.StatusCreated, m)
}

// smsError answers the per-second limit as 429, like any rate limit.
func smsError(err error) error {
	if errors.Is(err, core.ErrSMSRateLimited) {
		return &httpError{status: http.StatusTooManyRequests, msg: "too many text messages this second"}
	}
	return err
}

func (a *API) smsStatus(w http.ResponseWriter, r *http.Request) {
	t, err := a.texter()
	if err != nil {
		a.fail(w, r, err)
		return
	}
	id, perr := strconv.ParseUint(chi.URLParam(r, "id"), 10, 32)
	if perr != nil {
		a.fail(w, r, notFound("text message"))
		return
	}
	m, err := t.SMSStatus(r.Context(), uint(id))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}
