package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/callgate/callgate/pkg/config"
	"github.com/callgate/callgate/pkg/telephony/ari"
	"github.com/callgate/callgate/pkg/telephony/sim"
	"github.com/callgate/callgate/pkg/telephony/simari"
)

// simariPBX is the in-process simulated Asterisk of telephony mode simari:
// the gateway runs its real ARI driver against it over loopback HTTP and
// websocket, so a demo (or CI) exercises the whole ARI path without an
// Asterisk. Its control API makes calls arrive (see README "Simulated
// Asterisk").
type simariPBX struct {
	srv  *simari.Server
	http *http.Server
	addr string
}

// startSimari serves a simulated Asterisk at cfg.SimariAddr and returns
// the ARI configuration pointing at it. Its credentials are ari.user and
// ari.password; without a password a random one is used (the control API
// is then only usable from this process).
func startSimari(cfg config.Config) (*simariPBX, ari.Config, error) {
	pass := cfg.ARIPassword
	if pass == "" {
		var b [16]byte
		_, _ = rand.Read(b[:])
		pass = hex.EncodeToString(b[:])
	}
	srv, err := simari.New(simari.Config{User: cfg.ARIUser, Password: pass, App: cfg.ARIApp, NodeID: cfg.NodeID + "-simari"})
	if err != nil {
		return nil, ari.Config{}, err
	}
	srv.PBX().SetDefaultBehavior(sim.Behavior{Outcome: sim.Answer, After: cfg.DemoSimAnswerWait})
	ln, err := net.Listen("tcp", cfg.SimariAddr)
	if err != nil {
		_ = srv.Close()
		return nil, ari.Config{}, fmt.Errorf("simari.addr: %w", err)
	}
	p := &simariPBX{srv: srv, addr: ln.Addr().String(),
		http: &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 64 << 10}}
	go func() {
		if err := p.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = srv.Close()
		}
	}()
	return p, ari.Config{
		URL: "http://" + p.addr + "/ari", User: cfg.ARIUser, Password: pass, App: cfg.ARIApp, NodeID: cfg.NodeID,
	}, nil
}

// Close stops the simulated Asterisk (after the engine, whose last
// requests it still answers).
func (p *simariPBX) Close() error {
	_ = p.http.Close()
	return p.srv.Close()
}
