package simari

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/websocket"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

// wsWriteTimeout is Asterisk's websocket_write_timeout default: a client
// that does not take a frame within it is disconnected.
const wsWriteTimeout = 100 * time.Millisecond

// maxStored bounds the stored recordings listed by GET /recordings/stored.
const maxStored = 10000

// wsConn is the application's events websocket. Frames are queued by the
// PBX's delivery goroutine and written by the connection's own writer, so
// a slow client never holds the PBX up; a full queue drops the client, as
// Asterisk does.
type wsConn struct {
	ws   *websocket.Conn
	out  chan []byte
	done chan struct{}
	once sync.Once
}

func (c *wsConn) close() {
	c.once.Do(func() {
		close(c.done)
		_ = c.ws.Close()
	})
}

// push queues a frame; false if the client is too slow and was dropped.
func (c *wsConn) push(b []byte) bool {
	select {
	case <-c.done:
		return false
	default:
	}
	select {
	case c.out <- b:
		return true
	default:
		c.close()
		return false
	}
}

func (c *wsConn) writer() {
	for {
		select {
		case <-c.done:
			return
		case b := <-c.out:
			if b == nil { // asked to close once what was queued is written
				c.close()
				return
			}
			_ = c.ws.SetWriteDeadline(time.Now().Add(wsWriteTimeout))
			if err := websocket.Message.Send(c.ws, string(b)); err != nil {
				c.close()
				return
			}
		}
	}
}

// serveEvents upgrades GET /ari/events?app=<app> to the events websocket.
// A second websocket for the application replaces the first, which is told
// with ApplicationReplaced, as Asterisk does.
func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request) {
	app := r.URL.Query().Get("app")
	if app == "" {
		writeError(w, http.StatusBadRequest, "Missing parameter app")
		return
	}
	for _, a := range strings.Split(app, ",") {
		if a != s.cfg.App {
			writeError(w, http.StatusBadRequest, "Application "+a+" is not served by simari (only "+s.cfg.App+")")
			return
		}
	}
	srv := websocket.Server{
		// Asterisk does not check Origin; neither does the ARI driver send
		// a meaningful one.
		Handshake: func(*websocket.Config, *http.Request) error { return nil },
		Handler:   s.eventsConn,
	}
	srv.ServeHTTP(w, r)
}

func (s *Server) eventsConn(ws *websocket.Conn) {
	c := &wsConn{ws: ws, out: make(chan []byte, s.cfg.EventBuffer), done: make(chan struct{})}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ws.Close()
		return
	}
	old := s.conn
	s.conn = c
	s.filter = map[string]bool{}
	s.mu.Unlock()
	if old != nil {
		s.cfg.Logger.Info("simari: application replaced by a new websocket", "app", s.cfg.App)
		b, _ := json.Marshal(map[string]string{"type": "ApplicationReplaced", "application": s.cfg.App, "timestamp": stamp(time.Time{})})
		// The writer delivers it, then meets the nil that closes the socket.
		if old.push(b) {
			old.push(nil)
		}
	}
	go c.writer()
	// Read until the client goes: Asterisk ignores what a client sends.
	_, _ = io.Copy(io.Discard, ws)
	c.close()
	s.mu.Lock()
	if s.conn == c {
		s.conn = nil
	}
	s.mu.Unlock()
}

// fanOut is the PBX's sink: it renders each core event as the ARI events
// Asterisk would send and queues them on the application's websocket.
// It runs on the PBX's single delivery goroutine, in event order.
func (s *Server) fanOut(ev core.TelEvent) {
	switch ev.Type {
	case core.TelConnected:
		return
	case core.TelDisconnected:
		// sim.Restart: Asterisk went away, so does its websocket.
		s.mu.Lock()
		c := s.conn
		s.conn = nil
		clear(s.states)
		clear(s.playbacks)
		clear(s.bridgeTimes)
		s.mu.Unlock()
		if c != nil {
			c.close()
		}
		return
	}
	frames := s.render(ev)
	s.mu.Lock()
	c := s.conn
	filter := s.filter
	s.mu.Unlock()
	if c == nil {
		return // nobody listens: lost, as with Asterisk
	}
	for _, f := range frames {
		if filter[f.Type] {
			continue
		}
		f.Application = s.cfg.App
		f.AsteriskID = s.cfg.NodeID
		b, err := f.marshal()
		if err != nil {
			s.cfg.Logger.Error("simari: event not encodable", "type", f.Type, "err", err)
			continue
		}
		if !c.push(b) {
			s.cfg.Logger.Warn("simari: websocket too slow, dropped", "app", s.cfg.App)
			return
		}
	}
}

// frame is one ARI event, rendered with Asterisk's member order: type,
// timestamp, the type's own members, asterisk_id, application.
type frame struct {
	Type        string
	Timestamp   string
	Application string
	AsteriskID  string
	extra       []member
}

type member struct {
	name  string
	value any
}

func (f frame) marshal() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"type":`)
	writeValue(&b, f.Type)
	b.WriteString(`,"timestamp":`)
	writeValue(&b, f.Timestamp)
	for _, m := range f.extra {
		b.WriteByte(',')
		writeValue(&b, m.name)
		b.WriteByte(':')
		if err := writeValue(&b, m.value); err != nil {
			return nil, err
		}
	}
	b.WriteString(`,"asterisk_id":`)
	writeValue(&b, f.AsteriskID)
	b.WriteString(`,"application":`)
	writeValue(&b, f.Application)
	b.WriteByte('}')
	return b.Bytes(), nil
}

func writeValue(b *bytes.Buffer, v any) error {
	j, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b.Write(j)
	return nil
}

// render turns one core event into ARI events.
func (s *Server) render(ev core.TelEvent) []frame {
	ts := stamp(ev.Time)
	mk := func(typ string, extra ...member) frame { return frame{Type: typ, Timestamp: ts, extra: extra} }
	switch ev.Type {
	case core.TelChannelCreated:
		return []frame{mk("ChannelCreated", member{"channel", s.eventChannel(ev, "")})}
	case core.TelRinging:
		return []frame{mk("ChannelStateChange", member{"channel", s.eventChannel(ev, sim.StateRinging)})}
	case core.TelAnswered:
		return []frame{mk("ChannelStateChange", member{"channel", s.eventChannel(ev, sim.StateUp)})}
	case core.TelStasisStart:
		args := ev.Args
		if args == nil {
			args = []string{}
		}
		return []frame{mk("StasisStart", member{"args", args}, member{"channel", s.eventChannel(ev, "")})}
	case core.TelStasisEnd:
		var out []frame
		// A channel that leaves the application because it is hung up
		// is reported hung up first, as Asterisk does.
		if c, ok := s.pbx.Channel(ev.ChannelID); ok && c.HungUp && c.Continued == "" {
			if f, ok := s.hangupRequest(ev, mk); ok {
				out = append(out, f)
			}
		}
		return append(out, mk("StasisEnd", member{"channel", s.eventChannel(ev, "")}))
	case core.TelDTMF:
		return []frame{mk("ChannelDtmfReceived", member{"digit", ev.Digit},
			member{"duration_ms", max(int(ev.Duration/time.Millisecond), 100)}, member{"channel", s.eventChannel(ev, "")})}
	case core.TelHangup:
		var out []frame
		if f, ok := s.hangupRequest(ev, mk); ok {
			out = append(out, f)
		}
		ch := s.eventChannel(ev, "")
		s.mu.Lock()
		delete(s.states, ev.ChannelID)
		s.mu.Unlock()
		return append(out, mk("ChannelDestroyed", member{"cause", int(ev.Cause)}, member{"cause_txt", ev.CauseText}, member{"channel", ch}))
	case core.TelPlaybackStarted, core.TelPlaybackFinished:
		return []frame{s.playbackFrame(ev, mk)}
	case core.TelRecordingStarted, core.TelRecordingFinished, core.TelRecordingFailed:
		return []frame{s.recordingFrame(ev, mk)}
	case core.TelTextReceived:
		return []frame{mk("TextMessageReceived", member{"message", textMessageJSON{From: ev.From, To: ev.To, Body: ev.Text, Variables: map[string]string{}}})}
	}
	return nil
}

func (s *Server) playbackFrame(ev core.TelEvent, mk func(string, ...member) frame) frame {
	s.mu.Lock()
	ref := s.playbacks[ev.PlaybackID]
	typ, state := "PlaybackStarted", "playing"
	if ev.Type == core.TelPlaybackFinished {
		typ, state = "PlaybackFinished", "done"
		delete(s.playbacks, ev.PlaybackID)
	}
	s.mu.Unlock()
	if ref.target.ID == "" && ev.ChannelID != "" {
		ref.target = core.MediaTarget{Kind: core.TargetChannel, ID: ev.ChannelID}
	}
	return mk(typ, member{"playback", playbackJSON{
		ID: ev.PlaybackID, MediaURI: ref.media, TargetURI: targetURI(ref.target), Language: "en", State: state,
	}})
}

func (s *Server) recordingFrame(ev core.TelEvent, mk func(string, ...member) frame) frame {
	rs, _ := s.pbx.Recording(ev.RecordingName)
	rec := liveRecordingJSON{Name: ev.RecordingName, Format: rs.Format, TargetURI: targetURI(rs.Target)}
	typ := "RecordingStarted"
	rec.State = "recording"
	switch ev.Type {
	case core.TelRecordingFinished:
		typ, rec.State = "RecordingFinished", "done"
		d := int(ev.Duration / time.Second)
		rec.Duration = &d
		s.mu.Lock()
		s.storedNames = append(s.storedNames, ev.RecordingName)
		if len(s.storedNames) > maxStored {
			s.storedNames = append([]string(nil), s.storedNames[len(s.storedNames)-maxStored/2:]...)
		}
		s.mu.Unlock()
	case core.TelRecordingFailed:
		typ, rec.State, rec.Cause = "RecordingFailed", "failed", ev.CauseText
	}
	return mk(typ, member{"recording", rec})
}

// track is what simari remembers of a channel from the events it sent:
// the PBX's snapshot at delivery time may already be later (answered, out
// of the application, hung up), and an event shows the channel as it was.
type track struct {
	state      string
	inApp      bool
	hangupSent bool // ChannelHangupRequest already sent
}

// eventChannel is the channel snapshot of an event, with the state (and
// application) the channel had at that event.
func (s *Server) eventChannel(ev core.TelEvent, state string) channelJSON {
	c, ok := s.pbx.Channel(ev.ChannelID)
	if !ok {
		c = sim.ChannelState{ID: ev.ChannelID, Name: ev.Name, CallerID: ev.CallerID, Dialed: ev.Dialed, LinkedID: ev.LinkedID, Created: ev.Time}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tr := s.track(ev.ChannelID, c)
	if state != "" {
		tr.state = state
	}
	if ev.Type == core.TelStasisStart {
		tr.inApp = true
	}
	c.InApp = tr.inApp
	out := s.channelOf(c, tr.state)
	if ev.Type == core.TelStasisEnd {
		tr.inApp = false
	}
	return out
}

// track returns a channel's track, creating it, with mu held.
func (s *Server) track(id string, c sim.ChannelState) *track {
	tr := s.states[id]
	if tr == nil {
		tr = &track{state: initialState(c)}
		s.states[id] = tr
	}
	return tr
}

// hangupRequest is the ChannelHangupRequest Asterisk sends when a channel
// is hung up, before it leaves the application; sent once per channel.
func (s *Server) hangupRequest(ev core.TelEvent, mk func(string, ...member) frame) (frame, bool) {
	c, ok := s.pbx.Channel(ev.ChannelID)
	s.mu.Lock()
	tr := s.track(ev.ChannelID, c)
	send := !tr.hangupSent
	tr.hangupSent = true
	s.mu.Unlock()
	if !send {
		return frame{}, false
	}
	cause := ev.Cause
	if ev.Type != core.TelHangup && ok {
		cause = c.Cause
	}
	return mk("ChannelHangupRequest", member{"cause", int(cause)}, member{"channel", s.eventChannel(core.TelEvent{
		Type: core.TelChannelCreated, ChannelID: ev.ChannelID, Name: ev.Name, CallerID: ev.CallerID, Dialed: ev.Dialed, LinkedID: ev.LinkedID, Time: ev.Time,
	}, "")}), true
}

// initialState is a channel's state when first reported: an originated
// channel starts Down, an inbound one rings (Ring), a snoop is Up.
func initialState(c sim.ChannelState) string {
	switch {
	case c.SnoopOf != "":
		return sim.StateUp
	case c.Outbound:
		return sim.StateDown
	}
	return sim.StateRing
}

func newID(prefix string) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

func errInvalid(param string) error { return fmt.Errorf("Invalid parameter %s", param) }

// decodeStrict decodes a JSON body into v, refusing unknown fields and
// trailing data; an empty body leaves v as it is.
func decodeStrict(r io.Reader, v any) error {
	if r == nil {
		return nil
	}
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return fmt.Errorf("request body larger than %d bytes", maxBody)
		}
		return fmt.Errorf("invalid JSON body: %v", err)
	}
	if dec.More() {
		return errors.New("invalid JSON body: trailing data")
	}
	return nil
}
