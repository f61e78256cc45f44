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

// facetCache keeps recent filter counts. A fresh entry is served as is; a stale one is served
// too while one background refresh replaces it (stale-while-revalidate), so only the first
// request for a set of facets waits for the count, and concurrent first requests share one.
type facetCache struct {
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	entries map[string]*facetEntry
	// refreshing holds a token while a background refresh counts: refreshes run one at a
	// time, so on a small machine they leave the other cores to requests.
	refreshing chan struct{}
}

type facetEntry struct {
	at         time.Time
	cost       time.Duration // how long the last count took
	counts     map[string][]reader.FacetCount
	ready      chan struct{} // closed once counts are first set
	err        error         // of the first computation
	refreshing bool
}

func newFacetCache(ttl time.Duration, now func() time.Time) *facetCache {
	return &facetCache{ttl: ttl, now: now, entries: map[string]*facetEntry{}, refreshing: make(chan struct{}, 1)}
}

// get returns the counts of facets among the entities matching filter.
func (c *facetCache) get(ctx context.Context, r Reader, facets []string, filter *query.Expr) (map[string][]reader.FacetCount, error) {
	if c.ttl < 0 {
		return r.Facets(ctx, facets, filter)
	}
	fb, err := json.Marshal(filter)
	if err != nil {
		return nil, err
	}
	scope, err := readScope(ctx, r)
	if err != nil {
		return nil, err
	}
	key := strings.Join(facets, "\x00") + "\x01" + string(fb) + "\x02" + scope
	c.mu.Lock()
	e, ok := c.entries[key]
	if !ok {
		// First request for this view: compute now; others asking meanwhile wait for it.
		e = &facetEntry{ready: make(chan struct{})}
		c.evictLocked()
		c.entries[key] = e
		c.mu.Unlock()
		start := time.Now()
		counts, err := r.Facets(ctx, facets, filter)
		cost := time.Since(start)
		c.mu.Lock() // evictLocked reads at and cost
		e.counts, e.err, e.at, e.cost = counts, err, c.now(), cost
		c.mu.Unlock()
		close(e.ready)
		if err != nil || emptyCounts(counts) {
			// Do not keep a failure, nor an empty picker (a portal still ingesting).
			c.mu.Lock()
			if c.entries[key] == e {
				delete(c.entries, key)
			}
			c.mu.Unlock()
		}
		return counts, err
	}
	c.mu.Unlock()
	select {
	case <-e.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if e.err != nil {
		return r.Facets(ctx, facets, filter)
	}
	c.mu.Lock()
	counts := e.counts
	if c.now().Sub(e.at) >= c.entryTTL(e) && !e.refreshing {
		e.refreshing = true
		go c.refresh(context.WithoutCancel(ctx), r, key, e, facets, filter)
	}
	c.mu.Unlock()
	return counts, nil
}

// refresh recounts a stale entry in the background.
func (c *facetCache) refresh(ctx context.Context, r Reader, key string, e *facetEntry, facets []string, filter *query.Expr) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	select {
	case c.refreshing <- struct{}{}:
		defer func() { <-c.refreshing }()
	case <-ctx.Done():
		c.mu.Lock()
		e.refreshing = false
		c.mu.Unlock()
		return
	}
	start := time.Now()
	counts, err := r.Facets(ctx, facets, filter)
	cost := time.Since(start)
	c.mu.Lock()
	defer c.mu.Unlock()
	e.refreshing = false
	if err == nil {
		e.counts, e.at, e.cost = counts, c.now(), cost
	}
}

// costToTTL makes an entry's lifetime at least this many times the time its count takes, so
// background refreshes of expensive counts use at most about 1% of a core (a count that takes
// 1 s is refreshed at most every 100 s) and do not crowd out requests.
const costToTTL = 100

// entryTTL is how long e is served without a refresh.
func (c *facetCache) entryTTL(e *facetEntry) time.Duration {
	return max(c.ttl, costToTTL*e.cost)
}

// has reports whether counts of facets under filter are cached for the readers of ctx.
func (c *facetCache) has(ctx context.Context, r Reader, facets []string, filter *query.Expr) bool {
	fb, err := json.Marshal(filter)
	if err != nil {
		return false
	}
	scope, err := readScope(ctx, r)
	if err != nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.entries[strings.Join(facets, "\x00")+"\x01"+string(fb)+"\x02"+scope]
	return ok
}

// evictLocked makes room for one entry: expired entries go first, then arbitrary ones.
func (c *facetCache) evictLocked() {
	if len(c.entries) < facetCacheSize {
		return
	}
	now := c.now()
	for k, e := range c.entries {
		if !e.at.IsZero() && now.Sub(e.at) >= c.entryTTL(e) {
			delete(c.entries, k)
		}
	}
	for k := range c.entries {
		if len(c.entries) < facetCacheSize {
			break
		}
		delete(c.entries, k)
	}
}

func emptyCounts(counts map[string][]reader.FacetCount) bool {
	for _, c := range counts {
		if len(c) > 0 {
			return false
		}
	}
	return true
}
