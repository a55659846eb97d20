package main

import (
	"bytes"
	"net"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/callgate/callgate/api/eccp"
)

// sessionRelay carries one client's ECCP session from a standby to the
// leader and, when the leader dies, to the next one: the client keeps its
// connection, its login and filters are replayed, and the new leader sends
// the events from the last one relayed on (api/eccp/relay.go), so none is
// lost or repeated. Requests the dead leader never answered get a 503.
type sessionRelay struct {
	c      *cluster
	client net.Conn
	key    []byte

	mu       sync.Mutex // guards up and the session state below
	up       net.Conn
	login    []byte // the client's login request, its id made the relay's
	filter   string
	progress bool
	lastSeq  uint64
	pending  []string // ids of client requests sent up and not yet answered
	done     bool     // the client is gone
}

// reconnectBound is how long a relayed client waits for a new leader.
const reconnectBound = 60 * time.Second

var (
	requestIDRE = regexp.MustCompile(`<request\s+id="([^"]*)"`)
	respIDRE    = regexp.MustCompile(`^(?:<\?xml[^>]*\?>\s*)?<response\s+id="([^"]*)"`)
	agentNumRE  = regexp.MustCompile(`<agent_number>([^<]*)</agent_number>`)
	enableRE    = regexp.MustCompile(`<enable>\s*([^<\s]*)\s*</enable>`)
)

func (r *sessionRelay) run() {
	defer r.closeAll()
	up := r.dial(time.Now().Add(5 * time.Second))
	if up == nil {
		return
	}
	// Sequence markers from the first byte: the resume point is known.
	if _, err := up.Write(eccp.ResumeRequest(r.key, 0, "", false)); err != nil {
		_ = up.Close()
		return
	}
	r.mu.Lock()
	r.up = up
	r.mu.Unlock()
	go r.fromClient()
	for {
		r.fromLeader(up)
		if up = r.resume(); up == nil {
			return
		}
	}
}

// dial connects to the leader's ECCP listener and asks for sequence
// markers (resume from 0: live events); nil past deadline.
func (r *sessionRelay) dial(deadline time.Time) net.Conn {
	for time.Now().Before(deadline) {
		if addr := r.c.leaderECCP(); addr != "" {
			if up, err := net.DialTimeout("tcp", addr, 3*time.Second); err == nil {
				return up
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}

// fromClient frames the client's requests, notes what a resumed session
// needs (login, filter, callprogress, unanswered ids) and sends them up.
func (r *sessionRelay) fromClient() {
	fr := eccp.NewFramer(0)
	buf := make([]byte, 32<<10)
	for {
		n, err := r.client.Read(buf)
		fr.Feed(buf[:n])
		for {
			doc, ferr := fr.Next()
			if ferr != nil {
				r.closeAll()
				return
			}
			if doc == nil {
				break
			}
			r.forwardUp(doc)
		}
		if err != nil {
			r.closeAll()
			return
		}
	}
}

func (r *sessionRelay) forwardUp(doc []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.note(doc)
	if r.up == nil {
		return
	}
	if _, err := r.up.Write(append(doc, '\n')); err != nil {
		_ = r.up.Close() // fromLeader notices and resumes
	}
}

// note keeps the session state a new leader must be told. Called with mu.
func (r *sessionRelay) note(doc []byte) {
	s := string(doc)
	if m := requestIDRE.FindStringSubmatch(s); m != nil {
		r.pending = append(r.pending, m[1])
	}
	switch {
	case strings.Contains(s, "<login>"):
		r.login = requestIDRE.ReplaceAll(doc, []byte(`<request id="callgate-login"`))
	case strings.Contains(s, "<logout"):
		r.login, r.filter, r.progress = nil, "", false
	case strings.Contains(s, "<filterbyagent>"):
		if m := agentNumRE.FindStringSubmatch(s); m != nil {
			r.filter = strings.TrimSpace(m[1])
			if r.filter == "any" {
				r.filter = ""
			}
		}
	case strings.Contains(s, "<callprogress>"):
		if m := enableRE.FindStringSubmatch(s); m != nil {
			r.progress = m[1] != "" && m[1] != "0"
		}
	}
}

// fromLeader copies the leader's documents to the client until the
// leader's connection ends: markers and the relay's own answers are
// kept back.
func (r *sessionRelay) fromLeader(up net.Conn) {
	fr := eccp.NewFramer(0)
	buf := make([]byte, 64<<10)
	for {
		n, err := up.Read(buf)
		fr.Feed(buf[:n])
		for {
			doc, ferr := fr.Next()
			if ferr != nil || (doc == nil && err != nil) {
				return
			}
			if doc == nil {
				break
			}
			if !r.toClient(doc) {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (r *sessionRelay) toClient(doc []byte) bool {
	if seq, ok := eccp.SeqMarker(doc); ok {
		r.mu.Lock()
		r.lastSeq = seq
		r.mu.Unlock()
		return true
	}
	if m := respIDRE.FindSubmatch(doc); m != nil {
		id := string(m[1])
		if strings.HasPrefix(id, "callgate-") {
			return true
		}
		r.answered(id)
	}
	_, err := r.client.Write(append(doc, '\n'))
	return err == nil
}

func (r *sessionRelay) answered(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, p := range r.pending {
		if p == id {
			r.pending = append(r.pending[:i], r.pending[i+1:]...)
			return
		}
	}
}

// resume reconnects to the (new) leader and restores the session there;
// nil when the client is gone or no leader came within reconnectBound.
func (r *sessionRelay) resume() net.Conn {
	r.mu.Lock()
	if r.up != nil {
		_ = r.up.Close()
	}
	r.up = nil
	done := r.done
	r.mu.Unlock()
	if done {
		return nil
	}
	up := r.dial(time.Now().Add(reconnectBound))
	if up == nil {
		r.c.g.log.Warn("cluster: ECCP session ends: no leader reachable", "within", reconnectBound)
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	from := uint64(0)
	if r.lastSeq > 0 {
		from = r.lastSeq + 1
	}
	hello := eccp.ResumeRequest(r.key, from, r.filter, r.progress)
	if r.login != nil {
		hello = append(hello, r.login...)
		hello = append(hello, '\n')
	}
	if _, err := up.Write(hello); err != nil {
		r.c.g.log.Warn("cluster: ECCP session ends: resuming at the new leader failed", "err", err)
		_ = up.Close()
		return nil
	}
	// Requests the dead leader took without answering cannot be known to
	// have run: the client is told to try again.
	for _, id := range r.pending {
		var b bytes.Buffer
		b.WriteString(`<?xml version="1.0"?>` + "\n" + `<response id="`)
		b.WriteString(id)
		b.WriteString(`"><failure><code>503</code><message>Leader changed, request not run; retry</message></failure></response>` + "\n")
		_, _ = r.client.Write(b.Bytes())
	}
	r.pending = nil
	r.up = up
	r.c.g.log.Info("cluster: ECCP session relayed to the new leader", "from_seq", from)
	return up
}

// closeAll ends both sides.
func (r *sessionRelay) closeAll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done = true
	_ = r.client.Close()
	if r.up != nil {
		_ = r.up.Close()
	}
}
