//go:build !linux

package main

// readConsoles reads each console on a goroutine of its own.
func readConsoles(consoles []*console) (stop func()) { return readEach(consoles) }
