package core

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
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

// campaignPlan is one campaign the dialer may dial for at this tick, as
// decided under the lock; the leads are read outside it.
type campaignPlan struct {
	camp     Campaign
	free     int
	inFlight int
	ratio    float64
	busy     map[uint64]bool
	leads    []plannedLead
}

type plannedLead struct {
	lead  Lead // as claimed: called once more, status INCALL
	phone string
	// from is the lead as read before its claim, to give it back if the
	// plan no longer holds when the lock is taken again.
	from Lead
}

// dialPlanLocked lists the automatic outbound campaigns with free agents.
func (e *Engine) dialPlanLocked(now time.Time) []*campaignPlan {
	var out []*campaignPlan
	for _, name := range sortedKeys(e.campaigns) {
		camp := e.campaigns[name]
		if camp.Type != CampaignOutbound || !camp.inHours(now) {
			continue
		}
		if camp.DialMethod != DialProgressive && camp.DialMethod != DialPredictive {
			continue
		}
		free, inFlight := e.campaignLoadLocked(name)
		if free == 0 {
			continue // never dial for agents who are not there
		}
		busy := make(map[uint64]bool, len(e.leadsBusy))
		for id := range e.leadsBusy {
			busy[id] = true
		}
		out = append(out, &campaignPlan{camp: *camp, free: free, inFlight: inFlight, ratio: 1, busy: busy})
	}
	return out
}

// campaignLoadLocked counts a campaign's free agents and its calls in
// flight (dialing, not yet connected).
func (e *Engine) campaignLoadLocked(name string) (free, inFlight int) {
	for _, s := range e.sessions {
		if s.Campaign == name && s.State == AgentAvailable && !s.Paused && !s.OnHold && s.CallID == 0 {
			free++
		}
	}
	for _, c := range e.calls {
		if c.Campaign == name && c.Direction == CallOutbound && c.ConnectedAt == nil && c.State != CallDone {
			inFlight++
		}
	}
	return free, inFlight
}

func (p *campaignPlan) want() int {
	if p.camp.DialMethod == DialPredictive && p.camp.DialRatio > 1 {
		return int(math.Ceil(float64(p.free) * p.ratio))
	}
	return p.free
}

// prefetchDialer reads, outside the lock, the pacing figures and the leads
// each planned campaign may dial.
func (e *Engine) prefetchDialer(ctx context.Context, plan []*campaignPlan, now time.Time) {
	for _, p := range plan {
		if p.camp.DialMethod == DialPredictive && p.camp.DialRatio > 1 {
			p.ratio = e.pacingRatio(ctx, &p.camp, now)
		}
		n := p.want() - p.inFlight
		for n > 0 {
			lead, ok := e.nextLead(ctx, &p.camp, now, p.busy)
			if !ok {
				break
			}
			p.busy[lead.ID] = true
			from := lead
			if !e.claimLead(ctx, &lead, now) {
				continue // another engine (or term) has it
			}
			phones := e.leadPhones(ctx, lead)
			p.leads = append(p.leads, plannedLead{lead: lead, from: from, phone: phones[lead.PhoneIndex%len(phones)]})
			n--
		}
	}
}

// runDialerLocked paces every automatic outbound campaign: progressive
// dials one line per free agent, predictive DialRatio lines per free agent,
// both counting the calls already in flight. The counts are taken again
// here: agents and calls may have changed since the plan.
func (e *Engine) runDialerLocked(ctx context.Context, plan []*campaignPlan, now time.Time) {
	for _, p := range plan {
		n := 0
		if _, ok := e.campaigns[p.camp.Name]; ok {
			p.free, p.inFlight = e.campaignLoadLocked(p.camp.Name)
			if p.free > 0 {
				n = p.want() - p.inFlight
			}
		}
		for _, pl := range p.leads {
			if n <= 0 || e.leadsBusy[pl.lead.ID] {
				e.unclaimLeadLocked(pl)
				continue
			}
			lead := pl.lead
			if e.placeClaimedLeadLocked(ctx, p.camp.Name, &lead, pl.phone) == nil {
				e.unclaimLeadLocked(pl)
				continue
			}
			n--
		}
	}
}

// pacingWindow is how far back the abandon rate of a predictive campaign
// is measured; pacingMinSample answered calls are needed before it counts.
const (
	pacingWindow    = 15 * time.Minute
	pacingMinSample = 20
)

// pacingRatio is a predictive campaign's lines per free agent: its
// DialRatio while the abandon rate of the last pacingWindow is within
// MaxAbandonPct, scaled down in proportion when it is above (never under one
// line per agent). The figures come from the queue log, like every report.
func (e *Engine) pacingRatio(ctx context.Context, camp *Campaign, now time.Time) float64 {

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

// nextLead picks the next dialable lead of a campaign: retryable status,
// due, under the retry limit, not on a DNC list, not in flight (busy, a
// copy of the engine's set taken under the lock). It reads the store, so
// it runs without the lock; the caller checks the lead is still free when
// it takes the lock to dial it.
func (e *Engine) nextLead(ctx context.Context, camp *Campaign, now time.Time, busy map[uint64]bool) (Lead, bool) {
	leads, err := e.store.DialableLeads(ctx, camp.Name, camp.dialStatuses(), camp.MaxRetries, now, 50)
	if err != nil {
		e.log.Warn("engine: dialer lead query failed", "campaign", camp.Name, "err", err)
		return Lead{}, false
	}
	for _, l := range leads {
		if busy[l.ID] || !camp.leadInHours(l, now) {
			continue
		}
		if e.IsDNC(ctx, l.PhoneNumber, camp.Name) {
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
// lead is the lead as read before the lock (nil when it could not be read).
func (e *Engine) placeLeadCallLocked(ctx context.Context, campaign string, leadID uint64, lead *Lead, phone, agent string) *liveCall {
	return e.placeLeadLocked(ctx, campaign, leadID, lead, phone, agent, false)
}

// placeClaimedLeadLocked dials a lead the dialer claimed (claimLead): the
// claim already counted the attempt.
func (e *Engine) placeClaimedLeadLocked(ctx context.Context, campaign string, lead *Lead, phone string) *liveCall {
	return e.placeLeadLocked(ctx, campaign, lead.ID, lead, phone, "", true)
}

func (e *Engine) placeLeadLocked(ctx context.Context, campaign string, leadID uint64, lead *Lead, phone, agent string, claimed bool) *liveCall {
	camp := e.campaigns[campaign]
	now := e.now()
	c := &liveCall{Call: Call{
		GUID: newGUID(), Node: e.tel.NodeID(), Direction: CallOutbound, State: CallDialing, Campaign: campaign,
		LeadID: leadID, Phone: phone, CreatedAt: now,
	}}
	c.init()
	if lead != nil {
		l := *lead
		c.ListID = l.ListID
		if !claimed {
			e.write("lead dialed", func(ctx context.Context, st Store) error {
				return st.Updates(ctx, &l, map[string]any{
					"called_count": l.CalledCount + 1, "last_called_at": now, "status": StatusInCall,
				})
			})
		}
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
				e.pxOriginate(OriginateRequest{
					ChannelID: agentCh, Endpoint: s.Extension, CallerIDNum: phone, CallerIDName: "Callback",
					Timeout: e.opt.DefaultRingTimeout, AppArgs: []string{"agentleg", fmt.Sprint(c.ID)},
				}).onFail(func(error) {
					if e.calls[c.ID] == c && e.chans[agentCh] != nil {
						delete(e.chans, agentCh)
						e.dialFailedLocked(context.Background(), c, CauseFailure)
					}
				})
				e.persistCall(ctx, &c.Call)
				return c
			}
		}
	}
	e.originateCustomerLocked(ctx, c)
	e.persistCall(ctx, &c.Call)
	return c
}

// leadAttemptFailedLocked schedules the next attempt of a lead after a
// failed dial, moving to its alternate phones, until the retry limit. The
// lead is read and written on the store lane, after the writes decided
// before.
func (e *Engine) leadAttemptFailedLocked(ctx context.Context, c *liveCall, status string) {
	leadID := c.LeadID
	var camp *Campaign
	if cp := e.campaigns[c.Campaign]; cp != nil {
		cc := *cp
		camp = &cc
	}
	now := e.now()
	e.writeAlone("lead attempt", func(ctx context.Context, st Store) error {
		l, err := e.Lead(ctx, leadID)
		if err != nil {
			return nil
		}
		cols := map[string]any{"status": status}
		if camp != nil {
			// The next attempt tries the lead's next number.
			cols["phone_index"] = (l.PhoneIndex + 1) % len(e.leadPhones(ctx, l))
			if l.CalledCount <= camp.MaxRetries {
				delay := time.Duration(camp.RetryDelay) * time.Second
				cols["next_attempt_at"] = now.Add(delay)
			} else {
				cols["next_attempt_at"] = nil
			}
		}
		return st.Updates(ctx, &l, cols)
	})
}

// leadPhones lists the numbers the dialer rotates through for a lead:
// phone_number, alt_phone, address3 (VICIdial's alt-dial order), then the
// extra LeadPhone numbers in their order. Never empty. Reads the store:
// never under the lock.
func (e *Engine) leadPhones(ctx context.Context, l Lead) []string {
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

// reserveNextLead finds the next lead of the agent's campaign (campaign ""
// = the session's) and reserves it, so the dialer cannot take it. The
// store is read between two holds of the lock.
func (e *Engine) reserveNextLead(ctx context.Context, user, campaign string) (Lead, string, error) {
	for attempt := 0; ; attempt++ {
		e.lock()
		s, ok := e.sessions[user]
		if !ok {
			e.unlock()
			return Lead{}, "", e.notLoggedIn(user)
		}
		name := campaign
		if name == "" {
			name = s.Campaign
		}
		cp := e.campaigns[name]
		if cp == nil {
			e.unlock()
			return Lead{}, "", fmt.Errorf("%w: %s", ErrUnknownCampaign, name)
		}
		camp := *cp
		busy := make(map[uint64]bool, len(e.leadsBusy))
		for id := range e.leadsBusy {
			busy[id] = true
		}
		now := e.now()
		e.unlock()
		l, ok := e.nextLead(ctx, &camp, now, busy)
		if !ok {
			return Lead{}, name, fmt.Errorf("%w: no lead left in %s", ErrUnknownLead, name)
		}
		e.lock()
		if !e.leadsBusy[l.ID] {
			e.leadsBusy[l.ID] = true
			e.unlock()
			return l, name, nil
		}
		e.unlock()
		if attempt >= 3 {
			return Lead{}, name, fmt.Errorf("%w: %s: every lead found was taken meanwhile", ErrBusy, name)
		}
	}
}

// PreviewLead reserves the next lead of the agent's campaign for a preview
// dial (the agent decides to dial it or skip it).
func (e *Engine) PreviewLead(ctx context.Context, user string) (_ Lead, err error) {
	l, _, err := e.reserveNextLead(ctx, user, "")
	if err != nil {
		if errors.Is(err, ErrUnknownLead) {
			return Lead{}, fmt.Errorf("%w: no lead to preview", ErrUnknownLead)
		}
		return Lead{}, err
	}
	e.lock()
	defer e.settle(ctx, &err)
	s, ok := e.sessions[user]
	if !ok {
		delete(e.leadsBusy, l.ID)
		return Lead{}, e.notLoggedIn(user)
	}
	s.LeadID = l.ID
	e.saveSession(ctx, s)
	return l, nil
}

// ReleaseLead frees a previewed lead that was skipped.
func (e *Engine) ReleaseLead(ctx context.Context, user string, leadID uint64) {
	e.lock()
	var err error // a failed write is logged by the committer; the caller has no answer to give
	defer e.settle(ctx, &err)
	delete(e.leadsBusy, leadID)
	if s := e.sessions[user]; s != nil && s.LeadID == leadID && s.CallID == 0 {
		s.LeadID = 0
		e.saveSession(ctx, s)
	}
}

// SetAgentLead puts a lead on the agent's screen (VICIdial switch_lead).
func (e *Engine) SetAgentLead(ctx context.Context, user string, leadID uint64) (err error) {
	e.lock()
	defer e.settle(ctx, &err)
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
	lead, campaign, err := e.reserveNextLead(ctx, req.Agent, req.Campaign)
	if err != nil {
		if errors.Is(err, ErrUnknownLead) {
			return Call{}, fmt.Errorf("%w: no lead left to dial in %s", ErrUnknownLead, campaign)
		}
		return Call{}, err
	}
	// Reserved (above) so the automatic dialer cannot take it meanwhile.
	req.Campaign, req.LeadID = campaign, lead.ID
	req.Phone = lead.PhoneNumber
	if req.PhoneCode == "" {
		req.PhoneCode = lead.PhoneCode
	}
	c, err := e.Dial(ctx, req)
	if err != nil {
		e.lock()
		delete(e.leadsBusy, lead.ID)
		e.unlock()
		return c, err
	}
	return c, nil // Dial counted the attempt
}

// dialStatuses are the statuses the campaign's dialer calls.
func (c *Campaign) dialStatuses() []string { return DialStatusesOf(*c) }

// DialStatusesOf lists a campaign's own dial statuses (its DialStatuses
// without VICIdial's closing "-"), or the engine's retry statuses when it
// has none.
func DialStatusesOf(c Campaign) []string {
	var out []string
	for _, s := range strings.Fields(c.DialStatuses) {
		if s != "-" {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return append([]string(nil), retryStatuses...)
	}
	return out
}
