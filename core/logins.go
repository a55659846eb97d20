package core

import (
	"context"
	"time"
)

// Failed logins are counted in the store (LoginFailure rows), so every
// gateway sharing the database enforces one limit per dialect and name, and
// a restart forgets nothing.

// LoginThrottle is a failed-login limit: Max failures within Window block
// further attempts until the oldest ages out.
type LoginThrottle struct {
	Max    int
	Window time.Duration
}

// LoginBlocked reports whether name has used up its failed attempts.
func (e *Engine) LoginBlocked(ctx context.Context, dialect, name string, t LoginThrottle) bool {
	if t.Max <= 0 {
		return false
	}
	n, err := e.store.Count(ctx, &LoginFailure{}, Eq("dialect", dialect).Eq("username", clip(name, 64)).Gt("time", e.now().Add(-t.Window)))
	if err != nil {
		// Fail closed: a store that cannot count cannot vouch for the name.
		e.log.Warn("engine: login throttle count failed", "dialect", dialect, "err", err)
		return true
	}
	return n >= int64(t.Max)
}

// LoginFailed records one failed attempt and drops rows older than window.
func (e *Engine) LoginFailed(ctx context.Context, dialect, name, source string, window time.Duration) {
	now := e.now()
	name = clip(name, 64)
	if err := e.store.Create(ctx, &LoginFailure{Dialect: dialect, Username: name, Time: now, Source: clip(source, 64)}); err != nil {
		e.log.Warn("engine: login failure write failed", "dialect", dialect, "err", err)
	}
	if window > 0 {
		_ = e.store.Delete(ctx, &LoginFailure{}, Eq("dialect", dialect).Eq("username", name).Lte("time", now.Add(-window)))
	}
}

// LoginSucceeded clears a name's failures.
func (e *Engine) LoginSucceeded(ctx context.Context, dialect, name string) {
	_ = e.store.Delete(ctx, &LoginFailure{}, Eq("dialect", dialect).Eq("username", clip(name, 64)))
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
