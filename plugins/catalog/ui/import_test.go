package ui_test

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/app"
	"github.com/portico-dev/portico/plugins/catalog"
	"github.com/portico-dev/portico/web"
)

const configCatalog = `apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: platform}
spec: {type: team, children: []}
`

const registeredCatalog = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: svc-a, description: First service}
spec: {type: service, lifecycle: production, owner: platform}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: svc-b}
spec: {type: service, lifecycle: experimental, owner: platform}
`

// startImport starts a portal whose catalog has one group from app-config, and returns its
// URL and a directory whose files a loopback host (in backend.reading.allow) serves, for files
// to register: people register url locations, which are read from remote hosts only.
func startImport(t *testing.T, readonly bool) (base string, served servedDir) {
	t.Helper()
	cfg, _ := frameworktest.CatalogConfig(t, configCatalog, "Component", "Group", "Location")
	cfg["catalog"].(map[string]any)["readonly"] = readonly
	files := t.TempDir()
	srvURL := frameworktest.ServeDir(t, cfg, files)
	b := frameworktest.Start(t, cfg, web.RegistryFactory(), app.Plugin(), catalog.Plugin())
	waitFor(t, b.URL+"/catalog/default/group/platform", "platform")
	return b.URL, servedDir{dir: files, url: srvURL}
}

// servedDir is a directory a loopback HTTP server serves at url.
type servedDir struct{ dir, url string }

// noFollow is a client that shows redirects instead of following them.
func noFollow() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func postForm(t *testing.T, target string, form url.Values, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, b := frameworktest.Send(t, noFollow(), req)
	return resp, b
}

// writeCatalogFile writes a file into a served directory and returns its URL.
func writeCatalogFile(t *testing.T, served servedDir, name, content string) string {
	t.Helper()
	p := filepath.Join(served.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return served.url + "/" + name
}

// waitStatus polls url until it answers want.
func waitStatus(t *testing.T, target string, want int) {
	t.Helper()
	frameworktest.Eventually(t, func() (bool, string) {
		status, _ := frameworktest.Fetch(t, nil, target)
		return status == want, fmt.Sprintf("%s never answered %d (last %d)", target, want, status)
	}, nil)
}

func TestImportAnalyze(t *testing.T) {
	base, dir := startImport(t, false)
	good := writeCatalogFile(t, dir, "services.yaml", registeredCatalog)
	broken := writeCatalogFile(t, dir, "broken.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: ok}\n---\n: : not yaml [\n")
	local := filepath.Join(dir.dir, "services.yaml")
	cases := []struct {
		name, url  string
		wantStatus int
		contains   []string
		absent     []string
	}{
		{"empty form", "", http.StatusOK, []string{"Register an existing component", `name="url"`, "Analyze"}, []string{"2. Review"}},
		{"preview", good, http.StatusOK, []string{"2. Review", "would add 3 entities", "<td>svc-a</td>", "<td>svc-b</td>", "<td>Location</td>", `<button type="submit">Register</button>`}, []string{"problem"}},
		{"missing file", strings.TrimSuffix(good, "services.yaml") + "missing.yaml", http.StatusBadRequest, []string{"Nothing found at this location", "missing.yaml"}, []string{"2. Review"}},
		// People register remote URLs only: the server's own files are out of reach.
		{"a file url", "file://" + local, http.StatusBadRequest, []string{"Location not allowed", "not a remote url"}, []string{"2. Review", "svc-a"}},
		{"an absolute path", local, http.StatusBadRequest, []string{"Location type not allowed", "Registered locations must be of an allowed type"}, []string{"2. Review", "svc-a"}},
		{"not yaml", broken, http.StatusBadRequest, []string{"Could not read this location", "YAML error"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := get(t, base+"/catalog-import?"+url.Values{"url": {c.url}}.Encode())
			if resp.StatusCode != c.wantStatus {
				t.Errorf("status: got %d, want %d\n%s", resp.StatusCode, c.wantStatus, body)
			}
			for _, s := range c.contains {
				if !strings.Contains(body, s) {
					t.Errorf("body lacks %q:\n%s", s, mainOf(body))
				}
			}
			for _, s := range c.absent {
				if strings.Contains(body, s) {
					t.Errorf("body has %q", s)
				}
			}
		})
	}
	t.Run("nav item", func(t *testing.T) {
		_, body := get(t, base+"/catalog")
		if !strings.Contains(body, `href="/catalog-import"`) {
			t.Error("sidebar lacks the Register item")
		}
	})
}

func TestImportRegisterRefreshUnregister(t *testing.T) {
	base, dir := startImport(t, false)
	loc := writeCatalogFile(t, dir, "services.yaml", registeredCatalog)

	t.Run("cross-origin post is refused", func(t *testing.T) {
		resp, _ := postForm(t, base+"/catalog-import", url.Values{"url": {loc}}, http.Header{"Origin": {"http://evil.example"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d, want 403", resp.StatusCode)
		}
	})
	t.Run("register", func(t *testing.T) {
		resp, _ := postForm(t, base+"/catalog-import", url.Values{"url": {loc}}, http.Header{"Origin": {base}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d, want 303", resp.StatusCode)
		}
		next := resp.Header.Get("Location")
		if !strings.HasPrefix(next, "/catalog-import/registered?") {
			t.Fatalf("redirect to %q", next)
		}
		resp, body := get(t, base+next)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Registered") || !strings.Contains(body, `href="/catalog/default/component/svc-a"`) {
			t.Fatalf("result page (%d) lacks the entity link:\n%s", resp.StatusCode, mainOf(body))
		}
		waitFor(t, base+"/catalog/default/component/svc-a", "First service")
	})
	t.Run("conflict", func(t *testing.T) {
		resp, body := postForm(t, base+"/catalog-import", url.Values{"url": {loc}}, nil)
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Already registered") {
			t.Fatalf("status %d, want 409 with a message:\n%s", resp.StatusCode, mainOf(body))
		}
		_, body = get(t, base+"/catalog-import?"+url.Values{"url": {loc}}.Encode())
		if !strings.Contains(body, "already registered") || strings.Contains(body, `<button type="submit">Register</button>`) {
			t.Errorf("preview of a registered location should say so and offer no Register button:\n%s", mainOf(body))
		}
	})
	t.Run("entity page offers the actions", func(t *testing.T) {
		_, body := get(t, base+"/catalog/default/component/svc-a")
		for _, s := range []string{`action="/catalog-actions/refresh"`, `action="/catalog-actions/unregister"`, `value="component:default/svc-a"`} {
			if !strings.Contains(body, s) {
				t.Errorf("entity page lacks %q", s)
			}
		}
	})
	t.Run("refresh", func(t *testing.T) {
		resp, _ := postForm(t, base+"/catalog-actions/refresh", url.Values{"entity": {"component:default/svc-a"}}, nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/catalog/default/component/svc-a?refreshed=1" {
			t.Fatalf("status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		_, body := get(t, base+resp.Header.Get("Location"))
		if !strings.Contains(body, "Refresh scheduled") {
			t.Error("entity page lacks the refresh notice")
		}
	})
	t.Run("refresh of an unknown entity", func(t *testing.T) {
		resp, _ := postForm(t, base+"/catalog-actions/refresh", url.Values{"entity": {"component:default/nope"}}, nil)
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("status %d, want 404", resp.StatusCode)
		}
	})
	t.Run("refresh needs POST", func(t *testing.T) {
		resp, _ := get(t, base+"/catalog-actions/refresh?entity=component:default/svc-a")
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Fatalf("status %d, want 405", resp.StatusCode)
		}
	})
	t.Run("unregister confirmation lists the location's entities", func(t *testing.T) {
		waitFor(t, base+"/catalog/default/component/svc-b", "svc-b")
		resp, body := get(t, base+"/catalog-actions/unregister?entity=component:default/svc-a")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		for _, s := range []string{"registered location", "services.yaml", `href="/catalog/default/component/svc-a"`, `href="/catalog/default/component/svc-b"`, "Unregister location"} {
			if !strings.Contains(body, s) {
				t.Errorf("confirmation lacks %q:\n%s", s, mainOf(body))
			}
		}
	})
	t.Run("unregister removes the location", func(t *testing.T) {
		resp, _ := postForm(t, base+"/catalog-actions/unregister", url.Values{"entity": {"component:default/svc-a"}}, nil)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/catalog-actions/unregistered?") {
			t.Fatalf("status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		_, body := get(t, base+resp.Header.Get("Location"))
		if !strings.Contains(body, "was removed from the catalog") {
			t.Errorf("done page:\n%s", mainOf(body))
		}
		waitStatus(t, base+"/catalog/default/component/svc-a", http.StatusNotFound)
		waitStatus(t, base+"/catalog/default/component/svc-b", http.StatusNotFound)
		resp, body = postForm(t, base+"/catalog-import", url.Values{"url": {loc}}, nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("registering again after unregistering: status %d\n%s", resp.StatusCode, mainOf(body))
		}
	})
	t.Run("unregister an entity outside registered locations deletes it", func(t *testing.T) {
		resp, body := get(t, base+"/catalog-actions/unregister?entity=group:default/platform")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "not under a registered location") || !strings.Contains(body, "Delete entity") {
			t.Fatalf("status %d:\n%s", resp.StatusCode, mainOf(body))
		}
		resp, _ = postForm(t, base+"/catalog-actions/unregister", url.Values{"entity": {"group:default/platform"}}, nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d, want 303", resp.StatusCode)
		}
		if resp, _ := get(t, base+"/catalog/default/group/platform"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("deleted entity still answers %d", resp.StatusCode)
		}
	})
	t.Run("unregister an unknown entity", func(t *testing.T) {
		resp, _ := get(t, base+"/catalog-actions/unregister?entity=component:default/nope")
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("status %d, want 404", resp.StatusCode)
		}
	})
}

func TestImportReadonly(t *testing.T) {
	base, dir := startImport(t, true)
	loc := writeCatalogFile(t, dir, "services.yaml", registeredCatalog)
	cases := []struct {
		name       string
		do         func() (*http.Response, string)
		wantStatus int
		contains   string
	}{
		{"register page says so", func() (*http.Response, string) { return get(t, base+"/catalog-import") }, http.StatusOK, "read-only"},
		{"register is refused", func() (*http.Response, string) {
			return postForm(t, base+"/catalog-import", url.Values{"url": {loc}}, nil)
		}, http.StatusForbidden, "The catalog is read-only"},
		{"unregister is refused", func() (*http.Response, string) {
			return get(t, base+"/catalog-actions/unregister?entity=group:default/platform")
		}, http.StatusForbidden, "The catalog is read-only"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := c.do()
			if resp.StatusCode != c.wantStatus || !strings.Contains(body, c.contains) {
				t.Errorf("status %d (want %d), want %q in:\n%s", resp.StatusCode, c.wantStatus, c.contains, mainOf(body))
			}
		})
	}
	t.Run("no nav item and no unregister action", func(t *testing.T) {
		_, body := get(t, base+"/catalog/default/group/platform")
		if strings.Contains(body, `href="/catalog-import"`) {
			t.Error("sidebar shows Register in readonly mode")
		}
		if strings.Contains(body, "/catalog-actions/unregister") {
			t.Error("entity page offers Unregister in readonly mode")
		}
		if !strings.Contains(body, "/catalog-actions/refresh") {
			t.Error("entity page lacks Refresh")
		}
	})
}

// mainOf returns the page's main element, for readable failures.
func mainOf(body string) string {
	if _, rest, ok := strings.Cut(body, `<main id="main" tabindex="-1">`); ok {
		m, _, _ := strings.Cut(rest, "</main>")
		return m
	}
	return body
}
