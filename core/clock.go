package core

import "time"

// Clock is the engine's source of time: the wall clock for timestamps and
// the timers behind ring timeouts, wrap-up, maximum wait, offer retries,
// unreachable-phone backoff and the dialer's pacing tick. Production uses
// RealClock; tests inject a fake (core/clocktest) and advance it, so a flow
// that waits 15 s of ringing takes no real time and never races a sleep.
type Clock interface {
	Now() time.Time
	// AfterFunc runs f in its own goroutine (or, for a fake clock, inside
	// Advance) once d has elapsed.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc.
type Timer interface {
	// Stop prevents the timer from firing; false if it already fired or
	// was stopped.
	Stop() bool
	// Reset re-arms the timer to fire after d; false if it had expired or
	// been stopped.
	Reset(d time.Duration) bool
}

// RealClock is the time package.
func RealClock() Clock { return realClock{} }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// nowClock keeps the deprecated Options.Now override (a frozen wall clock)
// while timers still run on the underlying clock.
type nowClock struct {
	Clock
	now func() time.Time
}

func (c nowClock) Now() time.Time { return c.now() }
