package secret

import (
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHashVerifiesOnlyTheRightPassword(t *testing.T) {
	b, _ := New(nil, TestParams)
	h, err := b.Hash("1234")
	if err != nil || !b.IsHash(h) || strings.Contains(h, "1234$") {
		t.Fatalf("hash %q %v", h, err)
	}
	h2, _ := b.Hash("1234")
	if h == h2 {
		t.Fatal("same hash twice: no salt")
	}
	for _, c := range []struct {
		stored, given string
		want          bool
	}{
		{h, "1234", true},
		{h2, "1234", true},
		{h, "12345", false},
		{h, "", false},
		{"1234", "1234", false}, // clear text is not a hash
		{strings.Replace(h, "m=64", "m=999999999", 1), "1234", false},
		{HashPrefix + "garbage", "1234", false},
	} {
		if got := b.Verify(c.stored, c.given); got != c.want {
			t.Errorf("Verify(%q, %q) = %v", c.stored, c.given, got)
		}
	}
	// Hashes carry their costs: the default facility verifies test hashes.
	d, _ := New(nil, Params{})
	if !d.Verify(h, "1234") {
		t.Error("parameters not read from the hash")
	}
}

func TestSealOpensOnlyWithItsKey(t *testing.T) {
	k1, k2 := make([]byte, KeySize), make([]byte, KeySize)
	k2[0] = 1
	b1, _ := New(k1, TestParams)
	b2, _ := New(k2, TestParams)
	s, err := b1.Seal("unaclavesecreta")
	if err != nil || !b1.IsSealed(s) || strings.Contains(s, "unaclavesecreta") {
		t.Fatalf("sealed %q %v", s, err)
	}
	if p, err := b1.Open(s); err != nil || p != "unaclavesecreta" {
		t.Fatalf("open: %q %v", p, err)
	}
	if _, err := b2.Open(s); !errors.Is(err, ErrBadSealed) {
		t.Fatalf("other key: %v", err)
	}
	// One character in the middle of the ciphertext changed (the last ones
	// may carry padding bits, and "AA" may be what was there: 1 in 4096).
	i := len(s) - 10
	c := byte('A')
	if s[i] == c {
		c = 'B'
	}
	tampered := s[:i] + string(c) + s[i+1:]
	if _, err := b1.Open(tampered); !errors.Is(err, ErrBadSealed) {
		t.Fatalf("tampered: %v", err)
	}
	none, _ := New(nil, TestParams)
	if _, err := none.Seal("x"); !errors.Is(err, ErrNoKey) {
		t.Fatalf("seal without key: %v", err)
	}
	if _, err := none.Open(s); !errors.Is(err, ErrNoKey) {
		t.Fatalf("open without key: %v", err)
	}
}

func TestKeyFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "callgate.key")
	k, created, err := LoadOrCreateKeyFile(path)
	if err != nil || !created || len(k) != KeySize {
		t.Fatalf("create: %v %v %d", err, created, len(k))
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v", fi.Mode().Perm())
	}
	k2, created, err := LoadOrCreateKeyFile(path)
	if err != nil || created || string(k2) != string(k) {
		t.Fatalf("reload: %v %v", err, created)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadKeyFile(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("world-readable key file accepted: %v", err)
	}
	for _, c := range []struct {
		in string
		ok bool
	}{
		{base64.StdEncoding.EncodeToString(k), true},
		{base64.RawURLEncoding.EncodeToString(k) + "\n", true},
		{base64.StdEncoding.EncodeToString(k[:16]), false},
		{"not base64!", false},
	} {
		if _, err := ParseKey(c.in); (err == nil) != c.ok {
			t.Errorf("ParseKey(%q): %v", c.in, err)
		}
	}
}
