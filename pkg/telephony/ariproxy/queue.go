package ariproxy

import (
	"github.com/callgate/callgate/core"
)

// item is one entry of the event queue: a raw event as published by a
// node's ari-proxy, or an event synthesised here (node up/down, a hangup
// noticed by a failed subscription) that must keep its place among them.
type item struct {
	node  string
	raw   []byte
	ev    core.TelEvent
	synth bool
}
