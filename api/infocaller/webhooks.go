package infocaller

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
)

// Informative webhooks (API Informativa): INICIO when a line's call
// starts, DESVIO_CORRECTO / DESVIO_FALLIDO when the call is handed on, FIN
// when it ends, each to the line's URL for it with the call's data in the
// URL's placeholders and the ApiCall document in the POST variable
// apilinfocaller. The notifier follows the engine's script events on the
// bus; delivery (retries, order per call, log) is the core outbox's.

// NotifierEngine is the part of the core the notifier uses.
type NotifierEngine interface {
	Bus() core.Bus
	LineWithPassword(ctx context.Context, number string) (core.Line, string, error)
	CallOrigination(ctx context.Context, callID uint64) (core.OriginationJob, error)
	EnqueueWebhook(ctx context.Context, r core.WebhookRequest) (string, error)
	WebhookSourceStart(ctx context.Context, source string) uint64
}

// webhookSource names the notifier's messages in the outbox (one per
// event, see core.WebhookRequest.Source).
const webhookSource = "infocaller"

// Notifier sends a line's informative webhooks.
type Notifier struct {
	eng NotifierEngine
	opt Options
}

// NewNotifier makes the notifier; Run starts it.
func NewNotifier(eng NotifierEngine, opt Options) *Notifier {
	if opt.Location == nil {
		opt.Location = time.Local
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	return &Notifier{eng: eng, opt: opt}
}

// Informative event names, as the document names them.
const (
	hookStart          = "INICIO"
	hookTransferOK     = "DESVIO_CORRECTO"
	hookTransferFailed = "DESVIO_FALLIDO"
	hookEnd            = "FIN"
	notifierBuffer     = 4096
)

// Run follows the bus until ctx ends, from where the engine says this
// consumer resumes (core.Engine.WebhookSourceStart). A subscription lost to
// overflow is taken up again after the last event handled (the bus
// replays it).
func (n *Notifier) Run(ctx context.Context) error {
	next := n.eng.WebhookSourceStart(ctx, webhookSource)
	for {
		sub, err := n.eng.Bus().Subscribe(next, notifierBuffer)
		if err != nil {
			return err
		}
		next = n.follow(ctx, sub, next)
		sub.Close()
		if ctx.Err() != nil {
			return nil
		}
		if !errors.Is(sub.Err(), core.ErrOverflow) {
			return sub.Err()
		}
		n.opt.Logger.Warn("infocaller: webhook notifier fell behind; resuming", "from", next)
	}
}

// follow handles events until the subscription ends; it returns the
// sequence to resume from.
func (n *Notifier) follow(ctx context.Context, sub core.Subscription, next uint64) uint64 {
	for {
		select {
		case <-ctx.Done():
			return next
		case ev, ok := <-sub.C():
			if !ok {
				return next
			}
			next = ev.Seq + 1
			n.handle(ctx, ev)
		}
	}
}

// handle turns one script event into its webhook.
func (n *Notifier) handle(ctx context.Context, ev core.Event) {
	switch p := ev.Data.(type) {
	case core.ScriptStarted:
		n.send(ctx, ev.Seq, hookStart, p.Call, p.Vars, "", nil, 0)
	case core.ScriptTransfer:
		name := hookTransferFailed
		if p.OK {
			name = hookTransferOK
		}
		n.send(ctx, ev.Seq, name, p.Call, nil, p.Target, nil, 0)
	case core.ScriptCallEnded:
		events := p.Events
		if events == nil {
			events = []core.ScriptEvent{}
		}
		n.send(ctx, ev.Seq, hookEnd, p.Call, p.Vars, "", events, p.Cost)
	}
}

// send posts one event of a line's call, if the line has a URL for it.
func (n *Notifier) send(ctx context.Context, seq uint64, name string, call core.Call, vars map[string]string, target string, events []core.ScriptEvent, cost float64) {
	number := core.CallAttributes(call)["line"]
	if number == "" {
		return // not a line's call
	}
	lc, err := n.lineCall(ctx, number, call, vars)
	if err != nil {
		n.opt.Logger.Warn("infocaller: webhook not sent", "event", name, "call", call.ID, "err", err)
		return
	}
	lc.cost = cost
	raw := hookURL(lc.line, name)
	if raw == "" {
		return
	}
	doc := render(lineFormat(lc.line), lc.document(n.opt.Location, name == hookEnd, events))
	req := core.WebhookRequest{
		Topic: "infocaller." + strings.ToLower(name), Origin: "infocaller", URL: expandURL(raw, lc, target),
		ContentType: "application/x-www-form-urlencoded",
		Body:        []byte(url.Values{"apilinfocaller": {string(doc)}}.Encode()),
		OrderKey:    "call-" + strconv.FormatUint(call.ID, 10), CallID: call.ID,
		Source: webhookSource, SourceSeq: seq,
	}
	if _, err := n.eng.EnqueueWebhook(ctx, req); err != nil {
		n.opt.Logger.Warn("infocaller: webhook not queued", "event", name, "call", call.ID, "err", err)
	}
}

func (n *Notifier) lineCall(ctx context.Context, number string, call core.Call, vars map[string]string) (lineCall, error) {
	line, pass, err := n.eng.LineWithPassword(ctx, number)
	if err != nil {
		return lineCall{}, err
	}
	lc := lineCall{line: line, password: pass, call: call, vars: vars}
	if lc.emitted() {
		if job, err := n.eng.CallOrigination(ctx, call.ID); err == nil {
			lc.jobID = job.JobID
		}
	}
	return lc, nil
}

// hookURL is the line's URL for the event (its informative URL if none).
func hookURL(l core.Line, name string) string {
	u := map[string]string{hookStart: l.StartURL, hookTransferOK: l.TransferOKURL,
		hookTransferFailed: l.TransferFailedURL, hookEnd: l.EndURL}[name]
	if strings.TrimSpace(u) == "" {
		u = l.InformativeURL
	}
	return strings.TrimSpace(u)
}

var placeholder = regexp.MustCompile(`(?i)\[_(NumLlamante|NumInfocaller|NumLlamado|IdLlamada|UUID|NumDesvio)\]`)

// expandURL fills the document's placeholders (any letter case), each
// value query-escaped.
func expandURL(raw string, lc lineCall, target string) string {
	caller, called := callerNumber(lc.call), lc.call.DID
	if lc.emitted() {
		caller, called = lc.line.Number, lc.call.Phone
	}
	values := map[string]string{
		"numllamante": caller, "numinfocaller": lc.line.Number, "numllamado": called,
		"idllamada": strconv.FormatUint(lc.call.ID, 10), "uuid": lc.call.GUID, "numdesvio": target,
	}
	return placeholder.ReplaceAllStringFunc(raw, func(m string) string {
		return url.QueryEscape(values[strings.ToLower(m[2:len(m)-1])])
	})
}
