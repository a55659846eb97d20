package storetest

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/callgate/callgate/core"
)

// ErrRefused is what a Refusing store answers.
var ErrRefused = errors.New("storetest: write refused (injected failure)")

// Refusing is a store whose Create of the records Match picks (one record
// or a slice of them) fails while Armed is set, inside transactions too:
// tests of what the engine and the dialects answer when a write fails.
// The wrapped store's secrets stay available (credentials need them).
type Refusing struct {
	core.Store
	Armed *atomic.Bool
	Match func(v any) bool
}

// RefuseQueueLog refuses queue-log rows while armed.
func RefuseQueueLog(st core.Store, armed *atomic.Bool) Refusing {
	return Refusing{Store: st, Armed: armed, Match: func(v any) bool {
		switch v.(type) {
		case *core.QueueLogEntry, *[]core.QueueLogEntry:
			return true
		}
		return false
	}}
}

func (r Refusing) Tx(ctx context.Context, fn func(core.Store) error) error {
	return r.Store.Tx(ctx, func(tx core.Store) error {
		return fn(Refusing{Store: tx, Armed: r.Armed, Match: r.Match})
	})
}

func (r Refusing) Create(ctx context.Context, v any) error {
	if r.Armed.Load() && r.Match(v) {
		return ErrRefused
	}
	return r.Store.Create(ctx, v)
}

// Secrets is the wrapped store's (nil when it has none).
func (r Refusing) Secrets() core.Secrets {
	if p, ok := r.Store.(core.SecretsProvider); ok {
		return p.Secrets()
	}
	return nil
}
