package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// startPprof serves Go's profiles on debug.pprof_addr (loopback only, see
// pkg/config), apart from the public listener, so operators can see where
// time goes (`go tool pprof http://127.0.0.1:6060/debug/pprof/profile`).
func (g *gateway) startPprof(stdout io.Writer) error {
	if g.cfg.PprofAddr == "" {
		return nil
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	ln, err := net.Listen("tcp", g.cfg.PprofAddr)
	if err != nil {
		return fmt.Errorf("debug.pprof_addr: %w", err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			g.log.Warn("pprof listener", "err", err)
		}
	}()
	g.closers = append(g.closers, srv)
	fmt.Fprintf(stdout, "callgate: pprof listening on %s\n", ln.Addr())
	return nil
}
