// Package lru bounds in-memory maps whose entries expire when unused.
package lru

import "time"

// Evict makes room in m for one more entry: it deletes every entry last used ttl or more
// before now and then, when m still holds max entries or more, the least recently used one.
func Evict[K comparable, V any](m map[K]V, now time.Time, ttl time.Duration, max int, lastUsed func(V) time.Time) {
	var oldest K
	found := false
	for k, v := range m {
		used := lastUsed(v)
		if now.Sub(used) >= ttl {
			delete(m, k)
			continue
		}
		if !found || used.Before(lastUsed(m[oldest])) {
			oldest, found = k, true
		}
	}
	if found && len(m) >= max {
		delete(m, oldest)
	}
}
