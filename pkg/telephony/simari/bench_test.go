package simari_test

import (
	"context"
	"testing"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/telephony/ari"
)

// BenchmarkInboundCallToDriver measures calls entering the application
// through simari's websocket to the ARI driver's sink (ChannelCreated and
// StasisStart rendered, written, read, translated) and hung up again.
func BenchmarkInboundCallToDriver(b *testing.B) {
	srv, hs, _ := startServerB(b)
	tel, err := ari.New(driverConfig(hs))
	if err != nil {
		b.Fatal(err)
	}
	started := make(chan struct{}, 1024)
	connected := make(chan struct{}, 1)
	if err := tel.Start(context.Background(), func(ev core.TelEvent) {
		switch ev.Type {
		case core.TelConnected:
			connected <- struct{}{}
		case core.TelStasisStart:
			started <- struct{}{}
		}
	}); err != nil {
		b.Fatal(err)
	}
	defer tel.Close()
	<-connected
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id := srv.PBX().InjectInbound("5551234", "5550100")
		<-started
		_ = srv.PBX().FarHangup(id, core.CauseNormal)
	}
}
