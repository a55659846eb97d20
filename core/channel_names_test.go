package core_test

import (
	"regexp"
	"testing"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

var suffixed = regexp.MustCompile(`^PJSIP/a1-[0-9a-f]{8}$`)

// A persistent agent's login channel and both legs of its call keep the
// PBX's channel names, in memory and in the store, after the call ended.
func TestChannelNamesOfPersistentAgentAndCallLegs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		h := newHarness(t, st, harnessOpt{persist: true})
		h.login("a1")
		s, _ := h.e.Session("a1")
		line, _ := h.pbx.Channel(s.ChannelID)
		if !suffixed.MatchString(s.ChannelName) || s.ChannelName != line.Name {
			t.Fatalf("session channel name %q, want the PBX's %q (PJSIP/a1-xxxxxxxx)", s.ChannelName, line.Name)
		}
		ch := h.inbound("5550015")
		c := h.callOf("a1")
		cust, _ := h.pbx.Channel(ch)
		if c.ChannelName != cust.Name || c.ChannelName == "" || c.ChannelName == ch {
			t.Errorf("customer leg name %q, want the PBX's %q (not the id %q)", c.ChannelName, cust.Name, ch)
		}
		if c.AgentChannelName != line.Name {
			t.Errorf("agent leg name %q, want the login channel %q", c.AgentChannelName, line.Name)
		}
		must(t, h.pbx.FarHangup(ch, core.CauseNormal))
		h.waitState("a1", core.AgentAvailable)
		must(t, h.e.Sync(h.ctx))
		var row core.Call
		must(t, st.First(h.ctx, &row, core.Eq("id", c.ID)))
		if row.ChannelName != cust.Name || row.AgentChannelName != line.Name {
			t.Errorf("stored call names %q / %q, want %q / %q", row.ChannelName, row.AgentChannelName, cust.Name, line.Name)
		}
		var srow core.AgentSession
		must(t, st.First(h.ctx, &srow, core.Eq("username", "a1")))
		if srow.ChannelName != line.Name {
			t.Errorf("stored session channel name %q, want %q", srow.ChannelName, line.Name)
		}
		// The agent hanging up its phone leaves no stale name behind.
		must(t, h.pbx.FarHangup(s.ChannelID, core.CauseNormal))
		h.waitState("a1", core.AgentOffline)
	})
}

// An on-hook agent is rung for each call: the agent leg's name is that of
// the channel that rang it.
func TestChannelNameOfOnHookAgentLeg(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{agents: 1})
	h.login("a1")
	h.inbound("5550016")
	c := h.callOf("a1")
	leg, ok := h.pbx.Channel(c.AgentChannelID)
	if !ok || c.AgentChannelName != leg.Name || !suffixed.MatchString(leg.Name) {
		t.Errorf("agent leg name %q, want the PBX's %q (PJSIP/a1-xxxxxxxx)", c.AgentChannelName, leg.Name)
	}
}

// ChannelVars lists the customer channel's variables with its name.
func TestChannelVarsOfTheAgentsCall(t *testing.T) {
	h := newHarness(t, sqlite(t), harnessOpt{agents: 1})
	h.login("a1")
	if _, _, err := h.e.ChannelVars(h.ctx, "a1"); err == nil {
		t.Fatal("ChannelVars without a call succeeded")
	}
	ch := h.inbound("5550017")
	c := h.callOf("a1")
	must(t, h.pbx.SetVar(h.ctx, ch, "FROM_DID", "5550100"))
	name, vars, err := h.e.ChannelVars(h.ctx, "a1")
	must(t, err)
	if name != c.ChannelName || name == "" {
		t.Errorf("channel name %q, want %q", name, c.ChannelName)
	}
	want := core.ChannelVar{Name: "FROM_DID", Value: "5550100"}
	if len(vars) != 1 || vars[0] != want {
		t.Errorf("vars %+v, want [%+v]", vars, want)
	}
}
