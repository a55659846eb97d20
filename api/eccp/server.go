// Package eccp serves the Elastix/Issabel call-center protocol (ECCP): XML
// documents over TCP port 20005, one session per connection, requests
// answered by the core engine and domain events pushed as <event> packets.
// Wire behaviour follows what Issabel's dialerd really does, not its
// protocol document, wherever the two differ.
//
// Where Callgate knowingly differs from dialerd:
//   - dialerd lists only its call center's queues and agents; Callgate's
//     deployment is shared by every dialect, so getincomingqueuelist and
//     getagentactivitysummary show the agents with an ECCP password and the
//     queues one of them is a member of, unless the ECCP system setting
//     show_all_queues is Y (admin API /api/v1/settings);
//   - an incoming call's matched contact carries dialerd's fifth attribute
//     contact_source from the lead's source id (Issabel's contact.origen),
//     "crm" when empty as Issabel's column default;
//   - loginagent checks that the extension exists as dialerd does against
//     FreePBX's devices table, but the device list is the core's: the
//     provisioned phones plus each agent's own endpoint (Callgate has no
//     FreePBX database); an unknown extension is 404 "Specified extension
//     not found" and starts no login;
//   - an agent without an ECCP password is not accepted with any agent_hash;
//     the hash is computed with the empty password;
//   - requests of one connection are answered in order (dialerd's worker
//     pool may reorder pipelined replies; clients correlate by id anyway);
//   - getchanvars lists the customer channel's variables with word names
//     (dialerd's ^\w+= lines of "core show channel"), sorted by name where
//     Asterisk prints the newest first; over ARI, which cannot list a
//     channel's variables, they are the variables the gateway set on the
//     channel plus Asterisk's standard ones (BRIDGEPEER, DIALSTATUS,
//     QUEUENAME…) that have a value (pkg/telephony/ari/chanvars.go), so a
//     variable set only by the dialplan under another name is missing;
//   - channel, remote_channel, callchannel and clientchannel carry Asterisk's
//     channel names (PJSIP/1064-0000000a) as dialerd does; an agent's
//     channel is its login channel while a persistent line is up and its
//     device (SIP/1064) otherwise, since on-hook agents have no login
//     channel; a call leg the PBX has not named yet is left out;
//   - campaignlog, callprogress ids and campaignlog_id come from the core's
//     queue log rather than a call_progress_log table;
//   - the optional IP allow-list and idle timeout exist (off by default);
//   - failed logins delay further logins of that client name from that peer
//     address only (after three, 1s doubling up to 15 min; core
//     Credentials), so one console failing never stops the others sharing
//     the account; an attempt inside its delay is refused unchecked;
//   - every login failure answers like dialerd's wrong password, nested 401
//     "Invalid username or password": unknown or inactive client, wrong
//     password and a delayed attempt alike, nothing else differs;
//   - the client's secret is stored as a slow hash of its MD5 (both login
//     forms verify) and agents' ECCP passwords sealed (agent_hash needs them
//     in clear), so the database holds neither in clear;
//   - the listener defends itself against floods (dialerd accepts every
//     connection and lets it idle forever): a connection that has not
//     logged in within LoginTimeout (30s) is closed; at most
//     MaxConnsPerSource (64) connections from one address (IPv6: one /64)
//     may be waiting to log in, and at most MaxConns (2000) may be open.
//     Past a cap the oldest connection still waiting to log in is closed to
//     make room, so a burst of idle connections cannot keep a real console
//     out; only when every connection is logged in is the new one closed.
//     Closed connections get no packet (dialerd has no error for this; the
//     PHP client reports a failed read either way), and accept errors such
//     as EMFILE are retried with backoff, never fatal;
//   - getpauses lists the breaks without a campaign, active (status A) and
//     inactive (status I) as dialerd does; campaign-scoped codes belong to
//     other dialects (Issabel's break table has no campaign);
//   - once more than 8 KiB may be waiting unread, packets go without their
//     trailing newline, which would otherwise break the PHP client (see
//     session.trimNewline).
package eccp

import (
	"bytes"
	"container/list"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/callgate/callgate/core"
)

// DefaultAddr is where dialerd listens.
const DefaultAddr = ":20005"

// Options configures a Server. The zero value behaves like dialerd: no IP
// allow-list and no idle timeout.
type Options struct {
	// Addr is used by ListenAndServe; DefaultAddr when empty.
	Addr   string
	Logger *slog.Logger
	// AllowFrom, when not empty, is the list of networks that may connect;
	// other peers are disconnected at once.
	AllowFrom []netip.Prefix
	// IdleTimeout closes a connection that sends nothing for this long.
	IdleTimeout time.Duration
	// QueueSize bounds the packets waiting to be written to one client; a
	// client that lets it overflow is disconnected. Default 4096.
	QueueSize int
	// WriteTimeout bounds one socket write. Default 30s.
	WriteTimeout time.Duration
	// MaxPacket bounds one request document. Default 1 MiB.
	MaxPacket int
	// MaxConns caps the open connections. Past it the oldest connection
	// that has not logged in is closed to make room, or the new one when
	// every connection is logged in. Default 2000, lowered to half the
	// process's open-file limit when that is smaller, so that a flood can
	// never take the descriptors HTTP and the database need.
	MaxConns int
	// MaxConnsPerSource caps the connections from one source address (for
	// IPv6, one /64) that have not logged in yet; past it the oldest of them
	// is closed. Logged-in sessions do not count: all the consoles of a call
	// center often come from one web server. Default 64.
	MaxConnsPerSource int
	// LoginTimeout closes a connection that has not completed a successful
	// login this long after it was accepted. Logged-in sessions are not
	// affected (see IdleTimeout). Default 30s.
	LoginTimeout time.Duration
	// Clock defaults to the engine's clock.
	Clock func() time.Time
	// RelayKey enables the relay protocol between gateways (relay.go):
	// a relay holding it may resume a session across a failover.
	RelayKey []byte
}

// Server is an ECCP listener bound to one engine.
type Server struct {
	eng *core.Engine
	opt Options
	log *slog.Logger
	now func() time.Time

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	sessions  map[*session]struct{}
	closed    bool
	wg        sync.WaitGroup

	fan       *fanout
	fanOnce   sync.Once
	stopFan   chan struct{} // closed by Shutdown
	sessions0 atomic.Int64  // gauge, for logs and tests

	// Connections that have not logged in yet, oldest first, all of them
	// and by source; guarded by mu. They are the ones a cap closes.
	pending  list.List
	bySource map[netip.Addr]*list.List

	closedBy   [numReasons]atomic.Uint64
	acceptErrs atomic.Uint64
	// One rate limiter per log line a flood could repeat.
	logs [numReasons + 1]rateLog
}

// NewServer creates a server; Serve starts accepting.
func NewServer(engine *core.Engine, opts Options) *Server {
	if opts.Addr == "" {
		opts.Addr = DefaultAddr
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = 4096
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = 30 * time.Second
	}
	if opts.MaxPacket <= 0 {
		opts.MaxPacket = 1 << 20
	}
	log := opts.Logger
	if log == nil {
		log = engine.Logger()
	}
	if log == nil {
		log = slog.Default()
	}
	fdLim := 0
	if opts.MaxConns <= 0 {
		opts.MaxConns = DefaultMaxConns
		if lim := fdLimit(); lim > 0 && lim/2 < opts.MaxConns {
			opts.MaxConns, fdLim = max(lim/2, 1), lim
		}
	}
	if opts.MaxConnsPerSource <= 0 {
		opts.MaxConnsPerSource = DefaultMaxConnsPerSource
	}
	if opts.LoginTimeout <= 0 {
		opts.LoginTimeout = DefaultLoginTimeout
	}
	now := opts.Clock
	if now == nil {
		now = engine.Now
	}
	s := &Server{
		eng: engine, opt: opts, log: log.With("component", "eccp"), now: now,
		listeners: map[net.Listener]struct{}{}, sessions: map[*session]struct{}{},
		stopFan: make(chan struct{}), bySource: map[netip.Addr]*list.List{},
	}
	if fdLim > 0 {
		s.log.Info("ECCP connection cap lowered to half the open-file limit", "max_conns", opts.MaxConns, "nofile", fdLim)
	}
	s.fan = newFanout(s)
	return s
}

// ListenAndServe listens on Options.Addr and serves until Shutdown.
func (s *Server) ListenAndServe() error {
	l, err := net.Listen("tcp", s.opt.Addr)
	if err != nil {
		return err
	}
	return s.Serve(l)
}

// ErrServerClosed is returned by Serve after Shutdown.
var ErrServerClosed = errors.New("eccp: server closed")

// Serve accepts connections on l until Shutdown (then it returns
// ErrServerClosed) or until l is closed by someone else. Accept errors, such
// as running out of file descriptors, are logged and retried with a backoff
// from 5ms to 1s, as net/http does; they never end Serve.
func (s *Server) Serve(l net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		l.Close()
		return ErrServerClosed
	}
	s.listeners[l] = struct{}{}
	// Under mu, so the Add happens before a Shutdown's Wait, or
	// Shutdown came first and Serve returned above.
	s.fanOnce.Do(func() {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.fan.run(s.stopFan)
		}()
	})
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, l)
		s.mu.Unlock()
	}()
	var delay time.Duration
	for {
		c, err := l.Accept()
		if err != nil {
			if s.isClosed() {
				return ErrServerClosed
			}
			if errors.Is(err, net.ErrClosed) {
				return err
			}
			// EMFILE and ENFILE pass once connections close; aborted
			// handshakes at once. Whatever it is, a flood must not stop
			// the listener, so only a closed listener ends the loop.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			s.acceptErrs.Add(1)
			if n, ok := s.logs[numReasons].note(time.Now()); ok {
				s.log.Warn("ECCP accept failed; retrying", "err", err, "retry_in", delay, "errors_since_last_log", n)
			}
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-s.stopFan:
				t.Stop()
			}
			continue
		}
		delay = 0
		if !s.allowed(c.RemoteAddr()) {
			s.closedBy[reasonAllowList].Add(1)
			c.Close()
			s.refused(reasonAllowList, c.RemoteAddr().String())
			continue
		}
		s.startSession(c)
	}
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

func (s *Server) allowed(a net.Addr) bool {
	if len(s.opt.AllowFrom) == 0 {
		return true
	}
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return false
	}
	ip := ap.Addr().Unmap()
	for _, p := range s.opt.AllowFrom {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// Shutdown stops accepting, closes every session and waits for the
// server's goroutines, or for ctx.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		for l := range s.listeners {
			l.Close()
		}
		for ss := range s.sessions {
			ss.kill()
		}
		close(s.stopFan)
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// SessionCount reports the open connections.
func (s *Server) SessionCount() int { return int(s.sessions0.Load()) }

func (s *Server) startSession(c net.Conn) {
	peer := c.RemoteAddr().String()
	src := sourceKey(c.RemoteAddr())
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.Close()
		return
	}
	victim, reason := s.makeRoomLocked(src)
	if reason != reasonNone {
		s.closedBy[reason].Add(1)
	}
	if reason != reasonNone && victim == nil {
		s.mu.Unlock()
		c.Close()
		s.refused(reason, peer)
		return
	}
	if victim != nil {
		s.dropLocked(victim)
	}
	ss := &session{
		srv: s, conn: c, out: make(chan []byte, s.opt.QueueSize), done: make(chan struct{}),
		peer: peer, src: src,
	}
	s.sessions[ss] = struct{}{}
	s.sessions0.Add(1)
	s.addPendingLocked(ss)
	ss.loginTimer = time.AfterFunc(s.opt.LoginTimeout, func() { s.loginExpired(ss) })
	s.wg.Add(2)
	s.mu.Unlock()
	if victim != nil {
		victim.kill()
		s.refused(reason, victim.peer)
	}
	go func() {
		defer s.wg.Done()
		ss.writeLoop()
	}()
	go func() {
		defer s.wg.Done()
		ss.readLoop()
		s.mu.Lock()
		s.dropLocked(ss)
		s.mu.Unlock()
	}()
}

// snapshot lists the open sessions for event fan-out.
func (s *Server) snapshot(buf []*session) []*session {
	s.mu.Lock()
	defer s.mu.Unlock()
	buf = buf[:0]
	for ss := range s.sessions {
		buf = append(buf, ss)
	}
	return buf
}

// session is one ECCP connection. Its requests are answered in order by
// the read goroutine; everything written goes through the bounded out
// queue so that neither the engine nor the fan-out ever waits for a slow
// client.
type session struct {
	srv  *Server
	conn net.Conn
	peer string
	out  chan []byte
	done chan struct{}
	once sync.Once

	mu       sync.Mutex
	user     string // ECCP client username, "" until login
	cookie   string
	filter   string // agent filter (filterbyagent), "" for all
	progress bool   // callprogress enabled

	// syncSeq is set by handlers whose own events must reach the client
	// before their response (pause and hold).
	syncSeq uint64
	// ev keeps events back while a response that precedes them is built
	// (unhold).
	ev eventHold
	// relay: the peer is a gateway's relay (relay.go); resume is what it
	// asked for before the login.
	relay  atomic.Bool
	resume *resumeState

	// src is the source the per-source cap counts by. While the session
	// has not logged in it sits in the server's pending lists (guarded by
	// srv.mu); loggedIn is the read goroutine's own note that it left them.
	src        netip.Addr
	pendAll    *list.Element
	pendSrc    *list.Element
	loginTimer *time.Timer
	loggedIn   bool

	// Stream offsets for the trailing-newline rule of writeLoop. respEnd is
	// just past the last response handed to the socket; readMark is the
	// offset the client is known to have read: a request means the PHP
	// client, which never pipelines, has read the previous response.
	respEnd  atomic.Int64
	readMark atomic.Int64
}

// closeMarker in the out queue means: close once everything before it is
// written.
var closeMarker = []byte{}

func (ss *session) kill() {
	ss.once.Do(func() {
		close(ss.done)
		ss.conn.Close()
	})
}

// send queues a packet; a full queue means the client does not read, and
// it is disconnected rather than allowed to hold memory or the engine.
func (ss *session) send(p []byte) bool {
	select {
	case <-ss.done:
		return false
	default:
	}
	select {
	case ss.out <- p:
		return true
	default:
		ss.srv.log.Warn("client too slow, output queue overflowed; closing", "peer", ss.peer, "user", ss.username())
		ss.kill()
		return false
	}
}

// closeAfterFlush queues a close that takes effect after the packets
// already queued are written.
func (ss *session) closeAfterFlush() {
	select {
	case ss.out <- closeMarker:
	default:
		ss.kill()
	}
}

func (ss *session) username() string {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.user
}

// maxBatch keeps each write within one loopback TCP segment, so that a
// write reaches the client's socket whole.
const maxBatch = 60 << 10

// phpReadSize is what one fread on a socket returns at most in PHP: the
// stream's 8192-byte chunk, whatever length the ECCP client asks for.
const phpReadSize = 8192

// trimNewline drops a packet's trailing newline where the PHP client could
// read it alone. The newline is dialerd's and is kept while the client
// keeps up. But the PHP client resets its parser after each root and hands
// the next read to it as is: when a read ends just after a root's '>', the
// "\n" that starts the next read stands before an XML declaration and the
// client throws ECCPMalformedXMLException (reproduced with the real client
// and a backlog of events). A read stops short of the data waiting only
// when more than phpReadSize bytes wait, so only packets ending past
// readMark+phpReadSize are at risk; the client finds a packet's end at its
// root's '>' and does not need the newline.
func (ss *session) trimNewline(p []byte, end int64) []byte {
	if end-ss.readMark.Load() > phpReadSize && len(p) > 0 && p[len(p)-1] == '\n' {
		return p[:len(p)-1]
	}
	return p
}

var responsePrefix = []byte(xmlDecl + "<response")

func (ss *session) writeLoop() {
	buf := make([]byte, 0, 8192)
	var carry []byte
	var written int64 // bytes handed to the socket so far
	for {
		var p []byte
		if carry != nil {
			p, carry = carry, nil
		} else {
			select {
			case p = <-ss.out:
			case <-ss.done:
				return
			}
		}
		if len(p) == 0 {
			ss.kill()
			return
		}
		// Coalesce what is already queued into one write, as dialerd's
		// socket loop does; packets are never split between writes.
		respEnd := int64(-1)
		add := func(q []byte) {
			q = ss.trimNewline(q, written+int64(len(buf)+len(q)))
			buf = append(buf, q...)
			if bytes.HasPrefix(q, responsePrefix) {
				respEnd = written + int64(len(buf))
			}
		}
		buf = buf[:0]
		add(p)
		closing := false
	drain:
		for len(buf) < maxBatch {
			select {
			case q := <-ss.out:
				if len(q) == 0 {
					closing = true
					break drain
				}
				if len(buf)+len(q) > maxBatch {
					carry = q
					break drain
				}
				add(q)
			default:
				break drain
			}
		}
		if respEnd >= 0 {
			// Before the write: the client can only answer a response it
			// has received.
			ss.respEnd.Store(respEnd)
		}
		ss.conn.SetWriteDeadline(time.Now().Add(ss.srv.opt.WriteTimeout))
		if _, err := ss.conn.Write(buf); err != nil {
			ss.kill()
			return
		}
		written += int64(len(buf))
		if closing {
			// Half-close first so the client reads the reply before EOF.
			if tc, ok := ss.conn.(interface{ CloseWrite() error }); ok {
				tc.CloseWrite()
			}
			ss.kill()
			return
		}
	}
}

func (ss *session) readLoop() {
	defer ss.kill()
	fr := newFramer(ss.srv.opt.MaxPacket)
	buf := make([]byte, 4096)
	for {
		if t := ss.srv.opt.IdleTimeout; t > 0 {
			ss.conn.SetReadDeadline(time.Now().Add(t))
		}
		n, err := ss.conn.Read(buf)
		if n > 0 {
			fr.feed(buf[:n])
			for {
				doc, ferr := fr.next()
				if ferr != nil {
					ss.badPacket()
					return
				}
				if doc == nil {
					break
				}
				ss.readMark.Store(ss.respEnd.Load())
				if !ss.handlePacket(doc) {
					ss.finish()
					return
				}
			}
		}
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				ss.srv.log.Info("closing idle connection", "peer", ss.peer)
			} else if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				ss.srv.log.Debug("read error", "peer", ss.peer, "err", err)
			}
			ss.finish()
			return
		}
	}
}

// badPacket answers malformed input with the id-less 400 and closes, as
// dialerd does.
func (ss *session) badPacket() {
	ss.send(packet(topFailure(400, "Bad request")))
	ss.finish()
}

// finish closes the connection once the queued packets are written.
func (ss *session) finish() {
	ss.closeAfterFlush()
	select {
	case <-ss.done:
	case <-time.After(ss.srv.opt.WriteTimeout):
	}
}
