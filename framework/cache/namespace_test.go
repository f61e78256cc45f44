package cache_test

import (
	"testing"

	"github.com/portico-dev/portico/framework/cache"
)

func TestWithNamespaceKeys(t *testing.T) {
	base := cache.NewMemory(cache.MemoryOptions{})
	tests := []struct {
		name    string
		store   cache.Store
		key     string
		baseKey string
	}{
		{"plain", cache.WithNamespace(base, "catalog"), "k", "catalog:k"},
		{"nested", cache.WithNamespace(cache.WithNamespace(base, "catalog"), "sub"), "k", "catalog:sub:k"},
		{"key with colon", cache.WithNamespace(base, "search"), "a:b", "search:a:b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.store.Set(t.Context(), tc.key, []byte(tc.name), 0); err != nil {
				t.Fatal(err)
			}
			got, ok, err := base.Get(t.Context(), tc.baseKey)
			if err != nil || !ok || string(got) != tc.name {
				t.Fatalf("base.Get(%q) = %q, %v, %v; want %q", tc.baseKey, got, ok, err, tc.name)
			}
		})
	}
}
