package database

import "syscall"

// faccessat(2) flags: the current directory as base, and AT_EACCESS (check with the effective
// user, as opening the file will).
const (
	atFDCWD   = -0x64
	atEAccess = 0x200
)

// canAccess reports whether the effective user may access path in mode (faccessat(2)).
func canAccess(path string, mode uint32) error {
	return syscall.Faccessat(atFDCWD, path, mode, atEAccess)
}
