package cache

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisOptions configures a Redis-backed Store.
type RedisOptions struct {
	// URL is a go-redis connection string, e.g. redis://user:pass@host:6379/0
	// or rediss:// for TLS.
	URL string
	// KeyPrefix is prepended to every key, so several deployments or test runs
	// can share one Redis database.
	KeyPrefix string
	// DefaultTTL applies when Set is called with ttl 0. Zero means no expiry.
	DefaultTTL time.Duration
}

// Redis is a Store kept in Redis. Expiry is Redis's own.
type Redis struct {
	client *redis.Client
	opts   RedisOptions
}

var _ Store = (*Redis)(nil)

// NewRedis connects to Redis and checks the connection with a PING, so a
// wrong address fails at start-up rather than on first use.
func NewRedis(ctx context.Context, opts RedisOptions) (*Redis, error) {
	ro, err := redis.ParseURL(opts.URL)
	if err != nil {
		// The URL may hold a password: do not echo it.
		return nil, errors.New("cache: invalid redis url")
	}
	client := redis.NewClient(ro)
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("cache: connect to redis at %s: %w", ro.Addr, err)
	}
	return &Redis{client: client, opts: opts}, nil
}

// Close releases the connection pool.
func (r *Redis) Close() error {
	return r.client.Close()
}

// Get returns the value stored under key.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, bool, error) {
	v, err := r.client.Get(ctx, r.opts.KeyPrefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("cache get %q: %w", key, err)
	}
	return v, true, nil
}

// Set stores value under key.
func (r *Redis) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	ttl, err := effectiveTTL(ttl, r.opts.DefaultTTL)
	if err != nil {
		return fmt.Errorf("cache set %q: %w", key, err)
	}
	if ttl > 0 && ttl < time.Millisecond {
		ttl = time.Millisecond // Redis's finest expiry unit
	}
	if err := r.client.Set(ctx, r.opts.KeyPrefix+key, value, ttl).Err(); err != nil {
		return fmt.Errorf("cache set %q: %w", key, err)
	}
	return nil
}

// Delete removes key.
func (r *Redis) Delete(ctx context.Context, key string) error {
	if err := r.client.Del(ctx, r.opts.KeyPrefix+key).Err(); err != nil {
		return fmt.Errorf("cache delete %q: %w", key, err)
	}
	return nil
}
