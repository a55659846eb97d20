package core

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// RecordingMedia is the recording media port: the audio of finished
// recordings, kept outside the PBX (pkg/media). The engine only records the
// metadata (Recording rows); the media side fetches each finished file
// through Telephony.RecordingFile on its own goroutine, so a slow PBX or
// disk never holds the engine.
type RecordingMedia interface {
	// Open returns the recording's audio in format: "" or the recorded
	// format (wav, gsm) for the original, "mp3" transcoded. ErrNotFound when
	// the file is not (yet) in the store.
	Open(ctx context.Context, rec Recording, format string) (io.ReadCloser, error)
}

// ErrNoMedia: no recording media is configured (Options.Media).
var ErrNoMedia = &Error{Code: EUNAVAILABLE, Message: "recording media is not configured"}

// RecordingAudio opens recording id's audio in format ("" as recorded,
// "mp3"), for every dialect that hands out recordings. It reads the row and
// the store only: the engine's lock is not taken.
func (e *Engine) RecordingAudio(ctx context.Context, id uint64, format string) (io.ReadCloser, Recording, error) {
	if e.opt.Media == nil {
		return nil, Recording{}, ErrNoMedia
	}
	var rec Recording
	if err := e.store.First(ctx, &rec, ByID(id)); err != nil {
		if errors.Is(err, ErrNoRecord) {
			return nil, Recording{}, fmt.Errorf("%w: recording %d", ErrNoRecord, id)
		}
		return nil, Recording{}, err
	}
	rc, err := e.opt.Media.Open(ctx, rec, format)
	return rc, rec, err
}
