package demo

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

func counts(t *testing.T, st core.Store) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for name, m := range map[string]any{
		"agents": &core.Agent{}, "queues": &core.Queue{}, "members": &core.QueueMember{},
		"campaigns": &core.Campaign{}, "pauses": &core.PauseCode{}, "dispositions": &core.Disposition{},
		"apiusers": &core.APIUser{}, "routes": &core.Route{}, "lists": &core.List{}, "leads": &core.Lead{},
		"phones": &core.Phone{},
	} {
		n, err := st.Count(context.Background(), m, core.All)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = n
	}
	return out
}

func TestSeedIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		ctx := context.Background()
		if err := Seed(ctx, st); err != nil {
			t.Fatal(err)
		}
		first := counts(t, st)
		for name, n := range first {
			if n == 0 {
				t.Errorf("%s: nothing seeded", name)
			}
		}
		if err := Seed(ctx, st); err != nil {
			t.Fatalf("second seed: %v", err)
		}
		second := counts(t, st)
		for name, n := range first {
			if second[name] != n {
				t.Errorf("%s: %d after first seed, %d after second", name, n, second[name])
			}
		}
	})
}

func TestSeedMatchesVendorExamples(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		ctx := context.Background()
		if err := Seed(ctx, st); err != nil {
			t.Fatal(err)
		}
		var vu core.APIUser
		if err := st.First(ctx, &vu, core.Eq("dialect", "vicidial").Eq("username", "6666")); err != nil {
			t.Fatal(err)
		}
		// Secrets are stored hashed or sealed (storetest writes through
		// the secret facility, as the gateway does).
		sec := storetest.Secrets()
		if !sec.Verify(vu.Secret, "1234") || !vu.APIAccess || !vu.ModifyLeads || !vu.ManualDial || vu.AllowedFunctions != "ALL_FUNCTIONS" {
			t.Errorf("vicidial api user: %+v", vu)
		}
		var eu core.APIUser
		if err := st.First(ctx, &eu, core.Eq("dialect", "eccp").Eq("username", "agentconsole")); err != nil || !sec.Verify(eu.Secret, core.MD5Hex("agentconsole")) {
			t.Errorf("eccp client: %+v %v", eu, err)
		}
		var a1000 core.Agent
		if err := st.First(ctx, &a1000, core.Eq("username", "1000")); err != nil || !sec.Verify(a1000.Password, "1234") || a1000.Campaign != "TESTCAMP" {
			t.Errorf("agent 1000: %+v %v", a1000, err)
		}
		for _, name := range []string{"Agent/9000", "SIP/1064"} {
			var agents []core.Agent
			if err := st.Find(ctx, &agents, core.All); err != nil {
				t.Fatal(err)
			}
			found := false
			for _, a := range agents {
				if a.Interface() == name {
					found = true
					if pw, err := sec.Open(a.ConsolePassword); err != nil || pw != "unaclavesecreta" {
						t.Errorf("%s ECCP password %q: %v", name, a.ConsolePassword, err)
					}
					if name == "Agent/9000" && !a.Persistent {
						t.Errorf("Agent/9000 must be persistent")
					}
				}
			}
			if !found {
				t.Errorf("%s not seeded", name)
			}
		}
		for id, want := range map[uint]string{2: "Baño", 3: "Almuerzo"} {
			var pc core.PauseCode
			if err := st.First(ctx, &pc, core.Eq("id", id)); err != nil || pc.Name != want || pc.Type != "B" || !pc.Active {
				t.Errorf("break %d: %+v %v", id, pc, err)
			}
		}
		for _, q := range []string{"8000", "8001", "TEST_IN"} {
			var queue core.Queue
			if err := st.First(ctx, &queue, core.Eq("name", q)); err != nil {
				t.Errorf("queue %s: %v", q, err)
			}
		}
		n, err := st.Count(ctx, &core.QueueMember{}, core.Eq("queue", "8000"))
		if err != nil || n != 2 {
			t.Errorf("queue 8000 members: %d %v", n, err)
		}
	})
}

func TestSeedKeepsFalseFlags(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	ctx := context.Background()
	if err := Seed(ctx, st); err != nil {
		t.Fatal(err)
	}
	var d core.Disposition
	if err := st.First(ctx, &d, core.Eq("code", "NA")); err != nil || d.Selectable {
		t.Fatalf("NA must not be selectable: %+v %v", d, err)
	}
}

// Asterisk 22 has no chan_sip: every seeded agent with a phone must be
// dialable through an endpoint deploy/asterisk/pjsip.conf defines, while
// the ECCP name (Type+Number, what consoles send) stays SIP/1064.
func TestSeededExtensionsArePJSIPEndpointsOfTheDeployConfig(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	ctx := context.Background()
	if err := Seed(ctx, st); err != nil {
		t.Fatal(err)
	}
	conf, err := os.ReadFile("../../deploy/asterisk/pjsip.conf")
	if err != nil {
		t.Fatal(err)
	}
	var agents []core.Agent
	if err := st.Find(ctx, &agents, core.All); err != nil {
		t.Fatal(err)
	}
	withPhone := 0
	for _, a := range agents {
		if a.Extension == "" {
			continue
		}
		withPhone++
		ep, ok := strings.CutPrefix(a.Extension, "PJSIP/")
		if !ok {
			t.Errorf("agent %s: extension %q is not PJSIP/<endpoint>", a.Username, a.Extension)
			continue
		}
		if !strings.Contains(string(conf), "\n["+ep+"](agent-tpl)") {
			t.Errorf("agent %s: endpoint %s not defined in deploy/asterisk/pjsip.conf", a.Username, ep)
		}
	}
	if withPhone < 4 {
		t.Fatalf("only %d seeded agents with an extension", withPhone)
	}
	var a core.Agent
	if err := st.First(ctx, &a, core.Eq("username", "1064")); err != nil || a.Interface() != "SIP/1064" {
		t.Fatalf("ECCP name of 1064: %q %v", a.Interface(), err)
	}
}

// A database seeded by an older release holds SIP/<n>: the seed moves the
// old default to PJSIP/<n> and keeps what an operator set.
func TestSeedUpgradesOldSIPExtensionsButKeepsOperatorEdits(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	ctx := context.Background()
	if err := Seed(ctx, st); err != nil {
		t.Fatal(err)
	}
	set := map[string]string{"1000": "SIP/1000", "1064": "SIP/1064", "1001": "SIP/1001", "6666": "Local/6666@phones"}
	for user, ext := range set {
		var a core.Agent
		if err := st.First(ctx, &a, core.Eq("username", user)); err != nil {
			t.Fatal(err)
		}
		if err := st.Updates(ctx, &a, map[string]any{"extension": ext}); err != nil {
			t.Fatal(err)
		}
	}
	if err := Seed(ctx, st); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"1000": "PJSIP/1000", "1064": "PJSIP/1064", "1001": "PJSIP/1001", "6666": "Local/6666@phones"}
	for user, ext := range want {
		var a core.Agent
		if err := st.First(ctx, &a, core.Eq("username", user)); err != nil {
			t.Fatal(err)
		}
		if a.Extension != ext {
			t.Errorf("agent %s: extension %q, want %q", user, a.Extension, ext)
		}
	}
}

// The demo data is the vendor documents' examples: every record must pass
// the core's input rules, or the admin API could not recreate it.
func TestSeededRecordsPassValidation(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	ctx := context.Background()
	if err := Seed(ctx, st); err != nil {
		t.Fatal(err)
	}
	check := func(kind string, v interface{ Validate() error }) {
		if err := v.Validate(); err != nil {
			t.Errorf("seeded %s %+v: %v", kind, v, err)
		}
	}
	var agents []core.Agent
	var queues []core.Queue
	var camps []core.Campaign
	var pauses []core.PauseCode
	var disps []core.Disposition
	var users []core.APIUser
	var routes []core.Route
	var groups []core.UserGroup
	for _, dst := range []any{&agents, &queues, &camps, &pauses, &disps, &users, &routes, &groups} {
		if err := st.Find(ctx, dst, core.All); err != nil {
			t.Fatal(err)
		}
	}
	for i := range agents {
		check("agent", &agents[i])
	}
	for i := range queues {
		check("queue", &queues[i])
	}
	for i := range camps {
		check("campaign", &camps[i])
	}
	for i := range pauses {
		check("pause code", &pauses[i])
	}
	for i := range disps {
		check("disposition", &disps[i])
	}
	for i := range users {
		check("api user", &users[i])
	}
	for i := range routes {
		check("route", &routes[i])
	}
	for i := range groups {
		check("user group", &groups[i])
	}
	if len(agents) == 0 || len(pauses) == 0 {
		t.Fatal("nothing seeded")
	}
}
