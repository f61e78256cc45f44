//go:build !unix

package database

import "errors"

// diskFree is not implemented here; readiness then skips the free-space check.
func diskFree(string) (uint64, error) {
	return 0, errors.New("free disk space: not supported on this system")
}
