package main

import (
	"context"
	"fmt"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/bus/natsbus"
	"github.com/callgate/callgate/pkg/config"
)

// newBus picks the domain event bus: in-process for one gateway, NATS
// JetStream when several gateways share the work.
func newBus(ctx context.Context, cfg config.Config) (core.Bus, error) {
	switch cfg.Bus {
	case "nats":
		cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		b, err := natsbus.Connect(cctx, cfg.NATSURL, natsbus.Options{Stream: cfg.NATSStream, Subject: busSubject(cfg.NATSStream)})
		if err != nil {
			return nil, fmt.Errorf("bus.nats_url (CALLGATE_NATS_URL): %w", err)
		}
		return b, nil
	default:
		return core.NewMemoryBus(cfg.ReplayEvents), nil
	}
}

// busSubject is where a stream's events are published: the default
// stream keeps callgate.events; any other stream gets subjects of its own
// (callgate.stream.<name>), since JetStream refuses two streams over the
// same subjects, so deployments sharing one NATS server stay apart.
func busSubject(stream string) string {
	if stream == "" || stream == "CALLGATE_EVENTS" {
		return ""
	}
	return "callgate.stream." + stream
}
