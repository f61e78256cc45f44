package framework

import (
	"sync"
	"time"

	"github.com/portico-dev/portico/internal/lru"
)

// Defaults of the failed-request log throttle.
const (
	// failureLogWindow is the shortest time between two log lines of one kind of failure.
	failureLogWindow = 10 * time.Second
	// failureLogKinds bounds the kinds remembered at once; past it the oldest window is
	// forgotten early (an error text can make many kinds).
	failureLogKinds = 256
)

// logThrottle lets one log line per kind through per window and counts the others, so an
// outage (every request failing the same way) writes a line every few seconds with the count
// of requests it stood for, not one line per request.
type logThrottle struct {
	window time.Duration
	max    int
	now    func() time.Time

	mu    sync.Mutex
	kinds map[string]*throttled
}

type throttled struct {
	last       time.Time
	suppressed int
}

func newLogThrottle(window time.Duration, now func() time.Time) *logThrottle {
	if now == nil {
		now = time.Now
	}
	return &logThrottle{window: window, max: failureLogKinds, now: now, kinds: map[string]*throttled{}}
}

// allow reports whether a line of this kind may be written now and, if so, how many lines of
// the kind were held back since the last one.
func (l *logThrottle) allow(kind string) (ok bool, suppressed int) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if k, seen := l.kinds[kind]; seen {
		if now.Sub(k.last) < l.window {
			k.suppressed++
			return false, 0
		}
		n := k.suppressed
		k.last, k.suppressed = now, 0
		return true, n
	}
	if len(l.kinds) >= l.max {
		lru.Evict(l.kinds, now, l.window, l.max, func(k *throttled) time.Time { return k.last })
	}
	l.kinds[kind] = &throttled{last: now}
	return true, 0
}
