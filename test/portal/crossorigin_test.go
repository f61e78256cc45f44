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
	srv := frameworktest.Start(t, map[string]any{
		"auth": map[string]any{"providers": map[string]any{"guest": map[string]any{
			"userEntityRef": "user:default/alice",
			"dangerouslyAllowSignInWithoutUserInCatalog": true,
		}}},
	}, web.RegistryFactory(), app.Plugin(), catalog.Plugin(), auth.Plugin(), scaffolder.Plugin())
	alice := newBrowser(t, srv.URL)
	alice.signInAsGuest("/settings")
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
