package lru

import (
	"maps"
	"slices"
	"testing"
	"time"
)

func TestEvict(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	entries := map[string]time.Time{"a": t0, "b": t0.Add(time.Minute), "c": t0.Add(2 * time.Minute)}
	tests := []struct {
		name string
		now  time.Time
		max  int
		want []string
	}{
		{"room left: nothing goes", t0.Add(3 * time.Minute), 4, []string{"a", "b", "c"}},
		{"full: the least recently used goes", t0.Add(3 * time.Minute), 3, []string{"b", "c"}},
		{"expired entries go first and make room", t0.Add(10*time.Minute + 30*time.Second), 3, []string{"b", "c"}},
		{"every entry expired", t0.Add(time.Hour), 1, nil},
		{"expired and still full", t0.Add(10*time.Minute + 30*time.Second), 2, []string{"c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := maps.Clone(entries)
			Evict(m, tt.now, 10*time.Minute, tt.max, func(v time.Time) time.Time { return v })
			if got := slices.Sorted(maps.Keys(m)); !slices.Equal(got, tt.want) {
				t.Errorf("left %v, want %v", got, tt.want)
			}
		})
	}
}
