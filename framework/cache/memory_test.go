package cache_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/portico-dev/portico/framework/cache"
	"github.com/portico-dev/portico/framework/cache/cachetest"
	"github.com/portico-dev/portico/internal/fakeclock"
)

func newFakeClock() *fakeclock.Clock {
	return fakeclock.New(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
}

func TestMemoryConformance(t *testing.T) {
	clock := newFakeClock()
	cachetest.RunStoreTests(t, func(t *testing.T) cache.Store {
		return cache.NewMemory(cache.MemoryOptions{Now: clock.Now})
	}, cachetest.WithClock(clock.Advance))
}

func TestMemoryConformanceRealClock(t *testing.T) {
	cachetest.RunStoreTests(t, func(t *testing.T) cache.Store {
		return cache.NewMemory(cache.MemoryOptions{})
	})
}

func TestMemoryDefaultTTL(t *testing.T) {
	clock := newFakeClock()
	m := cache.NewMemory(cache.MemoryOptions{DefaultTTL: time.Minute, Now: clock.Now})
	ctx := t.Context()
	if err := m.Set(ctx, "default", []byte("d"), 0); err != nil {
		t.Fatal(err)
	}
	if err := m.Set(ctx, "explicit", []byte("e"), time.Hour); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	tests := []struct {
		key  string
		want bool
	}{
		{"default", false},
		{"explicit", true},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			_, ok, err := m.Get(ctx, tc.key)
			if err != nil || ok != tc.want {
				t.Fatalf("Get(%q) after 1m = hit %v, err %v; want hit %v", tc.key, ok, err, tc.want)
			}
		})
	}
	if got := m.Len(); got != 1 {
		t.Errorf("Len() after reading the expired entry = %d, want 1", got)
	}
}

func TestMemoryEviction(t *testing.T) {
	tests := []struct {
		name     string
		opts     cache.MemoryOptions
		ops      func(t *testing.T, m *cache.Memory)
		wantHit  []string
		wantMiss []string
	}{
		{
			name: "max entries evicts least recently set",
			opts: cache.MemoryOptions{MaxEntries: 2},
			ops: func(t *testing.T, m *cache.Memory) {
				set(t, m, "a", "1")
				set(t, m, "b", "2")
				set(t, m, "c", "3")
			},
			wantHit:  []string{"b", "c"},
			wantMiss: []string{"a"},
		},
		{
			name: "get refreshes recency",
			opts: cache.MemoryOptions{MaxEntries: 2},
			ops: func(t *testing.T, m *cache.Memory) {
				set(t, m, "a", "1")
				set(t, m, "b", "2")
				get(t, m, "a")
				set(t, m, "c", "3")
			},
			wantHit:  []string{"a", "c"},
			wantMiss: []string{"b"},
		},
		{
			name: "max bytes counts keys and values",
			opts: cache.MemoryOptions{MaxBytes: 10},
			ops: func(t *testing.T, m *cache.Memory) {
				set(t, m, "a", "1234") // 5 bytes
				set(t, m, "b", "1234") // 10 bytes in all
				set(t, m, "c", "1")    // 12: evicts a
			},
			wantHit:  []string{"b", "c"},
			wantMiss: []string{"a"},
		},
		{
			name: "overwrite replaces the size of the old value",
			opts: cache.MemoryOptions{MaxBytes: 10},
			ops: func(t *testing.T, m *cache.Memory) {
				set(t, m, "a", "1234")
				set(t, m, "a", "1")
				set(t, m, "b", "1234") // 2 + 5 bytes
			},
			wantHit: []string{"a", "b"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := cache.NewMemory(tc.opts)
			tc.ops(t, m)
			for _, k := range tc.wantHit {
				if _, ok, _ := m.Get(t.Context(), k); !ok {
					t.Errorf("Get(%q) missed, want a hit", k)
				}
			}
			for _, k := range tc.wantMiss {
				if _, ok, _ := m.Get(t.Context(), k); ok {
					t.Errorf("Get(%q) hit, want a miss", k)
				}
			}
		})
	}
}

func TestMemoryTooLarge(t *testing.T) {
	m := cache.NewMemory(cache.MemoryOptions{MaxBytes: 8})
	set(t, m, "a", "1")
	err := m.Set(t.Context(), "big", []byte("0123456789"), 0)
	if !errors.Is(err, cache.ErrTooLarge) {
		t.Fatalf("Set of 13 bytes with MaxBytes 8: err = %v, want ErrTooLarge", err)
	}
	if _, ok, _ := m.Get(t.Context(), "a"); !ok {
		t.Errorf("a refused oversized Set evicted other entries")
	}
}

func TestMemoryEvictionUnderConcurrency(t *testing.T) {
	m := cache.NewMemory(cache.MemoryOptions{MaxEntries: 10})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 200 {
				_ = m.Set(t.Context(), fmt.Sprintf("w%d-%d", w, i), []byte("v"), 0)
			}
		})
	}
	wg.Wait()
	if got := m.Len(); got != 10 {
		t.Errorf("Len() = %d, want 10", got)
	}
}

func set(t *testing.T, m *cache.Memory, k, v string) {
	t.Helper()
	if err := m.Set(t.Context(), k, []byte(v), 0); err != nil {
		t.Fatalf("Set(%q): %v", k, err)
	}
}

func get(t *testing.T, m *cache.Memory, k string) {
	t.Helper()
	if _, _, err := m.Get(t.Context(), k); err != nil {
		t.Fatalf("Get(%q): %v", k, err)
	}
}
