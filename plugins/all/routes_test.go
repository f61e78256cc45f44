package all_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/framework/auth"
	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/all"
)

// openRoutes are the routes of the built-in plugins that anonymous callers may reach, by
// plugin and pattern. A route declared open that is not listed here fails the test: opening a
// route is a decision to review, not a side effect.
var openRoutes = map[string]string{
	"app GET /config":                            "the UI reads its config before sign-in",
	"auth GET /.well-known/jwks.json":            "user token public keys",
	"auth GET /.well-known/openid-configuration": "OpenID discovery",
	"auth GET /{provider}/start":                 "sign-in flow (open for configured providers only)",
	"auth GET /{provider}/handler/frame":         "sign-in flow",
	"auth POST /{provider}/handler/frame":        "sign-in flow",
	"auth GET /{provider}/refresh":               "session refresh (X-Requested-With and refresh cookie)",
	"auth POST /{provider}/refresh":              "session refresh",
	"auth POST /{provider}/logout":               "sign-out",
	"permission GET /health":                     "as in Backstage's permission backend",
}

var legacySecret = []byte("routes-test-legacy-secret-0123456789")

// TestEveryRouteHasAPolicy starts every built-in plugin and calls every registered route
// without credentials: each must answer 401 unless its plugin declared it open, and each open
// route must be one of openRoutes. It then proves that one protected route admits every kind
// of credentials.
func TestEveryRouteHasAPolicy(t *testing.T) {
	idp := newExternalIssuer(t)
	probe, probePlugin := authProbe("routes-probe")
	b := frameworktest.Start(t, map[string]any{
		"backend": map[string]any{"auth": map[string]any{"externalAccess": []any{
			map[string]any{"type": "jwks", "options": map[string]any{"url": idp.server.URL + "/jwks.json", "issuer": "https://idp.example", "audience": "portico"}},
			map[string]any{"type": "legacy", "options": map[string]any{"secret": base64.StdEncoding.EncodeToString(legacySecret), "subject": "legacy-caller"}},
		}}},
	}, append(all.Features(), probePlugin)...)

	routes := b.Routes()
	if len(routes) < 10 {
		t.Fatalf("only %d routes registered: %v", len(routes), routes)
	}
	plugins := map[string]bool{}
	for _, r := range routes {
		plugins[r.PluginID] = true
		method, path := splitPattern(r.Pattern)
		key := r.PluginID + " " + r.Pattern
		_, listed := openRoutes[key]
		if !listed && r.Pattern == "GET "+auth.PluginJWKSPath {
			listed = true
		}
		if r.Policy != "" {
			if !listed {
				t.Errorf("%s is declared %q but is not in openRoutes", key, r.Policy)
			}
			continue
		}
		url := b.URL + "/api/" + r.PluginID + fillPath(path)
		req, err := http.NewRequest(method, url, strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body apierr.Body
		_ = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || body.Error.Name != "AuthenticationError" {
			t.Errorf("%s %s without credentials: %d %q, want 401 AuthenticationError", method, url, resp.StatusCode, body.Error.Name)
		}
	}
	for _, p := range b.Plugins() {
		if !plugins[p.ID] {
			t.Errorf("plugin %s has no routes, not even its JWKS", p.ID)
		}
	}
	if t.Failed() {
		var list []string
		for _, r := range routes {
			list = append(list, r.PluginID+" "+r.Pattern+" ["+r.Policy+"]")
		}
		sort.Strings(list)
		t.Logf("routes:\n%s", strings.Join(list, "\n"))
	}

	// One protected route, every kind of credentials.
	protected := b.URL + "/api/catalog/entities?limit=1"
	userToken := guestToken(t, b)
	userCreds, err := probe.svc.Authenticate(t.Context(), userToken)
	if err != nil {
		t.Fatalf("the auth plugin's user token does not verify: %v", err)
	}
	serviceToken, err := probe.svc.GetPluginRequestToken(t.Context(), probe.svc.GetOwnServiceCredentials(), "catalog")
	if err != nil {
		t.Fatal(err)
	}
	oboToken, err := probe.svc.GetPluginRequestToken(t.Context(), userCreds, "catalog")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	legacyToken := signHS256(t, legacySecret, map[string]any{"sub": "backstage-server", "exp": now.Add(time.Hour).Unix()})
	jwksToken := idp.token(t, map[string]any{"iss": "https://idp.example", "aud": "portico", "sub": "deployer", "exp": now.Add(time.Hour).Unix()})
	for _, tt := range []struct {
		name, header, cookie string
		want                 int
	}{
		{"no token", "", "", 401},
		{"garbage token", "Bearer not-a-valid-token", "", 401},
		{"user token", "Bearer " + userToken, "", 200},
		{"user cookie", "", userToken, 200},
		{"service token", "Bearer " + serviceToken, "", 200},
		{"service token on behalf of a user", "Bearer " + oboToken, "", 200},
		{"static external token", "Bearer " + b.Token, "", 200},
		{"jwks external token", "Bearer " + jwksToken, "", 200},
		{"legacy external token", "Bearer " + legacyToken, "", 200},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, protected, nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			if tt.cookie != "" {
				req.AddCookie(&http.Cookie{Name: auth.CookieName, Value: tt.cookie})
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("GET %s: %d %s, want %d", protected, resp.StatusCode, body, tt.want)
			}
		})
	}
	t.Run("service token for another plugin", func(t *testing.T) {
		tok, err := probe.svc.GetPluginRequestToken(t.Context(), probe.svc.GetOwnServiceCredentials(), "scaffolder")
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodGet, protected, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Fatalf("status %d, want 401", resp.StatusCode)
		}
	})
}

var wildcard = regexp.MustCompile(`\{[^}]*\}`)

// splitPattern splits a ServeMux pattern into method (GET when none) and path.
func splitPattern(p string) (method, path string) {
	if m, rest, ok := strings.Cut(p, " "); ok {
		return m, strings.TrimSpace(rest)
	}
	return http.MethodGet, p
}

// fillPath turns a pattern path into a concrete one: wildcards become "x".
func fillPath(path string) string {
	path = strings.TrimSuffix(path, "{$}")
	path = wildcard.ReplaceAllString(path, "x")
	if strings.HasSuffix(path, "/") {
		path += "x"
	}
	return path
}

// guestToken signs in through the auth plugin's guest provider (on when auth is unconfigured).
func guestToken(t *testing.T, b *frameworktest.Backend) string {
	t.Helper()
	return frameworktest.SignIn(t, b.URL, "/api/auth/guest/refresh?env=development")
}

// externalIssuer is an identity provider outside Portico, with an RS256 key served as a JWKS.
type externalIssuer struct {
	key    *rsa.PrivateKey
	server *httptest.Server
}

func newExternalIssuer(t *testing.T) *externalIssuer {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	e := &externalIssuer{key: k}
	e.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k.PublicKey, KeyID: "ext-1", Algorithm: "RS256", Use: "sig"}}})
	}))
	t.Cleanup(e.server.Close)
	return e
}

func (e *externalIssuer) token(t *testing.T, claims map[string]any) string {
	t.Helper()
	return signJWT(t, jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: e.key, KeyID: "ext-1"}}, claims)
}

func signHS256(t *testing.T, secret []byte, claims map[string]any) string {
	t.Helper()
	return signJWT(t, jose.SigningKey{Algorithm: jose.HS256, Key: secret}, claims)
}

// serviceProbe holds the auth service of a plugin made to take it, for tests to issue and check
// credentials with.
type serviceProbe struct{ svc auth.Service }

// authProbe returns a plugin with ID id that takes the auth service, and where it is once the
// backend has started.
func authProbe(id string) (*serviceProbe, framework.Plugin) {
	p := &serviceProbe{}
	return p, framework.Plugin{ID: id, Register: func(r *framework.PluginRegistrar) {
		r.RegisterInit(func(ctx context.Context, d *framework.Deps) (err error) {
			p.svc, err = framework.Use(ctx, d, framework.AuthService)
			return err
		})
	}}
}

// signJWT returns a compact JWT of claims signed with key.
func signJWT(t *testing.T, key jose.SigningKey, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(key, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}
