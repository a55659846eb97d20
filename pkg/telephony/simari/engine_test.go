package simari_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
	"github.com/callgate/callgate/pkg/telephony/ari"
	"github.com/callgate/callgate/pkg/telephony/simari"
)

// bound is how long a step may take before the test gives up; it measures
// nothing (the events cross a real websocket, so steps are awaited).
const bound = 10 * time.Second

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(bound)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// engineEnv is a Callgate engine whose telephony is the real ARI driver
// talking to a simari over loopback HTTP and websocket: queue "sales"
// (DID 5550100), manual campaign OUT1, on-hook agent a1 whose phone
// answers at once.
type engineEnv struct {
	t   *testing.T
	ctx context.Context
	st  core.Store
	e   *core.Engine
	tel *ari.Telephony
	ctl *simari.Client

	mu     sync.Mutex
	events []core.Event
}

const did = "5550100"

func newEngineEnv(t *testing.T, kind string) *engineEnv {
	t.Helper()
	_, hs, ctl := startServer(t)
	ctx := context.Background()
	// Customers are Local/<outcome>@callgate-test, as with the test
	// Asterisk's dialplan; the agent's phone answers after 5ms.
	must(t, ctl.SetBehavior(ctx, simari.Behavior{Endpoint: "Local/answer@callgate-test", Outcome: "answer", AfterMS: 5}))
	must(t, ctl.SetBehavior(ctx, simari.Behavior{Endpoint: "Local/busy@callgate-test", Outcome: "busy", AfterMS: 5}))
	must(t, ctl.SetBehavior(ctx, simari.Behavior{Endpoint: "PJSIP/9001", Outcome: "answer", AfterMS: 5}))

	st := storetest.Open(t, kind)
	q := core.Queue{Name: "sales", Strategy: core.StrategyRingAll, RingTimeout: 10, Active: true, DID: did}
	must(t, st.Create(ctx, &q))
	must(t, st.Create(ctx, &core.Campaign{Name: "OUT1", Type: core.CampaignOutbound, DialMethod: core.DialManual, Active: true, MaxRetries: 2}))
	a := core.Agent{Username: "a1", Number: "9001", Type: "Agent", Extension: "PJSIP/9001", Active: true, Campaign: "OUT1"}
	must(t, st.Create(ctx, &a))
	must(t, st.Create(ctx, &core.QueueMember{QueueID: q.ID, AgentID: a.ID, Queue: "sales", Agent: a.Username}))

	tel, err := ari.New(driverConfig(hs))
	must(t, err)
	bus := core.NewMemoryBus(0)
	e := core.New(core.Options{
		Store: st, Tel: tel, Bus: bus, Logger: quiet(), DialerInterval: 100 * time.Millisecond,
		DialEndpoint:       func(number, _ string) string { return "Local/" + number + "@callgate-test" },
		DefaultDialTimeout: 5 * time.Second,
	})
	v := &engineEnv{t: t, ctx: ctx, st: st, e: e, tel: tel, ctl: ctl}
	sub, err := bus.Subscribe(0, 1<<14)
	must(t, err)
	go func() {
		for x := range sub.C() {
			v.mu.Lock()
			v.events = append(v.events, x)
			v.mu.Unlock()
		}
	}()
	must(t, e.Start(ctx))
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = e.Stop(sctx)
		sub.Close()
	})
	eventually(t, "engine ready on simari", e.Ready)
	return v
}

func (v *engineEnv) login(user string) {
	v.t.Helper()
	must(v.t, v.e.Login(v.ctx, user, core.LoginOptions{}))
	eventually(v.t, user+" logged in", func() bool {
		s, ok := v.e.Session(user)
		return ok && s.State != core.AgentOffline && s.State != core.AgentLoggingIn
	})
}

func (v *engineEnv) connected(user string) core.Call {
	v.t.Helper()
	var c core.Call
	eventually(v.t, user+" connected", func() bool {
		var ok bool
		c, ok = v.e.AgentCall(user)
		return ok && c.State == core.CallConnected
	})
	return c
}

func (v *engineEnv) ended(id uint64) core.Call {
	v.t.Helper()
	var c core.Call
	eventually(v.t, fmt.Sprintf("call %d ended", id), func() bool {
		var err error
		c, err = v.e.Call(v.ctx, id)
		return err == nil && c.State == core.CallDone
	})
	return c
}

// bridgeOf is the bridge simari has the channel in, as the ARI driver
// lists it.
func (v *engineEnv) bridgeOf(ch string) string {
	chans, err := v.tel.Channels(v.ctx)
	must(v.t, err)
	for _, c := range chans {
		if c.ID == ch && len(c.Bridges) > 0 {
			return c.Bridges[0]
		}
	}
	return ""
}

func (v *engineEnv) queueLog(callID uint64) []string {
	var rows []core.QueueLogEntry
	must(v.t, v.st.Find(v.ctx, &rows, core.Eq("call_id", callID).Asc("id")))
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Event
	}
	return out
}

func (v *engineEnv) dtmfPublished(callID uint64) string {
	v.mu.Lock()
	defer v.mu.Unlock()
	var got string
	for _, e := range v.events {
		if d, ok := e.Data.(core.DTMFReceived); ok && d.CallID == callID {
			got += d.Digit
		}
	}
	return got
}

func inOrder(list []string, want ...string) bool {
	i := 0
	for _, s := range list {
		if i < len(want) && s == want[i] {
			i++
		}
	}
	return i == len(want)
}

// An inbound call waits in the queue's holding bridge, is offered to the
// agent who logs in, and is bridged with the agent's leg; the agent holds
// and resumes, records (the stored recording is a real WAV file fetched
// over ARI), DTMF crosses both ways, and the caller hangs up — all through
// the real ARI driver against simari.
func TestEngineOverSimariInboundQueuedToAgent(t *testing.T) {
	for _, kind := range storetest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			v := newEngineEnv(t, kind)
			cust, err := v.ctl.Inbound(v.ctx, simari.Inbound{CallerID: "5551234", Dialed: did})
			must(t, err)
			var call core.Call
			eventually(t, "call queued", func() bool {
				w := v.e.Waiting("sales")
				if len(w) == 1 {
					call = w[0]
				}
				return len(w) == 1
			})
			if call.ChannelID != cust || call.Phone != "5551234" || call.DID != did {
				t.Fatalf("queued call %+v, want channel %s phone 5551234 did %s", call, cust, did)
			}
			eventually(t, "caller in the queue's holding bridge", func() bool { return v.bridgeOf(cust) == "queue-sales" })
			view, err := v.ctl.Channel(v.ctx, cust)
			must(t, err)
			if view.State != "Up" {
				t.Errorf("queued caller is %s, want Up (answered by the engine)", view.State)
			}

			v.login("a1")
			c := v.connected("a1")
			if c.ID != call.ID {
				t.Fatalf("a1 got call %d, want %d", c.ID, call.ID)
			}
			bridge := fmt.Sprintf("call-%d", c.ID)
			eventually(t, "caller and agent leg in the call bridge", func() bool {
				return v.bridgeOf(cust) == bridge && c.AgentChannelID != "" && v.bridgeOf(c.AgentChannelID) == bridge
			})
			// The queue log is written after the decision, off the lock.
			eventually(t, "queue log ENTERQUEUE, RINGING, CONNECT", func() bool {
				return inOrder(v.queueLog(c.ID), core.QLEnterQueue, core.QLRinging, core.QLConnect)
			})

			must(t, v.e.HoldCall(v.ctx, "a1"))
			eventually(t, "caller out of the call bridge on hold", func() bool { return v.bridgeOf(cust) != bridge })
			must(t, v.e.UnholdCall(v.ctx, "a1"))
			eventually(t, "caller back in the call bridge", func() bool { return v.bridgeOf(cust) == bridge })

			rec, err := v.e.StartRecording(v.ctx, "a1")
			must(t, err)
			stopped, err := v.e.StopRecording(v.ctx, "a1")
			must(t, err)
			if stopped.Status != "done" || stopped.Name != rec.Name {
				t.Errorf("stopped recording %+v", stopped)
			}
			checkWAV(t, v.tel, rec.Name)

			must(t, v.ctl.DTMF(v.ctx, cust, "42#"))
			eventually(t, "caller's DTMF published", func() bool { return v.dtmfPublished(c.ID) == "42#" })
			must(t, v.e.SendDTMF(v.ctx, "a1", "7*"))
			eventually(t, "agent's DTMF heard by the caller", func() bool {
				view, err := v.ctl.Channel(v.ctx, cust)
				return err == nil && view.DTMFSent == "7*"
			})

			must(t, v.ctl.Hangup(v.ctx, cust, 16))
			done := v.ended(c.ID)
			if done.HangupBy != "caller" {
				t.Errorf("hangup by %q, want caller", done.HangupBy)
			}
			eventually(t, "queue log ... COMPLETECALLER", func() bool {
				return inOrder(v.queueLog(c.ID), core.QLConnect, core.QLCompleteCaller)
			})
			eventually(t, "agent leg hung up", func() bool {
				view, err := v.ctl.Channel(v.ctx, c.AgentChannelID)
				return err == nil && view.HungUp
			})
			eventually(t, "a1 available", func() bool {
				s, _ := v.e.Session("a1")
				return s.State == core.AgentAvailable
			})
		})
	}
}

// checkWAV fetches a stored recording through the driver
// (GET /recordings/stored/{name}/file) and checks it is a WAV whose header
// matches its size.
func checkWAV(t *testing.T, tel *ari.Telephony, name string) {
	t.Helper()
	rc, err := tel.RecordingFile(context.Background(), name)
	must(t, err)
	defer rc.Close()
	b, err := io.ReadAll(rc)
	must(t, err)
	if len(b) < 44 || !bytes.Equal(b[0:4], []byte("RIFF")) || !bytes.Equal(b[8:12], []byte("WAVE")) {
		t.Fatalf("recording %s is not a WAV file (%d bytes)", name, len(b))
	}
	if riff := binary.LittleEndian.Uint32(b[4:8]); int(riff) != len(b)-8 {
		t.Errorf("RIFF size %d, file has %d bytes after the header", riff, len(b)-8)
	}
}

// Manual dial by an on-hook agent: the agent's phone is rung, then the
// customer, both meet in a mixing bridge; a busy number ends the call with
// Asterisk's cause 17 (status B).
func TestEngineOverSimariManualDial(t *testing.T) {
	v := newEngineEnv(t, storetest.SQLite)
	v.login("a1")
	call, err := v.e.Dial(v.ctx, core.DialRequest{Agent: "a1", Phone: "answer"})
	must(t, err)
	c := v.connected("a1")
	if c.ID != call.ID || c.AnsweredAt == nil {
		t.Fatalf("connected call %+v, want %d answered", c, call.ID)
	}
	bridge := fmt.Sprintf("call-%d", c.ID)
	eventually(t, "agent leg and customer bridged", func() bool {
		return v.bridgeOf(c.ChannelID) == bridge && v.bridgeOf(c.AgentChannelID) == bridge
	})
	view, err := v.ctl.Channel(v.ctx, c.ChannelID)
	must(t, err)
	if view.Endpoint != "Local/answer@callgate-test" || !view.InApp {
		t.Errorf("customer channel %+v, want Local/answer@callgate-test in the application", view)
	}
	must(t, v.ctl.Hangup(v.ctx, c.ChannelID, 16))
	if done := v.ended(c.ID); done.HangupBy != "caller" {
		t.Errorf("hangup by %q, want caller", done.HangupBy)
	}
	eventually(t, "a1 available", func() bool {
		s, _ := v.e.Session("a1")
		return s.State == core.AgentAvailable
	})

	busy, err := v.e.Dial(v.ctx, core.DialRequest{Agent: "a1", Phone: "busy"})
	must(t, err)
	b := v.ended(busy.ID)
	if b.Status != "B" || b.HangupCause != int(core.CauseBusy) {
		t.Errorf("busy call status %q cause %d, want B / 17", b.Status, b.HangupCause)
	}
	eventually(t, "no channel left", func() bool {
		chans, err := v.tel.Channels(v.ctx)
		return err == nil && len(chans) == 0
	})
}
