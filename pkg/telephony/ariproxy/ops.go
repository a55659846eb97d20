package ariproxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/CyCoreSystems/ari-proxy/v5/proxy"
	ariv5 "github.com/CyCoreSystems/ari/v5"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/telephony/ari"
)

func chanKey(id string) *ariv5.Key   { return ariv5.NewKey(ariv5.ChannelKey, id) }
func bridgeKey(id string) *ariv5.Key { return ariv5.NewKey(ariv5.BridgeKey, id) }

func need(op, what, v string) error {
	if v == "" {
		return fmt.Errorf("ariproxy: %s: empty %s", op, what)
	}
	return nil
}

func notFound(op, what, id string) error {
	return &Error{Op: op, Node: "(any)", Message: what + " " + id + " not found on any live node", notFound: true}
}

// upNodes lists the live nodes in configuration order.
func (t *Telephony) upNodes() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.upNodesLocked()
}

func (t *Telephony) upNodesLocked() []string {
	var out []string
	for _, n := range t.cfg.Nodes {
		if t.nodes[n].up {
			out = append(out, n)
		}
	}
	return out
}

// pickNode chooses the node of a new unlinked call or bridge.
func (t *Telephony) pickNode() (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	up := t.upNodesLocked()
	if len(up) == 0 || !t.natsUp.Load() {
		return "", core.ErrNotConnected
	}
	start := t.rr % len(up)
	t.rr++
	best := up[start]
	if t.cfg.Pick == PickLeastChannels {
		for i := 1; i < len(up); i++ {
			n := up[(start+i)%len(up)]
			if t.perNode[n] < t.perNode[best] {
				best = n
			}
		}
	}
	return best, nil
}

// locate finds which live node has the entity id, asking each with probe
// (whose error must satisfy errors.Is(err, core.ErrNotFound) for "not
// here"). With a single live node there is nothing to choose and the node
// itself answers the operation.
func (t *Telephony) locate(ctx context.Context, op, what, id string, probe func(ctx context.Context, node string) error) (string, error) {
	up := t.upNodes()
	switch {
	case len(up) == 0 || !t.natsUp.Load():
		return "", fmt.Errorf("ariproxy: %s: %w", op, core.ErrNotConnected)
	case len(up) == 1:
		return up[0], nil
	}
	var errs []error
	for _, n := range up {
		err := probe(ctx, n)
		if err == nil {
			return n, nil
		}
		if !errors.Is(err, core.ErrNotFound) {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return "", errors.Join(errs...)
	}
	return "", notFound(op, what, id)
}

// channelNode returns the node owning a channel.
func (t *Telephony) channelNode(ctx context.Context, op, id string) (string, error) {
	if err := need(op, "channel id", id); err != nil {
		return "", err
	}
	t.mu.Lock()
	c, ok := t.chans[id]
	t.mu.Unlock()
	if ok {
		return c.node, nil
	}
	n, err := t.locate(ctx, op, "channel", id, func(ctx context.Context, node string) error {
		_, err := t.channelData(ctx, node, id)
		return err
	})
	if err == nil && len(t.cfg.Nodes) > 1 {
		t.mu.Lock()
		if _, ok := t.chans[id]; !ok {
			t.chans[id] = chanEntry{node: n}
			t.perNode[n]++
		}
		t.mu.Unlock()
	}
	return n, err
}

// chanCmd runs a command on a channel's node.
func (t *Telephony) chanCmd(ctx context.Context, op, id, kind string, fill func(*proxy.Request)) error {
	node, err := t.channelNode(ctx, op, id)
	if err != nil {
		return err
	}
	req := &proxy.Request{Kind: kind, Key: chanKey(id)}
	if fill != nil {
		fill(req)
	}
	return t.command(ctx, op, node, req)
}

func (t *Telephony) Originate(ctx context.Context, req core.OriginateRequest) (string, error) {
	if err := need("originate", "endpoint", req.Endpoint); err != nil {
		return "", err
	}
	id := req.ChannelID
	if id == "" {
		id = ari.NewID("cg-")
	}
	var node string
	var err error
	if req.OtherChannelID != "" {
		// Linked ids and the originator only exist within one Asterisk.
		if node, err = t.channelNode(ctx, "originate", req.OtherChannelID); err != nil {
			return "", err
		}
	} else if node, err = t.pickNode(); err != nil {
		return "", fmt.Errorf("ariproxy: originate: %w", err)
	}
	o := ariv5.OriginateRequest{
		Endpoint:   req.Endpoint,
		Timeout:    ari.OriginateTimeout(req.Timeout),
		CallerID:   ari.FormatCallerID(req.CallerIDName, req.CallerIDNum),
		App:        t.cfg.App,
		AppArgs:    strings.Join(req.AppArgs, ","),
		ChannelID:  id,
		Originator: req.OtherChannelID,
		Variables:  req.Variables,
	}
	for {
		// Owned before the request: the node may publish the channel's
		// first events before it answers.
		t.own(id, node, ownOriginated)
		t.vars.NoteMap(id, req.Variables)
		// The key has no channel kind: ari/v5 would take a channel key as
		// the originator.
		_, err = t.request(ctx, "originate", classCreate, node, &proxy.Request{
			Kind: "ChannelOriginate", Key: &ariv5.Key{}, ChannelOriginate: &proxy.ChannelOriginate{OriginateRequest: o},
		})
		if err == nil {
			return id, nil
		}
		t.forget(id)
		// A node that vanished never received the request (no responder,
		// or its proxy without Asterisk): another node may take the call.
		// Anything else might have reached Asterisk and is not retried.
		if req.OtherChannelID != "" || !errors.Is(err, core.ErrNotConnected) || !t.natsUp.Load() {
			return "", err
		}
		t.markSuspect(node)
		next, perr := t.pickNode()
		if perr != nil || next == node {
			return "", err
		}
		t.log.Warn("ariproxy: originate: node unavailable, trying another", "asterisk_node", node, "next", next, "err", err)
		node = next
	}
}

// markSuspect takes a node out of the live set at once after it failed to
// answer; its next announcement brings it back.
func (t *Telephony) markSuspect(node string) {
	t.mu.Lock()
	st := t.nodes[node]
	st.lastSeen = time.Time{}
	t.mu.Unlock()
	t.poke()
	// checkNodes runs on the monitor; wait for it so pickNode sees the
	// change (bounded, the monitor may be busy preparing another node).
	deadline := time.Now().Add(100 * time.Millisecond)
	for time.Now().Before(deadline) {
		t.mu.Lock()
		up := st.up
		t.mu.Unlock()
		if !up {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (t *Telephony) Answer(ctx context.Context, channelID string) error {
	return t.chanCmd(ctx, "answer", channelID, "ChannelAnswer", nil)
}

func (t *Telephony) Ring(ctx context.Context, channelID string) error {
	return t.chanCmd(ctx, "ring", channelID, "ChannelRing", nil)
}

// Hangup sends ARI's named reason for the cause. ari-proxy only carries a
// reason, which ari/v5 appends unescaped to the DELETE query; a cause
// without a name is therefore sent as "&reason_code=<n>" in that field,
// giving Asterisk an empty reason and the numeric reason_code.
func (t *Telephony) Hangup(ctx context.Context, channelID string, cause core.HangupCause) error {
	if cause == 0 {
		cause = core.CauseNormal
	}
	reason, ok := ari.HangupReason(cause)
	if !ok {
		if cause < 0 || cause > 127 {
			return fmt.Errorf("ariproxy: hangup: cause %d is not a Q.850 cause", cause)
		}
		reason = "&reason_code=" + strconv.Itoa(int(cause))
	}
	return t.chanCmd(ctx, "hangup", channelID, "ChannelHangup", func(r *proxy.Request) {
		r.ChannelHangup = &proxy.ChannelHangup{Reason: reason}
	})
}

func (t *Telephony) Continue(ctx context.Context, channelID, dialContext, exten string, priority int) error {
	if priority <= 0 {
		priority = 1
	}
	return t.chanCmd(ctx, "continue", channelID, "ChannelContinue", func(r *proxy.Request) {
		r.ChannelContinue = &proxy.ChannelContinue{Context: dialContext, Extension: exten, Priority: priority}
	})
}

func (t *Telephony) Hold(ctx context.Context, channelID string) error {
	return t.chanCmd(ctx, "hold", channelID, "ChannelHold", nil)
}

func (t *Telephony) Unhold(ctx context.Context, channelID string) error {
	return t.chanCmd(ctx, "unhold", channelID, "ChannelStopHold", nil)
}

func (t *Telephony) StartMOH(ctx context.Context, channelID, class string) error {
	return t.chanCmd(ctx, "start moh", channelID, "ChannelMOH", func(r *proxy.Request) {
		r.ChannelMOH = &proxy.ChannelMOH{Music: class}
	})
}

func (t *Telephony) StopMOH(ctx context.Context, channelID string) error {
	return t.chanCmd(ctx, "stop moh", channelID, "ChannelStopMOH", nil)
}

func (t *Telephony) SendDTMF(ctx context.Context, channelID, digits string, between time.Duration) error {
	if err := need("send dtmf", "digits", digits); err != nil {
		return err
	}
	if between <= 0 {
		between = 100 * time.Millisecond
	}
	return t.chanCmd(ctx, "send dtmf", channelID, "ChannelSendDTMF", func(r *proxy.Request) {
		r.ChannelSendDTMF = &proxy.ChannelSendDTMF{DTMF: digits, Options: &ariv5.DTMFOptions{Between: between, Duration: 100 * time.Millisecond}}
	})
}

func (t *Telephony) SetVar(ctx context.Context, channelID, name, value string) error {
	if err := need("set var", "name", name); err != nil {
		return err
	}
	err := t.chanCmd(ctx, "set var", channelID, "ChannelVariableSet", func(r *proxy.Request) {
		r.ChannelVariable = &proxy.ChannelVariable{Name: name, Value: value}
	})
	if err == nil {
		t.vars.Note(channelID, name)
	}
	return err
}

// ChannelVars lists the variables set through the gateway and Asterisk's
// standard ones that have a value, as pkg/telephony/ari does.
func (t *Telephony) ChannelVars(ctx context.Context, channelID string) ([]core.ChannelVar, error) {
	if err := need("channel vars", "channel", channelID); err != nil {
		return nil, err
	}
	return ari.ListVars(ctx, &t.vars, channelID, t.GetVar)
}

// GetVar returns "" for a variable never set. Through the proxy both an
// unknown variable and an unknown channel are a bare 404, so a 404 is
// told apart by asking for the channel.
func (t *Telephony) GetVar(ctx context.Context, channelID, name string) (string, error) {
	if err := need("get var", "name", name); err != nil {
		return "", err
	}
	node, err := t.channelNode(ctx, "get var", channelID)
	if err != nil {
		return "", err
	}
	resp, err := t.request(ctx, "get var", classData, node, &proxy.Request{
		Kind: "ChannelVariableGet", Key: chanKey(channelID), ChannelVariable: &proxy.ChannelVariable{Name: name},
	})
	if errors.Is(err, core.ErrNotFound) {
		if _, cerr := t.channelData(ctx, node, channelID); cerr == nil {
			return "", nil
		}
		return "", err
	}
	if err != nil {
		return "", err
	}
	if resp.Data == nil {
		return "", nil
	}
	return resp.Data.Variable, nil
}

// SendText is not carried by ari-proxy v5.3.1 (no request for
// /endpoints/sendMessage).
func (t *Telephony) SendText(ctx context.Context, from, to, body string, vars map[string]string) error {
	return fmt.Errorf("ariproxy: send text: %w: ari-proxy v5.3.1 has no text message request", errors.ErrUnsupported)
}

// Snoop creates snoopID on the spied channel's node; it enters the
// application with args ["snoop", channelID].
func (t *Telephony) Snoop(ctx context.Context, channelID, snoopID string, spy, whisper core.SnoopDirection) error {
	if err := need("snoop", "snoop id", snoopID); err != nil {
		return err
	}
	node, err := t.channelNode(ctx, "snoop", channelID)
	if err != nil {
		return err
	}
	dir := func(d core.SnoopDirection) ariv5.Direction {
		if d == "" {
			return ariv5.DirectionNone
		}
		return ariv5.Direction(d)
	}
	t.own(snoopID, node, ownSnoop)
	_, err = t.request(ctx, "snoop", classCreate, node, &proxy.Request{
		Kind: "ChannelSnoop", Key: chanKey(channelID),
		ChannelSnoop: &proxy.ChannelSnoop{SnoopID: snoopID, Options: &ariv5.SnoopOptions{
			App: t.cfg.App, AppArgs: "snoop," + channelID, Spy: dir(spy), Whisper: dir(whisper),
		}},
	})
	if err != nil {
		t.forget(snoopID)
	}
	return err
}

// Play starts a playback on a channel, or on a bridge (its first node's
// bridge).
func (t *Telephony) Play(ctx context.Context, playbackID string, target core.MediaTarget, media string) error {
	if err := need("play", "media", media); err != nil {
		return err
	}
	if playbackID == "" {
		playbackID = ari.NewID("pb-")
	}
	var node string
	var err error
	req := &proxy.Request{}
	switch target.Kind {
	case core.TargetChannel:
		node, err = t.channelNode(ctx, "play", target.ID)
		req.Kind, req.Key = "ChannelPlay", chanKey(target.ID)
		req.ChannelPlay = &proxy.ChannelPlay{PlaybackID: playbackID, MediaURI: media}
	case core.TargetBridge:
		node, err = t.bridgeMediaNode(ctx, "play", target.ID)
		req.Kind, req.Key = "BridgePlay", bridgeKey(target.ID)
		req.BridgePlay = &proxy.BridgePlay{PlaybackID: playbackID, MediaURI: media}
	default:
		return fmt.Errorf("ariproxy: play: unknown target kind %q", target.Kind)
	}
	if err != nil {
		return err
	}
	t.setMedia("pb:"+playbackID, node)
	if _, err = t.request(ctx, "play", classCreate, node, req); err != nil {
		t.setMedia("pb:"+playbackID, "")
	}
	return err
}

func (t *Telephony) setMedia(key, node string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if node == "" {
		delete(t.media, key)
		return
	}
	t.media[key] = node
}

// mediaNode returns the node of a playback or recording.
func (t *Telephony) mediaNode(ctx context.Context, op, key, id, dataKind, keyKind string) (string, error) {
	t.mu.Lock()
	n, ok := t.media[key]
	t.mu.Unlock()
	if ok {
		return n, nil
	}
	return t.locate(ctx, op, keyKind, id, func(ctx context.Context, node string) error {
		_, err := t.request(ctx, op, classData, node, &proxy.Request{Kind: dataKind, Key: ariv5.NewKey(keyKind, id)})
		return err
	})
}

func (t *Telephony) ControlPlayback(ctx context.Context, playbackID string, op core.PlaybackOp) error {
	if err := need("control playback", "playback id", playbackID); err != nil {
		return err
	}
	req := &proxy.Request{Key: ariv5.NewKey(ariv5.PlaybackKey, playbackID)}
	switch op {
	case core.PlaybackStop:
		req.Kind = "PlaybackStop"
	case core.PlaybackPause, core.PlaybackResume, core.PlaybackRestart:
		req.Kind = "PlaybackControl"
		req.PlaybackControl = &proxy.PlaybackControl{Command: string(op)}
	default:
		return fmt.Errorf("ariproxy: control playback: unknown operation %q", op)
	}
	node, err := t.mediaNode(ctx, "control playback", "pb:"+playbackID, playbackID, "PlaybackData", ariv5.PlaybackKey)
	if err != nil {
		return err
	}
	return t.command(ctx, "control playback", node, req)
}

// Record starts a live recording on a channel, or on a bridge (its first
// node's bridge).
func (t *Telephony) Record(ctx context.Context, target core.MediaTarget, name, format string) error {
	if err := need("record", "name", name); err != nil {
		return err
	}
	if format == "" {
		format = "wav"
	}
	opts := &ariv5.RecordingOptions{Format: format, Exists: t.cfg.RecordIfExists, Terminate: "none"}
	var node string
	var err error
	req := &proxy.Request{}
	switch target.Kind {
	case core.TargetChannel:
		node, err = t.channelNode(ctx, "record", target.ID)
		req.Kind, req.Key = "ChannelRecord", chanKey(target.ID)
		req.ChannelRecord = &proxy.ChannelRecord{Name: name, Options: opts}
	case core.TargetBridge:
		node, err = t.bridgeMediaNode(ctx, "record", target.ID)
		req.Kind, req.Key = "BridgeRecord", bridgeKey(target.ID)
		req.BridgeRecord = &proxy.BridgeRecord{Name: name, Options: opts}
	default:
		return fmt.Errorf("ariproxy: record: unknown target kind %q", target.Kind)
	}
	if err != nil {
		return err
	}
	t.setMedia("rec:"+name, node)
	if _, err = t.request(ctx, "record", classCreate, node, req); err != nil {
		t.setMedia("rec:"+name, "")
	}
	return err
}

func (t *Telephony) recordingCmd(ctx context.Context, op, name, kind string) error {
	if err := need(op, "recording name", name); err != nil {
		return err
	}
	node, err := t.mediaNode(ctx, op, "rec:"+name, name, "RecordingLiveData", ariv5.LiveRecordingKey)
	if err != nil {
		return err
	}
	return t.command(ctx, op, node, &proxy.Request{Kind: kind, Key: ariv5.NewKey(ariv5.LiveRecordingKey, name)})
}

func (t *Telephony) StopRecording(ctx context.Context, name string) error {
	return t.recordingCmd(ctx, "stop recording", name, "RecordingLiveStop")
}

func (t *Telephony) MuteRecording(ctx context.Context, name string, mute bool) error {
	if mute {
		return t.recordingCmd(ctx, "mute recording", name, "RecordingLiveMute")
	}
	return t.recordingCmd(ctx, "unmute recording", name, "RecordingLiveUnmute")
}

// Channels lists the channels of every live node. Nodes that are down are
// skipped (the engine was told with TelDisconnected); a live node that
// fails to answer makes the whole listing fail, so the engine never
// reconciles against a partial view of a node it believes up.
func (t *Telephony) Channels(ctx context.Context) ([]core.ChannelInfo, error) {
	up := t.upNodes()
	if len(up) == 0 || !t.natsUp.Load() {
		return nil, fmt.Errorf("ariproxy: list channels: %w", core.ErrNotConnected)
	}
	var out []core.ChannelInfo
	for _, node := range up {
		chans, err := t.nodeChannels(ctx, node)
		if err != nil {
			return nil, err
		}
		bridges, err := t.nodeBridges(ctx, node)
		if err != nil {
			return nil, err
		}
		in := map[string][]string{}
		for _, b := range bridges {
			for _, c := range b.Channels {
				in[c] = append(in[c], b.ID)
			}
		}
		for _, c := range chans {
			ci := core.ChannelInfo{
				ID: c.ID, Name: c.Name, State: c.State,
				LinkedID: c.ChannelVars[ari.LinkedIDVar], Bridges: in[c.ID],
			}
			if c.Caller != nil {
				ci.CallerID = c.Caller.Number
			}
			if c.Connected != nil {
				ci.Connected = c.Connected.Number
			}
			if c.Dialplan != nil {
				ci.Dialed = c.Dialplan.Exten
			}
			if ci.LinkedID == "" {
				ci.LinkedID = c.ID
			}
			if ts, ok := ari.ParseTime(c.CreationTime); ok {
				ci.Created = ts
			}
			out = append(out, ci)
		}
		if len(t.cfg.Nodes) > 1 {
			t.mu.Lock()
			for _, c := range chans {
				if _, ok := t.chans[c.ID]; !ok {
					t.chans[c.ID] = chanEntry{node: node}
					t.perNode[node]++
				}
			}
			t.mu.Unlock()
		}
	}
	return out, nil
}

func (t *Telephony) nodeChannels(ctx context.Context, node string) ([]*wireChannel, error) {
	ids, err := t.listIDs(ctx, node, "ChannelList")
	if err != nil {
		return nil, err
	}
	return fetchAll(ctx, ids, func(ctx context.Context, id string) (*wireChannel, error) { return t.channelData(ctx, node, id) })
}

func (t *Telephony) nodeBridges(ctx context.Context, node string) ([]*wireBridge, error) {
	ids, err := t.listIDs(ctx, node, "BridgeList")
	if err != nil {
		return nil, err
	}
	return fetchAll(ctx, ids, func(ctx context.Context, id string) (*wireBridge, error) { return t.bridgeData(ctx, node, id) })
}

// Bridges lists the logical bridges: the bridges of every live node merged
// by id, plus bridges created here that have no node yet.
func (t *Telephony) Bridges(ctx context.Context) ([]core.BridgeInfo, error) {
	up := t.upNodes()
	if len(up) == 0 || !t.natsUp.Load() {
		return nil, fmt.Errorf("ariproxy: list bridges: %w", core.ErrNotConnected)
	}
	byID := map[string]*core.BridgeInfo{}
	var order []string
	for _, node := range up {
		bridges, err := t.nodeBridges(ctx, node)
		if err != nil {
			return nil, err
		}
		for _, b := range bridges {
			bi := byID[b.ID]
			if bi == nil {
				kind := core.BridgeMixing
				if strings.Contains(b.BridgeType, "holding") {
					kind = core.BridgeHolding
				}
				bi = &core.BridgeInfo{ID: b.ID, Kind: kind, Channels: []string{}}
				byID[b.ID] = bi
				order = append(order, b.ID)
			}
			bi.Channels = append(bi.Channels, b.Channels...)
			t.learnBridge(b.ID, node, bi.Kind)
		}
	}
	t.mu.Lock()
	for id, st := range t.bridges {
		if len(st.nodes) == 0 && byID[id] == nil {
			byID[id] = &core.BridgeInfo{ID: id, Kind: st.kind, Channels: []string{}}
			order = append(order, id)
		}
	}
	t.mu.Unlock()
	out := make([]core.BridgeInfo, 0, len(order))
	for _, id := range order {
		out = append(out, *byID[id])
	}
	return out, nil
}

// bridgeState is a logical bridge: one Asterisk bridge per node it has
// channels on.
type bridgeState struct {
	kind  core.BridgeKind
	moh   string   // music on hold class while BridgeMOH is on
	nodes []string // nodes with an Asterisk bridge, in creation order
}

func (t *Telephony) bridgeType(kind core.BridgeKind) (string, error) {
	switch kind {
	case core.BridgeMixing, "":
		return t.cfg.MixingBridgeType, nil
	case core.BridgeHolding:
		return "holding", nil
	}
	return "", fmt.Errorf("ariproxy: create bridge: unknown kind %q", kind)
}

// learnBridge records a bridge found on a node (after a gateway restart).
func (t *Telephony) learnBridge(id, node string, kind core.BridgeKind) {
	t.mu.Lock()
	defer t.mu.Unlock()
	st := t.bridges[id]
	if st == nil {
		st = &bridgeState{kind: kind}
		t.bridges[id] = st
	}
	if !slices.Contains(st.nodes, node) {
		st.nodes = append(st.nodes, node)
	}
}

// CreateBridge creates the bridge at once when there is a single node;
// with several, the bridge is created on a node when its first channel
// there is added (or media is played or recorded on it).
func (t *Telephony) CreateBridge(ctx context.Context, bridgeID string, kind core.BridgeKind) error {
	if err := need("create bridge", "bridge id", bridgeID); err != nil {
		return err
	}
	if kind == "" {
		kind = core.BridgeMixing
	}
	if _, err := t.bridgeType(kind); err != nil {
		return err
	}
	if len(t.cfg.Nodes) == 1 {
		if err := t.createOn(ctx, bridgeID, kind, "", t.cfg.Nodes[0]); err != nil {
			return err
		}
		t.learnBridge(bridgeID, t.cfg.Nodes[0], kind)
		return nil
	}
	if !t.natsUp.Load() {
		return fmt.Errorf("ariproxy: create bridge: %w", core.ErrNotConnected)
	}
	t.mu.Lock()
	if t.bridges[bridgeID] == nil {
		t.bridges[bridgeID] = &bridgeState{kind: kind}
	}
	t.mu.Unlock()
	return nil
}

func (t *Telephony) createOn(ctx context.Context, id string, kind core.BridgeKind, moh, node string) error {
	typ, err := t.bridgeType(kind)
	if err != nil {
		return err
	}
	_, err = t.request(ctx, "create bridge", classCreate, node, &proxy.Request{
		Kind: "BridgeCreate", Key: bridgeKey(id), BridgeCreate: &proxy.BridgeCreate{Type: typ, Name: id},
	})
	if err != nil {
		return err
	}
	if moh != "" {
		if err := t.command(ctx, "bridge moh", node, &proxy.Request{Kind: "BridgeMOH", Key: bridgeKey(id), BridgeMOH: &proxy.BridgeMOH{Class: moh}}); err != nil {
			t.log.Warn("ariproxy: music on hold on new bridge instance", "bridge", id, "asterisk_node", node, "err", err)
		}
	}
	return nil
}

// bridgeOn makes sure the logical bridge has an Asterisk bridge on node.
func (t *Telephony) bridgeOn(ctx context.Context, op, id, node string) error {
	t.mu.Lock()
	st := t.bridges[id]
	var kind core.BridgeKind
	var moh string
	if st != nil {
		if slices.Contains(st.nodes, node) {
			t.mu.Unlock()
			return nil
		}
		kind, moh = st.kind, st.moh
	}
	t.mu.Unlock()
	if st == nil {
		// Not created through us (a gateway restart): it must exist there.
		b, err := t.bridgeData(ctx, node, id)
		if err != nil {
			return err
		}
		kind = core.BridgeMixing
		if strings.Contains(b.BridgeType, "holding") {
			kind = core.BridgeHolding
		}
		t.learnBridge(id, node, kind)
		return nil
	}
	if err := t.createOn(ctx, id, kind, moh, node); err != nil {
		return err
	}
	t.mu.Lock()
	if !slices.Contains(st.nodes, node) {
		st.nodes = append(st.nodes, node)
	}
	t.mu.Unlock()
	if len(st.nodes) > 1 && kind == core.BridgeMixing {
		t.log.Warn("ariproxy: mixing bridge spans nodes; audio is not mixed between Asterisks", "bridge", id, "nodes", st.nodes)
	}
	return nil
}

// bridgeNodes returns the nodes holding a logical bridge; ok is false for
// a bridge known nowhere.
func (t *Telephony) bridgeNodes(ctx context.Context, op, id string) (*bridgeState, []string, error) {
	if err := need(op, "bridge id", id); err != nil {
		return nil, nil, err
	}
	t.mu.Lock()
	st := t.bridges[id]
	var nodes []string
	if st != nil {
		nodes = slices.Clone(st.nodes)
	}
	t.mu.Unlock()
	if st != nil {
		return st, nodes, nil
	}
	n, err := t.locate(ctx, op, "bridge", id, func(ctx context.Context, node string) error {
		_, err := t.bridgeData(ctx, node, id)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return nil, []string{n}, nil
}

// bridgeMediaNode is the node whose bridge plays or records for a logical
// bridge: its first, created now on a picked node if it has none yet.
func (t *Telephony) bridgeMediaNode(ctx context.Context, op, id string) (string, error) {
	_, nodes, err := t.bridgeNodes(ctx, op, id)
	if err != nil {
		return "", err
	}
	if len(nodes) > 0 {
		return nodes[0], nil
	}
	node, err := t.pickNode()
	if err != nil {
		return "", fmt.Errorf("ariproxy: %s: %w", op, err)
	}
	if err := t.bridgeOn(ctx, op, id, node); err != nil {
		return "", err
	}
	return node, nil
}

// DestroyBridge destroys every node's bridge of the logical bridge and
// returns once none is listed any more (ARI answers the DELETE before the
// bridge is torn down).
func (t *Telephony) DestroyBridge(ctx context.Context, bridgeID string) error {
	_, nodes, err := t.bridgeNodes(ctx, "destroy bridge", bridgeID)
	if err != nil {
		return err
	}
	var errs []error
	for _, node := range nodes {
		err := t.command(ctx, "destroy bridge", node, &proxy.Request{Kind: "BridgeDelete", Key: bridgeKey(bridgeID)})
		switch {
		case err == nil:
			t.awaitBridgeGone(ctx, node, bridgeID)
		case errors.Is(err, core.ErrNotFound) && len(nodes) > 1:
			// one node's bridge already gone: the others still count
		default:
			errs = append(errs, err)
		}
	}
	err = errors.Join(errs...)
	if err == nil || errors.Is(err, core.ErrNotFound) {
		t.mu.Lock()
		delete(t.bridges, bridgeID)
		t.mu.Unlock()
	}
	return err
}

func (t *Telephony) awaitBridgeGone(ctx context.Context, node, id string) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.cfg.RequestTimeout)
		defer cancel()
	}
	for {
		_, err := t.bridgeData(ctx, node, id)
		if err != nil {
			return // gone, or no answer: deleted, just not confirmed
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// AddToBridge adds a channel to the logical bridge's Asterisk bridge on
// the channel's node, creating that bridge if needed.
func (t *Telephony) AddToBridge(ctx context.Context, bridgeID, channelID string) error {
	if err := need("add to bridge", "bridge id", bridgeID); err != nil {
		return err
	}
	node, err := t.channelNode(ctx, "add to bridge", channelID)
	if err != nil {
		return err
	}
	if err := t.bridgeOn(ctx, "add to bridge", bridgeID, node); err != nil {
		return err
	}
	return t.command(ctx, "add to bridge", node, &proxy.Request{
		Kind: "BridgeAddChannel", Key: bridgeKey(bridgeID), BridgeAddChannel: &proxy.BridgeAddChannel{Channel: channelID},
	}, 400)
}

func (t *Telephony) RemoveFromBridge(ctx context.Context, bridgeID, channelID string) error {
	if err := need("remove from bridge", "bridge id", bridgeID); err != nil {
		return err
	}
	node, err := t.channelNode(ctx, "remove from bridge", channelID)
	if err != nil {
		return err
	}
	return t.command(ctx, "remove from bridge", node, &proxy.Request{
		Kind: "BridgeRemoveChannel", Key: bridgeKey(bridgeID), BridgeRemoveChannel: &proxy.BridgeRemoveChannel{Channel: channelID},
	}, 400)
}

// BridgeMOH plays music on hold on every node's bridge of the logical
// bridge, and on those created later.
func (t *Telephony) BridgeMOH(ctx context.Context, bridgeID, class string) error {
	if class == "" {
		class = "default"
	}
	return t.bridgeEach(ctx, "bridge moh", bridgeID, class, func(node string) error {
		return t.command(ctx, "bridge moh", node, &proxy.Request{Kind: "BridgeMOH", Key: bridgeKey(bridgeID), BridgeMOH: &proxy.BridgeMOH{Class: class}})
	})
}

func (t *Telephony) BridgeStopMOH(ctx context.Context, bridgeID string) error {
	return t.bridgeEach(ctx, "bridge stop moh", bridgeID, "", func(node string) error {
		return t.command(ctx, "bridge stop moh", node, &proxy.Request{Kind: "BridgeStopMOH", Key: bridgeKey(bridgeID)})
	})
}

func (t *Telephony) bridgeEach(ctx context.Context, op, id, moh string, fn func(node string) error) error {
	st, nodes, err := t.bridgeNodes(ctx, op, id)
	if err != nil {
		return err
	}
	if st != nil {
		t.mu.Lock()
		st.moh = moh
		t.mu.Unlock()
	}
	var errs []error
	for _, n := range nodes {
		if err := fn(n); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ErrRecordingFileUnsupported: ari-proxy carries ARI requests over NATS as
// JSON messages and has no request for a stored recording's file body.
var ErrRecordingFileUnsupported = errors.New("ariproxy: recording file download is not supported through ari-proxy (mount the Asterisk recording spool or use the direct ARI driver)")

// RecordingFile is not supported through ari-proxy; see
// ErrRecordingFileUnsupported.
func (t *Telephony) RecordingFile(ctx context.Context, name string) (io.ReadCloser, error) {
	return nil, ErrRecordingFileUnsupported
}
