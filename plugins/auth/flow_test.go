package auth_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/app"
	"github.com/portico-dev/portico/plugins/auth"
	"github.com/portico-dev/portico/plugins/auth/authtest"
	"github.com/portico-dev/portico/plugins/catalog"
	"github.com/portico-dev/portico/web"
)

const orgYAML = `apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: org}
spec: {type: organization, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a}
spec: {type: team, parent: org, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: jane
  annotations: {google.com/email: jane@corp.example}
spec:
  profile: {email: jane@example.com, displayName: Jane Doe}
  memberOf: [team-a]
`

var (
	jane = authtest.User{ID: "id1", Username: "jane", Password: "pw-jane", Email: "jane@example.com", FirstName: "Jane", LastName: "Doe"}
	bob  = authtest.User{ID: "id2", Username: "bob", Password: "pw-bob", Email: "bob@example.com", FirstName: "Bob", LastName: "Roe"}
)

type portal struct {
	*frameworktest.Backend
	op *authtest.OP
	gh *authtest.GitHub
}

// startPortal runs catalog + auth (+ the web UI) with the oidc, github and guest providers
// against loopback identity providers, and waits until the catalog has jane.
func startPortal(t *testing.T, extraAuth map[string]any) *portal {
	t.Helper()
	return startPortalOn(t, nil, extraAuth)
}

// startPortalOn is startPortal with backend.database set to db (nil: in-memory SQLite).
func startPortalOn(t *testing.T, db map[string]any, extraAuth map[string]any) *portal {
	t.Helper()
	op := authtest.StartOP(t, jane, bob)
	gh := authtest.StartGitHub(t, "gh-client", "gh-secret")
	authCfg := map[string]any{
		"environment":                     "development",
		"includeTransitiveGroupOwnership": true,
		"providers": map[string]any{
			"oidc": map[string]any{"development": map[string]any{
				"metadataUrl":  op.MetadataURL(),
				"clientId":     "portico",
				"clientSecret": "s3cret",
				"prompt":       "auto",
				"signIn":       map[string]any{"resolvers": []any{map[string]any{"resolver": "emailMatchingUserEntityProfileEmail"}}},
			}},
			"github": map[string]any{"development": map[string]any{
				"clientId":              "gh-client",
				"clientSecret":          "gh-secret",
				"enterpriseInstanceUrl": gh.URL,
				"signIn":                map[string]any{"resolvers": []any{map[string]any{"resolver": "usernameMatchingUserEntityName"}}},
			}},
			"guest": map[string]any{},
		},
	}
	for k, v := range extraAuth {
		authCfg[k] = v
	}
	cfg, _ := frameworktest.CatalogConfig(t, orgYAML, "User", "Group")
	if db != nil {
		cfg["backend"].(map[string]any)["database"] = db
	}
	cfg["auth"] = authCfg
	b := frameworktest.Start(t, cfg, web.RegistryFactory(), app.Plugin(), catalog.Plugin(), auth.Plugin())
	op.AddClient("portico", "s3cret", b.URL+"/api/auth/oidc/handler/frame")
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := b.Get(b.URL + "/api/catalog/entities/by-name/user/default/jane")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("catalog did not load jane within 30s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return &portal{Backend: b, op: op, gh: gh}
}

// browser is a cookie-jar client that does not follow redirects by itself.
type browser struct {
	t *testing.T
	c *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(method, u string, body url.Values, hdr map[string]string) (*http.Response, string) {
	b.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = strings.NewReader(body.Encode())
	}
	req, err := http.NewRequestWithContext(b.t.Context(), method, u, rd)
	if err != nil {
		b.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

// follow GETs u and follows redirects until leaving-condition stop holds or a non-redirect.
func (b *browser) follow(u string, stop func(*url.URL) bool) (*http.Response, string) {
	b.t.Helper()
	for range 20 {
		resp, body := b.do(http.MethodGet, u, nil, nil)
		if resp.StatusCode < 300 || resp.StatusCode >= 400 {
			return resp, body
		}
		next, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
		if err != nil {
			b.t.Fatal(err)
		}
		if stop != nil && stop(next) {
			return resp, next.String()
		}
		u = next.String()
	}
	b.t.Fatal("too many redirects")
	return nil, ""
}

func (b *browser) cookie(u, name string) string {
	pu, _ := url.Parse(u)
	for _, c := range b.c.Jar.Cookies(pu) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

var authRequestID = regexp.MustCompile(`name="id" value="([^"]+)"`)

// oidcLogin starts the redirect flow, signs in at the OP as u and stops at the portal's
// callback URL, returned unvisited.
func (p *portal) oidcLogin(b *browser, u authtest.User, redirect string) string {
	b.t.Helper()
	start := p.URL + "/api/auth/oidc/start?env=development&flow=redirect&redirectUrl=" + url.QueryEscape(redirect)
	resp, page := b.follow(start, nil)
	m := authRequestID.FindStringSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil {
		b.t.Fatalf("OP login page: status %d\n%s", resp.StatusCode, page)
	}
	resp, _ = b.do(http.MethodPost, p.op.Issuer+"/login/username", url.Values{"id": {m[1]}, "username": {u.Username}, "password": {u.Password}}, nil)
	if resp.StatusCode != http.StatusFound {
		b.t.Fatalf("OP login: status %d", resp.StatusCode)
	}
	next, _ := resp.Request.URL.Parse(resp.Header.Get("Location"))
	_, callback := b.follow(next.String(), func(n *url.URL) bool { return strings.HasPrefix(n.String(), p.URL+"/api/auth/oidc/handler/frame") })
	if !strings.HasPrefix(callback, p.URL+"/api/auth/oidc/handler/frame?") {
		b.t.Fatalf("did not reach the portal callback: %s", callback)
	}
	return callback
}

func claimsOf(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", tok)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func sessionCookieSet(resp *http.Response) bool {
	for _, c := range resp.Cookies() {
		if c.Name == "portico-token" && c.Value != "" {
			return true
		}
	}
	return false
}

// TestOIDCSignInRefreshLogout runs the whole authorization-code + PKCE flow against a real
// OpenID provider, on SQLite and on PostgreSQL (keys and secrets live in the database).
func TestOIDCSignInRefreshLogout(t *testing.T) {
	databasetest.ForEachBackend(t, func(t *testing.T, opts database.Options) {
		db := frameworktest.DatabaseConfig(opts)
		testOIDCFlow(t, startPortalOn(t, db, nil))
	})
}

func testOIDCFlow(t *testing.T, p *portal) {
	b := newBrowser(t)
	callback := p.oidcLogin(b, jane, "/catalog?filters%5Bkind%5D=user")
	resp, _ := b.do(http.MethodGet, callback, nil, nil)
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/catalog?filters%5Bkind%5D=user" {
		t.Fatalf("callback: status %d, Location %q; want 302 back to the same-origin path", resp.StatusCode, resp.Header.Get("Location"))
	}
	tok := b.cookie(p.URL+"/", "portico-token")
	if tok == "" {
		t.Fatal("no portico-token cookie after sign-in")
	}
	for _, c := range resp.Cookies() {
		if c.Name == "portico-token" && (!c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.MaxAge <= 0) {
			t.Fatalf("portico-token cookie attributes: %+v", c)
		}
		if c.Name == "oidc-refresh-token" && (!c.HttpOnly || c.Path != "/api/auth/oidc" || c.Secure) {
			t.Fatalf("refresh cookie attributes: %+v", c)
		}
	}
	c := claimsOf(t, tok)
	if c["sub"] != "user:default/jane" || c["aud"] != "backstage" || c["iss"] != p.URL+"/api/auth" {
		t.Fatalf("claims %v", c)
	}
	ent, _ := json.Marshal(c["ent"])
	if string(ent) != `["user:default/jane","group:default/team-a","group:default/org"]` {
		t.Fatalf("ent = %s, want jane, team-a and (transitively) org", ent)
	}

	// Our JWT verifies against our published JWKS…
	verifyWithJWKS(t, p.URL, tok)
	// …and through the framework's auth service, which every plugin uses.
	if st := bearerStatus(t, p.URL+"/api/catalog/entities?limit=1", tok); st != http.StatusOK {
		t.Fatalf("catalog with the user token: %d, want 200", st)
	}
	if st := bearerStatus(t, p.URL+"/api/catalog/entities?limit=1", ""); st != http.StatusUnauthorized {
		t.Fatalf("catalog without a token: %d, want 401", st)
	}
	var ui struct {
		Claims struct {
			Sub string   `json:"sub"`
			Ent []string `json:"ent"`
		} `json:"claims"`
	}
	getJSON(t, p.URL+"/api/auth/v1/userinfo", tok, &ui)
	if ui.Claims.Sub != "user:default/jane" || len(ui.Claims.Ent) != 3 {
		t.Fatalf("userinfo %+v", ui)
	}
	// The page the redirect named opens with the cookie alone.
	resp, page := b.do(http.MethodGet, p.URL+"/catalog", nil, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "user:default/jane") {
		t.Fatalf("catalog page after sign-in: %d (user menu present: %v)", resp.StatusCode, strings.Contains(page, "user:default/jane"))
	}

	// Refresh: needs X-Requested-With; rotates the refresh token as the OP does.
	refreshURL := p.URL + "/api/auth/oidc/refresh?env=development"
	if resp, _ := b.do(http.MethodGet, refreshURL, nil, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("refresh without X-Requested-With: %d, want 401", resp.StatusCode)
	}
	oldRefresh := b.cookie(refreshURL, "oidc-refresh-token")
	resp, body := b.do(http.MethodGet, refreshURL, nil, map[string]string{"X-Requested-With": "XMLHttpRequest"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("refresh: %d %s", resp.StatusCode, body)
	}
	var sess struct {
		Profile struct {
			Email string `json:"email"`
		} `json:"profile"`
		ProviderInfo struct {
			AccessToken string `json:"accessToken"`
		} `json:"providerInfo"`
		BackstageIdentity struct {
			Token            string `json:"token"`
			ExpiresInSeconds int    `json:"expiresInSeconds"`
			Identity         struct {
				Type          string   `json:"type"`
				UserEntityRef string   `json:"userEntityRef"`
				Ownership     []string `json:"ownershipEntityRefs"`
			} `json:"identity"`
		} `json:"backstageIdentity"`
	}
	if err := json.Unmarshal([]byte(body), &sess); err != nil {
		t.Fatal(err)
	}
	if sess.Profile.Email != "jane@example.com" || sess.ProviderInfo.AccessToken == "" || sess.BackstageIdentity.Identity.UserEntityRef != "user:default/jane" ||
		sess.BackstageIdentity.Identity.Type != "user" || sess.BackstageIdentity.ExpiresInSeconds < 3500 || sess.BackstageIdentity.Token == "" {
		t.Fatalf("refresh session %s", body)
	}
	newRefresh := b.cookie(refreshURL, "oidc-refresh-token")
	if oldRefresh == "" || newRefresh == "" || newRefresh == oldRefresh {
		t.Fatalf("refresh token not rotated: old %q new %q", oldRefresh, newRefresh)
	}
	// The rotated-out refresh token is dead at the OP: a stolen old cookie gets nothing.
	stale := newBrowser(t)
	stale.c.Jar.SetCookies(mustURL(refreshURL), []*http.Cookie{{Name: "oidc-refresh-token", Value: oldRefresh, Path: "/api/auth/oidc"}})
	if resp, _ := stale.do(http.MethodGet, refreshURL, nil, map[string]string{"X-Requested-With": "XMLHttpRequest"}); resp.StatusCode != http.StatusUnauthorized || sessionCookieSet(resp) {
		t.Fatalf("refresh with the rotated-out token: %d, want 401 and no session", resp.StatusCode)
	}

	// Logout: X-Requested-With again; afterwards the cookies are gone and refresh fails.
	logoutURL := p.URL + "/api/auth/oidc/logout"
	if resp, _ := b.do(http.MethodPost, logoutURL, nil, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("logout without X-Requested-With: %d, want 401", resp.StatusCode)
	}
	if resp, _ := b.do(http.MethodPost, logoutURL, nil, map[string]string{"X-Requested-With": "XMLHttpRequest"}); resp.StatusCode != http.StatusOK {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if b.cookie(p.URL+"/", "portico-token") != "" || b.cookie(refreshURL, "oidc-refresh-token") != "" {
		t.Fatal("cookies survived logout")
	}
	if resp, body := b.do(http.MethodGet, refreshURL, nil, map[string]string{"X-Requested-With": "XMLHttpRequest"}); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Missing session cookie") {
		t.Fatalf("refresh after logout: %d %s", resp.StatusCode, body)
	}
	if resp, _ := b.do(http.MethodGet, p.URL+"/catalog", nil, nil); resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), "/sign-in?redirect=") {
		t.Fatalf("catalog page after logout: %d %q, want a redirect to /sign-in", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func verifyWithJWKS(t *testing.T, base, tok string) {
	t.Helper()
	var set jose.JSONWebKeySet
	getJSON(t, base+"/api/auth/.well-known/jwks.json", "", &set)
	parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	h := parsed.Headers[0]
	if h.ExtraHeaders["typ"] != "vnd.backstage.user" || h.Algorithm != "ES256" {
		t.Fatalf("header %+v", h)
	}
	keys := set.Key(h.KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %s not in JWKS (%d keys)", h.KeyID, len(set.Keys))
	}
	var c jwt.Claims
	if err := parsed.Claims(keys[0].Key, &c); err != nil {
		t.Fatalf("signature: %v", err)
	}
	var oc map[string]any
	getJSON(t, base+"/api/auth/.well-known/openid-configuration", "", &oc)
	if oc["issuer"] != base+"/api/auth" || oc["jwks_uri"] != base+"/api/auth/.well-known/jwks.json" {
		t.Fatalf("openid-configuration %v", oc)
	}
}

// bearerGet GETs u with tok as a bearer token (none when empty) and returns the status and body.
func bearerGet(t *testing.T, u, tok string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, body := frameworktest.Send(t, nil, req)
	return resp.StatusCode, []byte(body)
}

func bearerStatus(t *testing.T, u, tok string) int {
	t.Helper()
	status, _ := bearerGet(t, u, tok)
	return status
}

func getJSON(t *testing.T, u, tok string, out any) {
	t.Helper()
	status, body := bearerGet(t, u, tok)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", u, status, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		t.Fatalf("GET %s: %v\n%s", u, err, body)
	}
}
