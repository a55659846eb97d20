package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store"
)

// A message job a stopped gateway left half sent is finished by the next
// start: the recipients not yet handed to the PBX get it, the job ends SENT.
func TestGatewayStartFinishesPendingTextMessages(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "callgate.db")
	st, err := store.Open(ctx, "sqlite://"+db)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	job := core.SMS{Recipients: "099111222,099333444", Body: "hola", Status: core.SMSPending, Sent: 1}
	if err := st.Create(ctx, &job); err != nil {
		t.Fatal(err)
	}
	startGateway(t, db)
	waitFor(t, "the pending job to be sent", func() bool {
		var got core.SMS
		return st.First(ctx, &got, core.Eq("id", job.ID)) == nil && got.Status == core.SMSSent && got.Sent == 2
	})
	_ = st.Close()
}
