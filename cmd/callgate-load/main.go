// Command callgate-load drives a running gateway (loopback only) through
// one dialect at a fixed rate or in a closed loop, for a bounded time or
// number of requests, and prints requests per second, latency percentiles
// and errors. scripts/bench.sh runs it against a demo gateway.
//
//	callgate-load -scenario vicidial/external_pause -c 32 -d 20s
//	callgate-load -scenario vicidial/version -rate 5000 -d 10s
//	callgate-load -scenario vicidial/external_pause -baseline vicidial/version
//	callgate-load -list
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"sort"
	"strings"
	"time"

	"github.com/callgate/callgate/pkg/telephony/ari"
)

// maxDuration bounds a run, so the tool can never be left loading a host.
const maxDuration = 5 * time.Minute

func main() {
	// The raw half's ari/v5 client pools its connections to Asterisk as
	// the gateway's does, so the two halves compare on equal terms.
	ari.TuneDefaultTransport()
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "callgate-load:", err)
		os.Exit(2)
	}
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("callgate-load", flag.ContinueOnError)
	target := fs.String("target", "http://127.0.0.1:8080", "gateway base URL (loopback only)")
	scenario := fs.String("scenario", "vicidial/version", "what to send (-list shows them)")
	conc := fs.Int("c", 32, "concurrent connections (closed loop) or workers (fixed rate)")
	rate := fs.Float64("rate", 0, "requests per second; 0 = closed loop, as fast as answers come")
	dur := fs.Duration("d", 10*time.Second, "how long to run (at most 5m)")
	total := fs.Int("n", 0, "stop after this many requests (0 = only the duration)")
	token := fs.String("token", "demo-admin-token", "admin bearer token (sim/* scenarios)")
	list := fs.Bool("list", false, "list the scenarios and exit")
	eccp := fs.String("eccp", "127.0.0.1:20005", "ECCP address (eccp/fanout; loopback only)")
	eccpUser := fs.String("eccp-user", "agentconsole", "ECCP console user (eccp/fanout)")
	eccpPass := fs.String("eccp-pass", "agentconsole", "ECCP console password (eccp/fanout)")
	agent := fs.String("agent", "3", "admin API id of the agent paused and resumed (eccp/fanout; the demo's 1064)")
	agentUser := fs.String("agent-user", "1064", "agent the gateway dials for (ari/manual_call; logged in and available)")
	phone := fs.String("phone", "7275551111", "number dialed (ari/manual_call)")
	ariURL := fs.String("ari", "", "a real Asterisk's ARI (http://127.0.0.1:8088/ari) for the raw half of ari/manual_call; empty = a simulated one in this tool")
	ariUser := fs.String("ari-user", "callgate-load", "ARI user (-ari)")
	ariPass := fs.String("ari-pass", "", "ARI password (-ari; else $CALLGATE_LOAD_ARI_PASSWORD)")
	ariApp := fs.String("ari-app", "callgate-load", "Stasis application of the raw half (-ari; not the gateway's)")
	rawEndpoints := fs.String("raw-endpoints", "PJSIP/1000,PJSIP/7275551111", "the raw half's two legs, agent's then customer's (-ari; each must answer, e.g. Local/1000@load-answer)")
	baseline := fs.String("baseline", "", "run this scenario first, as long and as wide, and print the ratio of the two (e.g. vicidial/version)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *list {
		names := make([]string, 0, len(scenarios))
		for n := range scenarios {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(out, "%-32s %s\n", n, scenarios[n].about)
		}
		fmt.Fprintf(out, "%-32s %s\n", callScenario, "manual calls (two answered legs bridged, then hung up) with raw ARI (on a simulated Asterisk of its own, or on the real one at -ari), then through the gateway (admin API, -agent-user dials -phone): the gateway's cost per call and per ARI command")
		fmt.Fprintf(out, "%-32s %s\n", fanoutScenario, "-c ECCP consoles logged in at -eccp; agent -agent paused and resumed -rate times a second (default 20) through the admin API; time from command to event at every console")
		return nil
	}
	sc, ok := scenarios[*scenario]
	if !ok && *scenario != fanoutScenario && *scenario != callScenario {
		return fmt.Errorf("unknown scenario %q (-list shows them)", *scenario)
	}
	base, err := loopbackURL(*target)
	if err != nil {
		return fmt.Errorf("-target: %w", err)
	}
	if *dur <= 0 || *dur > maxDuration {
		return fmt.Errorf("-d must be between 0 and %s", maxDuration)
	}
	if *conc < 1 || *conc > 4096 {
		return fmt.Errorf("-c must be between 1 and 4096")
	}
	bsc, ok := scenarios[*baseline]
	if *baseline != "" && !ok {
		return fmt.Errorf("unknown -baseline scenario %q (-list shows them)", *baseline)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var base0 result
	if *baseline != "" {
		bctx, bcancel := context.WithTimeout(ctx, *dur)
		base0 = runLoad(bctx, config{base: base, sc: bsc, conc: *conc, rate: *rate, total: *total, token: *token})
		bcancel()
		base0.print(out, *baseline)
	}
	ctx, cancel := context.WithTimeout(ctx, *dur)
	defer cancel()
	if *scenario == callScenario {
		raw, err := rawFlags(*ariURL, *ariUser, *ariPass, *ariApp, *rawEndpoints)
		if err != nil {
			return err
		}
		return runCalls(ctx, callConfig{base: base, token: *token, agent: *agentUser, phone: *phone, raw: raw}, out)
	}
	if *scenario == fanoutScenario {
		if *rate <= 0 {
			*rate = 20
		}
		return runFanout(ctx, fanoutConfig{base: base, eccp: *eccp, sessions: *conc, rate: *rate, token: *token,
			user: *eccpUser, pass: *eccpPass, agent: *agent}, out)
	}
	before := readCommitTotals(ctx, base)
	res := runLoad(ctx, config{base: base, sc: sc, conc: *conc, rate: *rate, total: *total, token: *token})
	res.print(out, *scenario)
	printCommits(out, before, readCommitTotals(context.Background(), base), res.elapsed)
	if *baseline != "" && base0.rate() > 0 {
		fmt.Fprintf(out, "ratio %s / %s: %.2f\n", *scenario, *baseline, res.rate()/base0.rate())
	}
	return nil
}

// rawFlags reads the raw half's target: none means the tool's own
// simulated Asterisk.
func rawFlags(ariURL, user, pass, app, endpoints string) (rawTarget, error) {
	var r rawTarget
	if ariURL == "" {
		return r, nil
	}
	u, err := loopbackURL(ariURL)
	if err != nil {
		return r, fmt.Errorf("-ari: %w", err)
	}
	if pass == "" {
		pass = os.Getenv("CALLGATE_LOAD_ARI_PASSWORD")
	}
	eps := strings.Split(endpoints, ",")
	if len(eps) != 2 || strings.TrimSpace(eps[0]) == "" || strings.TrimSpace(eps[1]) == "" {
		return r, fmt.Errorf("-raw-endpoints %q: want two endpoints, agent's then customer's", endpoints)
	}
	if app == "" {
		return r, errors.New("-ari-app is empty")
	}
	r.url, r.user, r.pass, r.app = u, user, pass, app
	r.endpoints = [2]string{strings.TrimSpace(eps[0]), strings.TrimSpace(eps[1])}
	return r, nil
}

// loopbackURL refuses targets off this machine: the tool is for measuring
// a gateway one runs, not for loading someone else's.
func loopbackURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q: want http://host:port", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		return u, nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("%q: only loopback addresses are allowed", raw)
	}
	return u, nil
}
