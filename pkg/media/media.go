package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/callgate/callgate/core"
)

// Fetcher reads a finished recording from the PBX (core.Telephony has it).
type Fetcher interface {
	RecordingFile(ctx context.Context, name string) (io.ReadCloser, error)
}

// Rows updates recording rows (core.Records has it).
type Rows interface {
	Update(ctx context.Context, v any, cols map[string]any) error
}

// Options configure a Service.
type Options struct {
	PBX Fetcher
	// Rows, when set, gets each archive outcome: media_status stored (with
	// media_file, the original's store key) or failed.
	Rows    Rows
	Store   Store
	Encoder Encoder // nil: no MP3 (Open answers ErrUnsupported for mp3)
	Logger  *slog.Logger
	// MaxBytes bounds one file (default 512 MiB).
	MaxBytes int64
	// Attempts and Backoff: a failed fetch is retried Attempts times in all
	// (default 6), waiting Backoff, 2×Backoff, … (default 2 s) in between.
	Attempts int
	Backoff  time.Duration
	// Workers bounds concurrent archive jobs (default 2).
	Workers int
	// OnArchived, when set, is called after each archive job (tests use it
	// as a gate).
	OnArchived func(rec core.Recording, err error)
}

// Service is the recording media: it archives finished recordings and opens
// them in their original format or as MP3. It implements core.RecordingMedia.
type Service struct {
	o   Options
	sem chan struct{}
	wg  sync.WaitGroup
	mu  sync.Mutex // serializes on-demand transcodes of one service
}

var _ core.RecordingMedia = (*Service)(nil)

// ErrUnsupported: the format cannot be produced here.
var ErrUnsupported = errors.New("media: format not available")

func New(o Options) *Service {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 512 << 20
	}
	if o.Attempts <= 0 {
		o.Attempts = 6
	}
	if o.Backoff <= 0 {
		o.Backoff = 2 * time.Second
	}
	if o.Workers <= 0 {
		o.Workers = 2
	}
	return &Service{o: o, sem: make(chan struct{}, o.Workers)}
}

// Run archives every recording that stops with status done, until ctx ends.
// It reads the bus on its own goroutine, so the engine never waits for it.
func (s *Service) Run(ctx context.Context, bus core.Bus) {
	for ctx.Err() == nil {
		sub, err := bus.Subscribe(0, 256)
		if err != nil {
			s.o.Logger.Error("media: subscribe", "err", err)
			return
		}
		s.consume(ctx, sub)
		sub.Close()
		if err := sub.Err(); err != nil && ctx.Err() == nil {
			// Overflow: recordings stopped in the gap are not archived
			// automatically (Open still fetches them on demand).
			s.o.Logger.Warn("media: event subscription ended, resubscribing", "err", err)
		}
	}
	s.wg.Wait()
}

func (s *Service) consume(ctx context.Context, sub core.Subscription) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-sub.C():
			if !ok {
				return
			}
			var rc core.RecordingChanged
			switch d := ev.Data.(type) {
			case core.RecordingChanged:
				rc = d
			case *core.RecordingChanged:
				rc = *d
			default:
				continue
			}
			if rc.Action != "stopped" || rc.Recording.Status != "done" {
				continue
			}
			s.Archive(ctx, rc.Recording)
		}
	}
}

// Archive fetches and stores one recording in the background, retrying with
// backoff; failures are logged.
func (s *Service) Archive(ctx context.Context, rec core.Recording) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		select {
		case s.sem <- struct{}{}:
		case <-ctx.Done():
			return
		}
		defer func() { <-s.sem }()
		var err error
		wait := s.o.Backoff
		for attempt := 1; attempt <= s.o.Attempts; attempt++ {
			if err = s.archiveOnce(ctx, rec); err == nil || errors.Is(err, core.ErrInvalid) || ctx.Err() != nil {
				break
			}
			s.o.Logger.Warn("media: archiving a recording failed", "recording", rec.ID, "attempt", attempt, "err", err)
			if attempt < s.o.Attempts {
				select {
				case <-time.After(wait):
				case <-ctx.Done():
				}
				wait *= 2
			}
		}
		if err != nil {
			s.o.Logger.Error("media: recording not archived", "recording", rec.ID, "err", err)
		}
		s.mark(rec, err)
		if s.o.OnArchived != nil {
			s.o.OnArchived(rec, err)
		}
	}()
}

// mark records the outcome on the recording's row.
func (s *Service) mark(rec core.Recording, archiveErr error) {
	if s.o.Rows == nil || rec.ID == 0 {
		return
	}
	cols := map[string]any{"media_status": "failed"}
	if archiveErr == nil {
		key, _ := Key(rec, rec.Format)
		cols = map[string]any{"media_status": "stored", "media_file": key}
	}
	// The job's context may be ending with the gateway; the row write is
	// short and bounded on its own.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	row := rec
	if err := s.o.Rows.Update(ctx, &row, cols); err != nil {
		s.o.Logger.Error("media: recording row not updated", "recording", rec.ID, "err", err)
	}
}

// archiveOnce stores the original file and, with an encoder, its MP3.
func (s *Service) archiveOnce(ctx context.Context, rec core.Recording) error {
	key, err := Key(rec, rec.Format)
	if err != nil {
		return err
	}
	if err := s.fetch(ctx, rec, key); err != nil {
		return err
	}
	if s.o.Encoder != nil && rec.Format == "wav" {
		if err := s.transcode(ctx, rec); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) fetch(ctx context.Context, rec core.Recording, key string) error {
	if s.o.PBX == nil {
		return fmt.Errorf("%w: media: no PBX to fetch from", ErrUnsupported)
	}
	body, err := s.o.PBX.RecordingFile(ctx, rec.Name)
	if err != nil {
		return fmt.Errorf("media: fetch %s: %w", rec.Name, err)
	}
	defer body.Close()
	return s.o.Store.Put(ctx, key, body, s.o.MaxBytes)
}

func (s *Service) transcode(ctx context.Context, rec core.Recording) error {
	src, err := Key(rec, rec.Format)
	if err != nil {
		return err
	}
	dst, _ := Key(rec, "mp3")
	in, err := s.o.Store.Get(ctx, src)
	if err != nil {
		return err
	}
	defer in.Close()
	// The encoder streams into the store: no whole MP3 in memory, and the
	// store's size bound applies to it as it is written.
	pr, pw := io.Pipe()
	encErr := make(chan error, 1)
	go func() {
		err := s.o.Encoder.Encode(ctx, io.LimitReader(in, s.o.MaxBytes), pw)
		pw.CloseWithError(err)
		encErr <- err
	}()
	putErr := s.o.Store.Put(ctx, dst, pr, s.o.MaxBytes)
	pr.CloseWithError(errors.New("media: store stopped reading"))
	if err := <-encErr; err != nil && putErr == nil {
		return err
	}
	return putErr
}

// Open implements core.RecordingMedia. A file not archived yet is fetched
// from the PBX (and transcoded) on demand.
func (s *Service) Open(ctx context.Context, rec core.Recording, format string) (io.ReadCloser, error) {
	if format == "" {
		format = rec.Format
	}
	if format != rec.Format && format != "mp3" {
		return nil, fmt.Errorf("%w: %w: %s recording as %q", core.ErrInvalid, ErrUnsupported, rec.Format, format)
	}
	if format == "mp3" && (s.o.Encoder == nil || rec.Format != "wav") && rec.Format != "mp3" {
		return nil, fmt.Errorf("%w: %w: no mp3 encoder for %s recordings", core.ErrInvalid, ErrUnsupported, rec.Format)
	}
	if rec.Status == "recording" {
		return nil, fmt.Errorf("%w: media: recording %d is still running", core.ErrNotFound, rec.ID)
	}
	key, err := Key(rec, format)
	if err != nil {
		return nil, err
	}
	f, err := s.o.Store.Get(ctx, key)
	if err == nil || !errors.Is(err, core.ErrNotFound) {
		return f, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	orig, _ := Key(rec, rec.Format)
	if o, gerr := s.o.Store.Get(ctx, orig); gerr == nil {
		o.Close()
	} else if err := s.fetch(ctx, rec, orig); err != nil {
		return nil, err
	}
	if format == "mp3" && rec.Format != "mp3" {
		if err := s.transcode(ctx, rec); err != nil {
			return nil, err
		}
	}
	return s.o.Store.Get(ctx, key)
}
