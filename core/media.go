package core

import (
	"context"
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
