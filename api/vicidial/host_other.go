//go:build !linux

package vicidial

import (
	"runtime"
	"strings"
)

func unameAll(host string) string {
	return strings.ToUpper(runtime.GOOS[:1]) + runtime.GOOS[1:] + " " + host
}

func loadAverage() (string, bool) { return "", false }
