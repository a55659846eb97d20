package core

import (
	"slices"
	"strings"
	"testing"
)

// hasField is the dispatch's allocation-free strings.Fields membership.
func TestHasFieldAgreesWithStringsFields(t *testing.T) {
	lists := []string{"", " ", "8000", "8000 8001", " 8000  8001 ", "8000\t8001", "80001 800", "a\nb\r\nc"}
	values := []string{"", "8000", "8001", "800", "80001", "b", "c", "a b"}
	for _, l := range lists {
		for _, v := range values {
			if got, want := hasField(l, v), slices.Contains(strings.Fields(l), v); got != want {
				t.Errorf("hasField(%q, %q) = %v, want %v", l, v, got, want)
			}
		}
	}
}
