package model

import (
	"crypto/sha1"
	"encoding/hex"
)

// StableHash returns the hex SHA-1 of [StableJSON] of v: the stable hash Backstage's catalog
// uses for entity etags and change detection. Object key order does not affect it; array order
// does.
func StableHash(v any) string {
	sum := sha1.Sum(StableJSON(v))
	return hex.EncodeToString(sum[:])
}

// Hash returns the stable hash of the whole entity (see [StableHash]).
func (e *Entity) Hash() string {
	return StableHash(e.Value())
}
