package action

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sync"
)

// ErrWorkspaceLimit is wrapped by the errors of writes that would take a workspace past its
// limits.
var ErrWorkspaceLimit = errors.New("workspace limit exceeded")

// Default workspace limits (scaffolder.limits.workspaceBytes and workspaceFiles).
const (
	DefaultWorkspaceBytes = 512 << 20
	DefaultWorkspaceFiles = 20_000
)

// Quota bounds the size of one run's workspace: the bytes of its files and the number of its
// entries (files, directories and links). The task runner measures the workspace before and
// after each step; actions charge their writes as they go (Context.WriteFile), so one step
// cannot fill the disk before the check after it. A nil Quota has no limits.
type Quota struct {
	maxBytes int64
	maxFiles int

	mu    sync.Mutex
	bytes int64
	files int
}

// NewQuota returns a quota; values <= 0 take the defaults.
func NewQuota(maxBytes int64, maxFiles int) *Quota {
	if maxBytes <= 0 {
		maxBytes = DefaultWorkspaceBytes
	}
	if maxFiles <= 0 {
		maxFiles = DefaultWorkspaceFiles
	}
	return &Quota{maxBytes: maxBytes, maxFiles: maxFiles}
}

// Charge records a write of bytes in files new entries, refusing it when it would pass the
// limits. Rewriting a file charges it again until the next Measure.
func (q *Quota) Charge(bytes int64, files int) error {
	if q == nil {
		return nil
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.bytes+bytes > q.maxBytes {
		return fmt.Errorf("%w: the workspace may hold at most %d bytes", ErrWorkspaceLimit, q.maxBytes)
	}
	if q.files+files > q.maxFiles {
		return fmt.Errorf("%w: the workspace may hold at most %d files", ErrWorkspaceLimit, q.maxFiles)
	}
	q.bytes += bytes
	q.files += files
	return nil
}

// Measure sets the usage from what dir holds now, and fails when it is over the limits
// (an action that wrote without charging). Links are counted, never followed.
func (q *Quota) Measure(dir string) error {
	if q == nil {
		return nil
	}
	var bytes int64
	files := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == dir {
			return nil
		}
		files++
		if d.Type().IsRegular() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			bytes += info.Size()
		}
		if files > q.maxFiles || bytes > q.maxBytes {
			return filepath.SkipAll
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("measure workspace: %w", err)
	}
	q.mu.Lock()
	q.bytes, q.files = bytes, files
	q.mu.Unlock()
	switch {
	case bytes > q.maxBytes:
		return fmt.Errorf("%w: the workspace holds more than %d bytes", ErrWorkspaceLimit, q.maxBytes)
	case files > q.maxFiles:
		return fmt.Errorf("%w: the workspace holds more than %d files", ErrWorkspaceLimit, q.maxFiles)
	}
	return nil
}

// WriteFile writes a file of the workspace (creating its directory), charging it to the
// run's quota first.
func (c *Context) WriteFile(path string, b []byte, mode fs.FileMode) error {
	if err := c.Quota.Charge(int64(len(b)), 1); err != nil {
		return err
	}
	return writeFile(path, b, mode)
}
