package urlreader

import "errors"

// Sentinel errors, always wrapped with the URL or path they concern; test
// them with errors.Is.
var (
	// ErrNotModified reports that the source still matches the ETag or
	// modification time the caller already has.
	ErrNotModified = errors.New("not modified")
	// ErrNotFound reports a missing file, directory, repository or ref.
	ErrNotFound = errors.New("not found")
	// ErrNotAllowed reports a location outside backend.reading.allow, the
	// integration hosts or the local roots, including redirects to one.
	ErrNotAllowed = errors.New("location not allowed")
	// ErrTooLarge reports a body or file bigger than Options.MaxBytes.
	ErrTooLarge = errors.New("content too large")
	// ErrUnsafePath reports a tree entry that would be written outside the
	// target directory, or through a symlink, by Tree.Dir.
	ErrUnsafePath = errors.New("unsafe path")
)
