package config

import (
	"testing"
	"time"
)

func TestCallerNameBoundDefaultsTo2sAndIsCappedAt10s(t *testing.T) {
	cases := []struct {
		v    string
		want time.Duration
		bad  bool
	}{{"", 2 * time.Second, false}, {"500ms", 500 * time.Millisecond, false}, {"3", 3 * time.Second, false}, {"11s", 0, true}, {"soon", 0, true}}
	for _, tc := range cases {
		c, err := Load("", env(map[string]string{"CALLGATE_CALLER_NAME_BOUND": tc.v}))
		if tc.bad != (err != nil) || (!tc.bad && c.CallerNameBound != tc.want) {
			t.Errorf("%q: bound %v, err %v", tc.v, c.CallerNameBound, err)
		}
	}
}
