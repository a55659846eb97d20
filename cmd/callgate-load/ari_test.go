package main

import (
	"context"
	"testing"
	"time"
)

// The raw ARI half places real calls on the tool's own simulated
// Asterisk: every call set up is torn down. Bounded by a count of calls,
// not by time: under -race and a loaded machine the first call may take
// longer than a short run (0 setups in 500 ms once).
func TestRawARICallsAreSetUpAndTornDown(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	got, err := rawARICalls(ctx, rawTarget{calls: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.setup) != 3 || len(got.teardown) != 3 {
		t.Fatalf("%d setups, %d teardowns, want 3 each", len(got.setup), len(got.teardown))
	}
}

// The gateway half reads each call's events from the stream once.
func TestCallEventsSignalEachCallOnce(t *testing.T) {
	e := &callEvents{seen: map[string]chan struct{}{}}
	e.line(`data: {"seq":1,"type":"call.linked","data":{"call":{"id":7}}}`)
	e.line(`data: {"seq":2,"type":"call.linked","data":{"call":{"id":7}}}`) // a repeat closes nothing twice
	e.line(`id: 3`)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if !e.wait(ctx, "call.linked", 7) {
		t.Fatal("call.linked of call 7 not signalled")
	}
	short, cancel2 := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel2()
	if e.wait(short, "call.ended", 7) {
		t.Fatal("call.ended signalled without its event")
	}
}
