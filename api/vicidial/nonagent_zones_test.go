package vicidial

import (
	"testing"
	"time"

	"github.com/callgate/callgate/pkg/numplan"
)

// TestGMTOffsetsPrintAsVICIdialDoes pins lookup_gmt_api's two forms: the
// table's text in standard time, a PHP number once DST adds its hour.
func TestGMTOffsetsPrintAsVICIdialDoes(t *testing.T) {
	july, jan := time.Date(2025, 7, 2, 15, 0, 0, 0, time.UTC), time.Date(2025, 1, 22, 15, 0, 0, 0, time.UTC)
	cases := []struct {
		phone string
		at    time.Time
		want  string
	}{
		{"7275551111", july, "-4"}, // the doc's add_lead example
		{"7275551111", jan, "-5.00"},
		{"7095551111", july, "-2.5"},  // Newfoundland
		{"6025551111", july, "-7.00"}, // Arizona: no DST
	}
	for _, c := range cases {
		loc, ok := numplan.Zone("1", c.phone)
		if !ok {
			t.Fatalf("%s: no zone", c.phone)
		}
		if got := vicidialGMT(loc, c.at); got != c.want {
			t.Errorf("%s at %s: %q, want %q", c.phone, c.at.Format("Jan"), got, c.want)
		}
	}
}
