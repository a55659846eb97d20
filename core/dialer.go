package core

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"
)

// retryStatuses are dialer outcomes after which a lead is tried again.
var retryStatuses = []string{StatusNew, "", StatusBusy, StatusNoAnswer, StatusDisconnected, StatusMachine, StatusNoAnswerUser, StatusDropped, StatusCallback}

// inHours reports whether a campaign may dial now.
func (c *Campaign) inHours(now time.Time) bool {
	if !c.Active {
		return false
	}
	if c.StartDate != nil && now.Before(*c.StartDate) || c.EndDate != nil && now.After(*c.EndDate) {
		return false
	}
	if c.StartTime == "" || c.EndTime == "" {
		return true
	}
	hm := now.Format("15:04")
	if c.StartTime <= c.EndTime {
		return hm >= c.StartTime && hm < c.EndTime
	}
	return hm >= c.StartTime || hm < c.EndTime // over midnight
}

// runDialerLocked paces every automatic outbound campaign: progressive
// dials one line per free agent, predictive DialRatio lines per free agent,
// both counting the calls already in flight.
func (e *Engine) runDialerLocked(ctx context.Context) {
	now := e.now()
	for _, name := range sortedKeys(e.campaigns) {
		camp := e.campaigns[name]
		if camp.Type != CampaignOutbound || !camp.inHours(now) {
			continue
		}
		if camp.DialMethod != DialProgressive && camp.DialMethod != DialPredictive {
			continue
		}
		free := 0
		for _, s := range e.sessions {
			if s.Campaign == name && s.State == AgentAvailable && !s.Paused && !s.OnHold && s.CallID == 0 {
				free++
			}
		}
		if free == 0 {
			continue // never dial for agents who are not there
		}
		inFlight := 0
		for _, c := range e.calls {
			if c.Campaign == name && c.Direction == CallOutbound && c.ConnectedAt == nil && c.State != CallDone {
				inFlight++
			}
		}
		want := free
		if camp.DialMethod == DialPredictive && camp.DialRatio > 1 {
			want = int(math.Ceil(float64(free) * e.pacingRatioLocked(ctx, camp, now)))
		}
		for n := want - inFlight; n > 0; n-- {
			lead, ok := e.nextLeadLocked(ctx, camp, now)
			if !ok {
				break
			}
			phones := e.leadPhonesLocked(ctx, lead)
			phone := phones[lead.PhoneIndex%len(phones)]
			if e.placeLeadCallLocked(ctx, name, lead.ID, phone, "") == nil {
				break
			}
		}
	}
}

// pacingWindow is how far back the abandon rate of a predictive campaign
// is measured; pacingMinSample answered calls are needed before it counts.
const (
	pacingWindow    = 15 * time.Minute
	pacingMinSample = 20
)

// pacingRatioLocked is a predictive campaign's lines per free agent: its
// DialRatio while the abandon rate of the last pacingWindow is within
// MaxAbandonPct, scaled down in proportion when it is above (never under one
// line per agent). The figures come from the queue log, like every report.
func (e *Engine) pacingRatioLocked(ctx context.Context, camp *Campaign, now time.Time) float64 {
	target := camp.MaxAbandonPct
	if target <= 0 {
		target = 3
	}
	since := now.Add(-pacingWindow)
	answered, err := e.store.Count(ctx, &QueueLogEntry{}, Eq("queue", camp.Name).Eq("event", QLDialResult).Eq("data1", "ANSWER").Gte("time", since))
	if err != nil || answered < pacingMinSample {
		return camp.DialRatio
	}
	dropped, err := e.store.Count(ctx, &QueueLogEntry{}, Eq("queue", queueKeyForCampaign(camp)).Eq("event", QLAbandon).Gte("time", since))
	if err != nil {
		return camp.DialRatio
	}
	rate := float64(dropped) * 100 / float64(answered)
	if rate <= target {
		return camp.DialRatio
	}
	return max(1, camp.DialRatio*target/rate)
}

// nextLeadLocked picks the next dialable lead of a campaign: retryable
// status, due, under the retry limit, not on a DNC list, not in flight.
func (e *Engine) nextLeadLocked(ctx context.Context, camp *Campaign, now time.Time) (Lead, bool) {
	leads, err := e.store.DialableLeads(ctx, camp.Name, retryStatuses, camp.MaxRetries, now, 50)
	if err != nil {
		e.log.Warn("engine: dialer lead query failed", "campaign", camp.Name, "err", err)
		return Lead{}, false
	}
	for _, l := range leads {
		if e.leadsBusy[l.ID] {
			continue
		}
		if e.isDNCLocked(ctx, l.PhoneNumber, camp.Name) {
			l.Status = "DNCL"
			_ = e.store.Updates(ctx, &l, map[string]any{"status": "DNCL"})
			continue
		}
		return l, true
	}
	return Lead{}, false
}

// placeLeadCallLocked originates a campaign call to a lead; with agent set
// the call is connected to that agent on answer (callbacks, preview).
func (e *Engine) placeLeadCallLocked(ctx context.Context, campaign string, leadID uint64, phone, agent string) *liveCall {
	camp := e.campaigns[campaign]
	now := e.now()
	c := &liveCall{Call: Call{
		GUID: newGUID(), Node: e.tel.NodeID(), Direction: CallOutbound, State: CallDialing, Campaign: campaign,
		LeadID: leadID, Phone: phone, CreatedAt: now,
	}}
	c.init()
	if l, err := e.Lead(ctx, leadID); err == nil {
		c.ListID = l.ListID
		_ = e.store.Updates(ctx, &l, map[string]any{
			"called_count": l.CalledCount + 1, "last_called_at": now, "status": StatusInCall,
		})
	}
	trunk := ""
	number := phone
	if camp != nil {
		trunk = camp.Trunk
		number = camp.DialPrefix + phone
		c.Queue = queueKeyForCampaign(camp)
	}
	c.Trunk = e.opt.DialEndpoint(number, trunk)
	if agent != "" {
		c.connectAgent = agent
		c.reservedAgent = agent
		if a := e.agents[agent]; a != nil {
			c.Agent, c.AgentID = agent, a.ID
		}
	}
	e.persistCall(ctx, &c.Call, QueueLogEntry{Queue: campaign, Agent: agent, Event: QLDialOut, Data1: phone, Data2: strconv.FormatUint(leadID, 10)})
	c.UniqueID = e.uniqueID()
	c.LinkedID = c.UniqueID
	e.calls[c.ID] = c
	if leadID != 0 {
		e.leadsBusy[leadID] = true
	}
	if agent != "" {
		if s := e.sessions[agent]; s != nil {
			s.CallID = c.ID
			s.LeadID = leadID
			e.setState(ctx, s, AgentOnCall)
			if s.ChannelID == "" {
				// On-hook agent: ring the agent first.
				agentCh := e.newChanID("agentleg")
				c.AgentChannelID = agentCh
				e.chans[agentCh] = &chanRef{id: agentCh, role: roleAgentLeg, callID: c.ID, agent: agent}
				if _, err := e.tel.Originate(ctx, OriginateRequest{
					ChannelID: agentCh, Endpoint: s.Extension, CallerIDNum: phone, CallerIDName: "Callback",
					Timeout: e.opt.DefaultRingTimeout, AppArgs: []string{"agentleg", fmt.Sprint(c.ID)},
				}); err != nil {
					delete(e.chans, agentCh)
					e.dialFailedLocked(ctx, c, CauseFailure)
					return nil
				}
				e.persistCall(ctx, &c.Call)
				return c
			}
		}
	}
	e.originateCustomerLocked(ctx, c)
	if c.State == CallDone {
		return nil
	}
	e.persistCall(ctx, &c.Call)
	return c
}

// leadAttemptFailedLocked schedules the next attempt of a lead after a
// failed dial, moving to its alternate phones, until the retry limit.
func (e *Engine) leadAttemptFailedLocked(ctx context.Context, c *liveCall, status string) {
	l, err := e.Lead(ctx, c.LeadID)
	if err != nil {
		return
	}
	camp := e.campaigns[c.Campaign]
	cols := map[string]any{"status": status}
	if camp != nil {
		// The next attempt tries the lead's next number.
		cols["phone_index"] = (l.PhoneIndex + 1) % len(e.leadPhonesLocked(ctx, l))
		if l.CalledCount <= camp.MaxRetries {
			delay := time.Duration(camp.RetryDelay) * time.Second
			cols["next_attempt_at"] = e.now().Add(delay)
		} else {
			cols["next_attempt_at"] = nil
		}
	}
	_ = e.store.Updates(ctx, &l, cols)
}

// leadPhonesLocked lists the numbers the dialer rotates through for a
// lead: phone_number, alt_phone, address3 (VICIdial's alt-dial order), then
// the extra LeadPhone numbers in their order. Never empty.
func (e *Engine) leadPhonesLocked(ctx context.Context, l Lead) []string {
	phones := []string{l.PhoneNumber}
	for _, p := range []string{l.AltPhone, l.Address3} {
		if normalizePhone(p) != "" {
			phones = append(phones, p)
		}
	}
	var extra []LeadPhone
	if err := e.store.Find(ctx, &extra, Eq("lead_id", l.ID).Asc("order").Asc("id")); err == nil {
		for _, p := range extra {
			if normalizePhone(p.Phone) != "" {
				phones = append(phones, p.Phone)
			}
		}
	}
	return phones
}

// PreviewLead reserves the next lead of the agent's campaign for a preview
// dial (the agent decides to dial it or skip it).
func (e *Engine) PreviewLead(ctx context.Context, user string) (Lead, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, ok := e.sessions[user]
	if !ok {
		return Lead{}, e.notLoggedIn(user)
	}
	camp := e.campaigns[s.Campaign]
	if camp == nil {
		return Lead{}, fmt.Errorf("%w: %s", ErrUnknownCampaign, s.Campaign)
	}
	l, ok := e.nextLeadLocked(ctx, camp, e.now())
	if !ok {
		return Lead{}, fmt.Errorf("%w: no lead to preview", ErrUnknownLead)
	}
	e.leadsBusy[l.ID] = true
	s.LeadID = l.ID
	e.saveSession(ctx, s)
	return l, nil
}

// ReleaseLead frees a previewed lead that was skipped.
func (e *Engine) ReleaseLead(ctx context.Context, user string, leadID uint64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.leadsBusy, leadID)
	if s := e.sessions[user]; s != nil && s.LeadID == leadID && s.CallID == 0 {
		s.LeadID = 0
		e.saveSession(ctx, s)
	}
}

// SetAgentLead puts a lead on the agent's screen (VICIdial switch_lead).
func (e *Engine) SetAgentLead(ctx context.Context, user string, leadID uint64) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, ok := e.sessions[user]
	if !ok {
		return e.notLoggedIn(user)
	}
	s.LeadID = leadID
	if c := e.agentCallLocked(user); c != nil {
		c.LeadID = leadID
		e.persistCall(ctx, &c.Call)
	}
	e.saveSession(ctx, s)
	return nil
}

// DialNextLead dials the next dialable lead of the agent's campaign for the
// agent (VICIdial MANUALNEXT): the same choice the automatic dialer makes,
// placed as the agent's own call. req.Phone and req.LeadID are filled in.
func (e *Engine) DialNextLead(ctx context.Context, req DialRequest) (Call, error) {
	e.mu.Lock()
	s, ok := e.sessions[req.Agent]
	if !ok {
		e.mu.Unlock()
		return Call{}, e.notLoggedIn(req.Agent)
	}
	campaign := req.Campaign
	if campaign == "" {
		campaign = s.Campaign
	}
	camp := e.campaigns[campaign]
	if camp == nil {
		e.mu.Unlock()
		return Call{}, fmt.Errorf("%w: %s", ErrUnknownCampaign, campaign)
	}
	lead, ok := e.nextLeadLocked(ctx, camp, e.now())
	if !ok {
		e.mu.Unlock()
		return Call{}, fmt.Errorf("%w: no lead left to dial in %s", ErrUnknownLead, campaign)
	}
	// Reserved so the automatic dialer cannot take it meanwhile.
	e.leadsBusy[lead.ID] = true
	e.mu.Unlock()
	req.Campaign, req.LeadID = campaign, lead.ID
	req.Phone = lead.PhoneNumber
	if req.PhoneCode == "" {
		req.PhoneCode = lead.PhoneCode
	}
	c, err := e.Dial(ctx, req)
	if err != nil {
		e.mu.Lock()
		delete(e.leadsBusy, lead.ID)
		e.mu.Unlock()
		return c, err
	}
	_ = e.store.Updates(ctx, &lead, map[string]any{"called_count": lead.CalledCount + 1, "last_called_at": e.now(), "status": StatusInCall})
	return c, nil
}
