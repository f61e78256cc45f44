package frameworktest

import (
	"slices"
	"strings"
	"sync"
)

// Recorder notes, safe for concurrent use, what test code did (actions, hooks, handlers), in
// order, for a test to compare with what it expects.
type Recorder struct {
	mu  sync.Mutex
	log []string
}

// Add notes s.
func (r *Recorder) Add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log = append(r.log, s)
}

// Entries returns what was noted, in order.
func (r *Recorder) Entries() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.log)
}

// String returns what was noted, joined by commas.
func (r *Recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.log, ",")
}
