// Command gateway is the Callgate server: one process in front of Asterisk
// serving the VICIdial agent API, ECCP, the admin API, health and metrics.
//
// With no configuration at all it starts in demo mode (SQLite file
// ./callgate.db, simulated PBX, seeded demo data, admin token
// demo-admin-token). See README.md for every setting.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/callgate/callgate/pkg/config"
	"github.com/callgate/callgate/pkg/telephony/ari"
)

// gcPercent is the collector's target when GOGC is not set: the
// gateway's live heap is small and its requests allocate much, so at Go's
// 100 the collector took a tenth of the CPU. Measured (VICIdial
// external_pause, 32 connections): 200 gave +8% req/s for +22% peak
// memory, 400 +14% for +66% (and 2.2x under a flood of 20k held calls).
// GOGC and GOMEMLIMIT still rule when set.
const gcPercent = 200

func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}

func main() {
	// Before anything uses net/http: ari/v5 sends through the default
	// transport, whose two idle connections per host are too few.
	ari.TuneDefaultTransport()
	tuneGC(os.Getenv)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "callgate:", err)
		}
		os.Exit(1)
	}
}

// run is the whole program; main only wires the process to it so tests can
// start the real server in-process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gateway", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "YAML configuration file (also CALLGATE_CONFIG)")
	check := fs.Bool("check", false, "validate the configuration and exit")
	ariConf := fs.String("ari-conf", "/etc/asterisk/ari.conf", "with -check: Asterisk's ari.conf to compare ari.password with (skipped when unreadable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	cfg, err := config.Load(*configPath, getenv)
	if err != nil {
		return err
	}
	if *check {
		// Warnings do not fail the check: ari.conf may live on another host.
		conf, rerr := os.ReadFile(*ariConf)
		if rerr != nil {
			conf = nil
		}
		for _, w := range cfg.Warnings(*ariConf, conf) {
			fmt.Fprintln(stderr, "callgate: warning:", w)
		}
		fmt.Fprintln(stdout, "configuration OK")
		return nil
	}
	log := newLogger(cfg, stderr)
	// Packages that log through slog's default (the store's migrations and
	// slow queries, goose) then write the gateway's format with its node.
	slog.SetDefault(log)
	g, err := newGateway(ctx, cfg, log)
	if err != nil {
		return err
	}
	if err := g.start(ctx, stdout); err != nil {
		g.shutdown(context.Background())
		return err
	}
	select {
	case <-ctx.Done():
		log.Info("shutting down", "drain", cfg.ShutdownDrain, "grace", cfg.ShutdownTimeout)
		g.stop(cfg.ShutdownTimeout)
		return nil
	case err = <-g.fatal:
		// A listener died: nothing is left to drain through.
		log.Error("server failed", "err", err)
	}
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	g.shutdown(sctx)
	return err
}
