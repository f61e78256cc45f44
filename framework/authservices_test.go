package framework

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/portico-dev/portico/framework/auth"
)

// userSigner stands in for the auth plugin: it signs user tokens and serves their JWKS on its
// own loopback server, which the backend finds through discovery.endpoints.
type userSigner struct {
	key    *ecdsa.PrivateKey
	server *httptest.Server
}

func newUserSigner(t *testing.T) *userSigner {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s := &userSigner{key: k}
	s.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/auth/.well-known/jwks.json" {
			http.NotFound(w, r)
			return
		}
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k.PublicKey, KeyID: "u1", Algorithm: "ES256", Use: "sig"}}})
	}))
	t.Cleanup(s.server.Close)
	return s
}

func (s *userSigner) token(t *testing.T, sub string) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: s.key, KeyID: "u1"}},
		(&jose.SignerOptions{}).WithType(auth.TypeUser))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tok, err := jwt.Signed(signer).Claims(map[string]any{
		"iss": s.server.URL + "/api/auth", "sub": sub, "aud": "backstage", "ent": []string{sub},
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// policyPlugin serves one route per policy and echoes the caller's principal type and subject.
func policyPlugin(services *auth.Service) Plugin {
	return Plugin{ID: "policies", Register: func(r *PluginRegistrar) {
		r.RegisterInit(func(ctx context.Context, d *Deps) error {
			deps := Resolve(ctx, d)
			router := Need(deps, HTTPRouterService)
			httpAuth := Need(deps, HTTPAuthService)
			*services = Need(deps, AuthService)
			Need(deps, SchedulerService) // mounts its task routes
			if err := deps.Err(); err != nil {
				return err
			}
			echo := func(w http.ResponseWriter, r *http.Request) {
				c, _ := httpAuth.Credentials(r)
				who := c.Type()
				if u, ok := c.User(); ok {
					who += " " + u.UserEntityRef
				}
				if s, ok := c.Service(); ok {
					who += " " + s.Subject
				}
				io.WriteString(w, who)
			}
			for _, p := range []string{"GET /private", "POST /private", "GET /public/page", "GET /assets/{file}"} {
				router.HandleFunc(p, echo)
			}
			router.AddAuthPolicy(AuthPolicy{Path: "/public", Allow: "unauthenticated"})
			router.AddAuthPolicy(AuthPolicy{Path: "/assets", Allow: "user-cookie"})
			return nil
		})
	}}
}

func TestRouterAuthPolicies(t *testing.T) {
	signer := newUserSigner(t)
	var svc auth.Service
	tb := startBackend(t, map[string]any{
		"discovery": map[string]any{"endpoints": []any{map[string]any{"target": signer.server.URL + "/api/{{pluginId}}", "plugins": []any{"auth"}}}},
	}, policyPlugin(&svc))
	jane := signer.token(t, "user:default/jane")
	serviceTok, err := svc.GetPluginRequestToken(t.Context(), svc.GetOwnServiceCredentials(), "policies")
	if err != nil {
		t.Fatal(err)
	}

	// A browser gets a limited token cookie for the user-cookie route.
	req, _ := http.NewRequest("GET", tb.url+"/api/policies/.backstage/auth/v1/cookie", nil)
	req.Header.Set("Authorization", "Bearer "+jane)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var issued struct {
		ExpiresAt string `json:"expiresAt"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&issued)
	resp.Body.Close()
	var limited string
	for _, c := range resp.Cookies() {
		if c.Name == auth.LimitedCookieName {
			limited = c.Value
		}
	}
	if resp.StatusCode != 200 || limited == "" || issued.ExpiresAt == "" {
		t.Fatalf("cookie endpoint: %d, cookie %q, body %+v", resp.StatusCode, limited, issued)
	}

	tests := []struct {
		name, method, path string
		header, cookie     [2]string
		wantStatus         int
		wantBody           string
	}{
		{"private without credentials", "GET", "/private", [2]string{}, [2]string{}, 401, "AuthenticationError"},
		{"private with a user token", "GET", "/private", [2]string{"Authorization", "Bearer " + jane}, [2]string{}, 200, "user user:default/jane"},
		{"private with a service token", "GET", "/private", [2]string{"Authorization", "Bearer " + serviceTok}, [2]string{}, 200, "service plugin:policies"},
		{"private with the static token", "GET", "/private", [2]string{"Authorization", "Bearer " + testToken}, [2]string{}, 200, "service external:framework-test"},
		{"private with the identity cookie", "GET", "/private", [2]string{}, [2]string{auth.CookieName, jane}, 200, "user user:default/jane"},
		{"unsafe method with the cookie alone", "POST", "/private", [2]string{}, [2]string{auth.CookieName, jane}, 401, "AuthenticationError"},
		{"unsafe method with the cookie and X-Requested-With", "POST", "/private", [2]string{"X-Requested-With", "XMLHttpRequest"}, [2]string{auth.CookieName, jane}, 200, "user user:default/jane"},
		{"public without credentials", "GET", "/public/page", [2]string{}, [2]string{}, 200, "none"},
		{"public keeps credentials", "GET", "/public/page", [2]string{"Authorization", "Bearer " + jane}, [2]string{}, 200, "user user:default/jane"},
		{"user-cookie route with the limited cookie", "GET", "/assets/a.png", [2]string{}, [2]string{auth.LimitedCookieName, limited}, 200, "user user:default/jane"},
		{"limited cookie on a private route", "GET", "/private", [2]string{}, [2]string{auth.LimitedCookieName, limited}, 401, "AuthenticationError"},
		{"unknown path without credentials does not reveal itself", "GET", "/nope", [2]string{}, [2]string{}, 401, "AuthenticationError"},
		{"plugin JWKS is open", "GET", auth.PluginJWKSPath, [2]string{}, [2]string{}, 200, `"keys"`},
		{"scheduler routes need credentials", "GET", "/.backstage/scheduler/v1/tasks", [2]string{}, [2]string{}, 401, "AuthenticationError"},
		{"scheduler routes with credentials", "GET", "/.backstage/scheduler/v1/tasks", [2]string{"Authorization", "Bearer " + testToken}, [2]string{}, 200, `"tasks"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, tb.url+"/api/policies"+tt.path, nil)
			if tt.header[0] != "" {
				req.Header.Set(tt.header[0], tt.header[1])
			}
			if tt.cookie[0] != "" {
				req.AddCookie(&http.Cookie{Name: tt.cookie[0], Value: tt.cookie[1]})
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus || !strings.Contains(string(body), tt.wantBody) {
				t.Fatalf("%s %s: %d %s, want %d containing %q", tt.method, tt.path, resp.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
		})
	}

	t.Run("routes list their policies", func(t *testing.T) {
		got := map[string]string{}
		for _, r := range tb.b.Routes() {
			if r.PluginID == "policies" {
				got[r.Pattern] = r.Policy
			}
		}
		want := map[string]string{"GET /private": "", "GET /public/page": "unauthenticated", "GET /assets/{file}": "user-cookie", "GET " + auth.PluginJWKSPath: "unauthenticated"}
		for p, pol := range want {
			if got[p] != pol {
				t.Errorf("%s: policy %q, want %q", p, got[p], pol)
			}
		}
	})
}

func TestDangerouslyDisableDefaultAuthPolicy(t *testing.T) {
	var svc auth.Service
	tb := startBackend(t, map[string]any{"backend": map[string]any{"auth": map[string]any{"dangerouslyDisableDefaultAuthPolicy": true}}}, policyPlugin(&svc))
	resp, err := http.Get(tb.url + "/api/policies/private")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "none" {
		t.Fatalf("got %d %s, want 200 none", resp.StatusCode, body)
	}
}

func TestAuthPolicyCovers(t *testing.T) {
	tests := []struct {
		policy, path string
		want         bool
	}{
		{"/health", "/health", true},
		{"/health", "/health/x", true},
		{"/health", "/healthz", false},
		{"/health/", "/health/x", true},
		{"/", "/anything", true},
		{"*", "/anything", true},
		{"/a/*", "/a/b", true},
	}
	for _, tt := range tests {
		if got := (AuthPolicy{Path: tt.policy}).covers(tt.path); got != tt.want {
			t.Errorf("%q covers %q = %v, want %v", tt.policy, tt.path, got, tt.want)
		}
	}
}

// TestRemotePlugins: the plugins other backends serve are those discovery.endpoints names; a
// wildcard names none (tokens from unlisted plugins cause no key set fetch).
func TestRemotePlugins(t *testing.T) {
	tests := []struct {
		name string
		disc Discovery
		want []string
	}{
		{"no endpoints", HostDiscovery{Internal: "http://localhost:7007"}, nil},
		{"listed plugins", HostDiscovery{Endpoints: []DiscoveryEndpoint{{Internal: "http://a/api/{{pluginId}}", Plugins: []string{"scaffolder", "search"}}, {Internal: "http://b", Plugins: []string{"*"}}}}, []string{"scaffolder", "search"}},
		{"another discovery", otherDiscovery{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := remotePlugins(tt.disc); strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("remotePlugins = %v, want %v", got, tt.want)
			}
		})
	}
}

type otherDiscovery struct{}

func (otherDiscovery) BaseURL(id string) string         { return "http://x/api/" + id }
func (otherDiscovery) ExternalBaseURL(id string) string { return "http://x/api/" + id }
