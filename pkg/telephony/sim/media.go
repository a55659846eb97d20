package sim

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/callgate/callgate/core"
)

type playback struct {
	id        string
	target    core.MediaTarget
	media     string
	paused    bool
	dur       time.Duration // 0: until stopped
	remaining time.Duration
	since     time.Time // when remaining started counting down
	timer     *timer
	restarts  int
}

func (pb *playback) stopTimer() {
	pb.timer.Stop()
	pb.timer = nil
}

// PlaybackState is a copy of a live playback.
type PlaybackState struct {
	ID       string
	Target   core.MediaTarget
	Media    string
	Paused   bool
	Restarts int
}

// Playback returns a copy of a playback that has not finished.
func (p *PBX) Playback(id string) (PlaybackState, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pb, ok := p.playbacks[id]
	if !ok {
		return PlaybackState{}, false
	}
	return PlaybackState{ID: pb.id, Target: pb.target, Media: pb.media, Paused: pb.paused, Restarts: pb.restarts}, true
}

type recording struct {
	name    string
	target  core.MediaTarget
	format  string
	started time.Time
	muted   bool
}

// RecordingState is a copy of a live or finished recording.
type RecordingState struct {
	Name     string
	Target   core.MediaTarget
	Format   string
	Started  time.Time
	Muted    bool
	Live     bool
	Duration time.Duration // set once finished
}

// Recording returns a live recording, or else the last finished one with
// that name.
func (p *PBX) Recording(name string) (RecordingState, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r, ok := p.recs[name]; ok {
		return RecordingState{Name: r.name, Target: r.target, Format: r.format, Started: r.started, Muted: r.muted, Live: true}, true
	}
	for i := len(p.finished) - 1; i >= 0; i-- {
		if p.finished[i].Name == name {
			return p.finished[i], true
		}
	}
	return RecordingState{}, false
}

// mediaTarget checks that a channel target is in the application or a bridge
// target exists, with mu held.
func (p *PBX) mediaTarget(t core.MediaTarget) error {
	switch t.Kind {
	case core.TargetChannel:
		_, err := p.inApp(t.ID)
		return err
	case core.TargetBridge:
		_, err := p.bridge(t.ID)
		return err
	}
	return fmt.Errorf("sim: unknown media target kind %q", t.Kind)
}

func mediaEvent(t core.TelEventType, target core.MediaTarget) core.TelEvent {
	ev := core.TelEvent{Type: t}
	if target.Kind == core.TargetChannel {
		ev.ChannelID, ev.UniqueID = target.ID, target.ID
	}
	return ev
}

func (p *PBX) Play(ctx context.Context, playbackID string, target core.MediaTarget, media string) error {
	p.enter(ctx, "play", playbackID)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.check(ctx); err != nil {
		return err
	}
	if err := p.mediaTarget(target); err != nil {
		return err
	}
	if media == "" {
		return errors.New("sim: play: empty media")
	}
	if playbackID == "" {
		playbackID = p.newID("pb")
	}
	if _, ok := p.playbacks[playbackID]; ok {
		return fmt.Errorf("sim: play: playback id %q already in use", playbackID)
	}
	dur, ok := p.pbMedia[media]
	if !ok {
		dur = p.pbDefault
	}
	p.logOp("play", playbackID, string(target.Kind), target.ID, media)
	pb := &playback{id: playbackID, target: target, media: media, dur: dur, remaining: dur, since: p.now()}
	p.playbacks[playbackID] = pb
	ev := mediaEvent(core.TelPlaybackStarted, target)
	ev.PlaybackID = playbackID
	p.emit(ev)
	p.armPlayback(pb)
	return nil
}

// armPlayback runs with mu held.
func (p *PBX) armPlayback(pb *playback) {
	pb.stopTimer()
	if pb.dur <= 0 || pb.paused {
		return
	}
	pb.since = p.now()
	pb.timer = p.after(pb.remaining, func() {
		if p.playbacks[pb.id] == pb {
			p.finishPlayback(pb)
		}
	})
}

func (p *PBX) finishPlayback(pb *playback) {
	pb.stopTimer()
	delete(p.playbacks, pb.id)
	ev := mediaEvent(core.TelPlaybackFinished, pb.target)
	ev.PlaybackID = pb.id
	p.emit(ev)
}

func (p *PBX) ControlPlayback(ctx context.Context, playbackID string, op core.PlaybackOp) error {
	p.enter(ctx, "control_playback", playbackID)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.check(ctx); err != nil {
		return err
	}
	pb, ok := p.playbacks[playbackID]
	if !ok {
		return notFound("playback", playbackID)
	}
	switch op {
	case core.PlaybackStop:
		p.logOp("playback_stop", playbackID)
		p.finishPlayback(pb)
	case core.PlaybackPause:
		p.logOp("playback_pause", playbackID)
		if !pb.paused {
			if pb.dur > 0 {
				pb.remaining -= p.now().Sub(pb.since)
			}
			pb.paused = true
			pb.stopTimer()
		}
	case core.PlaybackResume:
		p.logOp("playback_unpause", playbackID)
		if pb.paused {
			pb.paused = false
			p.armPlayback(pb)
		}
	case core.PlaybackRestart:
		p.logOp("playback_restart", playbackID)
		pb.restarts++
		pb.remaining = pb.dur
		p.armPlayback(pb)
	default:
		return fmt.Errorf("sim: control playback: unknown operation %q", op)
	}
	return nil
}

func (p *PBX) Record(ctx context.Context, target core.MediaTarget, name, format string) error {
	p.enter(ctx, "record", name)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.check(ctx); err != nil {
		return err
	}
	if err := p.mediaTarget(target); err != nil {
		return err
	}
	if name == "" {
		return errors.New("sim: record: empty name")
	}
	if _, ok := p.recs[name]; ok {
		return fmt.Errorf("sim: record: recording %q already in progress", name)
	}
	if format == "" {
		format = "wav"
	}
	p.logOp("record", name, string(target.Kind), target.ID, format)
	p.recs[name] = &recording{name: name, target: target, format: format, started: p.now()}
	ev := mediaEvent(core.TelRecordingStarted, target)
	ev.RecordingName = name
	p.emit(ev)
	return nil
}

func (p *PBX) StopRecording(ctx context.Context, name string) error {
	p.enter(ctx, "stop_recording", name)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.check(ctx); err != nil {
		return err
	}
	r, ok := p.recs[name]
	if !ok {
		return notFound("recording", name)
	}
	p.logOp("stop_recording", name)
	p.finishRecording(r)
	return nil
}

func (p *PBX) finishRecording(r *recording) {
	delete(p.recs, r.name)
	d := p.now().Sub(r.started)
	p.finished = append(p.finished, RecordingState{
		Name: r.name, Target: r.target, Format: r.format, Started: r.started, Muted: r.muted, Duration: d,
	})
	if len(p.finished) > p.maxLog {
		p.finished = append([]RecordingState(nil), p.finished[len(p.finished)-p.maxLog/2:]...)
	}
	ev := mediaEvent(core.TelRecordingFinished, r.target)
	ev.RecordingName = r.name
	ev.Duration = d
	p.emit(ev)
}

func (p *PBX) MuteRecording(ctx context.Context, name string, mute bool) error {
	p.enter(ctx, "mute_recording", name)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.check(ctx); err != nil {
		return err
	}
	r, ok := p.recs[name]
	if !ok {
		return notFound("recording", name)
	}
	if mute {
		p.logOp("mute_recording", name)
	} else {
		p.logOp("unmute_recording", name)
	}
	r.muted = mute
	return nil
}

// endMedia finishes the playbacks and recordings on a target that goes away,
// in a stable order, with mu held.
func (p *PBX) endMedia(kind core.MediaTargetKind, id string) {
	t := core.MediaTarget{Kind: kind, ID: id}
	for _, pid := range sortedKeys(p.playbacks) {
		if pb := p.playbacks[pid]; pb.target == t {
			p.finishPlayback(pb)
		}
	}
	for _, name := range sortedKeys(p.recs) {
		if r := p.recs[name]; r.target == t {
			p.finishRecording(r)
		}
	}
}

// simRecordingRate is the sample rate of the simulator's recordings (8 kHz,
// what Asterisk records telephone audio at).
const simRecordingRate = 8000

// maxSimRecording bounds the audio the simulator synthesizes for one
// recording (a runaway fake clock must not allocate gigabytes).
const maxSimRecording = 2 * time.Hour

// RecordingFile returns a finished recording as a real audio file: a
// 16-bit mono 8 kHz WAV as long as the recording lasted on the PBX's clock,
// holding a 440 Hz tone (silence when the recording ended muted). Other
// formats than wav are refused: the simulator only writes WAV.
func (p *PBX) RecordingFile(ctx context.Context, name string) (io.ReadCloser, error) {
	p.mu.Lock()
	if err := p.check(ctx); err != nil {
		p.mu.Unlock()
		return nil, err
	}
	var st RecordingState
	found := false
	for i := len(p.finished) - 1; i >= 0; i-- {
		if p.finished[i].Name == name {
			st, found = p.finished[i], true
			break
		}
	}
	p.mu.Unlock()
	if !found {
		return nil, notFound("stored recording", name)
	}
	if st.Format != "wav" {
		return nil, fmt.Errorf("sim: recording file: the simulator writes wav only, not %q", st.Format)
	}
	return io.NopCloser(bytes.NewReader(SynthWAV(st.Duration, !st.Muted))), nil
}

// SynthWAV builds a 16-bit mono 8 kHz PCM WAV of duration d (bounded to two
// hours): a 440 Hz tone at half scale, or silence.
func SynthWAV(d time.Duration, tone bool) []byte {
	d = min(max(d, 0), maxSimRecording)
	n := int(d * simRecordingRate / time.Second)
	var b bytes.Buffer
	b.Grow(44 + 2*n)
	le := binary.LittleEndian
	w := func(v any) { _ = binary.Write(&b, le, v) }
	b.WriteString("RIFF")
	w(uint32(36 + 2*n))
	b.WriteString("WAVEfmt ")
	w(uint32(16))
	w(uint16(1)) // PCM
	w(uint16(1)) // mono
	w(uint32(simRecordingRate))
	w(uint32(simRecordingRate * 2))
	w(uint16(2))
	w(uint16(16))
	b.WriteString("data")
	w(uint32(2 * n))
	sample := make([]byte, 2)
	for i := 0; i < n; i++ {
		var v int16
		if tone {
			v = int16(16000 * math.Sin(2*math.Pi*440*float64(i)/simRecordingRate))
		}
		le.PutUint16(sample, uint16(v))
		b.Write(sample)
	}
	return b.Bytes()
}
