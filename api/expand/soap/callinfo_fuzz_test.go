package soap

import (
	"strings"
	"testing"
	"time"
)

// callInfo never panics, and every "k=v" piece with a plain key and value
// comes back under its key.
func FuzzCallInfo(f *testing.F) {
	for _, s := range []string{"", "info=01-43-1", "01-43-1", "a=1,b=2", "a=1,,b", "=x", "k==v", " a = 1 ,b=2 ", "ñ=ü,x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := callInfo(s)
		for _, piece := range strings.Split(s, ",") {
			k, v, ok := strings.Cut(piece, "=")
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			// A key written once in the whole input cannot be overwritten.
			if !ok || k == "" || k == "callinfo" || strings.Count(s, k) != 1 {
				continue
			}
			if got[k] != v {
				t.Fatalf("callInfo(%q)[%q] = %q, want %q", s, k, got[k], v)
			}
		}
	})
}

// parseCDRTime never panics and only accepts what it can print back.
func FuzzParseCDRTime(f *testing.F) {
	for _, s := range []string{"2012-04-01 00:02:44", "2012-04-01", "2012-04-01T10:00:00", "2012-13-01", "ayer", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if tm, ok := parseCDRTime(s, time.UTC); ok && tm.IsZero() && strings.TrimSpace(s) != "0001-01-01" {
			t.Fatalf("parseCDRTime(%q) accepted a zero time", s)
		}
	})
}
