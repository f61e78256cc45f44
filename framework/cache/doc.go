// Package cache provides the cache core service: a TTL key/value Store with an
// in-memory implementation (LRU-bounded) and a Redis implementation, plus
// WithNamespace to give each plugin its own key space.
//
// Values are opaque bytes. Implementations copy values on the way in and out,
// so callers may reuse their buffers. All implementations pass the conformance
// suite in package cachetest.
package cache
