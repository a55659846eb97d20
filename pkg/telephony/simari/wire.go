package simari

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

// The JSON shapes below follow Asterisk 22's ARI models (rest-api/api-docs
// *.json): field names, their order and the "2006-01-02T15:04:05.000-0700"
// timestamps are what the ARI driver and ari/v5 decode.

const ariTime = "2006-01-02T15:04:05.000-0700"

type callerID struct {
	Name   string `json:"name"`
	Number string `json:"number"`
}

type dialplanCEP struct {
	Context  string `json:"context"`
	Exten    string `json:"exten"`
	Priority int    `json:"priority"`
	AppName  string `json:"app_name"`
	AppData  string `json:"app_data"`
}

type channelJSON struct {
	ID           string            `json:"id"`
	Name         string            `json:"name"`
	State        string            `json:"state"`
	ProtocolID   string            `json:"protocol_id"`
	Caller       callerID          `json:"caller"`
	Connected    callerID          `json:"connected"`
	Accountcode  string            `json:"accountcode"`
	Dialplan     dialplanCEP       `json:"dialplan"`
	CreationTime string            `json:"creationtime"`
	Language     string            `json:"language"`
	ChannelVars  map[string]string `json:"channelvars"`
}

type bridgeJSON struct {
	ID          string   `json:"id"`
	Technology  string   `json:"technology"`
	BridgeType  string   `json:"bridge_type"`
	BridgeClass string   `json:"bridge_class"`
	Creator     string   `json:"creator"`
	Name        string   `json:"name"`
	Channels    []string `json:"channels"`
	CreationTim string   `json:"creationtime"`
	VideoMode   string   `json:"video_mode"`
}

type textMessageJSON struct {
	From      string            `json:"from"`
	To        string            `json:"to"`
	Body      string            `json:"body"`
	Variables map[string]string `json:"variables"`
}

type playbackJSON struct {
	ID        string `json:"id"`
	MediaURI  string `json:"media_uri"`
	TargetURI string `json:"target_uri"`
	Language  string `json:"language"`
	State     string `json:"state"`
}

type liveRecordingJSON struct {
	Name      string `json:"name"`
	Format    string `json:"format"`
	State     string `json:"state"`
	TargetURI string `json:"target_uri"`
	Duration  *int   `json:"duration,omitempty"`
	Cause     string `json:"cause,omitempty"`
}

type storedRecordingJSON struct {
	Name   string `json:"name"`
	Format string `json:"format"`
}

type applicationJSON struct {
	Name             string      `json:"name"`
	ChannelIDs       []string    `json:"channel_ids"`
	BridgeIDs        []string    `json:"bridge_ids"`
	EndpointIDs      []string    `json:"endpoint_ids"`
	DeviceNames      []string    `json:"device_names"`
	EventsAllowed    []eventType `json:"events_allowed"`
	EventsDisallowed []eventType `json:"events_disallowed"`
}

type eventType struct {
	Type string `json:"type"`
}

// linkedIDVar is the channel variable deploy/asterisk/ari.conf exposes in
// every channel snapshot (channelvars = CHANNEL(linkedid)).
const linkedIDVar = "CHANNEL(linkedid)"

func stamp(t time.Time) string {
	if t.IsZero() {
		t = time.Now()
	}
	return t.Format(ariTime)
}

// channelOf renders a channel snapshot; state overrides the snapshot's
// (events carry the state of their moment, not of delivery).
func (s *Server) channelOf(c sim.ChannelState, state string) channelJSON {
	if state == "" {
		state = c.State
	}
	dp := dialplanCEP{Context: "default", Exten: c.Dialed, Priority: 1}
	if dp.Exten == "" {
		dp.Exten = "s" // Asterisk's start extension, as a snoop channel shows
	}
	if c.InApp {
		dp.AppName = "Stasis"
		dp.AppData = strings.Join(append([]string{s.cfg.App}, c.Args...), ",")
	}
	if !c.Outbound && c.SnoopOf == "" {
		dp.Context = "from-trunk"
	}
	linked := c.LinkedID
	if linked == "" {
		linked = c.ID
	}
	return channelJSON{
		ID: c.ID, Name: c.Name, State: state,
		Caller:       callerID{Name: c.CallerName, Number: c.CallerID},
		Connected:    callerID{Number: c.Connected},
		Dialplan:     dp,
		CreationTime: stamp(c.Created),
		Language:     "en",
		ChannelVars:  map[string]string{linkedIDVar: linked},
	}
}

func (s *Server) bridgeOf(b sim.BridgeState) bridgeJSON {
	typ := "mixing"
	tech := "simple_bridge"
	if b.Kind == core.BridgeHolding {
		typ, tech = "holding", "holding_bridge"
	}
	ch := b.Channels
	if ch == nil {
		ch = []string{}
	}
	return bridgeJSON{ID: b.ID, Technology: tech, BridgeType: typ, BridgeClass: "stasis",
		Creator: "Stasis", Name: b.ID, Channels: ch, CreationTim: stamp(s.bridgeCreated(b.ID)), VideoMode: "talker"}
}

func targetURI(t core.MediaTarget) string {
	if t.Kind == core.TargetBridge {
		return "bridge:" + t.ID
	}
	return "channel:" + t.ID
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers as Asterisk does: a JSON object with a message. The
// body is always JSON, since ari/v5 decodes answers even on errors.
func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"message": msg})
}

// fail maps an error of the simulated PBX to ARI's status and message for
// what (Channel, Bridge, Playback, Recording).
func fail(w http.ResponseWriter, what string, err error) {
	switch {
	case errors.Is(err, core.ErrNotFound):
		writeError(w, http.StatusNotFound, what+" not found")
	case errors.Is(err, sim.ErrNotInApplication):
		writeError(w, http.StatusConflict, "Channel not in Stasis application")
	case errors.Is(err, sim.ErrAllocationFailed):
		writeError(w, http.StatusInternalServerError, "Allocation failed")
	case errors.Is(err, core.ErrNotConnected):
		writeError(w, http.StatusServiceUnavailable, "Asterisk is shutting down")
	case strings.Contains(err.Error(), "already"):
		writeError(w, http.StatusConflict, strings.TrimPrefix(err.Error(), "sim: "))
	default:
		writeError(w, http.StatusBadRequest, strings.TrimPrefix(err.Error(), "sim: "))
	}
}

// params are a request's parameters: ARI takes them from the query string
// and from a JSON object body alike (ari/v5 sends the body, curl users the
// query). "variables" is an object of its own.
type params struct {
	v    url.Values
	vars map[string]string
}

func (p params) get(k string) string { return p.v.Get(k) }

// readParams merges the query and a JSON object body. A body that is not a
// JSON object is refused, as Asterisk refuses it.
func readParams(r *http.Request) (params, error) {
	p := params{v: url.Values{}}
	for k, vs := range r.URL.Query() {
		if k != "api_key" {
			p.v[k] = vs
		}
	}
	if r.Body == nil {
		return p, nil
	}
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	var body map[string]json.RawMessage
	if err := dec.Decode(&body); err != nil {
		if errors.Is(err, io.EOF) {
			return p, nil
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return p, fmt.Errorf("request body larger than %d bytes", maxBody)
		}
		return p, errors.New("request body is not a JSON object")
	}
	for k, raw := range body {
		if k == "variables" {
			if err := readVariables(raw, &p); err != nil {
				return p, err
			}
			continue
		}
		v, err := scalar(raw)
		if err != nil {
			return p, fmt.Errorf("parameter %s: %v", k, err)
		}
		if v != "" || !p.v.Has(k) {
			p.v.Set(k, v)
		}
	}
	return p, nil
}

// readVariables accepts {"variables": {...}} and Asterisk's older nested
// {"variables": {"variables": {...}}}.
func readVariables(raw json.RawMessage, p *params) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return errors.New("variables must be a JSON object")
	}
	if inner, ok := m["variables"]; ok && len(m) == 1 {
		return readVariables(inner, p)
	}
	p.vars = make(map[string]string, len(m))
	for k, raw := range m {
		v, err := scalar(raw)
		if err != nil {
			return fmt.Errorf("variable %s: %v", k, err)
		}
		p.vars[k] = v
	}
	return nil
}

func scalar(raw json.RawMessage) (string, error) {
	var x any
	d := json.NewDecoder(strings.NewReader(string(raw)))
	d.UseNumber()
	if err := d.Decode(&x); err != nil {
		return "", err
	}
	switch v := x.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case json.Number:
		return v.String(), nil
	case bool:
		return strconv.FormatBool(v), nil
	}
	return "", errors.New("must be a string, number or boolean")
}

// parseCallerID splits ARI's callerId: `"Name" <number>`, `<number>`,
// `number` or `"Name"`.
func parseCallerID(s string) (name, num string) {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '<'); i >= 0 {
		if j := strings.IndexByte(s[i:], '>'); j > 0 {
			num = s[i+1 : i+j]
			name = strings.Trim(strings.TrimSpace(s[:i]), `"`)
			return name, num
		}
	}
	if strings.HasPrefix(s, `"`) {
		return strings.Trim(s, `"`), ""
	}
	return "", s
}
