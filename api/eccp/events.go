package eccp

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/callgate/callgate/core"
)

// fanout turns core bus events into ECCP event packets and hands each
// packet to every eligible session's queue. It never blocks on a client;
// the bus never blocks on it (an overflowed subscription resumes from the
// replay log).
type fanout struct {
	srv *Server

	mu        sync.Mutex
	processed uint64        // last bus seq fully delivered to session queues
	advanced  chan struct{} // closed and replaced whenever processed moves
}

func newFanout(s *Server) *fanout {
	return &fanout{srv: s, advanced: make(chan struct{})}
}

// waitFor blocks until the event with seq has been queued to sessions, or
// until timeout.
func (f *fanout) waitFor(seq uint64, timeout time.Duration) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		f.mu.Lock()
		done, ch := f.processed >= seq, f.advanced
		f.mu.Unlock()
		if done {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			return
		}
	}
}

func (f *fanout) mark(seq uint64) {
	f.mu.Lock()
	if seq > f.processed {
		f.processed = seq
		close(f.advanced)
		f.advanced = make(chan struct{})
	}
	f.mu.Unlock()
}

func (f *fanout) run(stop <-chan struct{}) {
	bus := f.srv.eng.Bus()
	var from uint64
	f.mark(bus.LastSeq())
	var buf []*session
	for {
		sub, err := bus.Subscribe(from, 8192)
		if errors.Is(err, core.ErrGap) {
			f.srv.log.Warn("event replay log lost events; resuming with new events")
			from = 0
			continue
		}
		if err != nil {
			f.srv.log.Error("cannot subscribe to events", "err", err)
			select {
			case <-stop:
				return
			case <-time.After(time.Second):
			}
			continue
		}
		if from == 0 {
			// Nothing before subscribing is owed to anyone.
			f.mark(bus.LastSeq())
		}
	loop:
		for {
			select {
			case <-stop:
				sub.Close()
				return
			case ev, ok := <-sub.C():
				if !ok {
					break loop
				}
				buf = f.deliver(ev, buf)
				f.mark(ev.Seq)
				from = ev.Seq + 1
			}
		}
		if err := sub.Err(); err != nil {
			f.srv.log.Warn("event subscription ended; resubscribing", "err", err)
		} else {
			return
		}
	}
}

// target says who may receive an event.
type target struct {
	agent    string // ECCP agent name for the filter, "" for none
	progress bool   // callprogress: only where enabled, ignores the filter
}

func (f *fanout) deliver(ev core.Event, buf []*session) []*session {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	pkts, tg := f.srv.eventPackets(ctx, ev)
	if len(pkts) == 0 {
		return buf
	}
	buf = f.srv.snapshot(buf)
	for _, ss := range buf {
		if ss.wants(tg) {
			ss.sendEvent(ev.Seq, pkts)
		}
	}
	return buf
}

func eventRoot(name string) (root, body *elem) {
	root = newElem("event")
	body = root.add(name)
	return root, body
}

// eventPackets renders one core event as the ECCP events dialerd emits for
// it (usually one, none for events ECCP has no word for).
func (s *Server) eventPackets(ctx context.Context, ev core.Event) ([][]byte, target) {
	switch p := ev.Data.(type) {
	case core.AgentLoggedIn:
		return one(agentEvent("agentloggedin", p.Interface)), target{agent: p.Interface}
	case core.AgentLoginFailed:
		return one(agentEvent("agentfailedlogin", p.Interface)), target{agent: p.Interface}
	case core.AgentLoggedOut:
		return one(agentEvent("agentloggedout", p.Interface)), target{agent: p.Interface}
	case core.AgentPauseStarted:
		root, b := eventRoot("pausestart")
		if p.Hold {
			b.addText("pause_class", "hold")
		} else {
			b.addText("pause_class", "break")
			if p.PauseID != 0 {
				b.addText("pause_type", u64(uint64(p.PauseID)))
			}
			if p.PauseName != "" {
				b.addText("pause_name", p.PauseName)
			}
		}
		b.addText("pause_start", fmtTime(&p.Start))
		b.addText("agent_number", p.Interface)
		return one(root), target{agent: p.Interface}
	case core.AgentPauseEnded:
		root, b := eventRoot("pauseend")
		class := "break"
		if p.Hold {
			class = "hold"
		}
		b.addText("pause_class", class)
		b.addText("pause_start", fmtTime(&p.Start))
		b.addText("pause_end", fmtTime(&p.End))
		b.addInt("pause_duration", int64(p.End.Sub(p.Start).Seconds()))
		if !p.Hold {
			if p.PauseID != 0 {
				b.addText("pause_type", u64(uint64(p.PauseID)))
			}
			if p.PauseName != "" {
				b.addText("pause_name", p.PauseName)
			}
		}
		b.addText("agent_number", p.Interface)
		return one(root), target{agent: p.Interface}
	case core.AgentLinked:
		root, b := eventRoot("agentlinked")
		c := p.Call
		s.callInfo(ctx, b, c)
		// dialerd overwrites these after reading the call row.
		setField(b, "status", map[bool]string{true: "activa", false: "Success"}[callType(c) == "incoming"])
		setField(b, "agent_number", p.Interface)
		if b.child("queue") == nil {
			if q := s.callQueue(c); q != "" {
				b.addText("queue", q)
			}
		}
		if id := s.logID(ctx, c.ID, core.QLConnect); id != "" {
			b.addText("campaignlog_id", id)
		}
		if rc := remoteChannel(c); rc != "" {
			b.addText("remote_channel", rc)
		}
		return one(root), target{agent: p.Interface}
	case core.AgentUnlinked:
		root, b := eventRoot("agentunlinked")
		c := p.Call
		end := c.EndedAt
		if end == nil {
			t := s.now()
			end = &t
		}
		dur := ""
		if c.ConnectedAt != nil {
			dur = itoa(int(end.Sub(*c.ConnectedAt).Seconds()))
		}
		addFields(b, []kv{
			{"calltype", callType(c)}, {"campaign_id", s.campaignID(c.Campaign)}, {"call_id", u64(c.ID)},
			{"phone", c.Phone}, {"datetime_linkend", fmtTime(end)}, {"duration", dur},
			{"shortcall", boolDigit(p.Short)},
			{"campaignlog_id", s.logID(ctx, c.ID, core.QLCompleteAgent, core.QLCompleteCaller, core.QLTransfer, core.QLSystemHangup)},
			{"queue", s.callQueue(c)}, {"agent_number", p.Interface},
		})
		return one(root), target{agent: p.Interface}
	case core.CallProgress:
		if p.Status == "Success" || p.Status == "Hangup" || p.Status == "ShortCall" {
			return nil, target{}
		}
		root, b := eventRoot("callprogress")
		c := p.Call
		at := s.now()
		id := ""
		if p.LogID != 0 {
			id = u64(p.LogID)
		} else if ev, ok := progressEvents[p.Status]; ok {
			id = s.logID(ctx, c.ID, ev...)
		}
		addFields(b, []kv{
			{"retry", itoa(c.Retries)}, {"uniqueid", c.UniqueID}, {"trunk", c.Trunk},
			{"datetime_entry", fmtTime(&at)}, {"new_status", p.Status}, {"id", id},
			{"campaign_type", callType(c)}, {"campaign_id", s.campaignID(c.Campaign)},
			{"call_id", u64(c.ID)}, {"phone", c.Phone}, {"queue", s.callQueue(c)},
		})
		return one(root), target{progress: true}
	case core.QueueMembershipChanged:
		// dialerd announces membership only when a static member is added
		// to or removed from a queue, never as part of a login.
		if p.Login {
			return nil, target{}
		}
		root, b := eventRoot("queuemembership")
		b.addText("agent_number", p.Interface)
		if a, err := s.eng.AgentByUsername(ctx, p.Agent); err == nil {
			s.agentStatus(ctx, b, a, true)
		}
		qs := b.add("queues")
		for _, q := range p.Queues {
			qs.addText("queue", q)
		}
		return one(root), target{agent: p.Interface}
	case core.RecordingChanged:
		name := ""
		switch p.Action {
		case "muted":
			name = "recordingmute"
		case "unmuted":
			name = "recordingunmute"
		default:
			return nil, target{}
		}
		return one(callEvent(s, name, p.Interface, p.Call)), target{agent: p.Interface}
	case core.CallbackEvent:
		name := ""
		switch p.Action {
		case "started":
			name = "schedulecallstart"
		case "failed":
			name = "schedulecallfailed"
		default:
			return nil, target{}
		}
		agent := p.Interface
		if agent == "" {
			agent = s.agentNameOf(ctx, p.Agent)
		}
		if agent == "" {
			// dialerd reports only calls scheduled for a given agent.
			return nil, target{}
		}
		c := p.Call
		if c.ID == 0 {
			c.ID = p.Callback.CallID
			c.Campaign = p.Callback.Campaign
		}
		return one(callEvent(s, name, agent, c)), target{agent: agent}
	}
	return nil, target{}
}

// progressEvents are the queue-log rows the core writes with each call
// progress step.
var progressEvents = map[string][]string{
	"Placing": {core.QLDialOut}, "Dialing": {core.QLDialOut}, "Ringing": {core.QLDialResult},
	"Failure": {core.QLDialResult}, "NoAnswer": {core.QLDialResult}, "OnQueue": {core.QLEnterQueue},
	"Abandoned": {core.QLAbandon, core.QLExitTimeout}, "OnHold": {core.QLHold}, "OffHold": {core.QLUnhold},
}

func one(root *elem) [][]byte { return [][]byte{packet(root)} }

func agentEvent(name, agent string) *elem {
	root, b := eventRoot(name)
	b.addText("agent", agent)
	return root
}

func callEvent(s *Server, name, agent string, c core.Call) *elem {
	root, b := eventRoot(name)
	addFields(b, []kv{
		{"agent_number", agent}, {"calltype", callType(c)}, {"campaign_id", s.campaignID(c.Campaign)},
		{"call_id", u64(c.ID)},
	})
	return root
}

// setField replaces a child's text in place, or appends it.
func setField(parent *elem, name, value string) {
	if value == "" {
		return
	}
	if c := parent.child(name); c != nil {
		c.text = value
		return
	}
	parent.addText(name, value)
}
