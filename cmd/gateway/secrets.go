package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/callgate/callgate/pkg/config"
	"github.com/callgate/callgate/pkg/secret"
	"github.com/callgate/callgate/pkg/store"
)

// useSecrets makes the store hash and seal secrets on every write and
// migrates rows still in clear text. Without a configured key, demo mode
// creates one next to the SQLite file; otherwise the gateway starts without
// one only while no sealed secret exists or would be written.
// It returns the key (nil without one).
func useSecrets(ctx context.Context, cfg config.Config, st *store.Store, log *slog.Logger) ([]byte, error) {
	var key []byte
	var err error
	switch {
	case cfg.SecretKey != "":
		if key, err = secret.ParseKey(cfg.SecretKey); err != nil {
			return nil, fmt.Errorf("config: secrets.key (CALLGATE_SECRET_KEY): %w", err)
		}
	case cfg.SecretKeyFile != "":
		if key, err = secret.ReadKeyFile(cfg.SecretKeyFile); err != nil {
			return nil, fmt.Errorf("config: secrets.key_file (CALLGATE_SECRET_KEY_FILE): %w", err)
		}
	case cfg.Demo:
		path := "callgate.key"
		if db, ok := store.SQLitePath(cfg.DBDSN); ok {
			path = filepath.Join(filepath.Dir(db), "callgate.key")
		}
		var created bool
		if key, created, err = secret.LoadOrCreateKeyFile(path); err != nil {
			return nil, fmt.Errorf("demo secrets key: %w", err)
		}
		if created {
			log.Info("demo mode: created the secrets key file", "path", path)
		}
	}
	box, err := secret.New(key, secret.DefaultParams)
	if err != nil {
		return nil, fmt.Errorf("config: secrets.key (CALLGATE_SECRET_KEY): %w", err)
	}
	if err := st.UseSecrets(box); err != nil {
		return nil, err
	}
	if err := st.MigrateSecrets(ctx); err != nil {
		if errors.Is(err, secret.ErrBadSealed) {
			return nil, fmt.Errorf("secrets: stored secrets do not open with the configured key (secrets.key / CALLGATE_SECRET_KEY, secrets.key_file / CALLGATE_SECRET_KEY_FILE): %w", err)
		}
		return nil, fmt.Errorf("secrets: %w", err)
	}
	return key, nil
}

// relayKeyOf derives the ECCP relay key from the secrets key the gateways
// of a cluster share (nil without one: the relay then copies bytes).
func relayKeyOf(key []byte) []byte {
	if len(key) == 0 {
		return nil
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("callgate eccp relay key"))
	return m.Sum(nil)
}
