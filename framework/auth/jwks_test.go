package auth_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/portico-dev/portico/framework/auth"
	"github.com/portico-dev/portico/framework/database/databasetest"
)

// signedBy returns an ES256 JWT with the given typ, kid and claims, signed by a fresh key.
func signedBy(t *testing.T, typ, kid string, claims map[string]any) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return signJWT(t, jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: k, KeyID: kid}}, typ, claims)
}

func (w *world) apiFetches() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for path, c := range w.fetches {
		if strings.HasPrefix(path, "/api/") {
			n += c
		}
	}
	return n
}

// TestTokensNamingUnknownPluginsFetchNothing performs issue 12's item 5: anonymous bearer tokens
// naming a random plugin (as sub of a plugin token, or as iss of a limited user token) must
// cause no key set fetch and leave no cache entry behind.
func TestTokensNamingUnknownPluginsFetchNothing(t *testing.T) {
	const requests = 2000
	w := newWorld(t, databasetest.OpenSQLite(t, "catalog"), auth.Config{})
	catalog := w.plugin("catalog")
	now := w.clock.Now()
	tests := []struct {
		name  string
		token func(i int) string
		opts  auth.AuthenticateOptions
	}{
		{"plugin token with a random sub", func(i int) string {
			return signedBy(t, auth.TypePlugin, "k", map[string]any{"sub": fmt.Sprintf("nope-%d", i), "aud": "catalog", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})
		}, auth.AuthenticateOptions{}},
		{"limited user token with a random issuer", func(i int) string {
			return signedBy(t, auth.TypeLimitedUser, "k", map[string]any{"iss": fmt.Sprintf("plugin:nope-%d", i), "sub": "user:default/jane", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})
		}, auth.AuthenticateOptions{AllowLimitedAccess: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := range requests {
				if _, err := catalog.AuthenticateWith(t.Context(), tt.token(i), tt.opts); !errors.Is(err, auth.ErrUnauthenticated) {
					t.Fatalf("token %d: %v, want ErrUnauthenticated", i, err)
				}
			}
			if n := w.apiFetches(); n != 0 {
				t.Errorf("%d key set fetches for %d tokens naming unknown plugins, want 0", n, requests)
			}
			if n := w.root.CachedKeySets(); n != 0 {
				t.Errorf("%d key sets cached, want 0", n)
			}
		})
	}
}

// TestUnknownKidRefetchIsRateLimited: tokens of a real plugin with made-up kids, and tokens of a
// known plugin whose key set cannot be fetched, cause at most one fetch per cooldown.
func TestUnknownKidRefetchIsRateLimited(t *testing.T) {
	w := newWorld(t, databasetest.OpenSQLite(t, "catalog"), auth.Config{})
	root := auth.NewRoot(auth.RootOptions{Discovery: discovery{w.server.URL}, Now: w.clock.Now, Plugins: []string{"scaffolder", "elsewhere"}})
	ks, err := auth.NewKeyStore(t.Context(), pluginDB(w.db, "catalog"), auth.KeyStoreOptions{Now: w.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	catalog := root.ForPlugin("catalog", ks)
	w.plugin("scaffolder") // serves its JWKS
	tests := []struct {
		name, sub, path string
	}{
		{"unknown kid of a running plugin", "scaffolder", "/api/scaffolder" + auth.PluginJWKSPath},
		// "elsewhere" is configured (discovery.endpoints) but answers 404.
		{"known plugin whose key set fails", "elsewhere", "/api/elsewhere" + auth.PluginJWKSPath},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := w.clock.Now()
			for round, want := range []int{1, 2} {
				for i := range 50 {
					tok := signedBy(t, auth.TypePlugin, fmt.Sprintf("kid-%d-%d", round, i), map[string]any{"sub": tt.sub, "aud": "catalog", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})
					if _, err := catalog.Authenticate(t.Context(), tok); !errors.Is(err, auth.ErrUnauthenticated) {
						t.Fatalf("token with an unknown kid: %v", err)
					}
				}
				if n := w.fetchCount(tt.path); n != want {
					t.Fatalf("round %d: %s fetched %d times for 50 unknown kids, want %d", round, tt.path, n, want)
				}
				w.clock.Advance(auth.DefaultJWKSCooldown)
			}
		})
	}
}

// TestKeySetCacheIsBounded: however many known issuers send tokens, at most MaxKeySets key sets
// stay cached.
func TestKeySetCacheIsBounded(t *testing.T) {
	w := newWorld(t, databasetest.OpenSQLite(t, "catalog"), auth.Config{})
	var plugins []string
	for i := range 20 {
		plugins = append(plugins, fmt.Sprintf("remote-%d", i))
	}
	root := auth.NewRoot(auth.RootOptions{Discovery: discovery{w.server.URL}, Now: w.clock.Now, Plugins: plugins, MaxKeySets: 4})
	ks, err := auth.NewKeyStore(t.Context(), pluginDB(w.db, "catalog"), auth.KeyStoreOptions{Now: w.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	catalog := root.ForPlugin("catalog", ks)
	now := w.clock.Now()
	for _, p := range plugins {
		tok := signedBy(t, auth.TypePlugin, "k", map[string]any{"sub": p, "aud": "catalog", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})
		_, _ = catalog.Authenticate(t.Context(), tok)
		if n := root.CachedKeySets(); n > 4 {
			t.Fatalf("after %s: %d key sets cached, want at most 4", p, n)
		}
	}
	// Sets unused for a TTL make room together.
	w.clock.Advance(auth.DefaultJWKSCacheTTL)
	tok := signedBy(t, auth.TypePlugin, "k", map[string]any{"sub": plugins[0], "aud": "catalog", "iat": now.Unix(), "exp": w.clock.Now().Add(time.Hour).Unix()})
	_, _ = catalog.Authenticate(t.Context(), tok)
	if n := root.CachedKeySets(); n != 1 {
		t.Errorf("after the TTL: %d key sets cached, want 1", n)
	}
}
