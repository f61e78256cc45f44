package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Remote key set defaults.
const (
	// DefaultJWKSCacheTTL is how long a fetched key set is trusted before it is fetched again;
	// it bounds how long a deleted key keeps verifying.
	DefaultJWKSCacheTTL = 5 * time.Minute
	// DefaultJWKSCooldown is the least time between two fetches of one key set triggered by
	// an unknown kid, so random kids cannot make us hammer the issuer.
	DefaultJWKSCooldown = 5 * time.Second
	maxJWKSBytes        = 1 << 20
)

// remoteKeySets caches JSON Web Key Sets fetched over HTTP, one per URL.
type remoteKeySets struct {
	client   *http.Client
	now      func() time.Time
	ttl      time.Duration
	cooldown time.Duration

	mu   sync.Mutex
	sets map[string]*remoteKeySet
}

type remoteKeySet struct {
	mu        sync.Mutex // held while fetching, so concurrent misses share one fetch
	keys      jose.JSONWebKeySet
	fetchedAt time.Time
	fetched   bool
}

func newRemoteKeySets(client *http.Client, now func() time.Time, ttl, cooldown time.Duration) *remoteKeySets {
	return &remoteKeySets{client: client, now: now, ttl: ttl, cooldown: cooldown, sets: map[string]*remoteKeySet{}}
}

func (r *remoteKeySets) get(url string) *remoteKeySet {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.sets[url]
	if !ok {
		s = &remoteKeySet{}
		r.sets[url] = s
	}
	return s
}

// key returns the key with kid from the set at url. The set is fetched when it is not cached
// or older than the TTL, and refetched once on an unknown kid unless it was fetched within
// the cooldown (or while this caller waited for another fetch).
func (r *remoteKeySets) key(ctx context.Context, url, kid string) (jose.JSONWebKey, error) {
	arrived := r.now()
	s := r.get(url)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := r.now()
	if !s.fetched || now.Sub(s.fetchedAt) >= r.ttl {
		if err := r.fetch(ctx, url, s); err != nil {
			return jose.JSONWebKey{}, err
		}
	}
	if k, ok := findKey(s.keys, kid); ok {
		return k, nil
	}
	if s.fetchedAt.Before(arrived) && now.Sub(s.fetchedAt) >= r.cooldown {
		if err := r.fetch(ctx, url, s); err != nil {
			return jose.JSONWebKey{}, err
		}
		if k, ok := findKey(s.keys, kid); ok {
			return k, nil
		}
	}
	return jose.JSONWebKey{}, fmt.Errorf("%w: no key with kid %q at %s", ErrUnauthenticated, kid, url)
}

func findKey(set jose.JSONWebKeySet, kid string) (jose.JSONWebKey, bool) {
	for _, k := range set.Keys {
		if k.KeyID == kid && k.Use != "enc" {
			return k, true
		}
	}
	return jose.JSONWebKey{}, false
}

func (r *remoteKeySets) fetch(ctx context.Context, url string, s *remoteKeySet) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("%w: fetch key set: %w", ErrUnauthenticated, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := r.client.Do(req)
	if err != nil {
		return fmt.Errorf("%w: fetch key set %s: %w", ErrUnauthenticated, url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: fetch key set %s: status %d", ErrUnauthenticated, url, resp.StatusCode)
	}
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxJWKSBytes)).Decode(&set); err != nil {
		return fmt.Errorf("%w: decode key set %s: %w", ErrUnauthenticated, url, err)
	}
	s.keys, s.fetchedAt, s.fetched = set, r.now(), true
	return nil
}
