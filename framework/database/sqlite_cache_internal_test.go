package database

import "testing"

// TestSQLiteCacheIsAPerDatabaseBudget pins that the page cache is a budget per database split
// over its pool, not a size per connection: a bigger pool must not multiply the memory.
func TestSQLiteCacheIsAPerDatabaseBudget(t *testing.T) {
	tests := []struct {
		name     string
		maxConns int
		want     int
	}{
		{"one connection gets the whole budget", 1, sqliteCacheBudgetKiB},
		{"default pool splits it", sqliteDefaultMaxConns, sqliteCacheBudgetKiB / sqliteDefaultMaxConns},
		{"a large pool keeps SQLite's default per connection", 64, sqliteMinCacheKiB},
		{"zero is treated as one", 0, sqliteCacheBudgetKiB},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sqliteCacheKiB(tt.maxConns); got != tt.want {
				t.Errorf("sqliteCacheKiB(%d) = %d, want %d", tt.maxConns, got, tt.want)
			}
			if tt.maxConns > 0 && tt.maxConns <= sqliteCacheBudgetKiB/sqliteMinCacheKiB {
				if total := sqliteCacheKiB(tt.maxConns) * tt.maxConns; total > sqliteCacheBudgetKiB {
					t.Errorf("pool of %d: %d KiB in total, over the %d KiB budget", tt.maxConns, total, sqliteCacheBudgetKiB)
				}
			}
		})
	}
}
