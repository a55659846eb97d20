package eccp

import (
	"testing"

	"github.com/callgate/callgate/core"
)

// Every queue-log row that closes a call has a campaignlog state, the
// SYSTEMHANGUP of a call cut by a failure included.
func TestCampaignLogStateOfEveryClosingRow(t *testing.T) {
	cases := []struct {
		row  core.QueueLogEntry
		want string
	}{
		{core.QueueLogEntry{Event: core.QLCompleteCaller}, "Hangup"},
		{core.QueueLogEntry{Event: core.QLCompleteAgent}, "Hangup"},
		{core.QueueLogEntry{Event: core.QLTransfer}, "Hangup"},
		{core.QueueLogEntry{Event: core.QLAbandon}, "Abandoned"},
		{core.QueueLogEntry{Event: core.QLExitTimeout}, "Abandoned"},
		{core.QueueLogEntry{Event: core.QLSystemHangup, Data4: "waiting"}, "Abandoned"},
		{core.QueueLogEntry{Event: core.QLSystemHangup, Data4: "connected"}, "Hangup"},
	}
	for _, tc := range cases {
		if got := progressStatus(tc.row); got != tc.want {
			t.Errorf("%s %s: %q, want %q", tc.row.Event, tc.row.Data4, got, tc.want)
		}
	}
}
