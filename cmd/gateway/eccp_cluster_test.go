package main

import (
	"net"
	"net/netip"
	"testing"
)

// A standby applies eccp.allow_from to the client's own address before it
// relays (the leader only sees the standby's).
func TestRelayChecksTheClientsAddressAgainstTheAllowList(t *testing.T) {
	list := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::/32")}
	for _, tc := range []struct {
		list []netip.Prefix
		addr string
		want bool
	}{
		{nil, "192.0.2.1:5000", true},
		{list, "10.1.2.3:5000", true},
		{list, "192.0.2.1:5000", false},
		{list, "[2001:db8::1]:5000", true},
		{list, "[::ffff:10.0.0.1]:5000", true},
	} {
		a, err := net.ResolveTCPAddr("tcp", tc.addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := allowed(tc.list, a); got != tc.want {
			t.Errorf("allowed(%v, %s) = %v, want %v", tc.list, tc.addr, got, tc.want)
		}
	}
}
