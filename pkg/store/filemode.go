package store

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// restrictFile creates the SQLite file readable by its owner only, or
// narrows an existing one to that: the database holds hashed and sealed
// secrets, the API log and every lead.
func restrictFile(path string) error {
	path = strings.TrimPrefix(path, "file:")
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("store: open sqlite file: %w", err)
	}
	f.Close()
	if err := chmodIfExists(path, 0o600); err != nil {
		return fmt.Errorf("store: restrict sqlite file mode: %w", err)
	}
	return nil
}

func chmodIfExists(path string, mode os.FileMode) error {
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.Mode().Perm() == mode {
		return nil
	}
	return os.Chmod(path, mode)
}

// SQLitePath is the database file of a SQLite DSN; ok is false for MySQL
// and in-memory databases.
func SQLitePath(dsn string) (path string, ok bool) {
	kind, rest := classifyDSN(dsn)
	if kind != DialectSQLite {
		return "", false
	}
	path, query, _ := strings.Cut(rest, "?")
	path = strings.TrimPrefix(path, "file:")
	if path == "" || path == ":memory:" || strings.Contains(query, "mode=memory") {
		return "", false
	}
	return path, true
}
