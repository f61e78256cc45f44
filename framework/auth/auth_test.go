package auth_test

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/portico-dev/portico/framework/auth"
	"github.com/portico-dev/portico/framework/database"
)

func TestKeyStoreRotation(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *database.DB) {
		w := newWorld(t, db, auth.Config{})
		ks, err := auth.NewKeyStore(t.Context(), db, auth.KeyStoreOptions{Now: w.clock.Now, KeyDuration: time.Hour, TokenLifetime: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		set, err := ks.PublicKeys(t.Context())
		if err != nil || len(set.Keys) != 0 {
			t.Fatalf("before first use: %d keys, %v", len(set.Keys), err)
		}
		k1, exp1, err := ks.SigningKey(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if want := w.clock.Now().Add(2*time.Hour + time.Minute); !exp1.Equal(want) {
			t.Errorf("key expiry = %v, want %v", exp1, want)
		}
		again, _, _ := ks.SigningKey(t.Context())
		if again.KeyID != k1.KeyID {
			t.Errorf("key changed within its signing period: %s → %s", k1.KeyID, again.KeyID)
		}

		// Shortly before the signing period ends, the next key is published but not used yet.
		w.clock.Advance(time.Hour - 30*time.Second)
		still, _, _ := ks.SigningKey(t.Context())
		set, _ = ks.PublicKeys(t.Context())
		if still.KeyID != k1.KeyID || len(set.Keys) != 2 {
			t.Fatalf("30s before rotation: signing with %s (want %s), %d keys published (want 2)", still.KeyID, k1.KeyID, len(set.Keys))
		}
		w.clock.Advance(30 * time.Second)
		k2, _, err := ks.SigningKey(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if k2.KeyID == k1.KeyID || k2.KeyID != set.Keys[1].KeyID {
			t.Fatalf("after the signing period: signing with %s, want the pre-published %s", k2.KeyID, set.Keys[1].KeyID)
		}
		set, _ = ks.PublicKeys(t.Context())
		if got := kids(set); !slices.Equal(got, []string{k1.KeyID, k2.KeyID}) {
			t.Fatalf("published %v, want old and new key", got)
		}
		for _, k := range set.Keys {
			if !k.IsPublic() || k.Algorithm != "ES256" {
				t.Errorf("published key %s: public=%v alg=%s", k.KeyID, k.IsPublic(), k.Algorithm)
			}
		}

		// Once every token the old key signed has expired, it is no longer published.
		w.clock.Advance(time.Hour + time.Minute)
		set, _ = ks.PublicKeys(t.Context())
		if got := kids(set); !slices.Equal(got, []string{k2.KeyID}) {
			t.Fatalf("published %v after the old key expired, want only %s", got, k2.KeyID)
		}
		var n int
		if err := db.QueryRowContext(t.Context(), `SELECT count(*) FROM portico_plugin_public_keys`).Scan(&n); err != nil || n != 1 {
			t.Errorf("rows = %d (%v), want the expired key deleted", n, err)
		}
	})
}

func kids(set jose.JSONWebKeySet) []string {
	var out []string
	for _, k := range set.Keys {
		out = append(out, k.KeyID)
	}
	return out
}

func TestServiceTokens(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *database.DB) {
		w := newWorld(t, db, auth.Config{})
		catalog, scaffolder := w.plugin("catalog"), w.plugin("scaffolder")
		ctx := t.Context()

		creds := accepted(t, scaffolder, w.serviceToken(t, "catalog", "scaffolder"))
		sp, ok := creds.Service()
		if !ok || sp.Subject != "plugin:catalog" || sp.AccessRestrictions != nil {
			t.Fatalf("credentials = %+v, want service plugin:catalog", creds)
		}
		if want := w.clock.Now().Add(time.Hour); !creds.ExpiresAt.Equal(want) {
			t.Errorf("expires %v, want %v", creds.ExpiresAt, want)
		}
		// The same key set serves the next token without another fetch.
		tok2, _ := catalog.GetPluginRequestToken(ctx, catalog.GetOwnServiceCredentials(), "scaffolder")
		if _, err := scaffolder.Authenticate(ctx, tok2); err != nil {
			t.Fatal(err)
		}
		if n := w.fetchCount("/api/catalog" + auth.PluginJWKSPath); n != 1 {
			t.Errorf("catalog JWKS fetched %d times, want 1 (cached)", n)
		}

		// On behalf of a user: the receiver sees the user.
		userTok := w.user.token(t, userTokenOpts{now: w.clock.Now(), ent: []string{"user:default/jane", "group:default/team-a"}})
		user, err := catalog.Authenticate(ctx, userTok)
		if err != nil {
			t.Fatal(err)
		}
		got := accepted(t, scaffolder, pluginToken(t, catalog, user, "scaffolder"))
		up, ok := got.User()
		if !ok || up.UserEntityRef != "user:default/jane" || !slices.Equal(up.OwnershipEntityRefs, []string{"user:default/jane", "group:default/team-a"}) || up.Token != userTok {
			t.Fatalf("on-behalf-of credentials = %+v", got)
		}

		// Anonymous callers get no token.
		if _, err := catalog.GetPluginRequestToken(ctx, auth.None(), "scaffolder"); !errors.Is(err, auth.ErrNoCredentials) {
			t.Errorf("token for none: %v, want ErrNoCredentials", err)
		}
	})
}

func TestUserTokens(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *database.DB) {
		w := newWorld(t, db, auth.Config{})
		catalog := w.plugin("catalog")
		now := w.clock.Now()
		tok := w.user.token(t, userTokenOpts{now: now, ent: []string{"user:default/jane", "group:default/team-a"}})
		creds, err := catalog.Authenticate(t.Context(), tok)
		if err != nil {
			t.Fatal(err)
		}
		u, ok := creds.User()
		if !ok || u.UserEntityRef != "user:default/jane" || len(u.OwnershipEntityRefs) != 2 || !creds.ExpiresAt.Equal(now.Add(time.Hour)) {
			t.Fatalf("credentials = %+v", creds)
		}
		// Without ent, the user owns through itself.
		creds, err = catalog.Authenticate(t.Context(), w.user.token(t, userTokenOpts{now: now}))
		if u, _ := creds.User(); err != nil || !slices.Equal(u.OwnershipEntityRefs, []string{"user:default/jane"}) {
			t.Fatalf("no ent: %+v %v", creds, err)
		}
		// Older user tokens without typ are recognised by their audience.
		creds2, err := catalog.Authenticate(t.Context(), w.user.token(t, userTokenOpts{now: now, typ: "-"}))
		if u, _ := creds2.User(); err != nil || u.UserEntityRef != "user:default/jane" {
			t.Fatalf("untyped user token: %+v %v", creds2, err)
		}
		// The web middleware's verifier accepts the same token.
		if c, err := w.root.AuthenticateUser(t.Context(), tok, false); err != nil || c.Type() != "user" {
			t.Fatalf("AuthenticateUser: %+v %v", c, err)
		}

		// Limited user tokens: signed by a plugin's key, accepted only where limited access is.
		lim, exp, err := catalog.GetLimitedUserToken(t.Context(), creds)
		if err != nil {
			t.Fatal(err)
		}
		if exp.After(creds.ExpiresAt) {
			t.Errorf("limited token outlives the user token: %v > %v", exp, creds.ExpiresAt)
		}
		other := w.plugin("techdocs")
		if _, err := other.Authenticate(t.Context(), lim); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Errorf("limited token on a normal route: %v, want ErrUnauthenticated", err)
		}
		lc, err := other.AuthenticateWith(t.Context(), lim, auth.AuthenticateOptions{AllowLimitedAccess: true})
		if u, _ := lc.User(); err != nil || u.UserEntityRef != "user:default/jane" {
			t.Fatalf("limited token with limited access: %+v %v", lc, err)
		}
	})
}

// TestRejectedTokens: every bad token is a 401-class error and yields no credentials.
func TestRejectedTokens(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *database.DB) {
		w := newWorld(t, db, auth.Config{})
		catalog, scaffolder := w.plugin("catalog"), w.plugin("scaffolder")
		ctx := t.Context()
		now := w.clock.Now()

		pubDER, err := x509.MarshalPKIXPublicKey(&w.user.key.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
		pubJWK, _ := json.Marshal(w.user.jwks().Keys[0])
		svcTok, err := catalog.GetPluginRequestToken(ctx, catalog.GetOwnServiceCredentials(), "scaffolder")
		if err != nil {
			t.Fatal(err)
		}
		forToSearch, _ := catalog.GetPluginRequestToken(ctx, catalog.GetOwnServiceCredentials(), "search")
		userClaims := map[string]any{"sub": "user:default/jane", "aud": "backstage", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}

		tests := []struct {
			name  string
			token string
		}{
			{"garbage", "not-a-token"},
			{"expired user token", w.user.token(t, userTokenOpts{now: now.Add(-2 * time.Hour), exp: now.Add(-time.Hour)})},
			{"forged signature", forge(w.user.token(t, userTokenOpts{now: now}))},
			{"signed by another key", w.user.token(t, userTokenOpts{now: now, signKey: newUserIssuer(t).key})},
			{"alg none", algNone(auth.TypeUser, userClaims)},
			{"alg none plugin token", algNone(auth.TypePlugin, map[string]any{"sub": "catalog", "aud": "scaffolder", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})},
			{"HS256 with the public key PEM as secret", hs256(t, pubPEM, auth.TypeUser, userClaims)},
			{"HS256 with the public JWK as secret", hs256(t, pubJWK, auth.TypeUser, userClaims)},
			{"wrong audience", w.user.token(t, userTokenOpts{now: now, aud: "someone-else"})},
			{"unknown kid", w.user.token(t, userTokenOpts{now: now, kid: "no-such-key"})},
			{"service token for another plugin", forToSearch},
			{"service token with a tampered payload", tamper(svcTok, `"aud":"scaffolder"`, `"aud":"scaffolder","x":1`)},
			{"limited token type without limited access", w.user.token(t, userTokenOpts{now: now, typ: auth.TypeLimitedUser})},
			{"unknown token type", w.user.token(t, userTokenOpts{now: now, typ: "vnd.other"})},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c, err := scaffolder.Authenticate(ctx, tt.token)
				if !errors.Is(err, auth.ErrUnauthenticated) {
					t.Fatalf("Authenticate = %+v, %v; want ErrUnauthenticated", c, err)
				}
				if c.Principal != nil {
					t.Errorf("credentials set on failure: %+v", c)
				}
			})
		}

		t.Run("expired service token", func(t *testing.T) {
			w.clock.Advance(time.Hour + time.Second)
			if _, err := scaffolder.Authenticate(ctx, svcTok); !errors.Is(err, auth.ErrUnauthenticated) {
				t.Fatalf("got %v, want ErrUnauthenticated", err)
			}
		})
		t.Run("token from a rotated-out key", func(t *testing.T) {
			// The key is deleted at the issuer; once the verifier's cache ages out, the token fails.
			// (After the jump above the issuer makes a key on the spot, so let the verifier's
			// refetch cooldown pass before its first token arrives.)
			tok, _ := catalog.GetPluginRequestToken(ctx, catalog.GetOwnServiceCredentials(), "scaffolder")
			w.clock.Advance(auth.DefaultJWKSCooldown)
			if _, err := scaffolder.Authenticate(ctx, tok); err != nil {
				t.Fatal(err)
			}
			set, _ := catalog.Keys().PublicKeys(ctx)
			for _, k := range set.Keys {
				if err := catalog.Keys().DeleteKey(ctx, k.KeyID); err != nil {
					t.Fatal(err)
				}
			}
			w.clock.Advance(auth.DefaultJWKSCacheTTL)
			if _, err := scaffolder.Authenticate(ctx, tok); !errors.Is(err, auth.ErrUnauthenticated) {
				t.Fatalf("got %v, want ErrUnauthenticated", err)
			}
		})
	})
}

// forge flips the signature of a JWT.
func forge(tok string) string {
	i := strings.LastIndexByte(tok, '.')
	sig := []byte(tok[i+1:])
	if sig[0] == 'A' {
		sig[0] = 'B'
	} else {
		sig[0] = 'A'
	}
	return tok[:i+1] + string(sig)
}

// tamper re-encodes a JWT's payload with old replaced by new, keeping the signature.
func tamper(tok, old, new string) string {
	parts := strings.Split(tok, ".")
	payload, _ := decodeSegment(parts[1])
	parts[1] = encodeSegment([]byte(strings.Replace(string(payload), old, new, 1)))
	return strings.Join(parts, ".")
}

func TestJWKSRefetchIsRateLimited(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *database.DB) {
		w := newWorld(t, db, auth.Config{})
		scaffolder := w.plugin("scaffolder")
		now := w.clock.Now()
		path := "/api/auth" + auth.UserJWKSPath
		for i := range 5 {
			tok := w.user.token(t, userTokenOpts{now: now, kid: "random-" + string(rune('a'+i))})
			if _, err := scaffolder.Authenticate(t.Context(), tok); !errors.Is(err, auth.ErrUnauthenticated) {
				t.Fatal(err)
			}
		}
		if n := w.fetchCount(path); n != 1 {
			t.Fatalf("user JWKS fetched %d times for 5 unknown kids within the cooldown, want 1", n)
		}
		w.clock.Advance(auth.DefaultJWKSCooldown)
		tok := w.user.token(t, userTokenOpts{now: now, kid: "another"})
		_, _ = scaffolder.Authenticate(t.Context(), tok)
		if n := w.fetchCount(path); n != 2 {
			t.Fatalf("user JWKS fetched %d times after the cooldown, want 2", n)
		}
	})
}

// TestKeyStoreReplicas: two replicas of a plugin share its database; each signs with its own
// key, both publish both, and concurrent first uses on one replica make one key.
func TestKeyStoreReplicas(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *database.DB) {
		w := newWorld(t, db, auth.Config{})
		a, err := auth.NewKeyStore(t.Context(), db, auth.KeyStoreOptions{Now: w.clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		b, err := auth.NewKeyStore(t.Context(), db, auth.KeyStoreOptions{Now: w.clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		made := make(chan string, 8)
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				k, _, err := a.SigningKey(t.Context())
				if err != nil {
					t.Error(err)
					return
				}
				made <- k.KeyID
			})
		}
		wg.Wait()
		close(made)
		seen := map[string]bool{}
		for k := range made {
			seen[k] = true
		}
		if len(seen) != 1 {
			t.Fatalf("concurrent first uses made %d keys, want 1", len(seen))
		}
		kb, _, err := b.SigningKey(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, ks := range []*auth.KeyStore{a, b} {
			set, err := ks.PublicKeys(t.Context())
			if err != nil || len(set.Keys) != 2 || !slices.Contains(kids(set), kb.KeyID) {
				t.Fatalf("published %v (%v), want both replicas' keys", kids(set), err)
			}
		}
	})
}
