package identity_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
	"github.com/portico-dev/portico/internal/fakeclock"
	"github.com/portico-dev/portico/plugins/auth/authtest"
	"github.com/portico-dev/portico/plugins/auth/identity"
	"github.com/portico-dev/portico/plugins/auth/store"
)

const iss = "http://localhost:7007/api/auth"

func newIssuer(t *testing.T, db *database.DB, clock *fakeclock.Clock) *identity.Issuer {
	t.Helper()
	return identity.New(identity.Options{Store: authtest.NewStore(t, db), Issuer: iss, TokenLifetime: time.Hour, RotationPeriod: time.Hour, Now: clock.Now})
}

func TestIssueVerifyRotate(t *testing.T) {
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := t.Context()
		clock := fakeclock.New(time.Now())
		iss1 := newIssuer(t, db, clock)
		// A second replica on the same database: its own key, the same published set.
		iss2 := identity.New(identity.Options{Store: store.New(db), Issuer: iss, Now: clock.Now})
		id := identity.Identity{UserEntityRef: "user:default/jane", OwnershipEntityRefs: []string{"user:default/jane", "group:default/team-a"}}
		tok1, exp, err := iss1.Issue(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !exp.Equal(clock.Now().Truncate(time.Second).Add(time.Hour)) {
			t.Fatalf("exp = %v", exp)
		}
		tok2, _, err := iss2.Issue(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for name, tok := range map[string]string{"replica1": tok1, "replica2": tok2} {
			for vname, v := range map[string]*identity.Issuer{"by1": iss1, "by2": iss2} {
				c, err := v.Verify(ctx, tok)
				if err != nil {
					t.Fatalf("%s %s: %v", name, vname, err)
				}
				if c.Subject != id.UserEntityRef || strings.Join(c.Ent, ",") != "user:default/jane,group:default/team-a" || c.Issuer != iss {
					t.Fatalf("%s claims %+v", name, c)
				}
			}
		}
		hdr := header(t, tok1)
		if hdr["alg"] != "ES256" || hdr["typ"] != identity.TypeUser || hdr["kid"] == "" {
			t.Fatalf("header %v", hdr)
		}
		set, err := iss1.JWKS(ctx)
		// Each replica's current key and its pre-published next one.
		if err != nil || len(set.Keys) != 4 || len(set.Key(hdr["kid"].(string))) != 1 || len(set.Key(header(t, tok2)["kid"].(string))) != 1 {
			t.Fatalf("JWKS: %d keys, %v; want 4 with both signing keys", len(set.Keys), err)
		}
		published := map[string]bool{}
		for _, k := range set.Keys {
			published[k.KeyID] = true
		}

		// After a rotation period a new key signs; the old one still verifies its tokens.
		clock.Advance(61 * time.Minute)
		tok3, _, err := iss1.Issue(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if header(t, tok3)["kid"] == hdr["kid"] {
			t.Fatal("key did not rotate")
		}
		if !published[header(t, tok3)["kid"].(string)] {
			t.Fatal("the new signing key was not in the JWKS before it signed")
		}
		if _, err := iss2.Verify(ctx, tok3); err != nil {
			t.Fatalf("the other replica verifies the rotated key's token: %v", err)
		}
		if _, err := iss1.Verify(ctx, tok1); !errors.Is(err, identity.ErrInvalidToken) {
			t.Fatalf("token older than its lifetime: got %v, want ErrInvalidToken", err)
		}
		// Once every token a key signed has expired, the key is no longer published.
		clock.Advance(2 * time.Hour)
		set, err = iss1.JWKS(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range set.Keys {
			if k.KeyID == hdr["kid"] {
				t.Fatal("rotated-out key still published")
			}
		}
		// After a long pause the stale pre-published key is not used: what signs is published
		// for the whole life of its tokens.
		clock.Advance(10 * time.Hour)
		tok4, _, err := iss1.Issue(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(119 * time.Minute)
		if _, err := iss2.Verify(ctx, tok4); !errors.Is(err, identity.ErrInvalidToken) {
			t.Fatalf("expired token: %v", err)
		}
		set, _ = iss2.JWKS(ctx)
		if len(set.Key(header(t, tok4)["kid"].(string))) != 1 {
			t.Fatal("the key of a token that expired a minute ago was pruned early")
		}
	})
}

func header(t *testing.T, tok string) map[string]any {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	var h map[string]any
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestVerifyRefuses(t *testing.T) {
	db := databasetest.OpenSQLite(t, "auth")
	clock := fakeclock.New(time.Now())
	is := newIssuer(t, db, clock)
	ctx := t.Context()
	good, _, err := is.Issue(ctx, identity.Identity{UserEntityRef: "user:default/jane"})
	if err != nil {
		t.Fatal(err)
	}
	kid, _ := header(t, good)["kid"].(string)
	parts := strings.Split(good, ".")
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	sign := func(alg jose.SignatureAlgorithm, key any, typ, kid string, c jwt.Claims) string {
		opts := (&jose.SignerOptions{}).WithType(jose.ContentType(typ)).WithHeader("kid", kid)
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := jwt.Signed(s).Claims(c).Serialize()
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	now := clock.Now()
	claims := jwt.Claims{Issuer: iss, Subject: "user:default/jane", Audience: jwt.Audience{"backstage"}, IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(time.Hour))}
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"vnd.backstage.user","kid":"`+kid+`"}`)) + "." + parts[1] + "."
	wrongAud := claims
	wrongAud.Audience = jwt.Audience{"other"}
	cases := map[string]string{
		"alg none":         none,
		"forged signature": parts[0] + "." + parts[1] + "." + strings.Split(sign(jose.ES256, other, identity.TypeUser, kid, claims), ".")[2],
		"unknown kid":      sign(jose.ES256, other, identity.TypeUser, "nope", claims),
		"HS256":            sign(jose.HS256, []byte("0123456789abcdef0123456789abcdef"), identity.TypeUser, kid, claims),
		"wrong typ":        sign(jose.ES256, other, "JWT", kid, claims),
		"wrong aud":        sign(jose.ES256, other, identity.TypeUser, kid, wrongAud),
		"garbage":          "not.a.jwt",
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := is.Verify(ctx, tok); !errors.Is(err, identity.ErrInvalidToken) {
				t.Fatalf("got %v, want ErrInvalidToken", err)
			}
		})
	}
	t.Run("expired", func(t *testing.T) {
		clock.Advance(time.Hour + time.Second)
		if _, err := is.Verify(ctx, good); !errors.Is(err, identity.ErrInvalidToken) {
			t.Fatalf("got %v, want ErrInvalidToken", err)
		}
	})
}
