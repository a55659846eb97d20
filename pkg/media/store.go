// Package media keeps the audio of finished recordings: it fetches each
// file from the PBX (core.Telephony.RecordingFile) when a recording stops,
// stores it by day folder (YYYYMMDD/<guid>.<ext>) and transcodes it to MP3
// with a real encoder. It implements core.RecordingMedia.
package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"

	"github.com/callgate/callgate/core"
)

// Store keeps recording files by key (YYYYMMDD/<guid>.<ext>, built by Key
// only): DirStore on a local directory, S3Store on S3-compatible object
// storage shared by several gateways.
type Store interface {
	// Put stores r under key; more than max bytes is an error and nothing
	// is kept.
	Put(ctx context.Context, key string, r io.Reader, max int64) error
	// Get opens a stored file; core.ErrNotFound when there is none.
	Get(ctx context.Context, key string) (io.ReadCloser, error)
}

var (
	guidRe = regexp.MustCompile(`^[0-9A-Za-z-]{1,64}$`)
	// Formats the store accepts: what Asterisk records, and mp3.
	extOK = map[string]bool{"wav": true, "gsm": true, "mp3": true, "wav16": true, "ulaw": true, "alaw": true, "sln": true}
)

// ErrTooLarge: a file is bigger than the configured bound.
var ErrTooLarge = errors.New("media: recording file too large")

// Key is the store key of a recording's file in format ext. It is built from
// the recording's GUID and start date only, both validated, so no request
// input can name a path.
func Key(rec core.Recording, ext string) (string, error) {
	if !guidRe.MatchString(rec.GUID) {
		return "", fmt.Errorf("%w: media: recording %d has no usable guid", core.ErrInvalid, rec.ID)
	}
	if !extOK[ext] {
		return "", fmt.Errorf("%w: media: unknown format %q", core.ErrInvalid, ext)
	}
	if rec.Start.IsZero() {
		return "", fmt.Errorf("%w: media: recording %d has no start time", core.ErrInvalid, rec.ID)
	}
	return rec.Start.UTC().Format("20060102") + "/" + rec.GUID + "." + ext, nil
}

// DirStore keeps files under a local directory.
type DirStore struct{ Root string }

func (d DirStore) path(key string) (string, error) {
	// Keys come from Key; this is a second fence.
	if !filepath.IsLocal(key) {
		return "", fmt.Errorf("%w: media: bad key", core.ErrInvalid)
	}
	return filepath.Join(d.Root, filepath.FromSlash(key)), nil
}

func (d DirStore) Put(ctx context.Context, key string, r io.Reader, max int64) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return fmt.Errorf("media: store: %w", err)
	}
	// Write a temporary file and rename it: a reader never sees half a file.
	f, err := os.CreateTemp(filepath.Dir(p), ".part-*")
	if err != nil {
		return fmt.Errorf("media: store: %w", err)
	}
	tmp := f.Name()
	n, err := io.Copy(f, io.LimitReader(ctxReader{ctx, r}, max+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > max {
		err = ErrTooLarge
	}
	if err == nil {
		err = os.Rename(tmp, p)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("media: store %s: %w", key, err)
	}
	return nil
}

func (d DirStore) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: media: %s is not in the store", core.ErrNotFound, key)
	}
	if err != nil {
		return nil, fmt.Errorf("media: open: %w", err)
	}
	return f, nil
}

// ctxReader stops a copy when ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
