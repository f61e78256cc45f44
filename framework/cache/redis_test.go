package cache_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/portico-dev/portico/framework/cache"
	"github.com/portico-dev/portico/framework/cache/cachetest"
)

func TestRedisConformance(t *testing.T) {
	url := os.Getenv("PORTICO_TEST_REDIS_URL")
	if url == "" {
		t.Skip("PORTICO_TEST_REDIS_URL is not set")
	}
	cachetest.RunStoreTests(t, func(t *testing.T) cache.Store {
		prefix := "portico-test-" + uuid.NewString() + ":"
		r, err := cache.NewRedis(t.Context(), cache.RedisOptions{URL: url, KeyPrefix: prefix})
		if err != nil {
			t.Fatalf("NewRedis: %v", err)
		}
		t.Cleanup(func() {
			deletePrefix(t, url, prefix)
			if err := r.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return r
	})
}

// deletePrefix removes every key a test wrote, with its own connection.
func deletePrefix(t *testing.T, url, prefix string) {
	t.Helper()
	ro, err := redis.ParseURL(url)
	if err != nil {
		t.Errorf("parse redis url: %v", err)
		return
	}
	c := redis.NewClient(ro)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	iter := c.Scan(ctx, 0, prefix+"*", 100).Iterator()
	for iter.Next(ctx) {
		if err := c.Del(ctx, iter.Val()).Err(); err != nil {
			t.Errorf("cleanup del %q: %v", iter.Val(), err)
		}
	}
	if err := iter.Err(); err != nil {
		t.Errorf("cleanup scan: %v", err)
	}
}

func TestNewRedisErrors(t *testing.T) {
	tests := []struct {
		name    string
		url     string
		want    string
		notWant string
	}{
		{
			name: "unreachable address is named",
			url:  "redis://127.0.0.1:1/0",
			want: "127.0.0.1:1",
		},
		{
			name:    "invalid url does not echo the password",
			url:     "redis://user:s3cret@127.0.0.1:6379/notadb",
			want:    "invalid redis url",
			notWant: "s3cret",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			r, err := cache.NewRedis(ctx, cache.RedisOptions{URL: tc.url})
			if err == nil {
				_ = r.Close()
				t.Fatalf("NewRedis(%q) succeeded, want an error", tc.url)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("NewRedis(%q) error = %q, want it to contain %q", tc.url, err, tc.want)
			}
			if tc.notWant != "" && strings.Contains(err.Error(), tc.notWant) {
				t.Errorf("NewRedis(%q) error = %q leaks %q", tc.url, err, tc.notWant)
			}
		})
	}
}
