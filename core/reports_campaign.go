package core

import (
	"context"
	"fmt"
)

// Outcome is where a call stands for the activity reports: one
// classification every dialect renders in its own words.
type Outcome string

const (
	OutcomeDialing   Outcome = "dialing"   // being placed
	OutcomeRinging   Outcome = "ringing"   // the far end rings
	OutcomeQueued    Outcome = "queued"    // waiting for an agent (or one is rung)
	OutcomeTalking   Outcome = "talking"   // connected now
	OutcomeOnHold    Outcome = "on_hold"   // held or parked
	OutcomeCompleted Outcome = "completed" // ended after reaching an agent
	OutcomeAbandoned Outcome = "abandoned" // an inbound or queued call that ended unanswered
	OutcomeNoAnswer  Outcome = "no_answer" // the number did not answer
	OutcomeFailed    Outcome = "failed"    // busy, congestion, refused…
)

// OutcomeOf classifies a call.
func OutcomeOf(c Call) Outcome {
	switch c.State {
	case CallDialing:
		return OutcomeDialing
	case CallRingingOut:
		return OutcomeRinging
	case CallQueued, CallOffering:
		return OutcomeQueued
	case CallOnHold, CallParked:
		return OutcomeOnHold
	case CallConnected, CallTransfering:
		return OutcomeTalking
	}
	switch {
	case c.Abandoned:
		return OutcomeAbandoned
	case c.ConnectedAt != nil:
		return OutcomeCompleted
	case c.Direction == CallInbound:
		return OutcomeAbandoned
	case c.HangupCause == int(CauseNoAnswer) || c.HangupCause == int(CauseNoUserResp):
		return OutcomeNoAnswer
	}
	return OutcomeFailed
}

// CampaignActivity is a campaign's (or a queue's) calls over a period.
type CampaignActivity struct {
	// Pending counts the campaign's leads never called yet (outbound).
	Pending   int64
	ByOutcome map[Outcome]int64
	// TalkSeconds and LongestTalk cover completed calls.
	TalkSeconds, LongestTalk int64
	Calls                    []Call
}

// CampaignActivity reports the calls f selects, classified, with the
// talk time of the completed ones, and the pending leads when f names an
// outbound campaign.
func (e *Engine) CampaignActivity(ctx context.Context, f CallFilter) (CampaignActivity, error) {
	calls, err := e.FindCalls(ctx, f)
	if err != nil {
		return CampaignActivity{}, fmt.Errorf("campaign activity: %w", err)
	}
	a := CampaignActivity{ByOutcome: map[Outcome]int64{}, Calls: calls}
	if cp, ok := e.Campaign(f.Campaign); ok && f.Campaign != "" && cp.Type == CampaignOutbound {
		if a.Pending, err = e.UncalledLeads(ctx, f.Campaign); err != nil {
			return a, fmt.Errorf("campaign activity: %w", err)
		}
	}
	for _, c := range calls {
		o := OutcomeOf(c)
		a.ByOutcome[o]++
		if o == OutcomeCompleted && c.ConnectedAt != nil && c.EndedAt != nil {
			d := int64(c.EndedAt.Sub(*c.ConnectedAt).Seconds())
			a.TalkSeconds += d
			a.LongestTalk = max(a.LongestTalk, d)
		}
	}
	return a, nil
}
