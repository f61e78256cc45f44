// Package secret seals task secrets for storage (AES-256-GCM) and redacts secret values from
// everything a task writes to its log.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Box seals and opens secrets with one key. It is safe for concurrent use.
type Box struct{ aead cipher.AEAD }

// NewBox derives an AES-256 key from keyMaterial (any length, at least 16 bytes).
func NewBox(keyMaterial []byte) (*Box, error) {
	if len(keyMaterial) < 16 {
		return nil, errors.New("secret key: need at least 16 bytes")
	}
	key := sha256.Sum256(keyMaterial)
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts secrets; nil or empty secrets seal to nil.
func (b *Box) Seal(secrets map[string]string) ([]byte, error) {
	if len(secrets) == 0 {
		return nil, nil
	}
	plain, err := json.Marshal(secrets)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return b.aead.Seal(nonce, nonce, plain, nil), nil
}

// Open decrypts what Seal produced; nil opens to an empty map.
func (b *Box) Open(sealed []byte) (map[string]string, error) {
	out := map[string]string{}
	if len(sealed) == 0 {
		return out, nil
	}
	n := b.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("open secrets: sealed value too short")
	}
	plain, err := b.aead.Open(nil, sealed[:n], sealed[n:], nil)
	if err != nil {
		return nil, fmt.Errorf("open secrets (was scaffolder.secretsKey changed, or differs between replicas?): %w", err)
	}
	if err := json.Unmarshal(plain, &out); err != nil {
		return nil, fmt.Errorf("open secrets: %w", err)
	}
	return out, nil
}

// Mask replaces a secret value.
const Mask = "***"

// Redactor replaces secret values in strings with ***.
type Redactor struct {
	r    *strings.Replacer
	vals []string
}

// NewRedactor redacts the values of secrets (empty and very short values are ignored: masking
// "a" would mangle every log line).
func NewRedactor(secrets map[string]string) *Redactor {
	vals := make([]string, 0, len(secrets))
	for _, v := range secrets {
		vals = append(vals, v)
	}
	return newRedactor(vals)
}

// With returns a redactor that also redacts values (values derived from secrets, such as
// `${{ secrets.token | upper }}` rendered); r is unchanged.
func (r *Redactor) With(values ...string) *Redactor {
	var vals []string
	if r != nil {
		vals = append(vals, r.vals...)
	}
	return newRedactor(append(vals, values...))
}

func newRedactor(all []string) *Redactor {
	var vals []string
	seen := map[string]bool{}
	for _, v := range all {
		if len(v) >= 3 && !seen[v] {
			seen[v] = true
			vals = append(vals, v)
		}
	}
	if len(vals) == 0 {
		return &Redactor{}
	}
	// Longest first, so a secret containing another is masked whole.
	sort.Slice(vals, func(i, j int) bool { return len(vals[i]) > len(vals[j]) })
	var pairs []string
	for _, v := range vals {
		pairs = append(pairs, v, Mask)
	}
	return &Redactor{r: strings.NewReplacer(pairs...), vals: vals}
}

// String redacts s.
func (r *Redactor) String(s string) string {
	if r == nil || r.r == nil {
		return s
	}
	return r.r.Replace(s)
}

// Value redacts every string inside v (maps and slices recursively), returning a copy.
func (r *Redactor) Value(v any) any {
	if r == nil || r.r == nil {
		return v
	}
	switch t := v.(type) {
	case string:
		return r.String(t)
	case map[string]any:
		return mapValues(t, r.Value)
	case []any:
		return mapElems(t, r.Value)
	case map[string]string:
		return mapValues(t, r.String)
	case []string:
		return mapElems(t, r.String)
	default:
		return v
	}
}

// mapValues returns a copy of m with each value passed through f.
func mapValues[V any](m map[string]V, f func(V) V) map[string]V {
	out := make(map[string]V, len(m))
	for k, v := range m {
		out[k] = f(v)
	}
	return out
}

// mapElems returns a copy of a with each element passed through f.
func mapElems[V any](a []V, f func(V) V) []V {
	out := make([]V, len(a))
	for i, v := range a {
		out[i] = f(v)
	}
	return out
}
