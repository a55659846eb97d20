package vicidial

import "syscall"

// unameAll is PHP's php_uname() with no (or an unknown) mode: "s n r v m".
func unameAll(string) string {
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		return "Linux"
	}
	return utsString(u.Sysname[:]) + " " + utsString(u.Nodename[:]) + " " + utsString(u.Release[:]) + " " +
		utsString(u.Version[:]) + " " + utsString(u.Machine[:])
}

// utsString reads a NUL-terminated utsname field (int8 or uint8 by
// architecture).
func utsString[T int8 | uint8](b []T) string {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c == 0 {
			break
		}
		out = append(out, byte(c))
	}
	return string(out)
}

// loadAverage is sys_getloadavg()[0]: glibc reads it from sysinfo, whose
// fixed-point value PHP prints in full (1.61328125, not /proc's 1.61).
func loadAverage() (string, bool) {
	var si syscall.Sysinfo_t
	if err := syscall.Sysinfo(&si); err != nil {
		return "", false
	}
	return phpFloat(float64(si.Loads[0]) / (1 << 16)), true
}
