package ari

import (
	"fmt"
	"strings"
	"testing"

	"github.com/callgate/callgate/core"
)

func localHalf(id, appData string) string {
	return fmt.Sprintf(`{"id":%q,"name":"Local/7000@in-00000001;2","state":"Up","caller":{"name":"","number":"5551234"},"connected":{"name":"","number":""},"accountcode":"","dialplan":{"context":"callgate-inbound","exten":"7000","priority":2,"app_name":"Stasis","app_data":%q},"creationtime":"2026-11-21T05:00:00.000+0000","language":"en"}`, id, appData)
}

func destroyedFrame(id string) string {
	return fmt.Sprintf(`{"type":"ChannelDestroyed","application":"callgate","timestamp":"2026-11-21T05:00:01.000+0000","cause":16,"cause_txt":"Normal Clearing","channel":{"id":%q,"name":"Local/7000@in-00000001;2","state":"Up","caller":{"name":"","number":"5551234"},"connected":{"name":"","number":""},"accountcode":"","dialplan":{"context":"callgate-inbound","exten":"7000","priority":2},"creationtime":"2026-11-21T05:00:00.000+0000","language":"en"}}`, id)
}

// A gateway (re)started while an inbound call that came through a Local
// channel is in the application has not seen that ;2 half's StasisStart:
// it adopts it on connect (found by its Stasis(callgate,...) dialplan
// application), so the call's hangup is reported; the ;2 halves of other
// applications stay noise.
func TestConnectAdoptsLocalHalvesAlreadyInTheApplication(t *testing.T) {
	f := newFakeARI(t)
	f.channels = "[" + strings.Join([]string{
		localHalf("in-1;2", "callgate,inbound,7000"),
		localHalf("other-1;2", "callgate-far,answer"),
	}, ",") + "]"
	_, rec := startTel(t, f, nil)
	if err := f.send(destroyedFrame("other-1;2"), destroyedFrame("in-1;2")); err != nil {
		t.Fatal(err)
	}
	evs := rec.waitFor(t, "hangup of the adopted half", func(evs []core.TelEvent) bool {
		return countType(evs, core.TelHangup) >= 1
	})
	for _, e := range evs {
		if e.Type == core.TelHangup && e.ChannelID != "in-1;2" {
			t.Errorf("hangup reported for %s, another application's channel", e.ChannelID)
		}
	}
	// Subscribed too, or its hangup cause would be lost at StasisEnd.
	waitUntil(t, "adopted channel subscribed", func() bool {
		for _, r := range f.requests() {
			if r.Path == "/applications/callgate/subscription" && strings.Contains(r.Query, "in-1%3B2") {
				return true
			}
		}
		return false
	})
}
