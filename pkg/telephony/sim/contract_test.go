package sim_test

import (
	"context"
	"testing"
	"time"

	"github.com/callgate/callgate/pkg/telephony/sim"
	"github.com/callgate/callgate/pkg/telephony/telephonytest"
)

func TestContract(t *testing.T) {
	telephonytest.Run(t, func(t *testing.T) telephonytest.Env {
		p := sim.New("sim-contract")
		p.SetBehavior("Local/busy@tt", sim.Behavior{Outcome: sim.Busy, After: 5 * time.Millisecond})
		p.SetBehavior("Local/noanswer@tt", sim.Behavior{Outcome: sim.NoAnswer})
		p.SetBehavior("Local/congestion@tt", sim.Behavior{Outcome: sim.Congestion})
		p.SetBehavior("Local/answer@tt", sim.Behavior{Outcome: sim.Answer, After: 2 * time.Millisecond})
		return telephonytest.Env{
			Tel:                p,
			AnswerEndpoint:     "Local/answer@tt",
			BusyEndpoint:       "Local/busy@tt",
			NoAnswerEndpoint:   "Local/noanswer@tt",
			CongestionEndpoint: "Local/congestion@tt",
			NoAnswerTimeout:    50 * time.Millisecond,
			Inbound: func(_ context.Context, callerID, dialed string) (string, error) {
				return p.InjectInbound(callerID, dialed), nil
			},
			FarDTMF: func(_ context.Context, channelID, digits string) error {
				return p.InjectDTMF(channelID, digits)
			},
			SentDTMF: func(channelID string) string {
				c, _ := p.Channel(channelID)
				return c.DTMFSent
			},
		}
	})
}
