package portal

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/app"
	"github.com/portico-dev/portico/plugins/auth"
	"github.com/portico-dev/portico/plugins/catalog"
	"github.com/portico-dev/portico/plugins/scaffolder"
	"github.com/portico-dev/portico/web"
)

// TestPagesRefuseCrossOriginPosts posts every page's forms from another origin with a signed-in
// user's cookies, as a hostile page would make the browser do: the shell refuses them all with
// 403 before any plugin sees them, whichever plugin owns the page, and same-origin posts work.
func TestPagesRefuseCrossOriginPosts(t *testing.T) {
	srv, alice := startPagesPortal(t, map[string]any{})
	alice.page("/settings", "Follow the system")

	post := func(path string, form url.Values, header map[string]string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := alice.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	hostile := []map[string]string{
		{"Origin": "https://evil.example"},
		{"Sec-Fetch-Site": "cross-site"},
		{"Sec-Fetch-Site": "same-site", "Origin": "https://sibling." + strings.TrimPrefix(srv.URL, "http://")},
	}
	pages := []struct {
		path string
		form url.Values
	}{
		{"/settings", url.Values{"theme": {"dark"}}},
		{"/create/tasks/x/cancel", url.Values{}},
		{"/catalog-import", url.Values{"url": {"https://example.com/catalog-info.yaml"}}},
		{"/catalog/default/component/x/refresh", url.Values{}},
	}
	for _, p := range pages {
		for _, hdr := range hostile {
			resp := post(p.path, p.form, hdr)
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("POST %s with %v: status %d, want 403", p.path, hdr, resp.StatusCode)
			}
			for _, c := range resp.Cookies() {
				if c.Name == web.ThemeCookie {
					t.Errorf("POST %s with %v changed the theme cookie", p.path, hdr)
				}
			}
		}
	}
	// The same form from the portal's own page goes through.
	resp := post("/settings", url.Values{"theme": {"dark"}}, map[string]string{"Origin": srv.URL})
	if resp.StatusCode/100 != 3 && resp.StatusCode != http.StatusOK {
		t.Fatalf("same-origin POST /settings: status %d", resp.StatusCode)
	}
}

// TestPagesRefuseNUL sends a NUL character in a page's query and in a form field, as an
// attacker would to make PostgreSQL fail a query: every page answers 400 before its plugin
// sees the request (scaffolder's form stores a task from its fields).
func TestPagesRefuseNUL(t *testing.T) {
	cfg, _ := frameworktest.CatalogConfig(t, fixture+"---\n"+helloTemplate, "Component", "Group", "User", "Location", "Template")
	_, alice := startPagesPortal(t, cfg)
	alice.page("/create", "Say hello")
	for _, tc := range []struct {
		method, path string
		form         url.Values
	}{
		{"GET", "/catalog?q=a%00b", nil},
		{"GET", "/create?x=%00", nil},
		{"POST", "/settings", url.Values{"theme": {"dark\x00"}}},
		{"POST", "/create/templates/default/hello", url.Values{"step": {"create"}, "values": {`{"name":"a\u0000"}`}}},
		{"POST", "/catalog-import", url.Values{"url\x00": {"https://example.com/catalog-info.yaml"}}},
	} {
		if status, body, _ := alice.do(tc.method, tc.path, tc.form); status != http.StatusBadRequest {
			t.Errorf("%s %s with a NUL: status %d, want 400\n%s", tc.method, tc.path, status, body)
		}
	}
}

// startPagesPortal starts the UI, the catalog, auth and the scaffolder on cfg, with a guest
// who signs in as alice (not in the catalog), and returns the portal and alice's browser,
// signed in.
func startPagesPortal(t *testing.T, cfg map[string]any) (*frameworktest.Backend, *browser) {
	t.Helper()
	cfg["auth"] = map[string]any{"providers": map[string]any{"guest": map[string]any{
		"userEntityRef": "user:default/alice",
		"dangerouslyAllowSignInWithoutUserInCatalog": true,
	}}}
	srv := frameworktest.Start(t, cfg, web.RegistryFactory(), app.Plugin(), catalog.Plugin(), auth.Plugin(), scaffolder.Plugin())
	alice := newBrowser(t, srv.URL)
	alice.signInAsGuest("/settings")
	return srv, alice
}
