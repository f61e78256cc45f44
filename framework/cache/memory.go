package cache

import (
	"container/list"
	"context"
	"fmt"
	"sync"
	"time"
)

// MemoryOptions configures an in-memory Store.
type MemoryOptions struct {
	// DefaultTTL applies when Set is called with ttl 0. Zero means entries
	// without an explicit ttl never expire.
	DefaultTTL time.Duration
	// MaxEntries bounds the number of entries; the least recently used entry
	// is evicted first. Zero means unbounded.
	MaxEntries int
	// MaxBytes bounds the summed size of keys and values; the least recently
	// used entries are evicted first. Zero means unbounded.
	MaxBytes int64
	// Now is the clock used for expiry; nil means time.Now.
	Now func() time.Time
}

// Memory is a Store kept in process memory with TTL expiry and LRU eviction.
// Expired entries are dropped lazily, when read or when eviction reaches them.
type Memory struct {
	opts MemoryOptions

	mu    sync.Mutex
	items map[string]*list.Element // values are *memoryEntry
	lru   *list.List               // front = most recently used
	bytes int64
}

type memoryEntry struct {
	key     string
	value   []byte
	expires time.Time // zero = never
}

func (e *memoryEntry) size() int64 { return int64(len(e.key) + len(e.value)) }

var _ Store = (*Memory)(nil)

// NewMemory returns an empty in-memory store.
func NewMemory(opts MemoryOptions) *Memory {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Memory{opts: opts, items: make(map[string]*list.Element), lru: list.New()}
}

// Get returns a copy of the value stored under key.
func (m *Memory) Get(_ context.Context, key string) ([]byte, bool, error) {
	now := m.opts.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	el, ok := m.items[key]
	if !ok {
		return nil, false, nil
	}
	e := el.Value.(*memoryEntry)
	if !e.expires.IsZero() && !now.Before(e.expires) {
		m.remove(el)
		return nil, false, nil
	}
	m.lru.MoveToFront(el)
	return clone(e.value), true, nil
}

// Set stores a copy of value under key.
func (m *Memory) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	ttl, err := effectiveTTL(ttl, m.opts.DefaultTTL)
	if err != nil {
		return fmt.Errorf("cache set %q: %w", key, err)
	}
	e := &memoryEntry{key: key, value: clone(value)}
	if m.opts.MaxBytes > 0 && e.size() > m.opts.MaxBytes {
		return fmt.Errorf("cache set %q: %d bytes exceeds the limit of %d: %w", key, e.size(), m.opts.MaxBytes, ErrTooLarge)
	}
	if ttl > 0 {
		e.expires = m.opts.Now().Add(ttl)
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.items[key]; ok {
		m.remove(el)
	}
	m.items[key] = m.lru.PushFront(e)
	m.bytes += e.size()
	m.evict()
	return nil
}

// Delete removes key.
func (m *Memory) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.items[key]; ok {
		m.remove(el)
	}
	return nil
}

// Len reports the number of entries held, including expired ones not yet
// dropped.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lru.Len()
}

// evict drops least recently used entries until the limits hold. Callers hold mu.
func (m *Memory) evict() {
	for m.lru.Len() > 0 &&
		((m.opts.MaxEntries > 0 && m.lru.Len() > m.opts.MaxEntries) ||
			(m.opts.MaxBytes > 0 && m.bytes > m.opts.MaxBytes)) {
		m.remove(m.lru.Back())
	}
}

// remove unlinks el. Callers hold mu.
func (m *Memory) remove(el *list.Element) {
	e := m.lru.Remove(el).(*memoryEntry)
	delete(m.items, e.key)
	m.bytes -= e.size()
}

func clone(b []byte) []byte {
	out := make([]byte, len(b))
	copy(out, b)
	return out
}
