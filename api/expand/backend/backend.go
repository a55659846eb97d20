package backend

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/callgate/callgate/core"
)

// Backend is eXpand's side of the webservices a customer's backend
// implements: it names inbound callers (core.CallerNameLookup), reports
// IVR codes (core.IVRCodeReporter) and sends pushAgentInfo through the
// engine's durable outbox when an agent answers a queue call.
type Backend struct {
	eng  *core.Engine
	log  *slog.Logger
	stop context.CancelFunc
	done chan struct{}
	once sync.Once
}

// New installs the backend as the engine's caller-name and IVR-code port.
// Start follows the engine's events for pushAgentInfo.
func New(eng *core.Engine, log *slog.Logger) *Backend {
	if log == nil {
		log = slog.Default()
	}
	b := &Backend{eng: eng, log: log}
	eng.SetCallerNameLookup(b)
	eng.SetIVRCodeReporter(b)
	return b
}

// LookupCallerName asks getCallerIDName(callerIdNum), bounded by the
// backend's timeout and the engine's context; the answer is kept for the
// configured cache TTL.
func (b *Backend) LookupCallerName(ctx context.Context, number string) (core.CallerName, error) {
	c, err := load(ctx, b.eng.Settings())
	if err != nil {
		return core.CallerName{}, err
	}
	if c.URL == "" || !c.CallerID {
		return core.CallerName{}, core.ErrNoBackend
	}
	name, err := b.call(ctx, c, c.request(opCallerName, []param{{"callerIdNum", number}}))
	if err != nil {
		return core.CallerName{}, err
	}
	return core.CallerName{Name: name, TTL: c.CacheTTL}, nil
}

// ReportIVRCode asks IVRCode(UniqueID, callerIdNum, IVRCode, IVRData); the
// string it returns is appended to the call's IVR data.
func (b *Backend) ReportIVRCode(ctx context.Context, call core.Call, code string) (string, error) {
	c, err := load(ctx, b.eng.Settings())
	if err != nil {
		return "", err
	}
	if c.URL == "" || !c.IVRCode {
		return "", core.ErrNoBackend
	}
	r := c.request(opIVRCode, []param{{"UniqueID", call.UniqueID}, {"callerIdNum", number(call)}, {"IVRCode", code}, {"IVRData", call.IVRData}})
	r.CallID = call.ID
	return b.call(ctx, c, r)
}

func (b *Backend) call(ctx context.Context, c config, r core.WebhookRequest) (string, error) {
	resp, err := b.eng.CallWebhook(ctx, r)
	if err != nil {
		return "", err
	}
	return c.answer(resp)
}

// pushSource names pushAgentInfo's messages in the outbox.
const pushSource = "expand.push"

// pushAgentInfo enqueues the screen-pop of a queue call an agent answered:
// durable (stored before this returns, retried with backoff, in order per
// call), so a backend that is down delays nothing and loses nothing.
func (b *Backend) pushAgentInfo(ctx context.Context, seq uint64, ev core.AgentLinked) error {
	call := ev.Call
	if call.Queue == "" || strings.HasPrefix(call.Queue, "campaign:") {
		return nil // not a call a queue gave the agent
	}
	c, err := load(ctx, b.eng.Settings())
	if err != nil || c.URL == "" || !c.Push {
		return err
	}
	r := c.request(opPush, []param{{"uniqueid", call.UniqueID}, {"queuename", call.Queue},
		{"callerid", callerID(call)}, {"agentchan", b.agentChan(ev)}, {"ivrdata", call.IVRData}})
	r.OrderKey = "call-" + strconv.FormatUint(call.ID, 10)
	r.CallID = call.ID
	// One message per AgentLinked event: a new leader replaying events
	// from WebhookSourceStart does not push twice.
	r.Source, r.SourceSeq = pushSource, seq
	_, err = b.eng.EnqueueWebhook(ctx, r)
	return err
}

// callerID is "Name <number>" as the document writes it; a caller the
// backend did not name shows the number as its name, as Asterisk does.
func callerID(c core.Call) string {
	name := c.CallerName
	if name == "" {
		name = number(c)
	}
	return name + " <" + number(c) + ">"
}

// number is the customer's number: the caller id of an inbound call, the
// dialed number of a call placed by Callgate (an IVR campaign's).
func number(c core.Call) string {
	if c.CallerID != "" {
		return c.CallerID
	}
	return c.Phone
}

// agentChan is the agent's extension ("SIP/107"): the one it logged in
// with, else its interface.
func (b *Backend) agentChan(ev core.AgentLinked) string {
	if s, ok := b.eng.Session(ev.Agent); ok && s.Extension != "" {
		return s.Extension
	}
	return ev.Interface
}

// Start follows the engine's events until Close.
func (b *Backend) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	b.stop, b.done = cancel, make(chan struct{})
	go func() {
		defer close(b.done)
		b.run(ctx)
	}()
}

// Close stops following events and waits for the loop to end.
func (b *Backend) Close() error {
	b.once.Do(func() {
		if b.stop != nil {
			b.stop()
			<-b.done
		}
	})
	return nil
}

// run subscribes to the bus and resumes after an overflow from the last
// event seen, so no answered call is missed while the outbox is slow.
func (b *Backend) run(ctx context.Context) {
	next := b.eng.WebhookSourceStart(ctx, pushSource)
	for ctx.Err() == nil {
		sub, err := b.eng.Bus().Subscribe(next, 1024)
		if errors.Is(err, core.ErrGap) {
			b.log.Error("expand backend: events lost, pushAgentInfo skipped for them", "from", next)
			next = 0
			continue
		}
		if err != nil {
			// A bus that is away (NATS) comes back: try again shortly.
			b.log.Error("expand backend: cannot follow events", "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
			continue
		}
		next = b.follow(ctx, sub, next)
		sub.Close()
	}
}

// follow handles events until the subscription ends; it returns the
// sequence to resume from.
func (b *Backend) follow(ctx context.Context, sub core.Subscription, next uint64) uint64 {
	for {
		select {
		case <-ctx.Done():
			return next
		case ev, ok := <-sub.C():
			if !ok {
				if sub.Err() == nil {
					<-ctx.Done() // closed by the bus itself: nothing more will come
				}
				return next
			}
			next = ev.Seq + 1
			if p, ok := ev.Data.(core.AgentLinked); ok {
				if err := b.pushAgentInfo(ctx, ev.Seq, p); err != nil {
					b.log.Error("expand backend: pushAgentInfo not enqueued", "call", p.Call.ID, "err", err)
				}
			}
		}
	}
}
