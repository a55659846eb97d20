package demo

import (
	"context"
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
		if vu.Secret != "1234" || !vu.APIAccess || !vu.ModifyLeads || !vu.ManualDial || vu.AllowedFunctions != "ALL_FUNCTIONS" {
			t.Errorf("vicidial api user: %+v", vu)
		}
		var eu core.APIUser
		if err := st.First(ctx, &eu, core.Eq("dialect", "eccp").Eq("username", "agentconsole")); err != nil || eu.Secret != "agentconsole" {
			t.Errorf("eccp client: %+v %v", eu, err)
		}
		var a1000 core.Agent
		if err := st.First(ctx, &a1000, core.Eq("username", "1000")); err != nil || a1000.Password != "1234" || a1000.Campaign != "TESTCAMP" {
			t.Errorf("agent 1000: %+v %v", a1000, err)
		}
		for _, name := range []string{"Agent/9000", "SIP/1064"} {
			var agents []core.Agent
			if err := st.Find(ctx, &agents, core.All); err != nil {
				t.Fatal(err)
			}
			found := false
			for _, a := range agents {
				if a.ECCPName() == name {
					found = true
					if a.ECCPPassword != "unaclavesecreta" {
						t.Errorf("%s ECCP password %q", name, a.ECCPPassword)
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
