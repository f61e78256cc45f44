package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/portico-dev/portico/internal/lru"

	"github.com/go-jose/go-jose/v4"

	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/framework/database"
)

// Remote key set defaults.
const (
	// DefaultJWKSCacheTTL is how long a fetched key set is trusted before it is fetched again;
	// it bounds how long a deleted key keeps verifying.
	DefaultJWKSCacheTTL = 5 * time.Minute
	// DefaultJWKSCooldown is the least time between two fetches of one key set triggered by
	// an unknown kid or after a failed fetch, so random kids or a failing issuer cannot make us
	// hammer it.
	DefaultJWKSCooldown = 5 * time.Second
	// DefaultMaxKeySets bounds the number of cached key sets. Key sets are fetched only for
	// known plugins and configured external issuers, so this is a safety net: when it is
	// reached, sets unused for a TTL go first, then the least recently used one.
	DefaultMaxKeySets = 256
	maxJWKSBytes      = 1 << 20
)

// remoteKeySets caches JSON Web Key Sets fetched over HTTP, one per URL, at most max of them.
type remoteKeySets struct {
	client   *http.Client
	now      func() time.Time
	ttl      time.Duration
	cooldown time.Duration
	max      int

	mu   sync.Mutex
	sets map[string]*remoteKeySet
}

type remoteKeySet struct {
	used time.Time // last lookup; guarded by remoteKeySets.mu

	mu        sync.Mutex // held while fetching, so concurrent misses share one fetch
	keys      jose.JSONWebKeySet
	fetchedAt time.Time // last successful fetch
	fetched   bool
	triedAt   time.Time // last fetch attempt, successful or not
	err       error     // the last attempt's error, answered again within the cooldown
}

func newRemoteKeySets(client *http.Client, now func() time.Time, ttl, cooldown time.Duration, max int) *remoteKeySets {
	return &remoteKeySets{client: client, now: now, ttl: ttl, cooldown: cooldown, max: max, sets: map[string]*remoteKeySet{}}
}

// len is the number of cached key sets.
func (r *remoteKeySets) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.sets)
}

func (r *remoteKeySets) get(url string) *remoteKeySet {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	s, ok := r.sets[url]
	if !ok {
		if len(r.sets) >= r.max {
			lru.Evict(r.sets, now, r.ttl, r.max, func(s *remoteKeySet) time.Time { return s.used })
		}
		s = &remoteKeySet{}
		r.sets[url] = s
	}
	s.used = now
	return s
}

// key returns the key with kid from the set at url. The set is fetched when it is not cached
// or older than the TTL, and refetched once on an unknown kid; a fetch triggered by an unknown
// kid, or following a failed one, happens at most once per cooldown (a caller that waited for
// another caller's fetch uses its result).
func (r *remoteKeySets) key(ctx context.Context, url, kid string) (jose.JSONWebKey, error) {
	arrived := r.now()
	s := r.get(url)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := r.now()
	if !s.fetched || now.Sub(s.fetchedAt) >= r.ttl {
		if s.err != nil && now.Sub(s.triedAt) < r.cooldown {
			return jose.JSONWebKey{}, s.err
		}
		if err := r.fetch(ctx, url, s); err != nil {
			return jose.JSONWebKey{}, err
		}
	}
	if k, ok := findKey(s.keys, kid); ok {
		return k, nil
	}
	if s.triedAt.Before(arrived) && now.Sub(s.triedAt) >= r.cooldown {
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

// fetch loads the set at url into s, recording the attempt.
func (r *remoteKeySets) fetch(ctx context.Context, url string, s *remoteKeySet) error {
	set, err := r.download(ctx, url)
	if err != nil && ctx.Err() != nil {
		return err // the caller gave up: no verdict on the issuer
	}
	s.triedAt, s.err = r.now(), err
	if err != nil {
		return err
	}
	s.keys, s.fetchedAt, s.fetched = set, s.triedAt, true
	return nil
}

func (r *remoteKeySets) download(ctx context.Context, url string) (jose.JSONWebKeySet, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return jose.JSONWebKeySet{}, fmt.Errorf("%w: fetch key set: %w", ErrUnauthenticated, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := r.client.Do(req)
	if err != nil {
		return jose.JSONWebKeySet{}, keySetUnavailable(url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
		return jose.JSONWebKeySet{}, keySetUnavailable(url, fmt.Errorf("status %d", resp.StatusCode))
	}
	if resp.StatusCode != http.StatusOK {
		return jose.JSONWebKeySet{}, fmt.Errorf("%w: fetch key set %s: status %d", ErrUnauthenticated, url, resp.StatusCode)
	}
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxJWKSBytes)).Decode(&set); err != nil {
		return jose.JSONWebKeySet{}, fmt.Errorf("%w: decode key set %s: %w", ErrUnauthenticated, url, err)
	}
	return set, nil
}

// KeySetUnavailableMessage is the message of the 503 answered when a token cannot be verified
// because its issuer's keys cannot be fetched (the issuer is down, or its database is).
const KeySetUnavailableMessage = "Service Unavailable: the keys to verify the token cannot be fetched, try again later"

// keySetUnavailable says that the keys could not be fetched, which says nothing about the
// token: the caller is answered 503, not told to sign in again with a 401.
func keySetUnavailable(url string, err error) error {
	return &apierr.Error{Name: "ServiceUnavailableError", Status: http.StatusServiceUnavailable,
		Message: KeySetUnavailableMessage, Cause: fmt.Errorf("fetch key set %s: %w", url, err)}
}

// isUnavailable reports whether a verification failed for want of a service (a key set that
// cannot be fetched, a database that cannot be reached) rather than because of the token.
func isUnavailable(err error) bool {
	if e, ok := errors.AsType[*apierr.Error](err); ok && e.Status == http.StatusServiceUnavailable {
		return true
	}
	return database.IsUnavailable(err)
}
