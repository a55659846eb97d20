package core

// The PBX names its channels (PJSIP/1064-0000000a, SIP/trunk-0000000b);
// the engine chooses their ids. Consoles show the names (ECCP's channel,
// remote_channel), so the engine keeps them: on its channel references
// while the channels live, and on the call and the agent session, where
// they outlive the channels and survive a restart.

// noteChannelNameLocked records the name an event carries for a channel
// the engine tracks, and copies it to the call or session that owns it.
func (e *Engine) noteChannelNameLocked(ev TelEvent) {
	if ev.Name == "" || ev.ChannelID == "" {
		return
	}
	r := e.chans[ev.ChannelID]
	if r == nil || r.name == ev.Name {
		return
	}
	r.name = ev.Name
	if r.role == rolePersistent {
		if s := e.sessions[r.agent]; s != nil && s.ChannelID == r.id {
			// Written with the session's next change; the login that
			// originated this channel has not saved its session yet.
			s.ChannelName = r.name
		}
	}
	if c := e.calls[r.callID]; c != nil {
		e.nameLegsLocked(&c.Call)
	}
}

// nameLegsLocked fills a call's leg names from the live channels. A name
// already known stays when its channel is gone, so a finished call still
// says which channels it used.
func (e *Engine) nameLegsLocked(c *Call) {
	if n := e.chanNameLocked(c.ChannelID); n != "" {
		c.ChannelName = n
	}
	agentCh := c.AgentChannelID
	if agentCh == "" && c.Agent != "" {
		// A persistent agent talks on its own login channel.
		if s := e.sessions[c.Agent]; s != nil && s.CallID == c.ID {
			agentCh = s.ChannelID
		}
	}
	if n := e.chanNameLocked(agentCh); n != "" {
		c.AgentChannelName = n
	}
}

func (e *Engine) chanNameLocked(id string) string {
	if id == "" {
		return ""
	}
	if r := e.chans[id]; r != nil {
		return r.name
	}
	return ""
}
