// Package secret implements core.Secrets: secrets the protocols only
// compare are hashed with argon2id, secrets a protocol needs in clear are
// sealed with AES-256-GCM under a configured key.
//
// Stored values describe themselves by their prefix, so a row can be told
// apart from clear text and migrated once:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>   (PHC string, raw base64)
//	sealed:v1:<base64 nonce|ciphertext|tag>
//
// Hashing needs no key; sealing and opening do.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/argon2"
)

const (
	// HashPrefix starts every argon2id hash.
	HashPrefix = "$argon2id$"
	// SealPrefix starts every sealed value.
	SealPrefix = "sealed:v1:"
	// KeySize is the AES-256 key length.
	KeySize = 32
)

// ErrNoKey: a sealed value was to be written or read without a key.
var ErrNoKey = errors.New("secrets: no key configured (secrets.key / CALLGATE_SECRET_KEY or secrets.key_file / CALLGATE_SECRET_KEY_FILE)")

// ErrBadSealed: a sealed value does not open under the configured key.
var ErrBadSealed = errors.New("secrets: sealed value does not open with the configured key")

// Params are argon2id costs.
type Params struct {
	Time      uint32
	MemoryKiB uint32
	Threads   uint8
}

// DefaultParams are OWASP's argon2id minimum (19 MiB, 2 passes): tens of
// milliseconds per hash, paid once per new password thanks to the
// verification cache in the core.
var DefaultParams = Params{Time: 2, MemoryKiB: 19 * 1024, Threads: 1}

// TestParams are cheap costs for test suites; hashes carry their own
// parameters, so verification does not depend on which were used.
var TestParams = Params{Time: 1, MemoryKiB: 64, Threads: 1}

// maxMemoryKiB bounds what a stored hash may ask of Verify, so a crafted
// row cannot make every login allocate gigabytes.
const maxMemoryKiB = 256 * 1024

// Box is the secret facility.
type Box struct {
	aead   cipher.AEAD // nil without a key
	params Params
}

// New returns a facility; key may be nil (hashing only) or KeySize bytes.
func New(key []byte, p Params) (*Box, error) {
	if p.Time == 0 || p.MemoryKiB == 0 || p.Threads == 0 {
		p = DefaultParams
	}
	b := &Box{params: p}
	if key != nil {
		if len(key) != KeySize {
			return nil, fmt.Errorf("secrets: key must be %d bytes (base64 of 32 random bytes), got %d", KeySize, len(key))
		}
		blk, err := aes.NewCipher(key)
		if err != nil {
			return nil, err
		}
		if b.aead, err = cipher.NewGCM(blk); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// HasKey reports whether values can be sealed and opened.
func (b *Box) HasKey() bool { return b.aead != nil }

// IsHash reports whether v is a hash this package wrote.
func (b *Box) IsHash(v string) bool { return strings.HasPrefix(v, HashPrefix) }

// IsSealed reports whether v is a sealed value.
func (b *Box) IsSealed(v string) bool { return strings.HasPrefix(v, SealPrefix) }

// Hash returns the argon2id PHC string of plain with a fresh salt.
func (b *Box) Hash(plain string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	p := b.params
	sum := argon2.IDKey([]byte(plain), salt, p.Time, p.MemoryKiB, p.Threads, 32)
	return fmt.Sprintf("%sv=%d$m=%d,t=%d,p=%d$%s$%s", HashPrefix, argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(sum)), nil
}

var b64 = base64.RawStdEncoding

// Verify reports whether given hashes to the stored PHC string, in time
// independent of where they differ. A malformed hash verifies nothing.
func (b *Box) Verify(stored, given string) bool {
	rest, ok := strings.CutPrefix(stored, HashPrefix)
	if !ok {
		return false
	}
	parts := strings.Split(rest, "$")
	if len(parts) != 4 {
		return false
	}
	var version int
	if _, err := fmt.Sscanf(parts[0], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	var p Params
	if _, err := fmt.Sscanf(parts[1], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return false
	}
	if p.Time == 0 || p.Time > 16 || p.MemoryKiB == 0 || p.MemoryKiB > maxMemoryKiB || p.Threads == 0 {
		return false
	}
	salt, err := b64.DecodeString(parts[2])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[3])
	if err != nil || len(want) == 0 || len(want) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(given), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// Seal encrypts plain under the key with a random nonce.
func (b *Box) Seal(plain string) (string, error) {
	if b.aead == nil {
		return "", ErrNoKey
	}
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	// The prefix is authenticated too, so a value cannot be moved to
	// another format version unnoticed.
	out := b.aead.Seal(nonce, nonce, []byte(plain), []byte(SealPrefix))
	return SealPrefix + b64.EncodeToString(out), nil
}

// Open decrypts a sealed value.
func (b *Box) Open(stored string) (string, error) {
	rest, ok := strings.CutPrefix(stored, SealPrefix)
	if !ok {
		return "", ErrBadSealed
	}
	if b.aead == nil {
		return "", ErrNoKey
	}
	raw, err := b64.DecodeString(rest)
	n := b.aead.NonceSize()
	if err != nil || len(raw) < n+b.aead.Overhead() {
		return "", ErrBadSealed
	}
	plain, err := b.aead.Open(nil, raw[:n], raw[n:], []byte(SealPrefix))
	if err != nil {
		return "", ErrBadSealed
	}
	return string(plain), nil
}

// ParseKey decodes a base64 (standard or URL, padded or not) 32-byte key.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil {
			if len(k) != KeySize {
				return nil, fmt.Errorf("secrets: key must decode to %d bytes, got %d", KeySize, len(k))
			}
			return k, nil
		}
	}
	return nil, errors.New("secrets: key is not base64")
}

// ReadKeyFile reads a key file holding the base64 key. A file readable by
// group or others is refused: the key opens every sealed secret.
func ReadKeyFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("secrets: key file: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("secrets: key file %s is accessible to group or others (mode %04o); chmod 600 it", path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("secrets: key file: %w", err)
	}
	k, err := ParseKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return k, nil
}

// LoadOrCreateKeyFile reads path, or creates it (mode 0600, directory
// as is) with a new random key when it does not exist. Demo mode uses it.
func LoadOrCreateKeyFile(path string) (key []byte, created bool, err error) {
	if _, err := os.Stat(path); err == nil {
		k, err := ReadKeyFile(path)
		return k, false, err
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, false, fmt.Errorf("secrets: key file: %w", err)
	}
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, false, err
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, false, fmt.Errorf("secrets: key file: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("secrets: key file: %w", err)
	}
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(k) + "\n"); err != nil {
		f.Close()
		return nil, false, fmt.Errorf("secrets: key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, false, fmt.Errorf("secrets: key file: %w", err)
	}
	return k, true, nil
}
