// Package clocktest is a fake core.Clock for tests: time stands still until
// the test calls Advance, which fires the due timers one by one in order of
// due time (then of arming), synchronously, in the caller's goroutine. A
// flow test therefore knows that every effect of a timer has happened when
// Advance returns.
package clocktest

import (
	"sync"
	"time"

	"github.com/callgate/callgate/core"
)

// Clock is a fake clock. The zero value is not usable: call New.
type Clock struct {
	advance sync.Mutex // one Advance at a time

	mu      sync.Mutex
	now     time.Time
	seq     uint64
	pending map[*Timer]struct{}
	changed chan struct{} // closed and replaced whenever pending changes
}

var _ core.Clock = (*Clock)(nil)

// New returns a fake clock reading start.
func New(start time.Time) *Clock {
	return &Clock{now: start, pending: map[*Timer]struct{}{}, changed: make(chan struct{})}
}

// Now is the fake time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc arms a timer that fires during the Advance that reaches now+d.
func (c *Clock) AfterFunc(d time.Duration, f func()) core.Timer {
	t := &Timer{c: c, f: f}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.armLocked(t, d)
	return t
}

func (c *Clock) armLocked(t *Timer, d time.Duration) {
	c.seq++
	t.when, t.seq = c.now.Add(max(d, 0)), c.seq
	c.pending[t] = struct{}{}
	c.notifyLocked()
}

func (c *Clock) notifyLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// Advance moves time forward by d, firing every timer due on the way, the
// earliest first (ties in arming order), each at its own due time. Timers
// armed by a firing timer fire too if they fall due within d.
func (c *Clock) Advance(d time.Duration) {
	c.advance.Lock()
	defer c.advance.Unlock()
	c.mu.Lock()
	target := c.now.Add(d)
	c.mu.Unlock()
	for {
		c.mu.Lock()
		var next *Timer
		for t := range c.pending {
			if t.when.After(target) {
				continue
			}
			if next == nil || t.when.Before(next.when) || t.when.Equal(next.when) && t.seq < next.seq {
				next = t
			}
		}
		if next == nil {
			c.now = target
			c.mu.Unlock()
			return
		}
		delete(c.pending, next)
		c.notifyLocked()
		if next.when.After(c.now) {
			c.now = next.when
		}
		f := next.f
		c.mu.Unlock()
		f()
	}
}

// Pending is the number of armed timers.
func (c *Clock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pending)
}

// BlockUntil waits until at least n timers are armed, so a test can advance
// past a timer that another goroutine (the engine's PBX event path) arms.
func (c *Clock) BlockUntil(n int) {
	for {
		c.mu.Lock()
		if len(c.pending) >= n {
			c.mu.Unlock()
			return
		}
		ch := c.changed
		c.mu.Unlock()
		<-ch
	}
}

// NextIn is how long until the earliest armed timer is due (false if none).
func (c *Clock) NextIn() (time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var next *Timer
	for t := range c.pending {
		if next == nil || t.when.Before(next.when) {
			next = t
		}
	}
	if next == nil {
		return 0, false
	}
	return next.when.Sub(c.now), true
}

// Timer is a fake timer.
type Timer struct {
	c    *Clock
	f    func()
	when time.Time
	seq  uint64
}

// Stop disarms the timer.
func (t *Timer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	_, ok := t.c.pending[t]
	if ok {
		delete(t.c.pending, t)
		t.c.notifyLocked()
	}
	return ok
}

// Reset re-arms the timer d from now.
func (t *Timer) Reset(d time.Duration) bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	_, ok := t.c.pending[t]
	t.c.armLocked(t, d)
	return ok
}
