package core_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

// origHarness is a harness whose PBX connection is reconciled before the
// test originates: a reconcile running meanwhile would judge a leg that
// was busy at once as lost with the connection.
func origHarness(t *testing.T) *harness {
	h := newHarness(t, sqlite(t), harnessOpt{})
	h.settle()
	return h
}

func (h *harness) job(id string) core.OriginationJob {
	h.t.Helper()
	h.settle()
	j, err := h.e.Origination(h.ctx, id)
	must(h.t, err)
	return j
}

// eXpand's example: extension 701 is rung, then 927126666; answered, both
// talk in one bridge; the callinfo reaches the call; the end is HUNGUP and
// stays readable for the keep time only.
func TestOriginationRingsSourceThenDestinationAndBridgesThem(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	j, err := h.e.Originate(h.ctx, core.OriginationRequest{
		Source: "701", SourceName: "Juan Perez", Destination: "927126666", DestinationName: "Netgate",
		Timeout: 20 * time.Second, Attributes: map[string]string{"info": "01-43-1"}, Origin: "test",
	})
	must(t, err)
	if len(j.JobID) != 8 || strings.Trim(j.JobID, "0123456789abcdef") != "" {
		t.Fatalf("job id %q is not 8 hex digits", j.JobID)
	}
	j = h.job(j.JobID)
	if j.Status != core.OriginAnswered || j.CallID == 0 {
		t.Fatalf("job %+v, want answered", j)
	}
	c, err := h.e.Call(h.ctx, j.CallID)
	must(t, err)
	if c.Direction != core.CallOriginated || !strings.Contains(c.Attributes, `"info":"01-43-1"`) {
		t.Fatalf("call %+v", c)
	}
	src, _ := h.pbx.Channel(c.AgentChannelID)
	dst, _ := h.pbx.Channel(c.ChannelID)
	if src.Endpoint != "Local/701@callgate-outbound" || dst.Endpoint != "Local/927126666@callgate-outbound" {
		t.Fatalf("legs rang %q then %q", src.Endpoint, dst.Endpoint)
	}
	if src.Bridge == "" || src.Bridge != dst.Bridge || dst.CallerName != "Juan Perez" || src.CallerName != "Netgate" {
		t.Fatalf("legs not bridged as asked: %+v / %+v", src, dst)
	}
	h.advance(42 * time.Second)
	h.hangup(c.ChannelID)
	if j = h.job(j.JobID); j.Status != core.OriginHungUp || j.EndedAt == nil {
		t.Fatalf("after hang-up: %+v", j)
	}
	var cdrs []core.CDR
	must(t, h.st.Find(h.ctx, &cdrs, core.Eq("call_id", c.ID)))
	if len(cdrs) != 1 || cdrs[0].Src != "701" || cdrs[0].Dst != "927126666" || cdrs[0].BillSec != 42 {
		t.Fatalf("cdr %+v", cdrs)
	}
	h.advance(61 * time.Second)
	if _, err := h.e.Origination(h.ctx, j.JobID); core.ErrorCode(err) != core.ENOTFOUND {
		t.Fatalf("status after the keep time: %v", err)
	}
}

// Each way an attempt ends gives its own status; busy is retried as asked
// (and never a no-answer).
func TestOriginationOutcomes(t *testing.T) {
	cases := []struct {
		name     string
		rule     sim.Behavior
		leg      string // which leg gets the rule
		retries  int
		wait     time.Duration
		want     core.OriginationStatus
		attempts int
	}{
		{"source busy", sim.Behavior{Outcome: sim.Busy}, "Local/701@*", 0, 0, core.OriginBusy, 1},
		{"destination no answer", sim.Behavior{Outcome: sim.NoAnswer}, "Local/9271*", 2, 15 * time.Second, core.OriginNoAnswer, 1},
		{"destination congestion", sim.Behavior{Outcome: sim.Congestion}, "Local/9271*", 0, 0, core.OriginFailed, 1},
		{"busy retried then given up", sim.Behavior{Outcome: sim.Busy}, "Local/9271*", 2, 10*time.Minute + 15*time.Second, core.OriginBusy, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := origHarness(t)
			h.pbx.SetBehavior(tc.leg, tc.rule)
			j, err := h.e.Originate(h.ctx, core.OriginationRequest{Source: "701", Destination: "927126666",
				Timeout: 10 * time.Second, BusyRetries: tc.retries, RetryInterval: 5 * time.Minute})
			must(t, err)
			h.advance(tc.wait)
			if j = h.job(j.JobID); j.Status != tc.want || j.Attempts != tc.attempts {
				t.Fatalf("job %s after %d attempts, want %s after %d", j.Status, j.Attempts, tc.want, tc.attempts)
			}
		})
	}
}

// A source extension whose agent is on a call is OFFHOOK: nothing is dialed.
func TestOriginationRefusesASourceOnACall(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	h.login("a1")
	h.inbound("5550001")
	h.callOf("a1")
	h.pbx.ResetOps()
	j, err := h.e.Originate(h.ctx, core.OriginationRequest{Source: "a1", Destination: "927126666"})
	must(t, err)
	if j = h.job(j.JobID); j.Status != core.OriginSourceOffHook {
		t.Fatalf("job %s, want %s", j.Status, core.OriginSourceOffHook)
	}
	for _, op := range h.pbx.Ops() {
		if op.Name == "originate" {
			t.Fatalf("something was dialed: %+v", op)
		}
	}
}

// Cancel hangs up a job in progress; a job already over cannot be.
func TestOriginationCancel(t *testing.T) {
	h := origHarness(t)
	h.pbx.SetBehavior("Local/9271*", sim.Behavior{Outcome: sim.NoAnswer})
	j, err := h.e.Originate(h.ctx, core.OriginationRequest{Source: "701", Destination: "927126666", Timeout: 30 * time.Second})
	must(t, err)
	if j = h.job(j.JobID); j.Status != core.OriginRingingDest {
		t.Fatalf("job %s, want ringing the destination", j.Status)
	}
	must(t, h.e.CancelOrigination(h.ctx, j.JobID))
	if j = h.job(j.JobID); j.Status != core.OriginCanceled {
		t.Fatalf("job %s after cancel", j.Status)
	}
	c, err := h.e.Call(h.ctx, j.CallID)
	must(t, err)
	for _, ch := range []string{c.ChannelID, c.AgentChannelID} {
		if st, ok := h.pbx.Channel(ch); !ok || !st.HungUp {
			t.Errorf("leg %s still up: %+v", ch, st)
		}
	}
	if err := h.e.CancelOrigination(h.ctx, j.JobID); core.ErrorCode(err) != core.ECONFLICT {
		t.Fatalf("second cancel: %v", err)
	}
	if err := h.e.CancelOrigination(h.ctx, "deadbeef"); core.ErrorCode(err) != core.ENOTFOUND {
		t.Fatalf("unknown job: %v", err)
	}
}

// A scheduled job waits for its time, and survives a restart meanwhile.
func TestOriginationScheduledSurvivesARestart(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	j, err := h.e.Originate(h.ctx, core.OriginationRequest{Source: "701", Destination: "927126666",
		NotBefore: epoch.Add(10 * time.Minute)})
	must(t, err)
	if j = h.job(j.JobID); j.Status != core.OriginScheduled {
		t.Fatalf("job %s, want scheduled", j.Status)
	}
	h.restart(nil)
	h.advance(9 * time.Minute)
	if j = h.job(j.JobID); j.Status != core.OriginScheduled {
		t.Fatalf("job %s before its time", j.Status)
	}
	h.advance(2 * time.Minute)
	if j = h.job(j.JobID); j.Status != core.OriginAnswered {
		t.Fatalf("job %s after its time, want answered", j.Status)
	}
}

type scriptRecorder struct {
	mu    sync.Mutex
	calls []string
}

func (s *scriptRecorder) StartScript(_ context.Context, callID uint64, script string, vars map[string]string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, script+" "+vars["lang"])
	if script == "broken" {
		return errors.New("no such script")
	}
	return nil
}

// A job naming a script rings only the destination and hands it, answered,
// to the script runner; a script that cannot start ends the call.
func TestOriginationWithAScriptRunsItOnTheAnsweredCall(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	rec := &scriptRecorder{}
	h.e.SetScriptStarter(rec)
	j, err := h.e.Originate(h.ctx, core.OriginationRequest{Destination: "927126666", Script: "EMISION", Vars: map[string]string{"lang": "es"}})
	must(t, err)
	if j = h.job(j.JobID); j.Status != core.OriginAnswered {
		t.Fatalf("job %s", j.Status)
	}
	c, _ := h.e.Call(h.ctx, j.CallID)
	if c.AgentChannelID != "" {
		t.Fatalf("a source leg was rung: %+v", c)
	}
	j2, err := h.e.Originate(h.ctx, core.OriginationRequest{Destination: "927126667", Script: "broken"})
	must(t, err)
	if j2 = h.job(j2.JobID); j2.Status != core.OriginHungUp {
		t.Fatalf("job with a broken script: %s", j2.Status)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.calls) != 2 || rec.calls[0] != "EMISION es" {
		t.Fatalf("scripts started: %v", rec.calls)
	}
}

func TestOriginationRefusesBadRequests(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	for _, req := range []core.OriginationRequest{{Source: "701"}, {Destination: "1"}, {Source: "1", Destination: "2", BusyRetries: -1}} {
		if _, err := h.e.Originate(h.ctx, req); core.ErrorCode(err) != core.EINVALID {
			t.Errorf("%+v: %v", req, err)
		}
	}
}

// A job whose call is talking when the gateway restarts follows that call:
// its end, after the restart, ends the job as HUNGUP.
func TestOriginationAnsweredSurvivesARestart(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{})
	j, err := h.e.Originate(h.ctx, core.OriginationRequest{Source: "701", Destination: "927126666"})
	must(t, err)
	j = h.job(j.JobID)
	c, err := h.e.Call(h.ctx, j.CallID)
	must(t, err)
	h.restart(nil)
	if j = h.job(j.JobID); j.Status != core.OriginAnswered {
		t.Fatalf("job %s after restart", j.Status)
	}
	h.hangup(c.AgentChannelID)
	if j = h.job(j.JobID); j.Status != core.OriginHungUp {
		t.Fatalf("job %s after the source hung up", j.Status)
	}
	if d, ok := h.pbx.Channel(c.ChannelID); !ok || !d.HungUp {
		t.Fatalf("destination leg left up: %+v", d)
	}
}
