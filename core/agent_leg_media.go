package core

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// A persistent agent's own line stays up between calls (its conference, in
// VICIdial's words). Recording and playback asked for while the agent has
// no connected call act on that line, as VICIdial records and plays into
// the agent's conference. On-hook agents have no line between calls: for
// them the answer stays ErrNoCall.
//
// The line's recording and playback live in memory only; a restart closes
// them with the line (the PBX ends both when the channel goes).
type agentLegMedia struct {
	line      string // the channel they act on
	recording *Recording
	playback  string
}

// agentLegLocked is the persistent agent's own channel when the agent is
// logged in with no call at all ("" otherwise).
func (e *Engine) agentLegLocked(user string) string {
	s := e.sessions[user]
	if s == nil || e.agentCallLocked(user) != nil {
		return ""
	}
	return s.ChannelID // set only while a persistent line is up
}

// legMediaLocked is the media state of the agent's current line. State
// left from an earlier line (the agent logged out and in again before the
// PBX reported the end) is closed first.
func (e *Engine) legMediaLocked(user, line string) *agentLegMedia {
	if e.agentLeg == nil {
		e.agentLeg = map[string]*agentLegMedia{}
	}
	m := e.agentLeg[user]
	if m != nil && m.line != line {
		if m.recording != nil {
			e.closeRecordingAtLocked(context.Background(), nil, m.recording, "done", e.now())
		}
		m = nil
	}
	if m == nil {
		m = &agentLegMedia{line: line}
		e.agentLeg[user] = m
	}
	return m
}

// currentLegMediaLocked is the media state of the agent's line while that
// line is still the session's (nil otherwise).
func (e *Engine) currentLegMediaLocked(user string) *agentLegMedia {
	m := e.agentLeg[user]
	if m == nil {
		return nil
	}
	if s := e.sessions[user]; s == nil || s.ChannelID != m.line {
		return nil
	}
	return m
}

// noCallFallback tells whether err (from connectedCallLocked) lets the
// agent's own line be used instead.
func noCallFallback(err error) bool { return errors.Is(err, ErrNoCall) }

// recordAgentLeg records the persistent agent's own line; ErrNoCall when
// the agent has none.
func (e *Engine) recordAgentLeg(ctx context.Context, user string) (Recording, error) {
	e.lock()
	ch := e.agentLegLocked(user)
	if ch == "" {
		e.unlock()
		return Recording{}, fmt.Errorf("%w: %s", ErrNoCall, user)
	}
	m := e.legMediaLocked(user, ch)
	if m.recording != nil {
		r := *m.recording
		e.unlock()
		return r, nil
	}
	now := e.now()
	// Named like call recordings, with "line" and the next recording
	// number where the call id would be.
	name := fmt.Sprintf("%s_%s_line%d", now.Format("20060102-150405"), fileNamePart(user), e.lastRecID+1)
	e.pxRecord(MediaTarget{Kind: TargetChannel, ID: ch}, name, e.opt.RecordingFormat).reported().onOK(func() {
		e.agentLegRecordingStartedLocked(user, ch, name, now)
	})
	if err := e.unlockWait(ctx); err != nil {
		return Recording{}, fmt.Errorf("record: %w", err)
	}
	e.lock()
	defer e.unlock()
	if m := e.currentLegMediaLocked(user); m != nil && m.recording != nil {
		return *m.recording, nil
	}
	return Recording{}, fmt.Errorf("%w: %s", ErrNoCall, user)
}

func (e *Engine) agentLegRecordingStartedLocked(user, ch, name string, now time.Time) {
	s := e.sessions[user]
	if s == nil || s.ChannelID != ch || e.legMediaLocked(user, ch).recording != nil {
		// The agent left (or another recording started) meanwhile.
		e.pxStopRecording(name)
		return
	}
	day := now.Format("2006-01-02")
	e.lastRecID++
	rec := &Recording{
		ID: e.lastRecID, GUID: newGUID(), LeadID: s.LeadID, Agent: user, Name: name, Format: e.opt.RecordingFormat,
		File: day + "/" + name + "." + e.opt.RecordingFormat, DayFolder: day, Start: now, Status: "recording",
	}
	cp := *rec
	e.write("recording "+name, func(ctx context.Context, st Store) error { return st.Create(ctx, &cp) })
	e.legMediaLocked(user, ch).recording = rec
	e.publish(RecordingChanged{Recording: *rec, Agent: user, Interface: e.interfaceLocked(user), Action: "started"}, user)
}

// stopAgentLegRecording stops the recording of the agent's own line;
// ErrNotRecording when none runs.
func (e *Engine) stopAgentLegRecording(ctx context.Context, user string) (Recording, error) {
	e.lock()
	m := e.currentLegMediaLocked(user)
	if m == nil || m.recording == nil {
		e.unlock()
		return Recording{}, fmt.Errorf("%w: %s", ErrNotRecording, user)
	}
	rec := m.recording
	e.pxStopRecording(rec.Name).reported().onOK(func() {
		if m.recording == rec {
			m.recording = nil
			e.closeRecordingAtLocked(ctx, nil, rec, "done", e.now())
		}
	})
	if err := e.unlockWait(ctx); err != nil {
		return Recording{}, fmt.Errorf("stop recording: %w", err)
	}
	e.lock()
	defer e.unlock()
	return *rec, nil
}

// agentLegRecordingLocked is the recording of the agent's own line.
func (e *Engine) agentLegRecordingLocked(user string) (Recording, bool) {
	if m := e.currentLegMediaLocked(user); m != nil && m.recording != nil {
		return *m.recording, true
	}
	return Recording{}, false
}

// agentLegRecordingDoneLocked closes a line recording the PBX ended.
func (e *Engine) agentLegRecordingDoneLocked(ctx context.Context, ev TelEvent) bool {
	for _, m := range e.agentLeg {
		if m.recording != nil && m.recording.Name == ev.RecordingName {
			status := "done"
			if ev.Type == TelRecordingFailed {
				status = "failed"
			}
			rec := m.recording
			m.recording = nil
			e.closeRecordingAtLocked(ctx, nil, rec, status, e.now())
			return true
		}
	}
	return false
}

// playAgentLeg plays media to the persistent agent's own line.
func (e *Engine) playAgentLeg(ctx context.Context, user, media string) (string, error) {
	e.lock()
	ch := e.agentLegLocked(user)
	if ch == "" {
		e.unlock()
		return "", fmt.Errorf("%w: %s", ErrNoCall, user)
	}
	m := e.legMediaLocked(user, ch)
	if m.playback != "" {
		e.pxControlPlayback(m.playback, PlaybackStop)
	}
	id := e.newChanID("play")
	e.pxPlay(id, MediaTarget{Kind: TargetChannel, ID: ch}, media).reported().onOK(func() { m.playback = id })
	if err := e.unlockWait(ctx); err != nil {
		return "", fmt.Errorf("play: %w", err)
	}
	return id, nil
}

// controlAgentLegPlayback acts on the playback of the agent's own line.
func (e *Engine) controlAgentLegPlayback(ctx context.Context, user string, op PlaybackOp) error {
	e.lock()
	m := e.currentLegMediaLocked(user)
	if m == nil || m.playback == "" {
		e.unlock()
		return fmt.Errorf("%w: %s", ErrNoPlayback, user)
	}
	id := m.playback
	e.pxControlPlayback(id, op).reported().onOK(func() {
		if op == PlaybackStop && m.playback == id {
			m.playback = ""
		}
	})
	if err := e.unlockWait(ctx); err != nil {
		return fmt.Errorf("playback %s: %w", op, err)
	}
	return nil
}
