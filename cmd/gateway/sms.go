package main

import (
	"context"
)

// resumeSMS sends, in the background, the text message jobs a previous run
// left PENDING (core.Engine.ResumeSMS), so a restart loses no message; the
// gateway's shutdown cancels it (a closer).
func (g *gateway) resumeSMS(context.Context) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	eng := g.eng // in a cluster g.eng changes with the term
	go func() {
		defer close(done)
		if n, err := eng.ResumeSMS(ctx); err != nil {
			g.log.Warn("sms: resume pending jobs", "err", err)
		} else if n > 0 {
			g.log.Info("sms: resumed pending jobs", "jobs", n)
		}
	}()
	g.closers = append(g.closers, mediaCloser(func() { cancel(); <-done }))
}
