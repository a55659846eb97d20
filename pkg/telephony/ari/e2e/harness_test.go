package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
	"github.com/callgate/callgate/pkg/telephony/ari"
)

// Environment:
//
//	CALLGATE_TEST_ARI_URL       ARI root of a dedicated test Asterisk, e.g. http://127.0.0.1:8098/ari
//	CALLGATE_TEST_ARI_USER      ARI user (default callgate)
//	CALLGATE_TEST_ARI_PASSWORD  ARI password
//	CALLGATE_TEST_ARI_RESTART_CMD  shell command restarting that Asterisk
//	                            (e.g. asterisk -C .../asterisk.conf -rx "core restart now");
//	                            the restart tests skip without it
//
// The tests register the Stasis applications "callgate" (the engine) and
// "callgate-far" (the harness's far ends), which the deploy/asterisk
// dialplan names: do not point them at an Asterisk a gateway is using.
const (
	envURL      = "CALLGATE_TEST_ARI_URL"
	envUser     = "CALLGATE_TEST_ARI_USER"
	envPassword = "CALLGATE_TEST_ARI_PASSWORD"
	envRestart  = "CALLGATE_TEST_ARI_RESTART_CMD"

	// answerEP answers at once; its far half enters callgate-far.
	answerEP = "Local/answer@callgate-test"
	did      = "5550100"
)

// wait bounds how long a step may take on a real Asterisk before the test
// gives up; it measures nothing.
const wait = 10 * time.Second

func ariConfig(t testing.TB, app, node string) ari.Config {
	t.Helper()
	base := os.Getenv(envURL)
	if base == "" {
		t.Skip(envURL + " not set: no Asterisk to run the end-to-end tests against")
	}
	user := os.Getenv(envUser)
	if user == "" {
		user = "callgate"
	}
	return ari.Config{
		URL: base, User: user, Password: os.Getenv(envPassword), App: app, NodeID: node,
		ReconnectMin: 100 * time.Millisecond, ReconnectMax: time.Second, Logger: logger(t),
		MessageSources: []string{}, // no PJSIP on the test Asterisk
	}
}

func logger(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// eventually polls cond until it holds or wait passes.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// far is the harness's own Stasis application, "callgate-far": it holds
// the other half of every Local channel the engine talks to (customers'
// phones, agents' phones, transfer targets), plays music on hold into it so
// recordings and snoops have audio, sends DTMF toward the engine and records
// the DTMF the engine sends.
type far struct {
	t    testing.TB
	tel  *ari.Telephony
	mu   sync.Mutex
	dtmf map[string]string // far channel id -> digits received
	in   map[string]bool   // far channels that entered callgate-far
	n    int
}

func startFar(t testing.TB) *far {
	t.Helper()
	tel, err := ari.New(ariConfig(t, "callgate-far", "e2e-far"))
	must(t, err)
	f := &far{t: t, tel: tel, dtmf: map[string]string{}, in: map[string]bool{}}
	connected := make(chan struct{}, 1)
	sink := func(ev core.TelEvent) {
		switch ev.Type {
		case core.TelConnected:
			select {
			case connected <- struct{}{}:
			default:
			}
		case core.TelStasisStart:
			f.mu.Lock()
			f.in[ev.ChannelID] = true
			f.mu.Unlock()
			id := ev.ChannelID
			go func() { // the sink must not block the event path
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				_ = tel.StartMOH(ctx, id, "default")
			}()
		case core.TelDTMF:
			f.mu.Lock()
			f.dtmf[ev.ChannelID] += ev.Digit
			f.mu.Unlock()
		}
	}
	must(t, tel.Start(context.Background(), sink))
	t.Cleanup(func() {
		f.hangupAll()
		_ = tel.Close()
	})
	select {
	case <-connected:
	case <-time.After(wait):
		t.Fatal("callgate-far did not connect")
	}
	// Whatever an earlier (failed) run left on this Asterisk would confuse
	// the channel and bridge checks.
	f.hangupAll()
	return f
}

// hangupAll clears the test Asterisk: every channel and bridge.
func (f *far) hangupAll() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if chans, err := f.tel.Channels(ctx); err == nil {
		for _, c := range chans {
			_ = f.tel.Hangup(ctx, c.ID, core.CauseNormal)
		}
	}
	if bridges, err := f.tel.Bridges(ctx); err == nil {
		for _, b := range bridges {
			_ = f.tel.DestroyBridge(ctx, b.ID)
		}
	}
	for ctx.Err() == nil {
		chans, err := f.tel.Channels(ctx)
		if err != nil || len(chans) == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// peer is the other half of a Local channel pair.
func peer(id string) string {
	if s, ok := strings.CutSuffix(id, ";2"); ok {
		return s
	}
	return id + ";2"
}

// inbound places a call from callerID to the DID: the far application
// originates Local/<did>@callgate-test-inbound, whose ;2 half runs the
// inbound dialplan into Stasis(callgate,inbound,<did>). It returns the id of
// the channel the engine sees (the ;2 half).
func (f *far) inbound(callerID, dialed string) string {
	f.t.Helper()
	f.mu.Lock()
	f.n++
	id := fmt.Sprintf("cust-%d-%d", time.Now().UnixNano()%1e9, f.n)
	f.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	_, err := f.tel.Originate(ctx, core.OriginateRequest{
		ChannelID: id, Endpoint: "Local/" + dialed + "@callgate-test-inbound", CallerIDNum: callerID,
		Timeout: 30 * time.Second, Variables: map[string]string{"__CALLGATE_TEST_CID": callerID},
		AppArgs: []string{"customer"},
	})
	must(f.t, err)
	return peer(id)
}

// sendDTMF makes the far side of engineChan press digits.
func (f *far) sendDTMF(engineChan, digits string) {
	f.t.Helper()
	// An answered Local channel's far half reaches Stasis(callgate-far)
	// one dialplan step after Answer(); ARI refuses DTMF before that.
	eventually(f.t, "far end of "+engineChan+" in callgate-far", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.in[peer(engineChan)]
	})
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	must(f.t, f.tel.SendDTMF(ctx, peer(engineChan), digits, 100*time.Millisecond))
}

// received is what the far side of engineChan heard as DTMF.
func (f *far) received(engineChan string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.dtmf[peer(engineChan)]
}

// hangupFar hangs up the far side of engineChan (the customer puts the
// phone down).
func (f *far) hangupFar(engineChan string) {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	must(f.t, f.tel.Hangup(ctx, peer(engineChan), core.CauseNormal))
}

func (f *far) channels() map[string]core.ChannelInfo {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	chans, err := f.tel.Channels(ctx)
	must(f.t, err)
	out := map[string]core.ChannelInfo{}
	for _, c := range chans {
		out[c.ID] = c
	}
	return out
}

func (f *far) bridges() map[string]core.BridgeInfo {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	bs, err := f.tel.Bridges(ctx)
	must(f.t, err)
	out := map[string]core.BridgeInfo{}
	for _, b := range bs {
		out[b.ID] = b
	}
	return out
}

// inBridge reports whether Asterisk has ch in bridge.
func (f *far) inBridge(bridge, ch string) bool {
	b, ok := f.bridges()[bridge]
	if !ok {
		return false
	}
	for _, c := range b.Channels {
		if c == ch {
			return true
		}
	}
	return false
}

// bridgeOf is the bridge Asterisk has ch in ("" when none).
func (f *far) bridgeOf(ch string) string {
	c, ok := f.channels()[ch]
	if !ok || len(c.Bridges) == 0 {
		return ""
	}
	return c.Bridges[0]
}

func (f *far) alive(ch string) bool {
	_, ok := f.channels()[ch]
	return ok
}

// spyTel is the engine's ARI Telephony with every failed operation kept:
// the engine ignores the errors of many best-effort operations, so without
// this a bridge or MOH request Asterisk refused would go unnoticed.
type spyTel struct {
	*ari.Telephony
	mu   sync.Mutex
	errs []string
}

func (s *spyTel) note(op string, args []string, err error) error {
	if err != nil {
		s.mu.Lock()
		s.errs = append(s.errs, fmt.Sprintf("%s(%s): %v", op, strings.Join(args, ", "), err))
		s.mu.Unlock()
	}
	return err
}

// failures lists the failed operations other than those on channels that
// were already gone (hanging up a hung-up leg is expected).
func (s *spyTel) failures() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, e := range s.errs {
		if strings.HasPrefix(e, "Hangup(") && strings.Contains(e, "not found") {
			continue
		}
		out = append(out, e)
	}
	return out
}

func (s *spyTel) reset() {
	s.mu.Lock()
	s.errs = nil
	s.mu.Unlock()
}

func (s *spyTel) Answer(ctx context.Context, ch string) error {
	return s.note("Answer", []string{ch}, s.Telephony.Answer(ctx, ch))
}
func (s *spyTel) Hangup(ctx context.Context, ch string, c core.HangupCause) error {
	err := s.Telephony.Hangup(ctx, ch, c)
	if errors.Is(err, core.ErrNotFound) {
		err = fmt.Errorf("%w", err) // kept, filtered by failures
	}
	return s.note("Hangup", []string{ch}, err)
}
func (s *spyTel) CreateBridge(ctx context.Context, b string, k core.BridgeKind) error {
	return s.note("CreateBridge", []string{b, string(k)}, s.Telephony.CreateBridge(ctx, b, k))
}
func (s *spyTel) DestroyBridge(ctx context.Context, b string) error {
	return s.note("DestroyBridge", []string{b}, s.Telephony.DestroyBridge(ctx, b))
}
func (s *spyTel) AddToBridge(ctx context.Context, b, ch string) error {
	return s.note("AddToBridge", []string{b, ch}, s.Telephony.AddToBridge(ctx, b, ch))
}
func (s *spyTel) RemoveFromBridge(ctx context.Context, b, ch string) error {
	return s.note("RemoveFromBridge", []string{b, ch}, s.Telephony.RemoveFromBridge(ctx, b, ch))
}
func (s *spyTel) Hold(ctx context.Context, ch string) error {
	return s.note("Hold", []string{ch}, s.Telephony.Hold(ctx, ch))
}
func (s *spyTel) Unhold(ctx context.Context, ch string) error {
	return s.note("Unhold", []string{ch}, s.Telephony.Unhold(ctx, ch))
}
func (s *spyTel) StartMOH(ctx context.Context, ch, class string) error {
	return s.note("StartMOH", []string{ch, class}, s.Telephony.StartMOH(ctx, ch, class))
}
func (s *spyTel) StopMOH(ctx context.Context, ch string) error {
	return s.note("StopMOH", []string{ch}, s.Telephony.StopMOH(ctx, ch))
}
func (s *spyTel) BridgeMOH(ctx context.Context, b, class string) error {
	return s.note("BridgeMOH", []string{b, class}, s.Telephony.BridgeMOH(ctx, b, class))
}
func (s *spyTel) StopRecording(ctx context.Context, name string) error {
	return s.note("StopRecording", []string{name}, s.Telephony.StopRecording(ctx, name))
}
func (s *spyTel) Originate(ctx context.Context, req core.OriginateRequest) (string, error) {
	id, err := s.Telephony.Originate(ctx, req)
	return id, s.note("Originate", []string{req.ChannelID, req.Endpoint}, err)
}

// env is an engine on the test Asterisk with queue "sales" (DID 5550100,
// ringall so any free agent is rung), manual campaign OUT1, and agents whose
// phones are Local channels that answer at once: a1 and a3 on-hook, a2
// persistent (its line is called at login and stays up).
type env struct {
	t   testing.TB
	ctx context.Context
	st  core.Store
	tel *spyTel
	e   *core.Engine
	far *far
	bus *core.MemoryBus

	mu     sync.Mutex
	events []core.Event
}

type envOpt struct {
	store    string // storetest kind, default SQLite
	campaign *core.Campaign
	leads    []string // phones of leads of the campaign
}

func newEnv(t *testing.T, o envOpt) *env {
	t.Helper()
	f := startFar(t)
	if o.store == "" {
		o.store = storetest.SQLite
	}
	st := storetest.Open(t, o.store)
	ctx := context.Background()
	q := core.Queue{Name: "sales", Strategy: core.StrategyRingAll, RingTimeout: 10, Active: true, DID: did}
	must(t, st.Create(ctx, &q))
	must(t, st.Create(ctx, &core.Campaign{Name: "OUT1", Type: core.CampaignOutbound, DialMethod: core.DialManual, Active: true, MaxRetries: 2}))
	if o.campaign != nil {
		must(t, st.Create(ctx, o.campaign))
		if len(o.leads) > 0 {
			must(t, st.Create(ctx, &core.List{ID: 500, Name: "e2e", Campaign: o.campaign.Name, Active: true}))
			for _, p := range o.leads {
				must(t, st.Create(ctx, &core.Lead{ListID: 500, Campaign: o.campaign.Name, Status: "NEW", PhoneNumber: p}))
			}
		}
	}
	// Call ids name the PBX bridges (call-<id>); every test starts its ids
	// far from the other runs' so that a bridge id Asterisk still holds
	// from an earlier run cannot collide.
	must(t, st.Create(ctx, &core.Call{ID: uint64(time.Now().UnixMilli()%1e9) * 1000, GUID: "e2e-base", State: core.CallDone}))
	for i, persistent := range []bool{false, true, false} {
		a := core.Agent{Username: fmt.Sprintf("a%d", i+1), Number: fmt.Sprint(9001 + i), Type: "Agent",
			Extension: answerEP, Active: true, Persistent: persistent, Campaign: "OUT1"}
		if o.campaign != nil && i == 0 {
			a.Campaign = o.campaign.Name
		}
		must(t, st.Create(ctx, &a))
		if i < 2 {
			must(t, st.Create(ctx, &core.QueueMember{QueueID: q.ID, AgentID: a.ID, Queue: "sales", Agent: a.Username}))
		}
	}
	ev := &env{t: t, ctx: ctx, st: st, far: f}
	ev.startEngine()
	// Cleanups run last-in first-out: the calls a failed test leaves are
	// torn down while the engine's application is still registered. A
	// bridge destroyed after its application went away keeps its id taken
	// on Asterisk (409 on the next create with that id).
	t.Cleanup(f.hangupAll)
	return ev
}

// startEngine starts an engine (again) on the env's store: a gateway
// (re)start.
func (ev *env) startEngine() {
	t := ev.t
	t.Helper()
	tel, err := ari.New(ariConfig(t, "callgate", "e2e-ast-1"))
	must(t, err)
	spy := &spyTel{Telephony: tel}
	bus := core.NewMemoryBus(0)
	e := core.New(core.Options{
		Store: ev.st, Tel: spy, Bus: bus, Logger: logger(t), DialerInterval: 100 * time.Millisecond,
		// Customers' numbers are callgate-test extensions: "answer", "busy",
		// "noanswer", "congestion".
		DialEndpoint:       func(number, _ string) string { return "Local/" + number + "@callgate-test" },
		DefaultDialTimeout: 5 * time.Second,
	})
	sub, err := bus.Subscribe(0, 1<<14)
	must(t, err)
	go func() {
		for x := range sub.C() {
			ev.mu.Lock()
			ev.events = append(ev.events, x)
			ev.mu.Unlock()
		}
	}()
	ev.mu.Lock()
	ev.tel, ev.e, ev.bus, ev.events = spy, e, bus, nil
	ev.mu.Unlock()
	must(t, e.Start(ev.ctx))
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = e.Stop(sctx)
		sub.Close()
	})
	eventually(t, "engine ready on Asterisk", e.Ready)
}

// stopEngine stops the engine as a gateway shutdown does (calls stay up on
// Asterisk).
func (ev *env) stopEngine() {
	ev.t.Helper()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	must(ev.t, ev.e.Stop(sctx))
}

// noFailures fails the test if the engine's requests to Asterisk failed.
func (v *env) noFailures() {
	v.t.Helper()
	for _, f := range v.tel.failures() {
		v.t.Errorf("engine request refused by Asterisk: %s", f)
	}
	v.tel.reset()
}

// login logs user in and waits until the login is complete (a waiting
// call may already ring the agent then).
func (v *env) login(user string) {
	v.t.Helper()
	must(v.t, v.e.Login(v.ctx, user, core.LoginOptions{}))
	eventually(v.t, user+" logged in", func() bool {
		st := v.state(user)
		return st != core.AgentOffline && st != core.AgentLoggingIn
	})
}

func (v *env) state(user string) core.AgentState {
	s, ok := v.e.Session(user)
	if !ok {
		return core.AgentOffline
	}
	return s.State
}

func (v *env) waitState(user string, st core.AgentState) {
	v.t.Helper()
	eventually(v.t, fmt.Sprintf("%s %s (is %s)", user, st, v.state(user)), func() bool { return v.state(user) == st })
}

// connected waits until user is talking on a call and returns it.
func (v *env) connected(user string) core.Call {
	v.t.Helper()
	var c core.Call
	eventually(v.t, user+" connected", func() bool {
		var ok bool
		c, ok = v.e.AgentCall(user)
		return ok && c.State == core.CallConnected
	})
	return c
}

// ended waits until the call is over and returns its stored record.
func (v *env) ended(id uint64) core.Call {
	v.t.Helper()
	var c core.Call
	eventually(v.t, fmt.Sprintf("call %d ended", id), func() bool {
		var err error
		c, err = v.e.Call(v.ctx, id)
		return err == nil && c.State == core.CallDone
	})
	return c
}

func (v *env) queueLog(callID uint64) []string {
	v.t.Helper()
	var rows []core.QueueLogEntry
	must(v.t, v.st.Find(v.ctx, &rows, core.Eq("call_id", callID).Asc("id")))
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Event
	}
	return out
}

// published returns the payloads of type T seen on the bus so far.
func published[T core.Payload](v *env) []T {
	v.mu.Lock()
	defer v.mu.Unlock()
	var out []T
	for _, e := range v.events {
		if p, ok := e.Data.(T); ok {
			out = append(out, p)
		}
	}
	return out
}

func contains(list []string, want ...string) bool {
	i := 0
	for _, s := range list {
		if i < len(want) && s == want[i] {
			i++
		}
	}
	return i == len(want)
}

// ariStatus is the HTTP status of a GET on the test Asterisk's ARI, for
// objects the Telephony port does not list (playbacks, stored recordings).
func ariStatus(t testing.TB, path string) int {
	t.Helper()
	cfg := ariConfig(t, "callgate", "probe")
	req, err := http.NewRequest(http.MethodGet, strings.TrimRight(cfg.URL, "/")+path, nil)
	must(t, err)
	req.SetBasicAuth(cfg.User, cfg.Password)
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// cli runs an Asterisk CLI command through CALLGATE_TEST_ASTERISK_CLI (a
// command prefix such as `asterisk -C /path/asterisk.conf -rx`), for what
// ARI does not show (a bridge's music-on-hold announcer); "" without it.
func cli(t testing.TB, command string) string {
	t.Helper()
	prefix := os.Getenv("CALLGATE_TEST_ASTERISK_CLI")
	if prefix == "" {
		return ""
	}
	out, err := exec.Command("sh", "-c", prefix+" '"+command+"'").CombinedOutput()
	if err != nil {
		t.Fatalf("asterisk cli %q: %v: %s", command, err, out)
	}
	return string(out)
}

func ariBody(t testing.TB, path string) string {
	cfg := ariConfig(t, "callgate", "probe")
	req, _ := http.NewRequest(http.MethodGet, strings.TrimRight(cfg.URL, "/")+path, nil)
	req.SetBasicAuth(cfg.User, cfg.Password)
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
