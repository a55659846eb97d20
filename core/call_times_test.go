package core_test

import (
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

func TestCallTimesHoldToTheCalleesClock(t *testing.T) {
	noonUTC := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	nineToFive, ok := core.FindCallTime("9am-5pm")
	if !ok {
		t.Fatal("9am-5pm is not defined")
	}
	cases := []struct {
		name   string
		ct     core.CallTime
		offset float64
		want   bool
	}{
		{"7am in New York is too early", nineToFive, -5, false},
		{"9am in New York opens", nineToFive, -3, true},
		{"5pm closes", nineToFive, 5, false},
		{"half-hour zones count", nineToFive, -3.5, false},
		{"24hours always", core.CallTime{Start: 0, Stop: 2400}, -11, true},
		{"over midnight late", core.CallTime{Start: 2200, Stop: 200}, 11, true},
		{"over midnight noon", core.CallTime{Start: 2200, Stop: 200}, 0, false},
	}
	for _, c := range cases {
		if got := c.ct.DialableAt(noonUTC, c.offset); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	if _, ok := core.FindCallTime("8am-11pm"); ok {
		t.Error("an undefined call time was found")
	}
}

func TestCampaignHoursAreItsCallTime(t *testing.T) {
	ct := core.Campaign{Name: "C", StartTime: "09:30", EndTime: "18:00"}.CallTime()
	if ct.Start != 930 || ct.Stop != 1800 {
		t.Fatalf("got %+v", ct)
	}
	if all := (core.Campaign{Name: "C"}).CallTime(); all.Start != 0 || all.Stop != 2400 {
		t.Fatalf("a campaign without hours: %+v", all)
	}
}

func TestCampaignDialStatusesChooseTheLeadsDialed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		h := newHarness(t, st, harnessOpt{})
		for i, status := range []string{"NEW", "CALLBK", "NA"} {
			must(t, st.Create(h.ctx, &core.Lead{ListID: 1, Campaign: "OUT1", Status: status, PhoneNumber: fmt.Sprint(7275550100 + i)}))
		}
		statuses := func() []string {
			leads, err := h.e.NextLeads(h.ctx, "OUT1", 10)
			must(t, err)
			var out []string
			for _, l := range leads {
				out = append(out, l.Status)
			}
			sort.Strings(out)
			return out
		}
		if got := statuses(); !slices.Equal(got, []string{"CALLBK", "NA", "NEW"}) {
			t.Fatalf("default statuses dialed %v", got)
		}
		must(t, h.e.UpdateCampaign(h.ctx, "OUT1", map[string]any{"dial_statuses": " CALLBK NEW -"}))
		if got := statuses(); !slices.Equal(got, []string{"CALLBK", "NEW"}) {
			t.Fatalf("with dial statuses CALLBK NEW: %v", got)
		}
	})
}
