package simari

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

func (s *Server) ariRoutes(r chi.Router) {
	r.Get("/events", s.serveEvents)
	r.Get("/asterisk/info", s.info)
	r.Get("/applications", s.listApps)
	r.Get("/applications/{app}", s.getApp)
	r.Put("/applications/{app}/eventFilter", s.eventFilter)
	r.Post("/applications/{app}/subscription", s.subscribe)
	r.Delete("/applications/{app}/subscription", s.subscribe)

	r.Get("/channels", s.listChannels)
	r.Post("/channels", s.originate)
	r.Route("/channels/{id}", func(r chi.Router) {
		r.Post("/", s.originate)
		r.Get("/", s.getChannel)
		r.Delete("/", s.hangup)
		r.Post("/answer", s.chanOp(s.pbx.Answer))
		r.Post("/ring", s.chanOp(s.pbx.Ring))
		r.Post("/hold", s.chanOp(s.pbx.Hold))
		r.Delete("/hold", s.chanOp(s.pbx.Unhold))
		r.Post("/moh", s.startMOH)
		r.Delete("/moh", s.chanOp(s.pbx.StopMOH))
		r.Post("/dtmf", s.sendDTMF)
		r.Post("/continue", s.continueDialplan)
		r.Post("/play", s.play(core.TargetChannel))
		r.Post("/play/{pb}", s.play(core.TargetChannel))
		r.Post("/record", s.record(core.TargetChannel))
		r.Post("/snoop", s.snoop)
		r.Post("/snoop/{snoop}", s.snoop)
		r.Get("/variable", s.getVar)
		r.Post("/variable", s.setVar)
	})

	r.Get("/bridges", s.listBridges)
	r.Post("/bridges", s.createBridge)
	r.Route("/bridges/{id}", func(r chi.Router) {
		r.Post("/", s.createBridge)
		r.Get("/", s.getBridge)
		r.Delete("/", s.destroyBridge)
		r.Post("/addChannel", s.bridgeMembers(true))
		r.Post("/removeChannel", s.bridgeMembers(false))
		r.Post("/moh", s.bridgeMOH)
		r.Delete("/moh", s.bridgeStopMOH)
		r.Post("/play", s.play(core.TargetBridge))
		r.Post("/play/{pb}", s.play(core.TargetBridge))
		r.Post("/record", s.record(core.TargetBridge))
	})

	r.Get("/playbacks/{id}", s.getPlayback)
	r.Delete("/playbacks/{id}", s.stopPlayback)
	r.Post("/playbacks/{id}/control", s.controlPlayback)

	r.Get("/recordings/live/{name}", s.getLiveRecording)
	r.Post("/recordings/live/{name}/stop", s.stopRecording)
	r.Post("/recordings/live/{name}/mute", s.muteRecording(true))
	r.Delete("/recordings/live/{name}/mute", s.muteRecording(false))
	r.Get("/recordings/stored", s.listStored)
	r.Get("/recordings/stored/{name}", s.getStored)
	r.Get("/recordings/stored/{name}/file", s.storedFile)

	r.Put("/endpoints/sendMessage", s.sendMessage)
}

// reqCtx bounds a PBX call (the simulated PBX answers at once; the bound
// only guards against a stalled Hook in tests).
func reqCtx(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), 5*time.Second)
}

// withParams reads the parameters or answers 400.
func withParams(w http.ResponseWriter, r *http.Request) (params, bool) {
	p, err := readParams(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return p, false
	}
	return p, true
}

func (s *Server) info(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"system": map[string]string{"entity_id": s.cfg.NodeID, "version": "simari"},
	})
}

func (s *Server) appJSON() applicationJSON {
	a := applicationJSON{Name: s.cfg.App, ChannelIDs: []string{}, BridgeIDs: []string{},
		EndpointIDs: []string{}, DeviceNames: []string{}, EventsAllowed: []eventType{}, EventsDisallowed: []eventType{}}
	s.mu.Lock()
	for t := range s.filter {
		a.EventsDisallowed = append(a.EventsDisallowed, eventType{t})
	}
	s.mu.Unlock()
	return a
}

// registered reports whether the application has a websocket: Asterisk
// lists an application only while one is connected.
func (s *Server) registered(app string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return app == s.cfg.App && s.conn != nil
}

func (s *Server) listApps(w http.ResponseWriter, _ *http.Request) {
	out := []applicationJSON{}
	if s.registered(s.cfg.App) {
		out = append(out, s.appJSON())
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getApp(w http.ResponseWriter, r *http.Request) {
	if !s.registered(chi.URLParam(r, "app")) {
		writeError(w, http.StatusNotFound, "Application not found")
		return
	}
	writeJSON(w, http.StatusOK, s.appJSON())
}

// eventFilter installs the disallowed list (an allowed list is refused:
// the driver never sends one and simari does not implement it).
func (s *Server) eventFilter(w http.ResponseWriter, r *http.Request) {
	if !s.registered(chi.URLParam(r, "app")) {
		writeError(w, http.StatusNotFound, "Application not found")
		return
	}
	var body struct {
		Allowed    []eventType `json:"allowed"`
		Disallowed []eventType `json:"disallowed"`
	}
	if err := decodeStrict(r.Body, &body); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if len(body.Allowed) > 0 {
		writeError(w, http.StatusBadRequest, "simari implements only a disallowed event filter")
		return
	}
	f := map[string]bool{}
	for _, t := range body.Disallowed {
		f[t.Type] = true
	}
	s.mu.Lock()
	s.filter = f
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, s.appJSON())
}

// subscribe accepts channel:, bridge: and endpoint: sources: the
// application already receives every event of every channel (simari serves
// one application), so a subscription only has to name something real.
func (s *Server) subscribe(w http.ResponseWriter, r *http.Request) {
	if !s.registered(chi.URLParam(r, "app")) {
		writeError(w, http.StatusNotFound, "Application not found")
		return
	}
	p, ok := withParams(w, r)
	if !ok {
		return
	}
	src := p.get("eventSource")
	if src == "" {
		writeError(w, http.StatusBadRequest, "Missing parameter eventSource")
		return
	}
	for _, one := range strings.Split(src, ",") {
		kind, id, _ := strings.Cut(one, ":")
		switch kind {
		case "channel":
			if c, ok := s.pbx.Channel(id); !ok || c.HungUp {
				writeError(w, http.StatusUnprocessableEntity, "Event source does not exist")
				return
			}
		case "bridge":
			if _, ok := s.pbx.Bridge(id); !ok {
				writeError(w, http.StatusUnprocessableEntity, "Event source does not exist")
				return
			}
		case "endpoint", "deviceState":
		default:
			writeError(w, http.StatusBadRequest, "Invalid event source URI scheme '"+kind+"'")
			return
		}
	}
	writeJSON(w, http.StatusOK, s.appJSON())
}

func (s *Server) listChannels(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := reqCtx(r)
	defer cancel()
	infos, err := s.pbx.Channels(ctx)
	if err != nil {
		fail(w, "Channel", err)
		return
	}
	out := make([]channelJSON, 0, len(infos))
	for _, ci := range infos {
		if c, ok := s.pbx.Channel(ci.ID); ok && !c.HungUp {
			out = append(out, s.channelOf(c, ""))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getChannel(w http.ResponseWriter, r *http.Request) {
	c, ok := s.pbx.Channel(chi.URLParam(r, "id"))
	if !ok || c.HungUp {
		writeError(w, http.StatusNotFound, "Channel not found")
		return
	}
	writeJSON(w, http.StatusOK, s.channelOf(c, ""))
}

// originateTimeout turns ARI's whole seconds into the PBX's timeout:
// 0 or absent is Asterisk's default (30s), -1 is no timeout.
func originateTimeout(v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < -1 {
		return 0, errInvalid("timeout")
	}
	if n == -1 {
		return 365 * 24 * time.Hour, nil
	}
	return time.Duration(n) * time.Second, nil
}

func (s *Server) originate(w http.ResponseWriter, r *http.Request) {
	p, ok := withParams(w, r)
	if !ok {
		return
	}
	id := chi.URLParam(r, "id")
	if id == "" {
		id = p.get("channelId")
	}
	if p.get("endpoint") == "" {
		writeError(w, http.StatusBadRequest, "Endpoint must be specified")
		return
	}
	if app := p.get("app"); app != s.cfg.App {
		if app == "" {
			writeError(w, http.StatusBadRequest, "simari has no dialplan: originate into application "+s.cfg.App)
		} else {
			writeError(w, http.StatusBadRequest, "Application "+app+" is not served by simari (only "+s.cfg.App+")")
		}
		return
	}
	timeout, err := originateTimeout(p.get("timeout"))
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	name, num := parseCallerID(p.get("callerId"))
	req := core.OriginateRequest{
		ChannelID: id, Endpoint: p.get("endpoint"), CallerIDName: name, CallerIDNum: num,
		Timeout: timeout, Variables: p.vars, OtherChannelID: p.get("otherChannelId"),
	}
	if req.OtherChannelID == "" {
		req.OtherChannelID = p.get("originator")
	}
	if a := p.get("appArgs"); a != "" {
		req.AppArgs = strings.Split(a, ",")
	}
	ctx, cancel := reqCtx(r)
	defer cancel()
	got, err := s.pbx.Originate(ctx, req)
	if err != nil {
		fail(w, "Channel", err)
		return
	}
	c, _ := s.pbx.Channel(got)
	writeJSON(w, http.StatusOK, s.channelOf(c, ""))
}

// hangupReasons are ARI's named reasons and the Q.850 causes Asterisk maps
// them to (res/ari/resource_channels.c).
var hangupReasons = map[string]core.HangupCause{
	"normal": 16, "busy": 17, "congestion": 34, "no_answer": 19, "timeout": 18,
	"rejected": 21, "unallocated": 1, "normal_unspecified": 31, "number_incomplete": 28,
	"codec_mismatch": 58, "interworking": 127, "failure": 38, "answered_elsewhere": 26,
}

func (s *Server) hangup(w http.ResponseWriter, r *http.Request) {
	p, ok := withParams(w, r)
	if !ok {
		return
	}
	cause := core.CauseNormal
	if rc := p.get("reason_code"); rc != "" {
		n, err := strconv.Atoi(rc)
		if err != nil || n < 1 || n > 127 {
			writeError(w, http.StatusBadRequest, "Invalid reason_code")
			return
		}
		cause = core.HangupCause(n)
	} else if rs := p.get("reason"); rs != "" {
		c, ok := hangupReasons[rs]
		if !ok {
			writeError(w, http.StatusBadRequest, "Invalid reason for hangup provided")
			return
		}
		cause = c
	}
	ctx, cancel := reqCtx(r)
	defer cancel()
	if err := s.pbx.Hangup(ctx, chi.URLParam(r, "id"), cause); err != nil {
		fail(w, "Channel", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// chanOp serves a parameterless channel operation answered 204.
func (s *Server) chanOp(op func(context.Context, string) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := reqCtx(r)
		defer cancel()
		if err := op(ctx, chi.URLParam(r, "id")); err != nil {
			fail(w, "Channel", err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Server) startMOH(w http.ResponseWriter, r *http.Request) {
	p, ok := withParams(w, r)
	if !ok {
		return
	}
	ctx, cancel := reqCtx(r)
	defer cancel()
	if err := s.pbx.StartMOH(ctx, chi.URLParam(r, "id"), p.get("mohClass")); err != nil {
		fail(w, "Channel", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) sendDTMF(w http.ResponseWriter, r *http.Request) {
	p, ok := withParams(w, r)
	if !ok {
		return
	}
	digits := p.get("dtmf")
	if digits == "" {
		writeError(w, http.StatusBadRequest, "DTMF is required")
		return
	}
	between := 100 * time.Millisecond
	if b := p.get("between"); b != "" {
		n, err := strconv.Atoi(b)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, errInvalid("between").Error())
			return
		}
		between = time.Duration(n) * time.Millisecond
	}
	ctx, cancel := reqCtx(r)
	defer cancel()
	if err := s.pbx.SendDTMF(ctx, chi.URLParam(r, "id"), digits, between); err != nil {
		fail(w, "Channel", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) continueDialplan(w http.ResponseWriter, r *http.Request) {
	p, ok := withParams(w, r)
	if !ok {
		return
	}
	prio := 1
	if v := p.get("priority"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			writeError(w, http.StatusBadRequest, errInvalid("priority").Error())
			return
		}
		prio = max(n, 1)
	}
	ctx, cancel := reqCtx(r)
	defer cancel()
	if err := s.pbx.Continue(ctx, chi.URLParam(r, "id"), p.get("context"), p.get("extension"), prio); err != nil {
		fail(w, "Channel", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) play(kind core.MediaTargetKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok := withParams(w, r)
		if !ok {
			return
		}
		id := chi.URLParam(r, "pb")
		if id == "" {
			id = p.get("playbackId")
		}
		if id == "" {
			id = newID("pb-")
		}
		media := p.get("media")
		if media == "" {
			writeError(w, http.StatusBadRequest, "Missing parameter media")
			return
		}
		t := core.MediaTarget{Kind: kind, ID: chi.URLParam(r, "id")}
		// Remembered before the PBX call: its PlaybackStarted may be
		// delivered before this handler runs on.
		s.mu.Lock()
		s.playbacks[id] = mediaRef{target: t, media: media}
		s.mu.Unlock()
		ctx, cancel := reqCtx(r)
		defer cancel()
		if err := s.pbx.Play(ctx, id, t, media); err != nil {
			s.mu.Lock()
			if _, live := s.pbx.Playback(id); !live {
				delete(s.playbacks, id)
			}
			s.mu.Unlock()
			fail(w, kindWord(kind), err)
			return
		}
		writeJSON(w, http.StatusCreated, playbackJSON{ID: id, MediaURI: media, TargetURI: targetURI(t), Language: "en", State: "queued"})
	}
}

func kindWord(k core.MediaTargetKind) string {
	if k == core.TargetBridge {
		return "Bridge"
	}
	return "Channel"
}

func (s *Server) record(kind core.MediaTargetKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok := withParams(w, r)
		if !ok {
			return
		}
		name, format := p.get("name"), p.get("format")
		if name == "" || format == "" {
			writeError(w, http.StatusBadRequest, "Missing parameter name or format")
			return
		}
		if strings.ContainsAny(name, "/\\") || name == "." || name == ".." {
			writeError(w, http.StatusBadRequest, "Invalid recording name")
			return
		}
		exists := p.get("ifExists")
		switch exists {
		case "", "fail", "overwrite", "append":
		default:
			writeError(w, http.StatusBadRequest, "ifExists invalid")
			return
		}
		if rs, found := s.pbx.Recording(name); found && (exists == "" || exists == "fail") {
			msg := "Recording " + name + " already exists"
			if rs.Live {
				msg = "Recording " + name + " is already in progress"
			}
			writeError(w, http.StatusConflict, msg)
			return
		}
		t := core.MediaTarget{Kind: kind, ID: chi.URLParam(r, "id")}
		ctx, cancel := reqCtx(r)
		defer cancel()
		if err := s.pbx.Record(ctx, t, name, format); err != nil {
			fail(w, kindWord(kind), err)
			return
		}
		writeJSON(w, http.StatusCreated, liveRecordingJSON{Name: name, Format: format, State: "queued", TargetURI: targetURI(t)})
	}
}

func (s *Server) snoop(w http.ResponseWriter, r *http.Request) {
	p, ok := withParams(w, r)
	if !ok {
		return
	}
	if app := p.get("app"); app != s.cfg.App {
		writeError(w, http.StatusBadRequest, "Application "+app+" is not served by simari (only "+s.cfg.App+")")
		return
	}
	id := chi.URLParam(r, "snoop")
	if id == "" {
		id = p.get("snoopId")
	}
	if id == "" {
		id = newID("snoop-")
	}
	spy, whisper := core.SnoopDirection(p.get("spy")), core.SnoopDirection(p.get("whisper"))
	ctx, cancel := reqCtx(r)
	defer cancel()
	if err := s.pbx.Snoop(ctx, chi.URLParam(r, "id"), id, spy, whisper); err != nil {
		fail(w, "Channel", err)
		return
	}
	c, _ := s.pbx.Channel(id)
	writeJSON(w, http.StatusOK, s.channelOf(c, ""))
}

func (s *Server) getVar(w http.ResponseWriter, r *http.Request) {
	p, ok := withParams(w, r)
	if !ok {
		return
	}
	name := p.get("variable")
	if name == "" {
		writeError(w, http.StatusBadRequest, "Variable name is required")
		return
	}
	ctx, cancel := reqCtx(r)
	defer cancel()
	v, err := s.pbx.GetVar(ctx, chi.URLParam(r, "id"), name)
	if err != nil {
		fail(w, "Channel", err)
		return
	}
	c, _ := s.pbx.Channel(chi.URLParam(r, "id"))
	if _, set := c.Vars[name]; !set && name != linkedIDVar {
		// Asterisk's answer for a variable the channel does not have.
		writeError(w, http.StatusNotFound, "Provided variable was not found")
		return
	}
	if name == linkedIDVar {
		v = s.channelOf(c, "").ChannelVars[linkedIDVar]
	}
	writeJSON(w, http.StatusOK, map[string]string{"value": v})
}

func (s *Server) setVar(w http.ResponseWriter, r *http.Request) {
	p, ok := withParams(w, r)
	if !ok {
		return
	}
	name := p.get("variable")
	if name == "" {
		writeError(w, http.StatusBadRequest, "Variable name is required")
		return
	}
	ctx, cancel := reqCtx(r)
	defer cancel()
	if err := s.pbx.SetVar(ctx, chi.URLParam(r, "id"), name, p.get("value")); err != nil {
		fail(w, "Channel", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listBridges(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := reqCtx(r)
	defer cancel()
	infos, err := s.pbx.Bridges(ctx)
	if err != nil {
		fail(w, "Bridge", err)
		return
	}
	out := make([]bridgeJSON, 0, len(infos))
	for _, bi := range infos {
		if b, ok := s.pbx.Bridge(bi.ID); ok {
			out = append(out, s.bridgeOf(b))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getBridge(w http.ResponseWriter, r *http.Request) {
	b, ok := s.pbx.Bridge(chi.URLParam(r, "id"))
	if !ok {
		writeError(w, http.StatusNotFound, "Bridge not found")
		return
	}
	writeJSON(w, http.StatusOK, s.bridgeOf(b))
}

// bridgeKind reads ARI's comma-separated bridge type: holding wins, any
// other combination of mixing, dtmf_events, proxy_media is a mixing bridge.
func bridgeKind(typ string) (core.BridgeKind, error) {
	kind := core.BridgeMixing
	if typ == "" {
		return kind, nil
	}
	for _, t := range strings.Split(typ, ",") {
		switch strings.TrimSpace(t) {
		case "holding":
			kind = core.BridgeHolding
		case "mixing", "dtmf_events", "proxy_media", "video_sfu", "video_single", "sdp_label":
		default:
			return "", errInvalid("type")
		}
	}
	return kind, nil
}

func (s *Server) createBridge(w http.ResponseWriter, r *http.Request) {
	p, ok := withParams(w, r)
	if !ok {
		return
	}
	id := chi.URLParam(r, "id")
	if id == "" {
		id = p.get("bridgeId")
	}
	if id == "" {
		id = newID("br-")
	}
	kind, err := bridgeKind(p.get("type"))
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if _, exists := s.pbx.Bridge(id); exists {
		// Asterisk 22 answers 409 to a create whose id exists.
		writeError(w, http.StatusConflict, "Bridge with id "+id+" already exists")
		return
	}
	ctx, cancel := reqCtx(r)
	defer cancel()
	if err := s.pbx.CreateBridge(ctx, id, kind); err != nil {
		fail(w, "Bridge", err)
		return
	}
	s.mu.Lock()
	s.bridgeTimes[id] = time.Now()
	s.mu.Unlock()
	b, _ := s.pbx.Bridge(id)
	writeJSON(w, http.StatusOK, s.bridgeOf(b))
}

func (s *Server) destroyBridge(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := reqCtx(r)
	defer cancel()
	if err := s.pbx.DestroyBridge(ctx, chi.URLParam(r, "id")); err != nil {
		fail(w, "Bridge", err)
		return
	}
	s.mu.Lock()
	delete(s.bridgeTimes, chi.URLParam(r, "id"))
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// bridgeMembers adds or removes the channels named in "channel" (a
// comma-separated list). As Asterisk: 404 for an unknown bridge, 400
// "Channel not found" for an unknown channel, 422 for a channel not in
// the application (or, on remove, not in this bridge).
func (s *Server) bridgeMembers(add bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok := withParams(w, r)
		if !ok {
			return
		}
		bid := chi.URLParam(r, "id")
		if _, ok := s.pbx.Bridge(bid); !ok {
			writeError(w, http.StatusNotFound, "Bridge not found")
			return
		}
		list := p.get("channel")
		if list == "" {
			writeError(w, http.StatusBadRequest, "Missing parameter channel")
			return
		}
		ctx, cancel := reqCtx(r)
		defer cancel()
		for _, ch := range strings.Split(list, ",") {
			c, found := s.pbx.Channel(ch)
			if !found || c.HungUp {
				writeError(w, http.StatusBadRequest, "Channel not found")
				return
			}
			var err error
			if add {
				err = s.pbx.AddToBridge(ctx, bid, ch)
			} else {
				err = s.pbx.RemoveFromBridge(ctx, bid, ch)
			}
			switch {
			case err == nil:
			case errors.Is(err, core.ErrNotFound):
				writeError(w, http.StatusBadRequest, "Channel not found")
				return
			default:
				writeError(w, http.StatusUnprocessableEntity, strings.TrimPrefix(err.Error(), "sim: "))
				return
			}
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Server) bridgeMOH(w http.ResponseWriter, r *http.Request) {
	p, ok := withParams(w, r)
	if !ok {
		return
	}
	ctx, cancel := reqCtx(r)
	defer cancel()
	if err := s.pbx.BridgeMOH(ctx, chi.URLParam(r, "id"), p.get("mohClass")); err != nil {
		fail(w, "Bridge", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) bridgeStopMOH(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := reqCtx(r)
	defer cancel()
	if err := s.pbx.BridgeStopMOH(ctx, chi.URLParam(r, "id")); err != nil {
		fail(w, "Bridge", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) getPlayback(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	pb, ok := s.pbx.Playback(id)
	if !ok {
		writeError(w, http.StatusNotFound, "Playback not found")
		return
	}
	state := "playing"
	if pb.Paused {
		state = "paused"
	}
	writeJSON(w, http.StatusOK, playbackJSON{ID: id, MediaURI: pb.Media, TargetURI: targetURI(pb.Target), Language: "en", State: state})
}

func (s *Server) stopPlayback(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := reqCtx(r)
	defer cancel()
	if err := s.pbx.ControlPlayback(ctx, chi.URLParam(r, "id"), core.PlaybackStop); err != nil {
		fail(w, "Playback", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) controlPlayback(w http.ResponseWriter, r *http.Request) {
	p, ok := withParams(w, r)
	if !ok {
		return
	}
	var op core.PlaybackOp
	switch p.get("operation") {
	case "pause":
		op = core.PlaybackPause
	case "unpause":
		op = core.PlaybackResume
	case "restart":
		op = core.PlaybackRestart
	case "reverse", "forward":
		// accepted by Asterisk; the simulated playback has no position
		if _, ok := s.pbx.Playback(chi.URLParam(r, "id")); !ok {
			writeError(w, http.StatusNotFound, "Playback not found")
			return
		}
		w.WriteHeader(http.StatusNoContent)
		return
	default:
		writeError(w, http.StatusBadRequest, "Invalid operation")
		return
	}
	ctx, cancel := reqCtx(r)
	defer cancel()
	if err := s.pbx.ControlPlayback(ctx, chi.URLParam(r, "id"), op); err != nil {
		fail(w, "Playback", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) getLiveRecording(w http.ResponseWriter, r *http.Request) {
	rs, ok := s.pbx.Recording(chi.URLParam(r, "name"))
	if !ok || !rs.Live {
		writeError(w, http.StatusNotFound, "Recording not found")
		return
	}
	writeJSON(w, http.StatusOK, liveRecordingJSON{Name: rs.Name, Format: rs.Format, State: "recording", TargetURI: targetURI(rs.Target)})
}

func (s *Server) stopRecording(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := reqCtx(r)
	defer cancel()
	if err := s.pbx.StopRecording(ctx, chi.URLParam(r, "name")); err != nil {
		fail(w, "Recording", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) muteRecording(mute bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := reqCtx(r)
		defer cancel()
		if err := s.pbx.MuteRecording(ctx, chi.URLParam(r, "name"), mute); err != nil {
			fail(w, "Recording", err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// stored returns a finished recording.
func (s *Server) stored(name string) (sim.RecordingState, bool) {
	rs, ok := s.pbx.Recording(name)
	return rs, ok && !rs.Live
}

func (s *Server) listStored(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	names := append([]string(nil), s.storedNames...)
	s.mu.Unlock()
	out := make([]storedRecordingJSON, 0, len(names))
	for _, n := range names {
		if rs, ok := s.stored(n); ok {
			out = append(out, storedRecordingJSON{Name: rs.Name, Format: rs.Format})
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getStored(w http.ResponseWriter, r *http.Request) {
	rs, ok := s.stored(chi.URLParam(r, "name"))
	if !ok {
		writeError(w, http.StatusNotFound, "Recording not found")
		return
	}
	writeJSON(w, http.StatusOK, storedRecordingJSON{Name: rs.Name, Format: rs.Format})
}

// storedFile serves the recording's audio: a WAV synthesized by the PBX
// as long as the recording lasted.
func (s *Server) storedFile(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "name")
	if _, ok := s.stored(name); !ok {
		writeError(w, http.StatusNotFound, "Recording not found")
		return
	}
	ctx, cancel := reqCtx(r)
	defer cancel()
	rc, err := s.pbx.RecordingFile(ctx, name)
	if err != nil {
		fail(w, "Recording", err)
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", "audio/wav")
	w.WriteHeader(http.StatusOK)
	_, _ = io.Copy(w, rc)
}

func (s *Server) sendMessage(w http.ResponseWriter, r *http.Request) {
	p, ok := withParams(w, r)
	if !ok {
		return
	}
	if p.get("to") == "" || p.get("from") == "" {
		writeError(w, http.StatusBadRequest, "Missing parameter to or from")
		return
	}
	ctx, cancel := reqCtx(r)
	defer cancel()
	if err := s.pbx.SendText(ctx, p.get("from"), p.get("to"), p.get("body"), p.vars); err != nil {
		fail(w, "Endpoint", err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}
