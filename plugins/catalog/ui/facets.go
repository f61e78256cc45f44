package ui

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/portico-dev/portico/plugins/catalog/query"
	"github.com/portico-dev/portico/plugins/catalog/reader"
)

// facetCacheSize bounds the cache; the index asks for few distinct facet sets (one per kind).
const facetCacheSize = 256

// facetCache keeps recent filter counts for a short time.
type facetCache struct {
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	entries map[string]facetEntry
}

type facetEntry struct {
	at     time.Time
	counts map[string][]reader.FacetCount
}

func newFacetCache(ttl time.Duration, now func() time.Time) *facetCache {
	return &facetCache{ttl: ttl, now: now, entries: map[string]facetEntry{}}
}

// get returns the counts of facets among the entities matching filter, from the cache when
// they are fresh.
func (c *facetCache) get(ctx context.Context, r Reader, facets []string, filter *query.Expr) (map[string][]reader.FacetCount, error) {
	if c.ttl < 0 {
		return r.Facets(ctx, facets, filter)
	}
	fb, err := json.Marshal(filter)
	if err != nil {
		return nil, err
	}
	key := strings.Join(facets, "\x00") + "\x01" + string(fb)
	now := c.now()
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < c.ttl {
		return e.counts, nil
	}
	counts, err := r.Facets(ctx, facets, filter)
	if err != nil {
		return nil, err
	}
	if emptyCounts(counts) {
		// Nothing yet (a portal that is still ingesting, a new kind): do not pin an empty
		// picker for a whole TTL.
		return counts, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= facetCacheSize {
		for k, old := range c.entries {
			if now.Sub(old.at) >= c.ttl || len(c.entries) >= facetCacheSize {
				delete(c.entries, k)
			}
		}
	}
	c.entries[key] = facetEntry{at: now, counts: counts}
	return counts, nil
}

func emptyCounts(counts map[string][]reader.FacetCount) bool {
	for _, c := range counts {
		if len(c) > 0 {
			return false
		}
	}
	return true
}
