package portal

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/all"
	"github.com/portico-dev/portico/plugins/app"
	"github.com/portico-dev/portico/plugins/catalog"
	"github.com/portico-dev/portico/web"
)

// noFollow is a client that shows redirects instead of following them.
var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// TestBackstagePagePaths: pages keep Backstage's default paths, so create-app's config (the
// catalog moved to /, page:home configured) starts, and / still leads somewhere without config.
func TestBackstagePagePaths(t *testing.T) {
	tests := []struct {
		name       string
		extensions []any
		features   []framework.Feature
		// want maps a path to the status and, for a redirect, the Location; else a body excerpt.
		want map[string][2]string
	}{
		{"defaults: / redirects to the home page", nil, nil, map[string][2]string{
			"/": {"302", "/home"}, "/home": {"200", `role="search"`}, "/catalog": {"200", "alpha-service"}}},
		{"create-app: catalog at /, home configured", []any{
			map[string]any{"page:catalog": map[string]any{"config": map[string]any{"path": "/"}}},
			map[string]any{"page:home": map[string]any{"config": map[string]any{"toolkit": []any{map[string]any{"label": "Runbooks", "url": "https://runbooks.example"}}}}},
		}, nil, map[string][2]string{
			"/": {"200", "alpha-service"}, "/home": {"200", "https://runbooks.example"}}},
		{"home disabled: / redirects to the catalog", []any{map[string]any{"page:home": false}}, nil, map[string][2]string{
			"/": {"302", "/catalog"}, "/home": {"404", "Page not found"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, _ := frameworktest.CatalogConfig(t, fixture, "Component", "Group", "User", "Location")
			if tt.extensions != nil {
				cfg["app"] = map[string]any{"extensions": tt.extensions}
			}
			b := frameworktest.Start(t, cfg, web.RegistryFactory(), app.Plugin(), catalog.Plugin())
			catalogPath := "/catalog"
			if w := tt.want["/"]; w[1] == "alpha-service" {
				catalogPath = "/"
			}
			frameworktest.WaitForPage(t, http.DefaultClient, b.URL+catalogPath, "alpha-service")
			for path, w := range tt.want {
				resp, err := noFollow.Get(b.URL + path)
				if err != nil {
					t.Fatal(err)
				}
				var body bytes.Buffer
				_, _ = body.ReadFrom(resp.Body)
				resp.Body.Close()
				if got := resp.Status[:3]; got != w[0] {
					t.Fatalf("GET %s = %s, want %s", path, got, w[0])
				}
				if w[0] == "302" {
					if loc := resp.Header.Get("Location"); loc != w[1] {
						t.Fatalf("GET %s redirects to %q, want %q", path, loc, w[1])
					}
				} else if !strings.Contains(body.String(), w[1]) {
					t.Fatalf("GET %s lacks %q", path, w[1])
				}
			}
		})
	}
}

// TestBackstageAppConfigStarts boots every built-in plugin with a config combining the five
// start-up failures of issue 14, as create-app writes them: extensions Portico lacks, the
// catalog at / with page:home configured, catalog locations outside the working directory,
// permissions enabled with no roles and the default auth policy disabled, and config for
// plugins, providers and integrations Portico does not ship. It starts, warns once per item,
// and serves the catalog to anonymous callers.
func TestBackstageAppConfigStarts(t *testing.T) {
	examples := frameworktest.WriteFiles(t, map[string]string{"examples/entities.yaml": fixture})
	cfg := map[string]any{
		"app": map[string]any{"extensions": []any{
			map[string]any{"page:catalog": map[string]any{"config": map[string]any{"path": "/"}}},
			map[string]any{"home-page-widget:home/toolkit": map[string]any{"config": map[string]any{"tools": []any{}}}},
			map[string]any{"home-page-widget:home/world-clock": map[string]any{"config": map[string]any{"clockConfigs": []any{}}}},
			"home-page-widget:home/random-joke",
			"page:home",
		}},
		"backend": map[string]any{"auth": map[string]any{"dangerouslyDisableDefaultAuthPolicy": true}},
		"catalog": map[string]any{
			"rules":     []any{map[string]any{"allow": []any{"Component", "System", "API", "Resource", "Location", "Group", "User", "Template"}}},
			"locations": []any{map[string]any{"type": "file", "target": examples + "/examples/*.yaml"}},
			"providers": map[string]any{"github": map[string]any{"org": "acme"}},
		},
		"permission":   map[string]any{"enabled": true},
		"integrations": map[string]any{"azure": []any{map[string]any{"host": "dev.azure.com"}}},
		"auth": map[string]any{"providers": map[string]any{
			"guest": map[string]any{},
			"okta":  map[string]any{"development": map[string]any{"clientId": "x", "clientSecret": "y"}},
		}},
		"kubernetes":    map[string]any{"serviceLocatorMethod": map[string]any{"type": "multiTenant"}},
		"techdocs":      map[string]any{"builder": "local"},
		"proxy":         map[string]any{"endpoints": map[string]any{}},
		"mcpActions":    map[string]any{"namespacedToolNames": true},
		"notifications": map[string]any{"processors": map[string]any{}},
	}
	var logs frameworktest.LogBuffer
	b := frameworktest.StartWithLogs(t, cfg, &logs, all.Features()...)

	// Anonymous callers read the catalog (allow-all, no roles), read from outside the
	// working directory; / is the catalog, /home the home page.
	frameworktest.WaitForPage(t, http.DefaultClient, b.URL+"/api/catalog/entities", `"alpha-service"`)
	if status, body := frameworktest.Fetch(t, http.DefaultClient, b.URL+"/api/catalog/locations"); status != http.StatusOK {
		t.Fatalf("anonymous GET /locations: %d %s", status, body)
	}
	// The pages need a signed-in person, as Backstage's app does: the guest, as create-app.
	guest := newBrowser(t, b.URL)
	guest.signInAsGuest("/")
	guest.page("/", "alpha-service")
	guest.page("/home", `role="search"`)

	for _, item := range [][]string{
		{"unknown extension", "home-page-widget:home/random-joke"},
		{"not used by Portico", "key=kubernetes "},
		{"not used by Portico", "key=techdocs "},
		{"not used by Portico", "key=proxy "},
		{"not used by Portico", "key=mcpActions "},
		{"not used by Portico", "key=notifications "},
		{"not used by Portico", "key=catalog.providers.github "},
		{"not used by Portico", "key=integrations.azure "},
		{"not used by Portico", "key=auth.providers.okta "},
	} {
		if got := logs.Lines(item...); len(got) != 1 {
			t.Errorf("%d log lines with %q, want 1:\n%s", len(got), item, strings.Join(got, "\n"))
		}
	}
	if got := logs.Lines("not used by Portico", "key=catalog "); len(got) != 0 {
		t.Errorf("catalog itself reported unused: %v", got)
	}
}
