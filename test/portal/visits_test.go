package portal

import (
	"regexp"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/app"
	"github.com/portico-dev/portico/plugins/auth"
	"github.com/portico-dev/portico/plugins/catalog"
	"github.com/portico-dev/portico/plugins/usersettings"
	"github.com/portico-dev/portico/web"
)

// TestVisitTracking enables Backstage's two visit-tracking switches: every page a signed-in
// person opens is recorded in their user settings, and the home page's Recently Visited and
// Top Visited widgets list them.
func TestVisitTracking(t *testing.T) {
	cfg, _ := frameworktest.CatalogConfig(t, fixture, "Component", "Group", "User", "Location")
	cfg["auth"] = map[string]any{"providers": map[string]any{"guest": map[string]any{"userEntityRef": "user:default/alice"}}}
	cfg["app"] = map[string]any{"extensions": []any{
		map[string]any{"api:home/visits": true},
		map[string]any{"app-root-element:home/visit-listener": true},
		map[string]any{"home-page-widget:home/top-visited": map[string]any{"config": map[string]any{"numVisitsOpen": 2}}},
	}}
	srv := frameworktest.Start(t, cfg, web.RegistryFactory(), app.Plugin(), catalog.Plugin(), auth.Plugin(), usersettings.Plugin())
	alice := newBrowser(t, srv.URL)
	alice.signInAsGuest("/catalog")

	alice.page("/catalog/default/component/alpha-service", "Alpha Service")
	// Visits are recorded in the background: wait for each before the next, so the counts
	// are exact.
	recent := func(want string) string { return alice.page("/home", want) }
	recent(`<a href="/catalog/default/component/alpha-service">Alpha Service</a> <span class="tag">component</span>`)
	alice.page("/catalog/default/component/beta-service", "beta-service")
	recent(`<a href="/catalog/default/component/beta-service">`)
	alice.page("/catalog/default/component/alpha-service", "Alpha Service")
	home := recent(`Alpha Service</a> <span class="tag">component</span> <span class="muted">2 visits`)
	alice.page("/settings", "Appearance")
	home = recent(`<a href="/settings">settings</a>`)

	// Recently visited: newest first. Top visited: the home page itself (polled above, and
	// recorded as Backstage's listener records every page), then alpha-service (2 visits); the
	// rest under "Show more" (numVisitsOpen: 2).
	section := func(id string) string {
		m := regexp.MustCompile(`(?s)data-extension="` + regexp.QuoteMeta(id) + `".*?</section>`).FindString(home)
		if m == "" {
			t.Fatalf("no %s widget:\n%s", id, home)
		}
		return m
	}
	rv := section("home-page-widget:home/recently-visited")
	if i, j := strings.Index(rv, `href="/settings"`), strings.Index(rv, `href="/catalog/default/component/alpha-service"`); i < 0 || j < 0 || i > j {
		t.Errorf("recently visited not newest first:\n%s", rv)
	}
	tv := section("home-page-widget:home/top-visited")
	open, more, _ := strings.Cut(tv, "Show more")
	if !strings.Contains(open, `<a href="/home">home</a>`) || !strings.Contains(open, `Alpha Service</a> <span class="tag">component</span> <span class="muted">2 visits</span>`) || strings.Contains(open, "beta-service") || !strings.Contains(more, "beta-service") {
		t.Errorf("top visited:\n%s", tv)
	}

	// Nobody signed in: nothing recorded, nothing shown.
	anon := newBrowser(t, srv.URL)
	if status, body, _ := anon.do("GET", "/home", nil); status == 200 && strings.Contains(body, "alpha-service") {
		t.Error("anonymous home shows someone's visits")
	}
}
