package core_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/core/clocktest"
	"github.com/callgate/callgate/pkg/store/storetest"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

// refusingTexts is the simulator with a carrier that refuses some
// destinations, so tests see the PBX say no.
type refusingTexts struct {
	*sim.PBX
	refuse map[string]bool
}

func (r *refusingTexts) SendText(ctx context.Context, from, to, body string, vars map[string]string) error {
	if r.refuse[to] {
		return fmt.Errorf("sim: message to %s refused", to)
	}
	return r.PBX.SendText(ctx, from, to, body, vars)
}

type smsRig struct {
	e   *core.Engine
	pbx *sim.PBX
	st  core.Store
	clk *clocktest.Clock
	tel *refusingTexts
}

func newSMSRig(t *testing.T, st core.Store, perSecond int) *smsRig {
	t.Helper()
	clk := clocktest.New(epoch)
	pbx := sim.New("sim-1")
	pbx.UseClock(clk)
	tel := &refusingTexts{PBX: pbx, refuse: map[string]bool{}}
	e := core.New(core.Options{Store: st, Tel: tel, Clock: clk, Seed: 1, SMSPerSecond: perSecond})
	must(t, e.Start(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = e.Stop(ctx)
	})
	return &smsRig{e: e, pbx: pbx, st: st, clk: clk, tel: tel}
}

func (r *smsRig) sentTo() []string {
	var out []string
	for _, m := range r.pbx.Texts() {
		out = append(out, m.To)
	}
	return out
}

func TestSMSGoesToEveryRecipientAndIsStoredSent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		r := newSMSRig(t, st, 0)
		ctx := context.Background()
		sub, err := r.e.Bus().Subscribe(0, 8)
		must(t, err)
		defer sub.Close()
		m, err := r.e.SendSMS(ctx, core.SMSRequest{To: []string{" 099123456", "pjsip:1064 "}, From: "Callgate", Body: "Su pedido está listo ñ", Origin: "test"})
		must(t, err)
		if m.ID == 0 || m.Status != core.SMSSent || m.Sent != 2 {
			t.Fatalf("job %+v, want SENT with 2 sent and an id", m)
		}
		if got := strings.Join(r.sentTo(), " "); got != "pjsip:099123456 pjsip:1064" {
			t.Fatalf("PBX sent to %q", got)
		}
		if tx := r.pbx.Texts()[0]; tx.Body != "Su pedido está listo ñ" || tx.From != "Callgate" {
			t.Fatalf("PBX text %+v", tx)
		}
		got, err := r.e.SMSStatus(ctx, m.ID)
		must(t, err)
		if got.Status != core.SMSSent || got.Recipients != "099123456,pjsip:1064" || got.Origin != "test" {
			t.Fatalf("stored %+v", got)
		}
		ev := <-sub.C()
		if end, ok := ev.Data.(core.SMSEnded); !ok || end.SMS.ID != m.ID || end.SMS.Status != core.SMSSent {
			t.Fatalf("event %s %+v, want sms.ended SENT", ev.Type, ev.Data)
		}
	})
}

// A number is sent through the configured URI template (a carrier trunk).
func TestSMSNumbersUseTheEndpointTemplate(t *testing.T) {
	clk := clocktest.New(epoch)
	pbx := sim.New("sim-1")
	pbx.UseClock(clk)
	e := core.New(core.Options{Store: sqlite(t), Tel: pbx, Clock: clk, SMSEndpoint: "pjsip:{number}@carrier"})
	must(t, e.Start(context.Background()))
	defer e.Stop(context.Background())
	_, err := e.SendSMS(context.Background(), core.SMSRequest{To: []string{"59899123456"}, Body: "hola"})
	must(t, err)
	if tx := pbx.Texts(); len(tx) != 1 || tx[0].To != "pjsip:59899123456@carrier" {
		t.Fatalf("texts %+v", tx)
	}
}

// eXpand: "ERROR — an error happened while sending; job canceled".
func TestSMSRefusedByThePBXEndsInErrorAndCancelsTheRest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		r := newSMSRig(t, st, 0)
		ctx := context.Background()
		r.tel.refuse["pjsip:222"] = true
		m, err := r.e.SendSMS(ctx, core.SMSRequest{To: []string{"111", "222", "333"}, Body: "x"})
		if core.ErrorCode(err) != core.EUNAVAILABLE {
			t.Fatalf("err %v, want unavailable", err)
		}
		if m.ID == 0 || m.Status != core.SMSError || m.Sent != 1 || !strings.Contains(m.Error, "222") {
			t.Fatalf("job %+v", m)
		}
		if got := strings.Join(r.sentTo(), " "); got != "pjsip:111" {
			t.Fatalf("sent to %q, want only the first", got)
		}
		stored, err := r.e.SMSStatus(ctx, m.ID)
		must(t, err)
		if stored.Status != core.SMSError || stored.Sent != 1 {
			t.Fatalf("stored %+v", stored)
		}
	})
}

func TestSMSWhilePBXDisconnectedIsErrorNotSuccess(t *testing.T) {
	r := newSMSRig(t, sqlite(t), 0)
	r.pbx.SetReady(false)
	m, err := r.e.SendSMS(context.Background(), core.SMSRequest{To: []string{"111"}, Body: "x"})
	if core.ErrorCode(err) != core.EUNAVAILABLE || m.Status != core.SMSError {
		t.Fatalf("job %+v err %v", m, err)
	}
}

// eXpand's -2: more messages in one second than configured. The refused
// request leaves no row; the next second accepts again.
func TestSMSOverThePerSecondLimitIsRefusedAndNotStored(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		r := newSMSRig(t, st, 3)
		ctx := context.Background()
		_, err := r.e.SendSMS(ctx, core.SMSRequest{To: []string{"1", "2"}, Body: "x"})
		must(t, err)
		_, err = r.e.SendSMS(ctx, core.SMSRequest{To: []string{"3", "4"}, Body: "x"})
		if !errors.Is(err, core.ErrSMSRateLimited) || core.ErrorCode(err) != core.EUNAVAILABLE {
			t.Fatalf("err %v, want rate limited", err)
		}
		if n, _ := st.Count(ctx, &core.SMS{}, core.All); n != 1 {
			t.Fatalf("%d jobs stored, want 1", n)
		}
		if _, err := r.e.SendSMS(ctx, core.SMSRequest{To: []string{"5"}, Body: "x", Draft: true}); err != nil {
			t.Fatalf("a draft sends nothing and is not limited: %v", err)
		}
		r.clk.Advance(time.Second)
		_, err = r.e.SendSMS(ctx, core.SMSRequest{To: []string{"3", "4", "6"}, Body: "x"})
		must(t, err)
		if len(r.pbx.Texts()) != 5 {
			t.Fatalf("texts %v", r.sentTo())
		}
	})
}

func TestSMSDraftIsStoredAndNeverSent(t *testing.T) {
	r := newSMSRig(t, sqlite(t), 0)
	m, err := r.e.SendSMS(context.Background(), core.SMSRequest{To: []string{"1"}, Body: "later", Draft: true})
	must(t, err)
	got, err := r.e.SMSStatus(context.Background(), m.ID)
	must(t, err)
	if got.Status != core.SMSDraft || len(r.pbx.Texts()) != 0 {
		t.Fatalf("draft %+v, texts %v", got, r.sentTo())
	}
	if n, err := r.e.ResumeSMS(context.Background()); err != nil || n != 0 || len(r.pbx.Texts()) != 0 {
		t.Fatalf("resume sent a draft: %d %v", n, err)
	}
}

func TestSMSBadRequestsAreInvalidAndStoreNothing(t *testing.T) {
	r := newSMSRig(t, sqlite(t), 0)
	many := make([]string, core.MaxSMSRecipients+1)
	for i := range many {
		many[i] = fmt.Sprint(1000 + i)
	}
	for name, req := range map[string]core.SMSRequest{
		"no recipient":         {Body: "x"},
		"blank recipients":     {To: []string{" ", ""}, Body: "x"},
		"empty body":           {To: []string{"1"}, Body: "  "},
		"body too long":        {To: []string{"1"}, Body: strings.Repeat("a", core.MaxSMSBody+1)},
		"body not utf-8":       {To: []string{"1"}, Body: "\xff"},
		"too many recipients":  {To: many, Body: "x"},
		"recipient with comma": {To: []string{"1,2"}, Body: "x"},
		"recipient too long":   {To: []string{strings.Repeat("9", 65)}, Body: "x"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := r.e.SendSMS(context.Background(), req); core.ErrorCode(err) != core.EINVALID {
				t.Fatalf("err %v, want invalid", err)
			}
		})
	}
	if n, _ := r.st.Count(context.Background(), &core.SMS{}, core.All); n != 0 || len(r.pbx.Texts()) != 0 {
		t.Fatalf("%d jobs stored, %d texts sent", n, len(r.pbx.Texts()))
	}
}

func TestSMSStatusOfUnknownJobIsNotFound(t *testing.T) {
	r := newSMSRig(t, sqlite(t), 0)
	for _, id := range []uint{0, 999} {
		if _, err := r.e.SMSStatus(context.Background(), id); core.ErrorCode(err) != core.ENOTFOUND {
			t.Fatalf("id %d: err %v", id, err)
		}
	}
}

// A gateway stopped in the middle of a job: the restarted one sends the
// recipients not yet handed to the PBX, never the ones already sent.
func TestPendingSMSResumesFromTheFirstUnsentRecipient(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		ctx := context.Background()
		left := core.SMS{Recipients: "1,2,3", Body: "x", Status: core.SMSPending, Sent: 1, CreatedAt: epoch}
		must(t, st.Create(ctx, &left))
		r := newSMSRig(t, st, 0)
		n, err := r.e.ResumeSMS(ctx)
		must(t, err)
		if got := strings.Join(r.sentTo(), " "); n != 1 || got != "pjsip:2 pjsip:3" {
			t.Fatalf("resumed %d, sent %q", n, got)
		}
		got, err := r.e.SMSStatus(ctx, left.ID)
		must(t, err)
		if got.Status != core.SMSSent || got.Sent != 3 {
			t.Fatalf("job %+v", got)
		}
	})
}

// Concurrent senders share one per-second budget: exactly the limit gets
// through, every other request is refused whole.
func TestSMSLimitHoldsUnderConcurrentSenders(t *testing.T) {
	r := newSMSRig(t, sqlite(t), 5)
	start := make(chan struct{})
	errs := make(chan error, 12)
	for i := 0; i < 12; i++ {
		go func() {
			<-start
			_, err := r.e.SendSMS(context.Background(), core.SMSRequest{To: []string{fmt.Sprint(100 + i)}, Body: "x"})
			errs <- err
		}()
	}
	close(start)
	var ok, limited int
	for i := 0; i < 12; i++ {
		switch err := <-errs; {
		case err == nil:
			ok++
		case errors.Is(err, core.ErrSMSRateLimited):
			limited++
		default:
			t.Fatalf("unexpected error %v", err)
		}
	}
	if ok != 5 || limited != 7 || len(r.pbx.Texts()) != 5 {
		t.Fatalf("%d sent, %d limited, %d texts; want 5, 7, 5", ok, limited, len(r.pbx.Texts()))
	}
}
