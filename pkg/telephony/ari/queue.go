package ari

import (
	"github.com/callgate/callgate/core"
)

// item is one entry of the event queue: a raw websocket frame still to be
// decoded, or an event synthesised by the connection manager (connected,
// disconnected) that must keep its place among the frames.
type item struct {
	raw   []byte
	ev    core.TelEvent
	synth bool
	// gen is the connection generation the frame was read on.
	gen uint64
}
