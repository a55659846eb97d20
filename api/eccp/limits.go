package eccp

import (
	"container/list"
	"net"
	"net/netip"
	"sync"
	"time"
)

// Defaults of the flood limits (Options.MaxConns, MaxConnsPerSource,
// LoginTimeout).
const (
	DefaultMaxConns          = 2000
	DefaultMaxConnsPerSource = 64
	DefaultLoginTimeout      = 30 * time.Second
)

// closeReason is why the server closed a connection on its own. The set is
// closed: metrics label by it.
type closeReason int

const (
	reasonGlobalCap closeReason = iota
	reasonSourceCap
	reasonLoginTimeout
	reasonAllowList
	numReasons
	reasonNone closeReason = -1
)

// RejectReasons names, in order, every reason Stats.Rejected counts.
var RejectReasons = [numReasons]string{"global_cap", "source_cap", "login_timeout", "allow_list"}

var reasonMessages = [numReasons]string{
	"ECCP connection closed: connection cap reached (eccp.max_conns)",
	"ECCP connection closed: too many connections waiting to log in from one source (eccp.max_conns_per_source)",
	"ECCP connection closed: no login within the login deadline (eccp.login_timeout)",
	"ECCP connection refused by allow-list",
}

// Stats is a snapshot of the listener's counters.
type Stats struct {
	Sessions        int // open connections
	Unauthenticated int // open connections that have not logged in yet
	// Rejected counts the connections the server closed on its own, by
	// reason; it always holds every name of RejectReasons.
	Rejected     map[string]uint64
	AcceptErrors uint64 // failed accepts (each retried after a backoff)
}

// Stats reports the listener's counters.
func (s *Server) Stats() Stats {
	st := Stats{Sessions: s.SessionCount(), Rejected: make(map[string]uint64, numReasons), AcceptErrors: s.acceptErrs.Load()}
	for i, name := range RejectReasons {
		st.Rejected[name] = s.closedBy[i].Load()
	}
	s.mu.Lock()
	st.Unauthenticated = s.pending.Len()
	s.mu.Unlock()
	return st
}

// sourceKey is the address the per-source cap counts by: the peer's IP,
// IPv4-mapped addresses as IPv4, and IPv6 by /64 since anyone holding one
// address usually holds the whole /64.
func sourceKey(a net.Addr) netip.Addr {
	var ip netip.Addr
	if ta, ok := a.(*net.TCPAddr); ok {
		ip, _ = netip.AddrFromSlice(ta.IP)
	} else if ap, err := netip.ParseAddrPort(a.String()); err == nil {
		ip = ap.Addr()
	}
	ip = ip.Unmap()
	if ip.Is6() {
		if p, err := ip.Prefix(64); err == nil {
			return p.Addr()
		}
	}
	return ip
}

// makeRoomLocked decides whether a new connection from src fits. It
// returns reasonNone when it does; otherwise the reason and the connection
// to close for it, the oldest that has not logged in, or nil when every
// open connection is logged in (then the new one is refused).
func (s *Server) makeRoomLocked(src netip.Addr) (*session, closeReason) {
	if l := s.bySource[src]; l != nil && l.Len() >= s.opt.MaxConnsPerSource {
		return l.Front().Value.(*session), reasonSourceCap
	}
	if len(s.sessions) >= s.opt.MaxConns {
		if f := s.pending.Front(); f != nil {
			return f.Value.(*session), reasonGlobalCap
		}
		return nil, reasonGlobalCap
	}
	return nil, reasonNone
}

func (s *Server) addPendingLocked(ss *session) {
	ss.pendAll = s.pending.PushBack(ss)
	l := s.bySource[ss.src]
	if l == nil {
		l = list.New()
		s.bySource[ss.src] = l
	}
	ss.pendSrc = l.PushBack(ss)
}

func (s *Server) unlinkPendingLocked(ss *session) {
	if ss.loginTimer != nil {
		ss.loginTimer.Stop()
	}
	if ss.pendAll == nil {
		return
	}
	s.pending.Remove(ss.pendAll)
	if l := s.bySource[ss.src]; l != nil {
		l.Remove(ss.pendSrc)
		if l.Len() == 0 {
			delete(s.bySource, ss.src)
		}
	}
	ss.pendAll, ss.pendSrc = nil, nil
}

// dropLocked forgets a session, at once, so that closing it makes room
// before its goroutines notice. It is idempotent.
func (s *Server) dropLocked(ss *session) {
	if _, ok := s.sessions[ss]; !ok {
		return
	}
	delete(s.sessions, ss)
	s.sessions0.Add(-1)
	s.unlinkPendingLocked(ss)
}

// promote takes a session that has logged in out of the caps' reach.
func (s *Server) promote(ss *session) {
	s.mu.Lock()
	s.unlinkPendingLocked(ss)
	s.mu.Unlock()
}

// loginExpired closes a session that is still waiting to log in.
func (s *Server) loginExpired(ss *session) {
	// The login handler sets the user before the read goroutine promotes
	// the session; a login that has just succeeded is kept.
	loggedIn := ss.username() != ""
	s.mu.Lock()
	if ss.pendAll == nil {
		s.mu.Unlock()
		return
	}
	if loggedIn {
		s.unlinkPendingLocked(ss)
		s.mu.Unlock()
		return
	}
	s.closedBy[reasonLoginTimeout].Add(1)
	s.dropLocked(ss)
	s.mu.Unlock()
	ss.kill()
	s.refused(reasonLoginTimeout, ss.peer)
}

// refused logs a connection the server closed on its own (counted by the
// caller before the close, so that the count is there once the client sees
// it), at most once per logEvery per reason so that a flood cannot flood
// the log as well.
func (s *Server) refused(r closeReason, peer string) {
	n, ok := s.logs[r].note(time.Now())
	if !ok {
		return
	}
	args := []any{"reason", RejectReasons[r], "peer", peer, "closed_since_last_log", n}
	switch r {
	case reasonGlobalCap:
		args = append(args, "max_conns", s.opt.MaxConns)
	case reasonSourceCap:
		args = append(args, "max_conns_per_source", s.opt.MaxConnsPerSource)
	case reasonLoginTimeout:
		args = append(args, "login_timeout", s.opt.LoginTimeout)
		s.log.Info(reasonMessages[r], args...)
		return
	}
	s.log.Warn(reasonMessages[r], args...)
}

// logEvery is the least time between two log lines of one rateLog.
const logEvery = 10 * time.Second

// rateLog lets one line through per logEvery and counts the others, so the
// line that gets through can say how many it stands for.
type rateLog struct {
	mu   sync.Mutex
	next time.Time
	n    int
}

// note records one occurrence; it reports whether to log now and how many
// occurrences (this one included) the line stands for.
func (r *rateLog) note(now time.Time) (int, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	if now.Before(r.next) {
		return 0, false
	}
	n := r.n
	r.n, r.next = 0, now.Add(logEvery)
	return n, true
}
