package sim_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

// BenchmarkOriginateAnswer measures one outbound call through the sim: the
// originate, its four events delivered to the sink, and the hangup.
func BenchmarkOriginateAnswer(b *testing.B) {
	p := sim.New("bench")
	delivered := make(chan struct{}, 1)
	last := ""
	if err := p.Start(context.Background(), func(ev core.TelEvent) {
		if ev.Type == core.TelHangup && ev.ChannelID == last {
			delivered <- struct{}{}
		}
	}); err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	ids := make([]string, b.N)
	for i := range ids {
		ids[i] = "b" + strconv.Itoa(i)
	}
	last = ids[len(ids)-1]
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := p.Originate(ctx, core.OriginateRequest{
			ChannelID: ids[i], Endpoint: "PJSIP/1064", CallerIDNum: "5551234", AppArgs: []string{"dialer"},
		}); err != nil {
			b.Fatal(err)
		}
		if err := p.Hangup(ctx, ids[i], core.CauseNormal); err != nil {
			b.Fatal(err)
		}
	}
	select {
	case <-delivered:
	case <-time.After(time.Minute):
		b.Fatal("events not delivered")
	}
}
