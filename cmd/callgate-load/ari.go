package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"

	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/CyCoreSystems/ari/v5"
	"github.com/CyCoreSystems/ari/v5/client/native"
	"golang.org/x/net/websocket"

	"github.com/callgate/callgate/pkg/telephony/sim"
	"github.com/callgate/callgate/pkg/telephony/simari"
)

// callScenario is the ari/manual_call run: the same manual call (two
// answered legs bridged, then both hung up and the bridge gone) made with
// raw ARI against a simulated Asterisk of the tool's own, then through
// the gateway (admin API POST /calls, the call's events on the gateway's
// event stream), so the gateway's cost per command shows.
const callScenario = "ari/manual_call"

type callConfig struct {
	base         *url.URL
	token, agent string // agent: username the gateway dials for
	phone        string
	raw          rawTarget
}

// rawTarget is the Asterisk the raw half talks to: the tool's own
// simulated one when url is nil, else a real one (-ari), whose legs'
// endpoints (-raw-endpoints) must answer by themselves, e.g. Local
// channels into a context that runs Answer() and Wait().
type rawTarget struct {
	url        *url.URL // http://host:port/ari; nil = simulated here
	user, pass string
	app        string
	endpoints  [2]string // agent's leg, customer's leg
	// calls stops the run after this many calls; 0 runs until its time is up.
	calls int
}

func (r rawTarget) String() string {
	if r.url == nil {
		return "simulated Asterisk in this tool"
	}
	return "Asterisk at " + r.url.Redacted()
}

// callTimes are the setup and teardown durations of each call.
type callTimes struct{ setup, teardown []time.Duration }

func runCalls(ctx context.Context, cfg callConfig, out io.Writer) error {
	dl, _ := ctx.Deadline()
	half := time.Until(dl) / 2
	rctx, cancel := context.WithTimeout(ctx, half)
	raw, err := rawARICalls(rctx, cfg.raw)
	cancel()
	if err != nil {
		return fmt.Errorf("raw ARI (%s): %w", cfg.raw, err)
	}
	gw, err := gatewayCalls(ctx, cfg)
	if err != nil {
		return fmt.Errorf("through the gateway: %w", err)
	}
	printCalls(out, "raw ARI ("+cfg.raw.String()+")", raw)
	printCalls(out, "through the gateway", gw)
	if len(raw.setup) > 0 && len(gw.setup) > 0 {
		// The gateway announces call.linked once it has decided the bridge,
		// its PBX commands may still be running: the hangup then waits for
		// them, so only the whole call compares.
		whole := median(gw.whole()) - median(raw.whole())
		fmt.Fprintf(out, "  gateway overhead at p50: setup %s, teardown %s; whole call %s, %s per ARI command (%d per call)\n",
			median(gw.setup)-median(raw.setup), median(gw.teardown)-median(raw.teardown),
			whole, whole/commandsPerCall, commandsPerCall)
	}
	return nil
}

// commandsPerCall is what the raw half sends per call: two originates, a
// bridge, two adds; two hangups and the bridge's deletion.
const commandsPerCall = 8

// whole is each call's setup and teardown together.
func (t callTimes) whole() []time.Duration {
	out := make([]time.Duration, min(len(t.setup), len(t.teardown)))
	for i := range out {
		out[i] = t.setup[i] + t.teardown[i]
	}
	return out
}

// simulatedAsterisk serves a simulated Asterisk on loopback for the raw
// half, every call answered.
func simulatedAsterisk(r *rawTarget) (stop func(), err error) {
	srv, err := simari.New(simari.Config{User: "load", Password: "load-raw", App: "rawload", NodeID: "rawload"})
	if err != nil {
		return nil, err
	}
	srv.PBX().SetDefaultBehavior(sim.Behavior{Outcome: sim.Answer})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		return nil, err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	r.url = &url.URL{Scheme: "http", Host: ln.Addr().String(), Path: "/ari"}
	r.user, r.pass, r.app = "load", "load-raw", "rawload"
	r.endpoints = [2]string{"PJSIP/1000", "PJSIP/7275551111"}
	return func() { hs.Close(); srv.Close() }, nil
}

// rawARICalls places calls with ARI alone: originate the agent's and the
// customer's legs into the application, wait for both to enter it, bridge
// them; then hang both up and delete the bridge.
func rawARICalls(ctx context.Context, r rawTarget) (callTimes, error) {
	if r.url == nil {
		stop, err := simulatedAsterisk(&r)
		if err != nil {
			return callTimes{}, err
		}
		defer stop()
	}
	// REST through the ARI library, events through a websocket of our own:
	// the library's own listener races its Close (ari/v5 v5.3.1).
	cl := native.New(&native.Options{Application: r.app, URL: r.url.String(), Username: r.user, Password: r.pass})
	started, closeWS, err := stasisStarts(r)
	if err != nil {
		return callTimes{}, err
	}
	defer closeWS()
	// Channel ids unique to this run: a real Asterisk may still hold the
	// last run's channels for a moment.
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	var t callTimes
	for i := 0; ctx.Err() == nil && (r.calls == 0 || i < r.calls); i++ {
		t0 := time.Now()
		a, b, br, err := rawSetup(ctx, cl, started, r, fmt.Sprintf("%s-%d", run, i))
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			return t, err
		}
		t.setup = append(t.setup, time.Since(t0))
		t1 := time.Now()
		for _, h := range []*ari.ChannelHandle{a, b} {
			if err := h.Hangup(); err != nil {
				return t, err
			}
		}
		if err := br.Delete(); err != nil {
			return t, err
		}
		t.teardown = append(t.teardown, time.Since(t1))
	}
	return t, nil
}

func rawSetup(ctx context.Context, cl ari.Client, started <-chan string, r rawTarget, call string) (a, b *ari.ChannelHandle, br *ari.BridgeHandle, err error) {
	var legs []*ari.ChannelHandle
	var bridge *ari.BridgeHandle
	defer func() {
		if err != nil {
			// A real Asterisk keeps what a cut run left up: hang it up.
			for _, h := range legs {
				_ = h.Hangup()
			}
			if bridge != nil {
				_ = bridge.Delete()
			}
		}
	}()
	for j, ep := range r.endpoints {
		id := fmt.Sprintf("raw-%s-%d", call, j)
		h, err := cl.Channel().Originate(nil, ari.OriginateRequest{Endpoint: ep, App: r.app, ChannelID: id})
		if err != nil {
			return nil, nil, nil, err
		}
		legs = append(legs, h)
		if err := waitStasis(ctx, started, id); err != nil {
			return nil, nil, nil, err
		}
	}
	bridge, err = cl.Bridge().Create(ari.NewKey(ari.BridgeKey, "rawbr-"+call), "mixing", "")
	if err != nil {
		return nil, nil, nil, err
	}
	for _, h := range legs {
		if err := bridge.AddChannel(h.ID()); err != nil {
			return nil, nil, nil, err
		}
	}
	return legs[0], legs[1], bridge, nil
}

func waitStasis(ctx context.Context, started <-chan string, id string) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case got, ok := <-started:
			if !ok {
				return errors.New("the events websocket closed")
			}
			if got == id {
				return nil
			}
		}
	}
}

// stasisStarts reads the application's events and hands on the id of
// each channel entering it.
func stasisStarts(r rawTarget) (<-chan string, func(), error) {
	u := *r.url
	u.Scheme = map[string]string{"http": "ws", "https": "wss"}[u.Scheme]
	u.Path += "/events"
	u.RawQuery = url.Values{"app": {r.app}}.Encode()
	wcfg, err := websocket.NewConfig(u.String(), "http://localhost/")
	if err != nil {
		return nil, nil, err
	}
	wcfg.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(r.user+":"+r.pass)))
	ws, err := websocket.DialConfig(wcfg)
	if err != nil {
		return nil, nil, err
	}
	out := make(chan string, 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(out)
		for {
			var m struct {
				Type    string `json:"type"`
				Channel struct {
					ID string `json:"id"`
				} `json:"channel"`
			}
			if err := websocket.JSON.Receive(ws, &m); err != nil {
				return
			}
			if m.Type == "StasisStart" {
				out <- m.Channel.ID
			}
		}
	}()
	return out, func() {
		_ = ws.Close()
		for range out { // let the reader finish
		}
		<-done
	}, nil
}

// gatewayCalls makes the same calls through the gateway: POST /calls for
// the agent (logged in and unpaused first), wait for call.linked on the
// event stream; POST /calls/{id}/hangup, wait for call.ended.
func gatewayCalls(ctx context.Context, cfg callConfig) (callTimes, error) {
	evs, err := openEvents(ctx, cfg)
	if err != nil {
		return callTimes{}, err
	}
	client := &http.Client{Timeout: 10 * time.Second}
	var t callTimes
	for ctx.Err() == nil {
		t0 := time.Now()
		var call struct {
			ID uint64 `json:"id"`
		}
		body := fmt.Sprintf(`{"agent":%q,"phone":%q,"skip_dnc":true}`, cfg.agent, cfg.phone)
		// Not cut by the run's end: a call the gateway placed must be
		// known, to be hung up.
		if err := postJSON(context.Background(), client, cfg, "/api/v1/calls", body, &call); err != nil {
			return t, err
		}
		if !evs.wait(ctx, "call.linked", call.ID) {
			// The run ended mid-call: hang it up, so the agent is free for
			// the next run.
			cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = postJSON(cctx, client, cfg, "/api/v1/calls/"+strconv.FormatUint(call.ID, 10)+"/hangup", "{}", nil)
			cancel()
			break
		}
		t.setup = append(t.setup, time.Since(t0))
		t1 := time.Now()
		if err := postJSON(ctx, client, cfg, "/api/v1/calls/"+strconv.FormatUint(call.ID, 10)+"/hangup", "{}", nil); err != nil {
			if ctx.Err() != nil {
				break
			}
			return t, err
		}
		if !evs.wait(ctx, "call.ended", call.ID) {
			break
		}
		t.teardown = append(t.teardown, time.Since(t1))
	}
	return t, nil
}

func postJSON(ctx context.Context, client *http.Client, cfg callConfig, path, body string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.base.JoinPath(path).String(), strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+cfg.token)
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b := drain(res.Body)
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("POST %s: %d %s", path, res.StatusCode, b)
	}
	if into != nil {
		return json.Unmarshal(b, into)
	}
	return nil
}

// callEvents follows the gateway's event stream: the call ids seen per
// event type, each signalled once.
type callEvents struct {
	mu   sync.Mutex
	seen map[string]chan struct{}
}

func (e *callEvents) ch(kind string, id uint64) chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	k := kind + "/" + strconv.FormatUint(id, 10)
	c, ok := e.seen[k]
	if !ok {
		c = make(chan struct{})
		e.seen[k] = c
	}
	return c
}

func (e *callEvents) wait(ctx context.Context, kind string, id uint64) bool {
	select {
	case <-ctx.Done():
		return false
	case <-e.ch(kind, id):
		return true
	}
}

func openEvents(ctx context.Context, cfg callConfig) (*callEvents, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, cfg.base.JoinPath("/api/v1/events").String()+"?type=call.", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+cfg.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		res.Body.Close()
		return nil, fmt.Errorf("event stream: %d", res.StatusCode)
	}
	e := &callEvents{seen: map[string]chan struct{}{}}
	go func() {
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			e.line(sc.Text())
		}
	}()
	return e, nil
}

func (e *callEvents) line(l string) {
	if !strings.HasPrefix(l, "data: ") {
		return
	}
	var ev struct {
		Type string `json:"type"`
		Data struct {
			Call struct {
				ID uint64 `json:"id"`
			} `json:"call"`
		} `json:"data"`
	}
	if json.Unmarshal([]byte(l[6:]), &ev) != nil || ev.Data.Call.ID == 0 {
		return
	}
	c := e.ch(ev.Type, ev.Data.Call.ID)
	e.mu.Lock()
	defer e.mu.Unlock()
	select {
	case <-c:
	default:
		close(c)
	}
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return result{latencies: s}.percentile(0.5)
}

func printCalls(out io.Writer, what string, t callTimes) {
	pct := func(d []time.Duration) string {
		s := slices.Clone(d)
		slices.Sort(s)
		r := result{latencies: s}
		return fmt.Sprintf("p50 %s  p90 %s  p99 %s", r.percentile(0.5), r.percentile(0.9), r.percentile(0.99))
	}
	fmt.Fprintf(out, "%s %s: %d calls\n  setup (two answered legs bridged) %s\n  teardown (both legs and the bridge) %s\n  whole call %s\n",
		callScenario, what, len(t.setup), pct(t.setup), pct(t.teardown), pct(t.whole()))
}
