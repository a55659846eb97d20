package core

import (
	"context"
	"strings"
)

// Call operations the call-script runner needs on a call no agent owns.

// liveScriptCallLocked is the call, still up, with its channel.
func (e *Engine) liveScriptCallLocked(id uint64) (*liveCall, error) {
	c := e.calls[id]
	if c == nil || c.State == CallDone || c.ChannelID == "" {
		return nil, Errorf(ENOTFOUND, "call %d is not up", id)
	}
	return c, nil
}

// PlayOnCall plays media (sound:, tone:, recording:; a bare name is a
// sound) to the call's customer channel.
func (e *Engine) PlayOnCall(ctx context.Context, id uint64, media string) error {
	if media == "" {
		return Errorf(EINVALID, "no media")
	}
	if !strings.Contains(media, ":") {
		media = "sound:" + media
	}
	e.lock()
	c, err := e.liveScriptCallLocked(id)
	if err != nil {
		e.unlock()
		return err
	}
	e.pxPlay(e.newChanID("play"), MediaTarget{Kind: TargetChannel, ID: c.ChannelID}, media).reported()
	return e.unlockWait(ctx)
}

// QueueCall puts a call a script answered into a queue, where the ACD
// offers it to the queue's agents like any inbound call.
func (e *Engine) QueueCall(ctx context.Context, id uint64, queue string) error {
	e.lock()
	defer e.unlock()
	c, err := e.liveScriptCallLocked(id)
	if err != nil {
		return err
	}
	if _, ok := e.queues[queue]; !ok {
		return Errorf(ENOTFOUND, "queue %s", queue)
	}
	if c.State == CallQueued {
		return Errorf(ECONFLICT, "call %d is already queued", id)
	}
	return e.enterQueueLocked(ctx, c, queue)
}

// callLive is whether the call is still up (not ended, not unknown).
func (e *Engine) callLive(id uint64) bool {
	e.lock()
	defer e.unlock()
	c := e.calls[id]
	return c != nil && c.State != CallDone
}
