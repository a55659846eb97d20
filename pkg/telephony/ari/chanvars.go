package ari

import (
	"context"
	"sort"
	"sync"

	"github.com/callgate/callgate/core"
)

// ARI reads a channel variable by name but cannot list a channel's
// variables (Asterisk's "core show channel" can, over AMI or the CLI). So
// the gateway remembers the names it set on each channel (originate
// variables and SetVar), adds the variables Asterisk itself sets on calls,
// and reads each one's current value, keeping those that have one.

// StandardVars are variables Asterisk or a FreePBX-style dialplan sets on
// call channels, read by name for ChannelVars.
var StandardVars = []string{
	"ANSWEREDTIME", "BLINDTRANSFER", "BRIDGEPEER", "BRIDGEPVTCALLID", "CALLERID_NUMBER", "DIALEDPEERNAME",
	"DIALEDPEERNUMBER", "DIALEDTIME", "DIALSTATUS", "FROM_DID", "MEMBERINTERFACE", "MEMBERNAME",
	"MIXMONITOR_FILENAME", "QUEUENAME", "QUEUEPOSITION", "SIPCALLID", "TRANSFERERNAME",
}

// maxBookVars bounds the names remembered per channel: a runaway caller of
// SetVar must not grow the book without limit (the variables are still set).
const maxBookVars = 256

// VarBook remembers which variables the gateway set on each live channel.
// It is safe for concurrent use.
type VarBook struct {
	mu sync.Mutex
	m  map[string]map[string]bool
}

// Note records names set on a channel.
func (b *VarBook) Note(id string, names ...string) {
	if id == "" || len(names) == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.m == nil {
		b.m = map[string]map[string]bool{}
	}
	set := b.m[id]
	if set == nil {
		set = map[string]bool{}
		b.m[id] = set
	}
	for _, n := range names {
		if len(set) < maxBookVars || set[n] {
			set[n] = true
		}
	}
}

// NoteMap records the names of an originate's variables.
func (b *VarBook) NoteMap(id string, vars map[string]string) {
	names := make([]string, 0, len(vars))
	for n := range vars {
		names = append(names, n)
	}
	b.Note(id, names...)
}

// Forget drops a channel that is gone.
func (b *VarBook) Forget(id string) {
	b.mu.Lock()
	delete(b.m, id)
	b.mu.Unlock()
}

// names is the set to read for a channel: the remembered names and the
// standard ones, sorted, without duplicates.
func (b *VarBook) names(id string) []string {
	seen := map[string]bool{}
	for _, n := range StandardVars {
		seen[n] = true
	}
	b.mu.Lock()
	for n := range b.m[id] {
		seen[n] = true
	}
	b.mu.Unlock()
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// ListVars reads the channel's variables through get (a GetVar that
// answers "" for an unset variable and ErrNotFound for an unknown channel).
// An unset variable is left out, as Asterisk lists only variables that
// exist; the first error stops the listing, so a channel that vanished is
// ErrNotFound rather than an empty list.
func ListVars(ctx context.Context, b *VarBook, id string,
	get func(ctx context.Context, id, name string) (string, error)) ([]core.ChannelVar, error) {
	var out []core.ChannelVar
	for _, n := range b.names(id) {
		v, err := get(ctx, id, n)
		if err != nil {
			return nil, err
		}
		if v != "" {
			out = append(out, core.ChannelVar{Name: n, Value: v})
		}
	}
	return out, nil
}
