//go:build !unix

package eccp

// fdLimit is unknown here; the default connection cap stands.
func fdLimit() int { return 0 }
