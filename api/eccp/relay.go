package eccp

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"regexp"
	"strconv"

	"github.com/callgate/callgate/core"
)

// The relay protocol lets a gateway that relays ECCP connections to the
// leader (a standby) keep a client's session across a failover without
// losing or repeating events. It is Callgate's own, between gateways, and
// needs Options.RelayKey: a client cannot use it.
//
//   - Before the client's login the relay sends
//     <request id="callgate-resume"><callgate_resume><token>T</token>
//     <from>N</from><filter>Agent/9000</filter><progress>1</progress>
//     </callgate_resume></request>, T being RelayToken(key).
//   - From then on every event the session gets is preceded by a document
//     <callgate_seq n="S"/> naming the event's bus sequence; the relay
//     keeps the last one and strips them.
//   - After a failover the relay reconnects to the new leader and sends the
//     resume request again with from = last sequence + 1, the filter and
//     callprogress state it saw, then the client's login: at that login the
//     server sends the events from N on (those the session's filter
//     accepts) before any live one, each once and in order.

// RelayToken is what a relay presents: an HMAC of a fixed text under the
// cluster's key, so only gateways holding the key may resume sessions.
func RelayToken(key []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("callgate eccp relay v1"))
	return hex.EncodeToString(m.Sum(nil))
}

// ResumeRequest is the relay's resume request (from 0: live events only).
func ResumeRequest(key []byte, from uint64, filter string, progress bool) []byte {
	root := newElem("request").setAttr("id", "callgate-resume")
	r := root.add("callgate_resume")
	r.addText("token", RelayToken(key))
	r.addText("from", strconv.FormatUint(from, 10))
	if filter != "" {
		r.addText("filter", filter)
	}
	if progress {
		r.addText("progress", "1")
	}
	return packet(root)
}

var seqMarkerRE = regexp.MustCompile(`^(?:<\?xml[^>]*\?>\s*)?<callgate_seq n="(\d+)"/>\s*$`)

// SeqMarker reports whether a document from the server is a relay
// sequence marker, and its sequence.
func SeqMarker(doc []byte) (uint64, bool) {
	m := seqMarkerRE.FindSubmatch(doc)
	if m == nil {
		return 0, false
	}
	n, err := strconv.ParseUint(string(m[1]), 10, 64)
	return n, err == nil
}

func seqMarker(seq uint64) []byte {
	return []byte(`<?xml version="1.0"?>` + "\n" + `<callgate_seq n="` + strconv.FormatUint(seq, 10) + `"/>` + "\n")
}

// Framer splits an ECCP byte stream into documents as the server does.
type Framer struct{ f *framer }

// NewFramer frames documents of at most max bytes (1 MiB when 0).
func NewFramer(max int) *Framer { return &Framer{newFramer(max)} }

// Feed adds bytes read from the stream.
func (f *Framer) Feed(p []byte) { f.f.feed(p) }

// Next is the next whole document, nil when more bytes are needed, or an
// error for a stream that cannot be ECCP.
func (f *Framer) Next() ([]byte, error) { return f.f.next() }

// resumeState is what a relay asked for before the login.
type resumeState struct {
	from     uint64
	filter   string
	progress bool
}

// hResume answers callgate_resume: only with the relay key configured and
// before the login; anything else is the 501 an unknown request gets.
func hResume(ss *session, cmd *elem) *elem {
	key := ss.srv.opt.RelayKey
	if len(key) == 0 || ss.username() != "" {
		return topFailure(501, "Not Implemented")
	}
	if !hmac.Equal([]byte(cmd.str("token")), []byte(RelayToken(key))) {
		ss.srv.log.Warn("ECCP relay resume with a bad token", "peer", ss.peer)
		return topFailure(401, "Unauthorized")
	}
	from, _ := strconv.ParseUint(cmd.str("from"), 10, 64)
	ss.mu.Lock()
	ss.resume = &resumeState{from: from, filter: cmd.str("filter"), progress: cmd.str("progress") == "1"}
	ss.mu.Unlock()
	ss.relay.Store(true)
	return success("callgate_resume")
}

// seqPkts are an event's packets kept with its sequence during catch-up.
type seqPkts struct {
	seq  uint64
	pkts [][]byte
}

// sendEvent queues one event's packets, preceded by its sequence marker on
// a relay session; during a catch-up they wait (see catchUp).
func (ss *session) sendEvent(seq uint64, pkts [][]byte) bool {
	if ss.relay.Load() {
		pkts = append([][]byte{seqMarker(seq)}, pkts...)
	}
	ss.ev.mu.Lock()
	defer ss.ev.mu.Unlock()
	if ss.ev.catching {
		ss.ev.caught = append(ss.ev.caught, seqPkts{seq, pkts})
		return true
	}
	return ss.sendEventsLocked(pkts)
}

// wants says whether an event for tg reaches this session.
func (ss *session) wants(tg target) bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.user == "" {
		return false
	}
	if tg.progress {
		return ss.progress
	}
	return ss.filter == "" || tg.agent == "" || ss.filter == tg.agent
}

// loginResumed completes the login of a relayed session being resumed: live
// events wait while the ones from the resume point are read back from the
// bus, then those past what was read back follow. Called by hLogin with
// the credentials checked, in place of setting the user.
func (ss *session) loginResumed(ctx context.Context, user, cookie string, r *resumeState) {
	ss.ev.mu.Lock()
	ss.ev.catching = true
	ss.ev.mu.Unlock()
	ss.mu.Lock()
	ss.user, ss.cookie, ss.filter, ss.progress = user, cookie, r.filter, r.progress
	ss.mu.Unlock()
	through := ss.replay(ctx, r.from)
	ss.ev.mu.Lock()
	defer ss.ev.mu.Unlock()
	for _, c := range ss.ev.caught {
		if c.seq > through {
			for _, p := range c.pkts {
				ss.send(p)
			}
		}
	}
	ss.ev.caught, ss.ev.catching = nil, false
}

// replay sends the bus's events from from up to its last one when the
// call began; it returns the last sequence sent (0: nothing replayed,
// every caught event is new). Live events keep coming while it reads: a
// subscription they overflow is opened again where it stopped.
func (ss *session) replay(ctx context.Context, from uint64) uint64 {
	bus := ss.srv.eng.Bus()
	last := bus.LastSeq()
	if from == 0 || from > last {
		return 0
	}
	through := from - 1
	for through < last && ctx.Err() == nil {
		sub, err := bus.Subscribe(through+1, int(last-through)+64)
		if err != nil {
			if errors.Is(err, core.ErrGap) {
				ss.srv.log.Warn("ECCP relay resume: events before the bus's replay window are lost", "from", through+1, "peer", ss.peer)
			} else {
				ss.srv.log.Error("ECCP relay resume", "err", err)
			}
			return through
		}
		for ev := range sub.C() {
			if pkts, tg := ss.srv.eventPackets(ctx, ev); len(pkts) > 0 && ss.wants(tg) {
				ss.send(seqMarker(ev.Seq))
				for _, p := range pkts {
					ss.send(p)
				}
			}
			through = ev.Seq
			if through >= last {
				break
			}
		}
		sub.Close()
	}
	return through
}
