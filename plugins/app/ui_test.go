package app_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/app"
	"github.com/portico-dev/portico/web"
)

func fetch(t *testing.T, client *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestShellPages(t *testing.T) {
	b := frameworktest.Start(t, map[string]any{
		"app": map[string]any{
			"title": "Kestrel Portal",
			"extensions": []any{
				map[string]any{"page:home": map[string]any{"config": map[string]any{"toolkit": []any{map[string]any{"label": "Runbooks", "url": "https://runbooks.example"}}}}},
			},
		},
		"organization": map[string]any{"name": "Kestrel Travel"},
	}, web.RegistryFactory(), app.Plugin())

	resp, body := fetch(t, http.DefaultClient, b.URL+"/")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("home: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{"<title>Kestrel Portal</title>", `href="/settings"`, `aria-current="page"`, "Kestrel Travel", `href="https://runbooks.example"`, `role="search"`} {
		if !strings.Contains(body, want) {
			t.Errorf("home lacks %q", want)
		}
	}
	if strings.Index(body, ">Home<") > strings.Index(body, ">Settings<") {
		t.Errorf("nav order: Home should come before Settings")
	}

	resp, body = fetch(t, http.DefaultClient, b.URL+"/no/such/page")
	if resp.StatusCode != 404 || !strings.Contains(body, "Page not found") || !strings.Contains(body, `name="q"`) {
		t.Errorf("404 page: %d", resp.StatusCode)
	}
	// API paths keep Backstage's JSON errors.
	resp, body = fetch(t, b.Client(), b.URL+"/api/app/nope")
	if resp.StatusCode != 404 || !strings.Contains(body, `"NotFoundError"`) {
		t.Errorf("api 404: %d %s", resp.StatusCode, body)
	}

	// Static assets are versioned and cached forever.
	_, home := fetch(t, http.DefaultClient, b.URL+"/")
	start := strings.Index(home, "/static/portico.css?v=")
	if start < 0 {
		t.Fatal("no stylesheet link")
	}
	href := home[start : start+strings.Index(home[start:], `"`)]
	resp, css := fetch(t, http.DefaultClient, b.URL+href)
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") || !strings.Contains(css, "prefers-color-scheme") {
		t.Errorf("stylesheet: %d %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
}

func TestSettingsThemeWithoutJavaScript(t *testing.T) {
	b := frameworktest.Start(t, nil, web.RegistryFactory(), app.Plugin())
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.PostForm(b.URL+"/settings", url.Values{"theme": {"dark"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || len(resp.Cookies()) != 1 || resp.Cookies()[0].Value != "dark" {
		t.Fatalf("save theme: %d %v", resp.StatusCode, resp.Cookies())
	}
	req, _ := http.NewRequest(http.MethodGet, b.URL+"/settings", nil)
	req.AddCookie(resp.Cookies()[0])
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `data-theme="dark"`) || !strings.Contains(string(body), `value="dark" checked`) {
		t.Errorf("settings page does not reflect the dark theme")
	}
}

func TestAppExtensionsConfigureTheShell(t *testing.T) {
	t.Run("disable a nav item and move a page", func(t *testing.T) {
		b := frameworktest.Start(t, map[string]any{"app": map[string]any{"extensions": []any{
			map[string]any{"nav-item:home": false},
			map[string]any{"page:user-settings": map[string]any{"config": map[string]any{"path": "/preferences"}}},
		}}}, web.RegistryFactory(), app.Plugin())
		_, body := fetch(t, http.DefaultClient, b.URL+"/preferences")
		if !strings.Contains(body, "<h1>Settings</h1>") {
			t.Fatalf("settings not served at its configured path")
		}
		if strings.Contains(body, ">Home<") {
			t.Errorf("disabled nav item still shown")
		}
		if !strings.Contains(body, `href="/preferences"`) {
			t.Errorf("nav item does not follow the page's new path")
		}
		resp, _ := fetch(t, http.DefaultClient, b.URL+"/settings")
		if resp.StatusCode != 404 {
			t.Errorf("old path still served: %d", resp.StatusCode)
		}
	})
}
