package cache

import (
	"context"
	"errors"
	"time"
)

// Store is a key/value cache with per-entry expiry.
//
// Get reports a miss as (nil, false, nil); an expired entry is a miss. Set
// overwrites any existing value; a ttl of 0 means the store's default TTL and a
// negative ttl is an error. Delete of a missing key is not an error. Keys are
// namespaced by the caller through WithNamespace. Implementations are safe for
// concurrent use.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, bool, error)
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	Delete(ctx context.Context, key string) error
}

var (
	// ErrInvalidTTL is returned by Set for a negative ttl.
	ErrInvalidTTL = errors.New("invalid ttl")
	// ErrTooLarge is returned by Set when a single entry can never fit the
	// store's size limit.
	ErrTooLarge = errors.New("entry too large for cache")
)

// effectiveTTL resolves the ttl argument of Set against a store default.
// A zero result means the entry does not expire.
func effectiveTTL(ttl, def time.Duration) (time.Duration, error) {
	if ttl < 0 {
		return 0, ErrInvalidTTL
	}
	if ttl == 0 {
		return def, nil
	}
	return ttl, nil
}
