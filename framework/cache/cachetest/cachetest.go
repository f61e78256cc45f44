// Package cachetest holds the conformance suite every cache.Store
// implementation must pass.
package cachetest

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/portico-dev/portico/framework/cache"
)

// Option adjusts how the suite drives a store.
type Option func(*suite)

// WithClock tells the suite how to move the clock of the stores newStore
// returns, so expiry is tested without waiting. Without it the suite uses a
// short real TTL and polls with a bound, which suits stores whose clock
// cannot be injected (Redis).
func WithClock(advance func(d time.Duration)) Option {
	return func(s *suite) { s.advance = advance }
}

type suite struct {
	newStore func(t *testing.T) cache.Store
	advance  func(d time.Duration)
}

// RunStoreTests runs the conformance suite. newStore must return a fresh,
// empty store for each call and arrange its cleanup through t.Cleanup.
func RunStoreTests(t *testing.T, newStore func(t *testing.T) cache.Store, opts ...Option) {
	s := &suite{newStore: newStore}
	for _, o := range opts {
		o(s)
	}
	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"GetSetDelete", s.testGetSetDelete},
		{"ValuesAreCopied", s.testValuesAreCopied},
		{"BinaryValues", s.testBinaryValues},
		{"LargeValue", s.testLargeValue},
		{"NegativeTTL", s.testNegativeTTL},
		{"TTLExpiry", s.testTTLExpiry},
		{"NamespacesIsolate", s.testNamespaces},
		{"Concurrent", s.testConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.run)
	}
}

func mustGet(t *testing.T, s cache.Store, key string) ([]byte, bool) {
	t.Helper()
	v, ok, err := s.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return v, ok
}

func mustSet(t *testing.T, s cache.Store, key string, value []byte, ttl time.Duration) {
	t.Helper()
	if err := s.Set(t.Context(), key, value, ttl); err != nil {
		t.Fatalf("Set(%q, ttl=%v): %v", key, ttl, err)
	}
}

func wantValue(t *testing.T, s cache.Store, key string, want []byte) {
	t.Helper()
	got, ok := mustGet(t, s, key)
	if !ok {
		t.Fatalf("Get(%q): miss, want %q", key, truncate(want))
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Get(%q) = %q, want %q", key, truncate(got), truncate(want))
	}
}

func wantMiss(t *testing.T, s cache.Store, key string) {
	t.Helper()
	if got, ok := mustGet(t, s, key); ok {
		t.Fatalf("Get(%q) = %q, want a miss", key, truncate(got))
	}
}

func truncate(b []byte) []byte {
	if len(b) > 64 {
		return append(b[:64:64], "..."...)
	}
	return b
}

func (s *suite) testGetSetDelete(t *testing.T) {
	st := s.newStore(t)
	wantMiss(t, st, "k")

	mustSet(t, st, "k", []byte("v1"), 0)
	wantValue(t, st, "k", []byte("v1"))

	mustSet(t, st, "k", []byte("v2"), 0)
	wantValue(t, st, "k", []byte("v2"))

	mustSet(t, st, "empty", []byte{}, 0)
	got, ok := mustGet(t, st, "empty")
	if !ok || len(got) != 0 {
		t.Fatalf("Get(empty) = %q, %v; want an empty hit", got, ok)
	}

	if err := st.Delete(t.Context(), "k"); err != nil {
		t.Fatalf("Delete(k): %v", err)
	}
	wantMiss(t, st, "k")
	wantValue(t, st, "empty", []byte{})

	if err := st.Delete(t.Context(), "never-set"); err != nil {
		t.Fatalf("Delete(never-set): %v, want nil", err)
	}
}

func (s *suite) testValuesAreCopied(t *testing.T) {
	st := s.newStore(t)
	in := []byte("original")
	mustSet(t, st, "k", in, 0)
	copy(in, "XXXXXXXX")
	wantValue(t, st, "k", []byte("original"))

	out, _ := mustGet(t, st, "k")
	copy(out, "YYYYYYYY")
	wantValue(t, st, "k", []byte("original"))
}

func (s *suite) testBinaryValues(t *testing.T) {
	st := s.newStore(t)
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	tests := []struct {
		name, key string
		value     []byte
	}{
		{"all byte values", "bytes", all},
		{"nul bytes", "nul", []byte{0, 0, 0}},
		{"invalid utf8", "utf8", []byte{0xff, 0xfe, 0xc3}},
		{"unicode and spaces in key", "ключ with spaces/и:colons", []byte("v")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mustSet(t, st, tc.key, tc.value, 0)
			wantValue(t, st, tc.key, tc.value)
		})
	}
}

func (s *suite) testLargeValue(t *testing.T) {
	st := s.newStore(t)
	big := make([]byte, 4<<20)
	_, _ = rand.Read(big)
	mustSet(t, st, "big", big, 0)
	wantValue(t, st, "big", big)
}

func (s *suite) testNegativeTTL(t *testing.T) {
	st := s.newStore(t)
	err := st.Set(t.Context(), "k", []byte("v"), -time.Second)
	if !errors.Is(err, cache.ErrInvalidTTL) {
		t.Fatalf("Set with ttl -1s: err = %v, want ErrInvalidTTL", err)
	}
	wantMiss(t, st, "k")
}

func (s *suite) testTTLExpiry(t *testing.T) {
	st := s.newStore(t)
	mustSet(t, st, "long", []byte("l"), time.Hour)
	if s.advance != nil {
		mustSet(t, st, "short", []byte("s"), time.Minute)
		wantValue(t, st, "short", []byte("s"))
		s.advance(59 * time.Second)
		wantValue(t, st, "short", []byte("s"))
		s.advance(2 * time.Second)
		wantMiss(t, st, "short")
		wantValue(t, st, "long", []byte("l"))

		// Overwriting resets the expiry.
		mustSet(t, st, "reset", []byte("1"), time.Minute)
		s.advance(50 * time.Second)
		mustSet(t, st, "reset", []byte("2"), time.Minute)
		s.advance(50 * time.Second)
		wantValue(t, st, "reset", []byte("2"))
		return
	}

	const ttl = 300 * time.Millisecond
	start := time.Now()
	mustSet(t, st, "short", []byte("s"), ttl)
	got, ok := mustGet(t, st, "short")
	if time.Since(start) < ttl && (!ok || string(got) != "s") {
		t.Fatalf("Get(short) right after Set = %q, %v; want a hit", got, ok)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, ok := mustGet(t, st, "short"); !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Get(short) still hits 10s after a %v ttl", ttl)
		}
		time.Sleep(20 * time.Millisecond) // polling a real clock; bounded above
	}
	wantValue(t, st, "long", []byte("l"))
}

func (s *suite) testNamespaces(t *testing.T) {
	base := s.newStore(t)
	a := cache.WithNamespace(base, "a")
	b := cache.WithNamespace(base, "b")
	nested := cache.WithNamespace(a, "x")

	mustSet(t, a, "k", []byte("from a"), 0)
	mustSet(t, b, "k", []byte("from b"), 0)
	mustSet(t, nested, "k", []byte("from a:x"), 0)

	wantValue(t, a, "k", []byte("from a"))
	wantValue(t, b, "k", []byte("from b"))
	wantValue(t, nested, "k", []byte("from a:x"))
	wantValue(t, base, "a:k", []byte("from a"))
	wantValue(t, base, "a:x:k", []byte("from a:x"))
	wantMiss(t, base, "k")

	if err := a.Delete(t.Context(), "k"); err != nil {
		t.Fatalf("a.Delete(k): %v", err)
	}
	wantMiss(t, a, "k")
	wantValue(t, b, "k", []byte("from b"))
	wantValue(t, nested, "k", []byte("from a:x"))
}

func (s *suite) testConcurrent(t *testing.T) {
	st := s.newStore(t)
	const workers, rounds, keys = 8, 50, 5
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := range rounds {
				key := fmt.Sprintf("k%d", i%keys)
				val := fmt.Appendf(nil, "w%d-r%d", w, i)
				if err := st.Set(t.Context(), key, val, time.Hour); err != nil {
					errs <- fmt.Errorf("worker %d Set(%s): %w", w, key, err)
					return
				}
				got, ok, err := st.Get(t.Context(), key)
				if err != nil {
					errs <- fmt.Errorf("worker %d Get(%s): %w", w, key, err)
					return
				}
				if ok && !bytes.HasPrefix(got, []byte("w")) {
					errs <- fmt.Errorf("worker %d Get(%s) = %q: not a written value", w, key, got)
					return
				}
				if i%7 == 0 {
					if err := st.Delete(t.Context(), key); err != nil {
						errs <- fmt.Errorf("worker %d Delete(%s): %w", w, key, err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
