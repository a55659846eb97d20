package media_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/media"
)

// fakeS3 keeps objects of one bucket in memory and refuses unsigned
// requests and bodies that do not match their declared hash.
func fakeS3(t *testing.T) (*httptest.Server, map[string]string) {
	var mu sync.Mutex
	objs := map[string]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=AK/") {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		key, ok := strings.CutPrefix(r.URL.Path, "/bucket/")
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		switch r.Method {
		case http.MethodPut:
			b, _ := io.ReadAll(r.Body)
			sum := sha256.Sum256(b)
			if hex.EncodeToString(sum[:]) != r.Header.Get("x-amz-content-sha256") {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			objs[key] = string(b)
		case http.MethodGet:
			v, ok := objs[key]
			if !ok {
				w.WriteHeader(http.StatusNotFound)
				return
			}
			_, _ = io.WriteString(w, v)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, objs
}

func TestS3StoreRoundTripAndBounds(t *testing.T) {
	srv, objs := fakeS3(t)
	s := &media.S3Store{URL: srv.URL + "/bucket", AccessKey: "AK", SecretKey: "SK"}
	if err := s.Put(ctx, "20260309/abc.wav", strings.NewReader("RIFF...."), 100); err != nil {
		t.Fatal(err)
	}
	if objs["20260309/abc.wav"] != "RIFF...." {
		t.Fatalf("objects = %v", objs)
	}
	rc, err := s.Get(ctx, "20260309/abc.wav")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if string(b) != "RIFF...." {
		t.Fatalf("got %q", b)
	}
	if _, err := s.Get(ctx, "20260309/nope.wav"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("missing object: %v", err)
	}
	if err := s.Put(ctx, "20260309/big.wav", strings.NewReader("0123456789"), 9); !errors.Is(err, media.ErrTooLarge) {
		t.Fatalf("oversized: %v", err)
	}
	if _, ok := objs["20260309/big.wav"]; ok {
		t.Fatal("oversized object uploaded")
	}
	for _, bad := range []string{"../x.wav", "20260309/../../x", "2026/x.wav", "20260309/.x", "20260309/a/b"} {
		if err := s.Put(ctx, bad, strings.NewReader("x"), 9); !errors.Is(err, core.ErrInvalid) {
			t.Errorf("key %q: %v", bad, err)
		}
	}
}
