// Command callgate-simari is a simulated Asterisk speaking ARI (REST under
// /ari, events websocket at /ari/events) with a control API under /control
// to make calls arrive, answer and hang up far ends and press keys. It lets
// gateways run their real ARI driver, and multi-gateway and failover tests
// run, without an Asterisk. See pkg/telephony/simari and README "Simulated
// Asterisk (callgate-simari)".
//
//	callgate-simari -addr 127.0.0.1:8088 -user callgate -password secret
//	CALLGATE_SIMARI_PASSWORD=secret callgate-simari -app callgate
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/callgate/callgate/pkg/telephony/simari"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "callgate-simari:", err)
		os.Exit(2)
	}
}

// run serves until ctx ends; ready, if set, is told the listening address.
func run(ctx context.Context, args []string, logOut io.Writer, ready func(addr string)) error {
	fs := flag.NewFlagSet("callgate-simari", flag.ContinueOnError)
	fs.SetOutput(logOut)
	addr := fs.String("addr", "127.0.0.1:8088", "listen address (ARI at /ari, control API at /control)")
	user := fs.String("user", "callgate", "ARI user (HTTP Basic)")
	password := fs.String("password", "", "ARI password (or CALLGATE_SIMARI_PASSWORD)")
	app := fs.String("app", "callgate", "the Stasis application served")
	node := fs.String("node", "simari", "asterisk_id stamped on events")
	playback := fs.Duration("playback", time.Second, "how long a playback lasts (negative: until stopped)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *password == "" {
		*password = os.Getenv("CALLGATE_SIMARI_PASSWORD")
	}
	if *password == "" {
		return errors.New("a password is required: -password or CALLGATE_SIMARI_PASSWORD")
	}
	log := slog.New(slog.NewTextHandler(logOut, nil))
	srv, err := simari.New(simari.Config{
		User: *user, Password: *password, App: *app, NodeID: *node, PlaybackDuration: *playback, Logger: log,
	})
	if err != nil {
		return err
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 64 << 10}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("callgate-simari listening", "addr", ln.Addr().String(), "app", *app, "ari", "http://"+ln.Addr().String()+"/ari")
	if ready != nil {
		ready(ln.Addr().String())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// Shutdown does not wait for hijacked websockets; closing the server
	// (srv.Close, deferred) drops them.
	_ = hs.Shutdown(sctx)
	return nil
}
