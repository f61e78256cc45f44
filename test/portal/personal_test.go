// Package portal tests features that span plugins over real HTTP: sign-in (auth), the
// catalog's pages and the user's settings (user-settings) working together.
package portal

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/app"
	"github.com/portico-dev/portico/plugins/auth"
	"github.com/portico-dev/portico/plugins/catalog"
	"github.com/portico-dev/portico/plugins/usersettings"
	"github.com/portico-dev/portico/web"
)

const fixture = `apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-b}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: alice}
spec: {memberOf: [team-a]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: alpha-service, title: Alpha Service}
spec: {type: service, lifecycle: production, owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: beta-service}
spec: {type: service, lifecycle: production, owner: team-b}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: gamma-service}
spec: {type: website, lifecycle: production, owner: team-b}
`

// portal starts the catalog, auth (guest signs in as alice, owning through team-a),
// user-settings and the UI.
func portal(t *testing.T) *frameworktest.Backend {
	t.Helper()
	return startPortal(t, fixture, []string{"Component", "Group", "User", "Location"}, usersettings.Plugin())
}

// startPortal starts the UI, the catalog (ingesting descriptors, allowing kinds), auth (guest
// signs in as alice, owning through team-a) and extra features.
func startPortal(t *testing.T, descriptors string, kinds []string, extra ...framework.Feature) *frameworktest.Backend {
	t.Helper()
	cfg, _ := frameworktest.CatalogConfig(t, descriptors, kinds...)
	cfg["auth"] = map[string]any{"providers": map[string]any{"guest": map[string]any{
		"userEntityRef":       "user:default/alice",
		"ownershipEntityRefs": []any{"user:default/alice", "group:default/team-a"},
	}}}
	return frameworktest.Start(t, cfg, append([]framework.Feature{web.RegistryFactory(), app.Plugin(), catalog.Plugin(), auth.Plugin()}, extra...)...)
}

// browser is a cookie-keeping client that does not follow redirects, like a person's browser
// but step by step.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, base: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(method, path string, form url.Values) (int, string, http.Header) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data), resp.Header
}

// page GETs a page, waiting (bounded) until it answers 200 containing want.
func (b *browser) page(path, want string) string {
	b.t.Helper()
	var status int
	var body string
	frameworktest.Eventually(b.t, func() (bool, string) {
		status, body, _ = b.do("GET", path, nil)
		return status == http.StatusOK && strings.Contains(body, want), ""
	}, func() string { return fmt.Sprintf("GET %s never showed %q (last %d):\n%s", path, want, status, body) })
	return body
}

// signInAsGuest follows the guest provider's full-page sign-in flow, which sets the identity
// cookie and ends with a redirect to redirectURL.
func (b *browser) signInAsGuest(redirectURL string) {
	b.t.Helper()
	status, _, h := b.do("GET", "/api/auth/guest/start?env=development&flow=redirect&redirectUrl="+url.QueryEscape(redirectURL), nil)
	for status/100 == 3 && strings.HasPrefix(h.Get("Location"), "/api/auth/") {
		status, _, h = b.do("GET", h.Get("Location"), nil)
	}
	if status/100 != 3 || h.Get("Location") != redirectURL {
		b.t.Fatalf("guest sign-in: %d Location=%q", status, h.Get("Location"))
	}
}

func TestStarredOwnedRecentAndIdentity(t *testing.T) {
	srv := portal(t)
	anon := newBrowser(t, srv.URL)
	alice := newBrowser(t, srv.URL)

	// Sign in with the guest provider's full-page flow: the identity cookie is set.
	alice.signInAsGuest("/catalog")

	// Owned: only team-a's component; the picker counts each choice (counts are cached and
	// refreshed in the background, so wait for the count of the fully ingested catalog).
	body := alice.page("/catalog?filters[user]=owned", "Owned (1)")
	if strings.Contains(body, "beta-service") || !strings.Contains(body, "alpha-service") || !strings.Contains(body, `value="owned" checked`) {
		t.Errorf("owned filter shows other teams' entities or no picker:\n%s", body)
	}
	alice.page("/catalog?filters[user]=all", "gamma-service")

	// Star beta-service from its page; the header action flips.
	page := alice.page("/catalog/default/component/beta-service", `data-extension="entity-header-action:catalog/star"`)
	if !strings.Contains(page, "☆ Star") {
		t.Fatalf("unstarred entity page has no star button:\n%s", page)
	}
	status, _, h := alice.do("POST", "/catalog-actions/star", url.Values{"entity": {"component:default/beta-service"}, "starred": {"true"}})
	if status != http.StatusSeeOther || h.Get("Location") != "/catalog/default/component/beta-service" {
		t.Fatalf("star: %d %q", status, h.Get("Location"))
	}
	alice.page("/catalog/default/component/beta-service", "★ Starred")
	body = alice.page("/catalog?filters[user]=starred", "Starred (1)")
	if strings.Contains(body, "alpha-service") || strings.Contains(body, "gamma-service") || !strings.Contains(body, "beta-service") {
		t.Errorf("starred filter:\n%s", body)
	}
	// An open redirect through "back" is ignored.
	_, _, h = alice.do("POST", "/catalog-actions/star", url.Values{"entity": {"component:default/beta-service"}, "starred": {"true"}, "back": {"//evil.example/"}})
	if h.Get("Location") != "/catalog/default/component/beta-service" {
		t.Errorf("star followed an off-site back link: %q", h.Get("Location"))
	}

	// Home: starred entities; visits are not recorded until app.extensions enables visit
	// tracking, as in Backstage (TestVisitTracking).
	home := alice.page("/home", "Starred Entities")
	if !strings.Contains(home, `href="/catalog/default/component/beta-service"`) {
		t.Errorf("home lacks the starred entity:\n%s", home)
	}
	alice.page("/catalog/default/component/alpha-service", "Alpha Service")
	if home = alice.page("/home", "Starred Entities"); strings.Contains(home, `<a href="/catalog/default/component/alpha-service">`) || strings.Contains(home, "Recently Visited") {
		t.Errorf("a visit was recorded with visit tracking off:\n%s", home)
	}

	// Settings: who is signed in and what they own through.
	settings := alice.page("/settings", "user:default/alice")
	if !strings.Contains(settings, "group:default/team-a") {
		t.Errorf("settings lacks the ownership refs:\n%s", settings)
	}

	// Unstar.
	alice.do("POST", "/catalog-actions/star", url.Values{"entity": {"component:default/beta-service"}, "starred": {"false"}})
	alice.page("/catalog/default/component/beta-service", "☆ Star")

	// The catalog API expands the identity markers newer Backstage clients send.
	status, body, _ = alice.do("GET", "/api/catalog/entities?fields=metadata.name&filter=kind=component,relations.ownedBy=__catalog:current_user_ownership_refs__", nil)
	if status != http.StatusOK || body != `[{"metadata":{"name":"alpha-service"}}]`+"\n" {
		t.Errorf("ownership marker: %d %s", status, body)
	}
	status, body, _ = alice.do("GET", "/api/catalog/entities?fields=metadata.name&filter=kind=group,relations.hasMember=__catalog:current_user_ref__", nil)
	if status != http.StatusOK || body != `[{"metadata":{"name":"team-a"}}]`+"\n" {
		t.Errorf("user ref marker: %d %s", status, body)
	}

	// Someone not signed in gets no personal picker, star or identity.
	if status, body, _ := anon.do("GET", "/catalog", nil); status == http.StatusOK && strings.Contains(body, `name="filters[user]"`) {
		t.Error("anonymous index shows the owned/starred picker")
	}
	if status, _, _ := anon.do("POST", "/catalog-actions/star", url.Values{"entity": {"component:default/beta-service"}}); status == http.StatusSeeOther {
		t.Error("anonymous star succeeded")
	}
}

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
