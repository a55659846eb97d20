package ari

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/callgate/callgate/core"
)

// A stored recording's file is downloaded with the ARI credentials; an
// unknown one is core.ErrNotFound; a name that could climb the URL path is
// refused before any request.
func TestRecordingFileDownloadsTheStoredRecording(t *testing.T) {
	f := newFakeARI(t)
	tel, _ := startTel(t, f, nil)
	f.respond("GET", "/recordings/stored/r1/file", 200, "RIFFdata")
	f.respond("GET", "/recordings/stored/gone/file", 404, `{"message":"Recording not found"}`)

	rc, err := tel.RecordingFile(t.Context(), "r1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if string(b) != "RIFFdata" {
		t.Fatalf("body = %q", b)
	}
	if _, err := tel.RecordingFile(t.Context(), "gone"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("unknown recording: %v", err)
	}
	f.clearRequests()
	for _, bad := range []string{"", "..", "a/b", `a\b`} {
		if _, err := tel.RecordingFile(t.Context(), bad); err == nil {
			t.Errorf("name %q accepted", bad)
		}
	}
	for _, r := range f.requests() {
		if strings.HasPrefix(r.Path, "/recordings/") {
			t.Fatalf("request %s %s for an invalid name", r.Method, r.Path)
		}
	}
}
