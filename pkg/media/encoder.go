package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"time"
)

// Encoder turns a recording's WAV into MP3.
type Encoder interface {
	Encode(ctx context.Context, wav io.Reader, mp3 io.Writer) error
}

// Lame runs Debian's lame as a subprocess (no pure-Go MP3 encoder was
// fetchable through the module proxy). The output is MPEG-1 Layer III, mono,
// 32 kHz, 32 kbit/s: telephone audio needs no more, and MPEG-1 is what every
// decoder reads (several only read MPEG-1, not the 8 kHz MPEG-2.5 lame picks
// by default).
type Lame struct {
	Path    string        // default "lame" from PATH
	Timeout time.Duration // default 2 minutes
}

// ErrEncoder: the encoder failed. Its stderr goes to the log only, never to
// a client.
var ErrEncoder = errors.New("media: mp3 encoder failed")

func (l Lame) Encode(ctx context.Context, wav io.Reader, mp3 io.Writer) error {
	path := l.Path
	if path == "" {
		path = "lame"
	}
	timeout := l.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "--quiet", "-m", "m", "--resample", "32", "-b", "32", "-", "-")
	cmd.Stdin = wav
	cmd.Stdout = mp3
	var stderr bytes.Buffer
	cmd.Stderr = &limitedBuffer{b: &stderr, max: 4096}
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%w: %v: %s", ErrEncoder, err, bytes.TrimSpace(stderr.Bytes()))
	}
	return nil
}

// Available tells whether the encoder binary can be found.
func (l Lame) Available() bool {
	path := l.Path
	if path == "" {
		path = "lame"
	}
	_, err := exec.LookPath(path)
	return err == nil
}

type limitedBuffer struct {
	b   *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.b.Len(); room > 0 {
		l.b.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}
