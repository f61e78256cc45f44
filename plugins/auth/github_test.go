package auth_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/portico-dev/portico/plugins/auth/authtest"
)

func TestGitHubSignIn(t *testing.T) {
	p := startPortal(t, nil)
	p.gh.SetLogin(jane)
	b := newBrowser(t)
	resp, _ := b.follow(p.URL+"/api/auth/github/start?env=development&flow=redirect&redirectUrl=%2Fsettings", func(u *url.URL) bool { return u.Path == "/settings" })
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/settings" {
		t.Fatalf("github sign-in: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	tok := b.cookie(p.URL+"/", "portico-token")
	if c := claimsOf(t, tok); c["sub"] != "user:default/jane" {
		t.Fatalf("claims %v", c)
	}
	for _, path := range []string{"/login/oauth/authorize", "/login/oauth/access_token", "/api/v3/user", "/api/v3/user/emails"} {
		if p.gh.Calls[path] != 1 {
			t.Fatalf("GitHub %s called %d times, want 1 (%v)", path, p.gh.Calls[path], p.gh.Calls)
		}
	}
	// GitHub OAuth App tokens do not expire: refresh re-reads the profile with the kept token.
	resp, body := b.do(http.MethodPost, p.URL+"/api/auth/github/refresh", nil, map[string]string{"X-Requested-With": "XMLHttpRequest"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("refresh: %d %s", resp.StatusCode, body)
	}
	var sess struct {
		Profile struct{ Email, DisplayName, Picture string } `json:"profile"`
	}
	_ = json.Unmarshal([]byte(body), &sess)
	if sess.Profile.Email != "jane@example.com" || sess.Profile.DisplayName != "Jane Doe" || sess.Profile.Picture == "" {
		t.Fatalf("profile %+v (email comes from /user/emails, the primary verified one)", sess.Profile)
	}

	// A GitHub login with no catalog user is refused with the reason, no session.
	p.gh.SetLogin(authtest.User{Username: "mallory", Email: "mallory@example.com", FirstName: "M"})
	nb := newBrowser(t)
	resp, body = nb.follow(p.URL+"/api/auth/github/start?env=development&flow=redirect&redirectUrl=%2F", nil)
	if resp.StatusCode != http.StatusForbidden || sessionCookieSet(resp) || !strings.Contains(body, "mallory") {
		t.Fatalf("unknown GitHub user: %d %s", resp.StatusCode, body)
	}
}

func TestGuestSignIn(t *testing.T) {
	p := startPortal(t, nil)
	b := newBrowser(t)
	// Popup flow: start goes straight to the handler, which posts the session to the opener.
	resp, body := b.follow(p.URL+"/api/auth/guest/start?env=development&origin="+url.QueryEscape(p.URL), nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "authorization_response") || !strings.Contains(body, url.QueryEscape(p.URL)) {
		t.Fatalf("guest popup: %d %s", resp.StatusCode, body)
	}
	if resp.Header.Get("X-Frame-Options") != "sameorigin" {
		t.Fatalf("X-Frame-Options %q", resp.Header.Get("X-Frame-Options"))
	}
	if c := claimsOf(t, b.cookie(p.URL+"/", "portico-token")); c["sub"] != "user:development/guest" {
		t.Fatalf("guest claims %v", c)
	}
	// Refresh hands out a fresh guest session each time (Backstage's guest provider).
	resp, body = b.do(http.MethodGet, p.URL+"/api/auth/guest/refresh?env=development", nil, map[string]string{"X-Requested-With": "XMLHttpRequest"})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"userEntityRef":"user:development/guest"`) {
		t.Fatalf("guest refresh: %d %s", resp.StatusCode, body)
	}
}

// TestOAuth2ProxySignIn: identity from the headers of the proxy in front of the portal.
func TestOAuth2ProxySignIn(t *testing.T) {
	p := startPortal(t, map[string]any{"providers": map[string]any{
		"oauth2Proxy": map[string]any{"signIn": map[string]any{"resolvers": []any{map[string]any{"resolver": "forwardedUserMatchingUserEntityName"}}}},
	}})
	b := newBrowser(t)
	xhr := map[string]string{"X-Requested-With": "XMLHttpRequest"}
	if resp, _ := b.do(http.MethodGet, p.URL+"/api/auth/oauth2Proxy/refresh", nil, xhr); resp.StatusCode != http.StatusUnauthorized || sessionCookieSet(resp) {
		t.Fatalf("no proxy headers: %d, want 401", resp.StatusCode)
	}
	hdr := map[string]string{"X-Requested-With": "XMLHttpRequest", "X-Forwarded-User": "jane", "X-Auth-Request-Email": "jane@example.com", "X-Forwarded-Access-Token": "proxy-at"}
	resp, body := b.do(http.MethodGet, p.URL+"/api/auth/oauth2Proxy/refresh", nil, hdr)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"userEntityRef":"user:default/jane"`) || !strings.Contains(body, `"accessToken":"proxy-at"`) {
		t.Fatalf("proxy refresh: %d %s", resp.StatusCode, body)
	}
	hdr["X-Forwarded-User"] = "mallory"
	if resp, body := b.do(http.MethodGet, p.URL+"/api/auth/oauth2Proxy/refresh", nil, hdr); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "mallory") {
		t.Fatalf("unknown forwarded user: %d %s", resp.StatusCode, body)
	}
	// Only the configured providers are mounted: no guest here.
	if resp, _ := b.do(http.MethodGet, p.URL+"/api/auth/guest/start?env=development", nil, nil); resp.StatusCode == http.StatusFound {
		t.Fatal("guest mounted although auth.providers does not list it")
	}
}
