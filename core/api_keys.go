package core

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// API keys: credentials that are a single secret, with no user name (eXpand's
// authorizedKey). The key is stored as an APIUser whose Username is
// KeyName(key) and whose Secret is the key itself (hashed by the store): a
// request finds its row by an index hit on the key's digest, then the hash
// check stays constant-time. The clear key is shown once, when created.

// KeyName is the user name under which an API key is stored: the hex
// SHA-256 of the key.
func KeyName(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// MaxAPIKey bounds a key given by the operator.
const MaxAPIKey = 256

// NewAPIKey stores an API key of dialect described by description; key
// empty generates 32 random hex digits (the shape eXpand keys have). It
// returns the key (to show once) and its record. ECONFLICT when the key
// exists already.
func (e *Engine) NewAPIKey(ctx context.Context, dialect, description, key string) (string, APIUser, error) {
	if key == "" {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", APIUser{}, Internal("new api key", err)
		}
		key = hex.EncodeToString(b[:])
	}
	switch {
	case strings.TrimSpace(dialect) == "" || len(dialect) > 16:
		return "", APIUser{}, Errorf(EINVALID, "new api key: dialect must be 1 to 16 characters")
	case len(key) > MaxAPIKey || strings.TrimSpace(key) != key:
		return "", APIUser{}, Errorf(EINVALID, "new api key: a key is at most %d characters, without surrounding spaces", MaxAPIKey)
	case len(description) > 255:
		return "", APIUser{}, Errorf(EINVALID, "new api key: description over 255 characters")
	}
	u := APIUser{Dialect: dialect, Username: KeyName(key), Secret: key, Active: true, Description: description}
	if err := e.store.Create(ctx, &u); err != nil {
		if errors.Is(err, ErrDuplicate) {
			return "", APIUser{}, Errorf(ECONFLICT, "new api key: that key exists already")
		}
		return "", APIUser{}, fmt.Errorf("new api key: %w", err)
	}
	u.Secret = ""
	return key, u, nil
}
