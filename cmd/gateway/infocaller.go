package main

import (
	"context"

	"github.com/callgate/callgate/api/infocaller"
)

// startInfocaller installs the Infocaller query codec (script query nodes)
// and runs the notifier of the lines' informative webhooks until shutdown
// (a closer). Delivery goes through the engine's webhook outbox.
func (g *gateway) startInfocaller() {
	opt := infocaller.Options{MaxBody: g.cfg.HTTPMaxBody, Logger: g.log.With("component", "infocaller")}
	g.eng.SetScriptQueryCodec(infocaller.NewQueryCodec(g.eng, opt))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := infocaller.NewNotifier(g.eng, opt).Run(ctx); err != nil {
			g.log.Warn("infocaller: webhook notifier stopped", "err", err)
		}
	}()
	g.closers = append(g.closers, mediaCloser(func() { cancel(); <-done }))
}
