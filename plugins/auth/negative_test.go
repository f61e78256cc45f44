package auth_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/portico-dev/portico/framework/database/databasetest"
	"github.com/portico-dev/portico/plugins/auth/authtest"
	"github.com/portico-dev/portico/plugins/auth/identity"
)

func TestSignInRefusals(t *testing.T) {
	p := startPortal(t, nil)

	t.Run("wrong state", func(t *testing.T) {
		b := newBrowser(t)
		callback := p.oidcLogin(b, jane, "/")
		u := mustURL(callback)
		q := u.Query()
		q.Set("state", strings.Repeat("ab", 20))
		u.RawQuery = q.Encode()
		resp, body := b.do(http.MethodGet, u.String(), nil, nil)
		if resp.StatusCode != http.StatusUnauthorized || sessionCookieSet(resp) || !strings.Contains(body, "state") && !strings.Contains(body, "nonce") {
			t.Fatalf("status %d, session %v, body %s", resp.StatusCode, sessionCookieSet(resp), body)
		}
	})

	t.Run("callback without the nonce cookie", func(t *testing.T) {
		b := newBrowser(t)
		callback := p.oidcLogin(b, jane, "/")
		other := newBrowser(t) // a different browser: no state cookie
		resp, body := other.do(http.MethodGet, callback, nil, nil)
		if resp.StatusCode != http.StatusUnauthorized || sessionCookieSet(resp) || !strings.Contains(body, "missing cookie nonce") {
			t.Fatalf("status %d, body %s", resp.StatusCode, body)
		}
	})

	t.Run("replayed code", func(t *testing.T) {
		b := newBrowser(t)
		callback := p.oidcLogin(b, jane, "/")
		nonce := b.cookie(p.URL+"/api/auth/oidc/handler/frame", "oidc-nonce")
		if resp, _ := b.do(http.MethodGet, callback, nil, nil); resp.StatusCode != http.StatusFound || !sessionCookieSet(resp) {
			t.Fatalf("first use of the code: %d", resp.StatusCode)
		}
		// An attacker holding the callback URL and the state cookie replays both.
		attacker := newBrowser(t)
		attacker.c.Jar.SetCookies(mustURL(p.URL+"/api/auth/oidc/handler"), []*http.Cookie{{Name: "oidc-nonce", Value: nonce, Path: "/api/auth/oidc/handler"}})
		resp, body := attacker.do(http.MethodGet, callback, nil, nil)
		if resp.StatusCode != http.StatusUnauthorized || sessionCookieSet(resp) {
			t.Fatalf("replay: status %d, session %v, body %s", resp.StatusCode, sessionCookieSet(resp), body)
		}
	})

	t.Run("no catalog user", func(t *testing.T) {
		b := newBrowser(t)
		callback := p.oidcLogin(b, bob, "/")
		resp, body := b.do(http.MethodGet, callback, nil, nil)
		if resp.StatusCode != http.StatusForbidden || sessionCookieSet(resp) || !strings.Contains(body, "bob@example.com") || !strings.Contains(body, "Sign-in failed") {
			t.Fatalf("status %d, session %v, body %s", resp.StatusCode, sessionCookieSet(resp), body)
		}
	})

	t.Run("popup flow refusal is posted to the opener", func(t *testing.T) {
		b := newBrowser(t)
		resp, page := b.follow(p.URL+"/api/auth/oidc/start?env=development", nil)
		m := authRequestID.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("OP login page: %d", resp.StatusCode)
		}
		resp, _ = b.do(http.MethodPost, p.op.Issuer+"/login/username", url.Values{"id": {m[1]}, "username": {"bob"}, "password": {"pw-bob"}}, nil)
		next, _ := resp.Request.URL.Parse(resp.Header.Get("Location"))
		resp, body := b.follow(next.String(), nil)
		if resp.StatusCode != http.StatusForbidden || sessionCookieSet(resp) || !strings.Contains(body, "authorization_response") || !strings.Contains(body, "NotAllowedError") {
			t.Fatalf("status %d body %s", resp.StatusCode, body)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "script-src 'sha256-") {
			t.Fatalf("CSP %q", csp)
		}
	})

	bad := []struct {
		name, query string
		status      int
	}{
		{"redirect to another host", "env=development&flow=redirect&redirectUrl=https%3A%2F%2Fevil.example%2F", http.StatusBadRequest},
		{"protocol-relative redirect", "env=development&flow=redirect&redirectUrl=%2F%2Fevil.example%2Fx", http.StatusBadRequest},
		{"backslash redirect", "env=development&flow=redirect&redirectUrl=%2F%5Cevil.example", http.StatusBadRequest},
		{"javascript redirect", "env=development&flow=redirect&redirectUrl=javascript%3Aalert(1)", http.StatusBadRequest},
		{"redirect alias to another host", "env=development&flow=redirect&redirect=http%3A%2F%2Fevil.example", http.StatusBadRequest},
		{"foreign origin", "env=development&origin=https%3A%2F%2Fevil.example", http.StatusForbidden},
		{"unknown env", "env=https%3A%2F%2Fevil.example", http.StatusBadRequest},
		{"missing env", "", http.StatusBadRequest},
	}
	for _, tc := range bad {
		for _, provider := range []string{"oidc", "guest"} {
			if provider == "guest" && tc.name == "missing env" {
				// Not a refusal for the guest provider: proxy providers take auth.environment
				// when the request names none.
				t.Run("missing env guest uses auth.environment", func(t *testing.T) {
					resp, body := newBrowser(t).do(http.MethodGet, p.URL+"/api/auth/guest/start", nil, nil)
					if resp.StatusCode >= 400 {
						t.Fatalf("guest start without env refused: %d %s", resp.StatusCode, body)
					}
				})
				continue
			}
			t.Run(tc.name+" "+provider, func(t *testing.T) {
				b := newBrowser(t)
				resp, body := b.do(http.MethodGet, p.URL+"/api/auth/"+provider+"/start?"+tc.query, nil, nil)
				if resp.StatusCode != tc.status || len(resp.Cookies()) != 0 {
					t.Fatalf("status %d (want %d), cookies %v, body %s", resp.StatusCode, tc.status, resp.Cookies(), body)
				}
				if provider == "guest" {
					resp, _ = b.do(http.MethodGet, p.URL+"/api/auth/guest/handler/frame?"+tc.query, nil, nil)
					if resp.StatusCode != tc.status || sessionCookieSet(resp) {
						t.Fatalf("handler: status %d (want %d)", resp.StatusCode, tc.status)
					}
				}
			})
		}
	}

	t.Run("unconfigured provider", func(t *testing.T) {
		resp, body := newBrowser(t).do(http.MethodGet, p.URL+"/api/auth/google/start?env=development", nil, nil)
		// Unconfigured providers have no open policy: the default policy answers first.
		if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusNotFound {
			t.Fatalf("status %d %s", resp.StatusCode, body)
		}
	})
}

func TestForgedTokensRefused(t *testing.T) {
	p := startPortal(t, nil)
	b := newBrowser(t)
	resp, _ := b.follow(p.URL+"/api/auth/guest/start?env=development&flow=redirect&redirectUrl=%2F", func(u *url.URL) bool { return u.Path == "/" })
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("guest sign-in: %d", resp.StatusCode)
	}
	good := b.cookie(p.URL+"/", "portico-token")
	if good == "" {
		t.Fatal("no guest token")
	}
	parts := strings.Split(good, ".")
	hdr := header(t, good)
	claims := claimsOf(t, good)
	now := time.Now()
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	sign := func(alg jose.SignatureAlgorithm, key any, kid string, exp time.Time) string {
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, (&jose.SignerOptions{}).WithType("vnd.backstage.user").WithHeader("kid", kid))
		if err != nil {
			t.Fatal(err)
		}
		tok, err := jwt.Signed(s).Claims(map[string]any{"iss": claims["iss"], "sub": "user:default/admin", "ent": []string{"user:default/admin"}, "aud": "backstage", "iat": now.Unix() - 10, "exp": exp.Unix()}).Serialize()
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	// A token signed by a real key of a portal issuer whose key was never (or is no longer)
	// published: what verifiers see once a key is rotated out and pruned.
	db := databasetest.OpenSQLite(t, "auth")
	st := authtest.NewStore(t, db)
	foreign := identity.New(identity.Options{Store: st, Issuer: claims["iss"].(string)})
	unpublished, _, err := foreign.Issue(t.Context(), identity.Identity{UserEntityRef: "user:default/admin"})
	if err != nil {
		t.Fatal(err)
	}
	kid, _ := hdr["kid"].(string)
	cases := map[string]string{
		"alg none":         base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"vnd.backstage.user","kid":"`+kid+`"}`)) + "." + parts[1] + ".",
		"forged signature": parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"user:default/admin","aud":"backstage","iat":1,"exp":9999999999}`)) + "." + parts[2],
		"foreign key":      sign(jose.ES256, other, kid, now.Add(time.Hour)),
		"HS256":            sign(jose.HS256, []byte("0123456789abcdef0123456789abcdef"), kid, now.Add(time.Hour)),
		"expired":          sign(jose.ES256, other, kid, now.Add(-time.Minute)),
		"rotated-out key":  unpublished,
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			if st := bearerStatus(t, p.URL+"/api/auth/v1/userinfo", tok); st != http.StatusUnauthorized {
				t.Fatalf("userinfo: %d, want 401", st)
			}
			if st := bearerStatus(t, p.URL+"/api/catalog/entities?limit=1", tok); st != http.StatusUnauthorized {
				t.Fatalf("catalog: %d, want 401", st)
			}
			// As the UI cookie the page layer treats it as no identity.
			nb := newBrowser(t)
			nb.c.Jar.SetCookies(mustURL(p.URL+"/"), []*http.Cookie{{Name: "portico-token", Value: tok, Path: "/"}})
			resp, _ := nb.do(http.MethodGet, p.URL+"/catalog", nil, nil)
			if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("page with a forged cookie: %d, want a redirect to sign-in", resp.StatusCode)
			}
		})
	}
	if st := bearerStatus(t, p.URL+"/api/auth/v1/userinfo", good); st != http.StatusOK {
		t.Fatalf("the genuine token: %d", st)
	}
}

func header(t *testing.T, tok string) map[string]any {
	t.Helper()
	return claimsOf(t, strings.Split(tok, ".")[0]+"."+strings.Split(tok, ".")[0]+".x")
}
