package main

import (
	"runtime/debug"
	"testing"
)

func TestCollectorTargetIsRaisedUnlessGOGCIsSet(t *testing.T) {
	prev := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(prev) })
	for _, tc := range []struct {
		gogc string
		want int
	}{
		{"", gcPercent},
		{"150", 100}, // the runtime read GOGC itself; left alone
		{"off", 100},
	} {
		debug.SetGCPercent(100)
		tuneGC(func(k string) string {
			if k == "GOGC" {
				return tc.gogc
			}
			return ""
		})
		if got := debug.SetGCPercent(100); got != tc.want {
			t.Errorf("GOGC=%q: collector target %d, want %d", tc.gogc, got, tc.want)
		}
	}
}
