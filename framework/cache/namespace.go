package cache

import (
	"context"
	"time"
)

// WithNamespace returns a view of s whose keys are prefixed with "<ns>:", so
// plugins sharing one backing store cannot see each other's entries.
// Namespaces nest: WithNamespace(WithNamespace(s, "a"), "b") uses "a:b:".
func WithNamespace(s Store, ns string) Store {
	return &namespaced{store: s, prefix: ns + ":"}
}

type namespaced struct {
	store  Store
	prefix string
}

var _ Store = (*namespaced)(nil)

func (n *namespaced) Get(ctx context.Context, key string) ([]byte, bool, error) {
	return n.store.Get(ctx, n.prefix+key)
}

func (n *namespaced) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return n.store.Set(ctx, n.prefix+key, value, ttl)
}

func (n *namespaced) Delete(ctx context.Context, key string) error {
	return n.store.Delete(ctx, n.prefix+key)
}
