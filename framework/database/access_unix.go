//go:build unix && !linux

package database

import "syscall"

// canAccess reports whether the user may access path in mode (access(2), real user).
func canAccess(path string, mode uint32) error { return syscall.Access(path, mode) }
