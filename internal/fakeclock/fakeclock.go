// Package fakeclock is a settable clock for deterministic tests of code that takes a
// `func() time.Time` (leases, TTLs, schedules). Safe for concurrent use.
package fakeclock

import (
	"sync"
	"time"
)

// Clock is a fake clock that only moves when told to.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// New returns a clock stopped at start.
func New(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time; pass the method value where a func() time.Time is expected.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
