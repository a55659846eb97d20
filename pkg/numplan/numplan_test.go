package numplan

import (
	"testing"
	"time"
)

func TestZoneAndStateOfNorthAmericanNumbers(t *testing.T) {
	summer := time.Date(2026, 7, 1, 16, 0, 0, 0, time.UTC)
	winter := time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)
	cases := []struct {
		number, state    string
		summerH, winterH float64
		summerDST        bool
	}{
		{"7275551212", "FL", -4, -5, true},
		{"3125551212", "IL", -5, -6, true},
		{"2135551111", "CA", -7, -8, true},
		{"6025551111", "AZ", -7, -7, false}, // Arizona keeps standard time
		{"9075551111", "AK", -8, -9, true},
		{"8085551111", "HI", -10, -10, false},
		{"4165551111", "ON", -4, -5, true},
	}
	for _, c := range cases {
		loc, ok := Zone("1", c.number)
		if !ok {
			t.Fatalf("%s: no zone", c.number)
		}
		h, dst := Offset(loc, summer)
		w, _ := Offset(loc, winter)
		if h != c.summerH || w != c.winterH || dst != c.summerDST {
			t.Errorf("%s: summer %v (dst %v) winter %v, want %v (%v) %v", c.number, h, dst, w, c.summerH, c.summerDST, c.winterH)
		}
		if s := State("1", c.number); s != c.state {
			t.Errorf("%s: state %q, want %q", c.number, s, c.state)
		}
	}
}

func TestNonGeographicNumbersHaveNoZone(t *testing.T) {
	for _, n := range []string{"8005551212", "5555551212", "12", "72a5551212", ""} {
		if _, ok := Zone("1", n); ok {
			t.Errorf("%q: got a zone", n)
		}
		if s := State("1", n); s != "" {
			t.Errorf("%q: state %q", n, s)
		}
	}
	if _, ok := Zone("x", "7275551212"); ok {
		t.Error("a non-numeric phone code got a zone")
	}
}

func TestTZCodes(t *testing.T) {
	loc, ok := TZCode("1", "pst")
	if !ok || loc.String() != "America/Los_Angeles" {
		t.Fatalf("PST: %v %v", loc, ok)
	}
	if _, ok := TZCode("44", "PST"); ok {
		t.Error("TZCODE outside phone code 1")
	}
	if _, ok := TZCode("1", "XYZ"); ok {
		t.Error("unknown code")
	}
}

func FuzzZone(f *testing.F) {
	f.Add("1", "7275551212")
	f.Add("52", "5555551212")
	f.Fuzz(func(t *testing.T, code, number string) {
		Zone(code, number)
		State(code, number)
	})
}
