package clocktest_test

import (
	"slices"
	"testing"
	"time"

	"github.com/callgate/callgate/core/clocktest"
)

var start = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// Advance fires due timers earliest first (ties in arming order), each at
// its own time, including timers armed by a firing timer; later ones wait.
func TestAdvanceFiresDueTimersInOrder(t *testing.T) {
	c := clocktest.New(start)
	var got []string
	at := func(name string) func() {
		return func() { got = append(got, name+"@"+c.Now().Sub(start).String()) }
	}
	c.AfterFunc(3*time.Second, at("c"))
	c.AfterFunc(time.Second, at("a"))
	c.AfterFunc(time.Second, at("b"))
	c.AfterFunc(time.Second, func() {
		at("chain")()
		c.AfterFunc(500*time.Millisecond, at("chained"))
	})
	c.AfterFunc(10*time.Second, at("late"))
	c.Advance(3 * time.Second)
	want := []string{"a@1s", "b@1s", "chain@1s", "chained@1.5s", "c@3s"}
	if !slices.Equal(got, want) {
		t.Fatalf("fired %v, want %v", got, want)
	}
	if now := c.Now().Sub(start); now != 3*time.Second {
		t.Fatalf("now +%v, want +3s", now)
	}
	if c.Pending() != 1 {
		t.Fatalf("%d pending, want the late one", c.Pending())
	}
}

func TestStopAndReset(t *testing.T) {
	c := clocktest.New(start)
	fired := 0
	tm := c.AfterFunc(time.Second, func() { fired++ })
	if !tm.Stop() || tm.Stop() {
		t.Fatal("Stop: want true then false")
	}
	c.Advance(2 * time.Second)
	if fired != 0 {
		t.Fatal("a stopped timer fired")
	}
	if tm.Reset(time.Second) {
		t.Fatal("Reset of a stopped timer reported it active")
	}
	c.Advance(999 * time.Millisecond)
	if fired != 0 {
		t.Fatal("reset timer fired early")
	}
	c.Advance(time.Millisecond)
	if fired != 1 {
		t.Fatalf("reset timer fired %d times, want 1", fired)
	}
}

// BlockUntil returns once another goroutine has armed enough timers.
func TestBlockUntilWaitsForArming(t *testing.T) {
	c := clocktest.New(start)
	armed := make(chan struct{})
	go func() {
		c.AfterFunc(time.Second, func() {})
		c.AfterFunc(time.Second, func() {})
		close(armed)
	}()
	c.BlockUntil(2)
	<-armed
	if c.Pending() != 2 {
		t.Fatalf("%d pending", c.Pending())
	}
	if d, ok := c.NextIn(); !ok || d != time.Second {
		t.Fatalf("NextIn = %v %v", d, ok)
	}
}
