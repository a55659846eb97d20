// Package simari is a simulated Asterisk that speaks ARI: the REST
// interface under /ari, the events websocket at /ari/events, and a small
// control API under /control for tests (calls arriving from outside, far
// ends answering, hanging up and pressing keys).
//
// It is backed by the in-process simulated PBX (pkg/telephony/sim), so the
// channels, bridges, playbacks and recordings behave exactly as they do for
// the engine tests; simari only adds the wire: ARI's JSON bodies, its status
// codes and error messages, and its events. That lets the real ARI driver
// (pkg/telephony/ari) and multi-gateway tests run without an Asterisk.
//
// Deliberate limits, each answered honestly rather than faked:
//   - one Stasis application (Config.App); a websocket for another
//     application is refused with 400, and an originate into the dialplan
//     (no app) with 400;
//   - no dialplan: originated channels behave by endpoint rules (control API
//     PUT /control/behaviors), inbound calls come from POST /control/inbound;
//   - no audio: recordings are WAV files synthesized from their duration.
package simari

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

// Config describes a simulated Asterisk.
type Config struct {
	// User and Password are required: every request (ARI, events, control)
	// must carry them as HTTP Basic credentials.
	User, Password string
	// App is the one Stasis application served (default "callgate").
	App string
	// NodeID is the asterisk_id stamped on events (default "simari").
	NodeID string
	// PlaybackDuration is how long a playback lasts before it finishes by
	// itself (default 1s; negative: until stopped).
	PlaybackDuration time.Duration
	// EventBuffer is how many events may wait for a slow websocket reader
	// before the connection is dropped, as Asterisk drops a websocket it
	// cannot write to (default 4096).
	EventBuffer int
	// Logger receives the server's lines (default: discarded).
	Logger *slog.Logger
}

func (c Config) withDefaults() (Config, error) {
	if c.User == "" || c.Password == "" {
		return c, errors.New("simari: user and password are required")
	}
	if c.App == "" {
		c.App = "callgate"
	}
	if c.NodeID == "" {
		c.NodeID = "simari"
	}
	if c.PlaybackDuration == 0 {
		c.PlaybackDuration = time.Second
	}
	if c.EventBuffer <= 0 {
		c.EventBuffer = 4096
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return c, nil
}

// maxBody bounds every request body (ARI parameters and control commands).
const maxBody = 64 << 10

// Server is a simulated Asterisk. It is an http.Handler.
type Server struct {
	cfg     Config
	pbx     *sim.PBX
	h       http.Handler
	userSum [32]byte
	passSum [32]byte

	mu          sync.Mutex
	conn        *wsConn              // the application's websocket, nil when none
	filter      map[string]bool      // disallowed event types
	playbacks   map[string]mediaRef  // playback id -> target and media, while live
	states      map[string]*track    // channels as last reported in an event
	storedNames []string             // finished recordings, oldest first
	bridgeTimes map[string]time.Time // creation time of each live bridge
	closed      bool
}

// mediaRef remembers what a playback plays on, for its events' target_uri.
type mediaRef struct {
	target core.MediaTarget
	media  string
}

// New builds a simulated Asterisk and starts its PBX.
func New(cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:         cfg,
		pbx:         sim.New(cfg.NodeID),
		userSum:     sha256.Sum256([]byte(cfg.User)),
		passSum:     sha256.Sum256([]byte(cfg.Password)),
		filter:      map[string]bool{},
		playbacks:   map[string]mediaRef{},
		states:      map[string]*track{},
		bridgeTimes: map[string]time.Time{},
	}
	if cfg.PlaybackDuration > 0 {
		s.pbx.SetPlaybackDuration(cfg.PlaybackDuration)
	}
	// Asterisk is up whether or not an application listens: the PBX is
	// started once, and events nobody listens to are lost (fanOut).
	if err := s.pbx.Start(context.Background(), s.fanOut); err != nil {
		return nil, err
	}
	r := chi.NewRouter()
	r.Use(s.limitBody, s.auth)
	r.Route("/ari", s.ariRoutes)
	r.Route("/control", s.controlRoutes)
	s.h = r
	return s, nil
}

// PBX is the simulated PBX behind the server, for in-process tests that
// inspect its state directly.
func (s *Server) PBX() *sim.PBX { return s.pbx }

// App is the Stasis application served.
func (s *Server) App() string { return s.cfg.App }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.h.ServeHTTP(w, r) }

// Close drops the websocket and stops the PBX.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	c := s.conn
	s.conn = nil
	s.mu.Unlock()
	if c != nil {
		c.close()
	}
	return s.pbx.Close()
}

func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		}
		next.ServeHTTP(w, r)
	})
}

// auth checks HTTP Basic credentials in constant time (hashes of equal
// length, so neither length nor content leaks through timing). Asterisk
// also accepts api_key=user:password in the query; so does this.
func (s *Server) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok {
			if k := r.URL.Query().Get("api_key"); k != "" {
				u, p, ok = cutColon(k)
			}
		}
		us, ps := sha256.Sum256([]byte(u)), sha256.Sum256([]byte(p))
		good := subtle.ConstantTimeCompare(us[:], s.userSum[:]) & subtle.ConstantTimeCompare(ps[:], s.passSum[:])
		if !ok || good != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="Asterisk REST Interface"`)
			writeError(w, http.StatusUnauthorized, "Authentication required")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func cutColon(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			return s[:i], s[i+1:], true
		}
	}
	return "", "", false
}

// bridgeCreated is when a bridge was created (now, for one simari did not
// see created).
func (s *Server) bridgeCreated(id string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.bridgeTimes[id]; ok {
		return t
	}
	return time.Now()
}
