package media_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/media"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

var ctx = context.Background()

func rec(guid string) core.Recording {
	return core.Recording{ID: 7, GUID: guid, Name: "20260309-100000_1064_1", Format: "wav", Status: "done",
		Start: time.Date(2026, 3, 9, 23, 59, 0, 0, time.UTC)}
}

func TestKeyIsDayFolderAndGUIDOnly(t *testing.T) {
	for _, tc := range []struct {
		guid, ext, want string
		ok              bool
	}{
		{"6f1c2a3b-1111-2222-3333-444455556666", "mp3", "20260309/6f1c2a3b-1111-2222-3333-444455556666.mp3", true},
		{"abc", "wav", "20260309/abc.wav", true},
		{"../../etc/passwd", "wav", "", false},
		{"a/b", "wav", "", false},
		{"", "wav", "", false},
		{"abc", "../x", "", false},
		{"abc", "exe", "", false},
	} {
		got, err := media.Key(rec(tc.guid), tc.ext)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("Key(%q, %q) = %q, %v", tc.guid, tc.ext, got, err)
		}
		if !tc.ok && !errors.Is(err, core.ErrInvalid) {
			t.Errorf("Key(%q, %q): error %v is not EINVALID", tc.guid, tc.ext, err)
		}
	}
}

func TestDirStoreRefusesOversizedFilesAndKeepsNothing(t *testing.T) {
	dir := t.TempDir()
	s := media.DirStore{Root: dir}
	err := s.Put(ctx, "20260309/a.wav", strings.NewReader("0123456789"), 9)
	if !errors.Is(err, media.ErrTooLarge) {
		t.Fatalf("put 10 bytes with max 9: %v", err)
	}
	left, _ := os.ReadDir(filepath.Join(dir, "20260309"))
	if len(left) != 0 {
		t.Fatalf("left behind: %v", left)
	}
	if err := s.Put(ctx, "20260309/a.wav", strings.NewReader("0123456789"), 10); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "20260309/b.wav"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("missing file: %v", err)
	}
	if err := s.Put(ctx, "../escape.wav", strings.NewReader("x"), 10); err == nil {
		t.Fatal("a key outside the root was accepted")
	}
}

// flaky fails its first n fetches, then serves a WAV.
type flaky struct {
	mu    sync.Mutex
	fails int
	calls int
}

func (f *flaky) RecordingFile(ctx context.Context, name string) (io.ReadCloser, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.calls <= f.fails {
		return nil, core.ErrNotConnected
	}
	return io.NopCloser(bytes.NewReader(sim.SynthWAV(time.Second, true))), nil
}

func TestArchiveRetriesAFailedFetch(t *testing.T) {
	dir := t.TempDir()
	pbx := &flaky{fails: 2}
	done := make(chan error, 1)
	svc := media.New(media.Options{PBX: pbx, Store: media.DirStore{Root: dir}, Backoff: time.Millisecond, Attempts: 3,
		OnArchived: func(_ core.Recording, err error) { done <- err }})
	svc.Archive(ctx, rec("abc"))
	if err := <-done; err != nil {
		t.Fatalf("archive after two failures: %v", err)
	}
	if pbx.calls != 3 {
		t.Fatalf("fetches = %d, want 3", pbx.calls)
	}
	if _, err := os.Stat(filepath.Join(dir, "20260309", "abc.wav")); err != nil {
		t.Fatal(err)
	}

	pbx = &flaky{fails: 5}
	rows := &fakeRows{}
	svc = media.New(media.Options{PBX: pbx, Rows: rows, Store: media.DirStore{Root: t.TempDir()}, Backoff: time.Millisecond, Attempts: 2,
		OnArchived: func(_ core.Recording, err error) { done <- err }})
	svc.Archive(ctx, rec("abc"))
	if err := <-done; !errors.Is(err, core.ErrNotConnected) {
		t.Fatalf("archive giving up: %v", err)
	}
	if len(rows.cols) != 1 || rows.cols[0]["media_status"] != "failed" {
		t.Fatalf("row updates after giving up: %v", rows.cols)
	}
}

type fakeRows struct {
	mu   sync.Mutex
	cols []map[string]any
}

func (f *fakeRows) Update(_ context.Context, _ any, cols map[string]any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cols = append(f.cols, cols)
	return nil
}

func TestOpenFetchesOnDemandAndRefusesWhatItCannotServe(t *testing.T) {
	pbx := &flaky{}
	svc := media.New(media.Options{PBX: pbx, Store: media.DirStore{Root: t.TempDir()}})
	r, err := svc.Open(ctx, rec("abc"), "wav")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r)
	r.Close()
	if !bytes.HasPrefix(b, []byte("RIFF")) {
		t.Fatalf("not a wav: %q", b[:min(len(b), 8)])
	}
	// No encoder: MP3 is refused as invalid, not attempted.
	if _, err := svc.Open(ctx, rec("abc"), "mp3"); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("mp3 without encoder: %v", err)
	}
	running := rec("abc")
	running.Status = "recording"
	if _, err := svc.Open(ctx, running, "wav"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("running recording: %v", err)
	}
}

func TestEncoderFailureKeepsItsOutputOutOfTheError(t *testing.T) {
	// A script that prints a secret-looking line on stderr and fails.
	dir := t.TempDir()
	bad := filepath.Join(dir, "lame")
	if err := os.WriteFile(bad, []byte("#!/bin/sh\necho 'stderr detail' >&2\nexit 3\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := media.Lame{Path: bad}.Encode(ctx, bytes.NewReader(sim.SynthWAV(time.Second, false)), &out)
	if !errors.Is(err, media.ErrEncoder) {
		t.Fatalf("err = %v, want ErrEncoder", err)
	}
	// The detail is in the error for the log (the admin API logs it and
	// answers a fixed text).
	if !strings.Contains(err.Error(), "stderr detail") {
		t.Fatalf("err %v lacks the encoder's stderr for the log", err)
	}
}

func TestEncoderIsKilledAtItsTimeout(t *testing.T) {
	dir := t.TempDir()
	slow := filepath.Join(dir, "lame")
	if err := os.WriteFile(slow, []byte("#!/bin/sh\nexec sleep 60\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	// sleep would exit 0 after a minute: only the kill at the timeout makes
	// this an error.
	err := media.Lame{Path: slow, Timeout: 50 * time.Millisecond}.Encode(ctx, strings.NewReader(""), io.Discard)
	if !errors.Is(err, media.ErrEncoder) {
		t.Fatalf("err = %v", err)
	}
}

func TestLameOutputIsMP3(t *testing.T) {
	if !(media.Lame{}).Available() {
		t.Skip("lame not installed")
	}
	var out bytes.Buffer
	if err := (media.Lame{}).Encode(ctx, bytes.NewReader(sim.SynthWAV(2*time.Second, true)), &out); err != nil {
		t.Fatal(err)
	}
	b := out.Bytes()
	// An MPEG-1 Layer III frame sync (0xFFFB) or an ID3 tag.
	if len(b) < 4 || !(bytes.HasPrefix(b, []byte("ID3")) || (b[0] == 0xFF && b[1]&0xFE == 0xFA)) {
		t.Fatalf("not an MPEG-1 Layer III stream: % x", b[:min(len(b), 4)])
	}
}
