package main

import (
	"context"

	"github.com/callgate/callgate/api/infocaller"
	"github.com/callgate/callgate/pkg/mail"
)

// startInfocaller installs the Infocaller query codec (script query nodes),
// the SMTP sender of email nodes when smtp.addr is set,
// and runs the notifier of the lines' informative webhooks until shutdown
// (a closer). Delivery goes through the engine's webhook outbox.
func (g *gateway) startInfocaller() {
	opt := infocaller.Options{MaxBody: g.cfg.HTTPMaxBody, Logger: g.log.With("component", "infocaller")}
	g.eng.SetScriptQueryCodec(infocaller.NewQueryCodec(g.eng, opt))
	if g.cfg.SMTPAddr != "" {
		g.eng.SetEmailSender(mail.SMTP{Addr: g.cfg.SMTPAddr, From: g.cfg.SMTPFrom, Username: g.cfg.SMTPUsername, Password: g.cfg.SMTPPassword})
	}
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
