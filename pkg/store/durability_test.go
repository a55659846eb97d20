package store

import (
	"context"
	"path/filepath"
	"testing"
)

// TestSQLiteCommitsAreSyncedUnlessTheDSNSaysOtherwise: the writer syncs
// every commit to disk (synchronous FULL) so an answer given after a
// commit survives a power loss; a DSN that names its own synchronous
// pragma gets it.
func TestSQLiteCommitsAreSyncedUnlessTheDSNSaysOtherwise(t *testing.T) {
	tests := []struct {
		query string
		want  int // PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA
	}{
		{"", 2},
		{"?_pragma=synchronous(NORMAL)", 1},
		{"?_pragma=synchronous%3DEXTRA", 3},
		{"?_pragma=busy_timeout(5000)", 2},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			st, err := Open(context.Background(), "sqlite://"+filepath.Join(t.TempDir(), "d.db")+tc.query)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			var got int
			if err := st.w.Raw("PRAGMA synchronous").Scan(&got).Error; err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("writer's synchronous = %d, want %d", got, tc.want)
			}
		})
	}
}
