package natskv_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/lease/leasetest"
	"github.com/callgate/callgate/pkg/lease/natskv"
)

// js connects to the test NATS server (CALLGATE_TEST_NATS_URL) and gives
// the test a bucket of its own, deleted afterwards.
func js(t *testing.T) (jetstream.JetStream, string) {
	url := os.Getenv("CALLGATE_TEST_NATS_URL")
	if url == "" {
		t.Skip("CALLGATE_TEST_NATS_URL not set")
	}
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	j, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	bucket := fmt.Sprintf("lease_test_%d", time.Now().UnixNano())
	t.Cleanup(func() {
		_ = j.DeleteKeyValue(context.Background(), bucket)
		nc.Close()
	})
	return j, bucket
}

// The NATS KV lease passes the lease conformance suite.
func TestNATSKVLeaseConformance(t *testing.T) {
	j, bucket := js(t)
	leasetest.Run(t, func(t *testing.T, name string, now func() time.Time) core.Lease {
		l, err := natskv.Open(context.Background(), j, bucket, name, now)
		if err != nil {
			t.Fatal(err)
		}
		return l
	})
}
