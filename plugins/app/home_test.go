package app_test

import (
	"context"
	"html"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/app"
	"github.com/portico-dev/portico/web"
)

// createAppConfig reads the home page part of create-app's app-config.yaml (app and
// organization) as plain values.
func createAppConfig(t *testing.T) map[string]any {
	t.Helper()
	cfg, err := config.Load(t.Context(), config.LoadOptions{Paths: []string{"testdata/create-app-home.yaml"}})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	for _, k := range []string{"app", "organization"} {
		out[k], _ = cfg.Get(k)
	}
	return out
}

// TestHomeCreateAppLayout serves /home with create-app's extensions config: the toolkit's five
// links, the four clocks with the current time in each zone, the widgets in the layout's order,
// and the components Portico lacks named in an HTML comment and one log warning.
func TestHomeCreateAppLayout(t *testing.T) {
	var logs frameworktest.LogBuffer
	b := frameworktest.StartWithLogs(t, createAppConfig(t), &logs, web.RegistryFactory(), app.Plugin())

	status, body := frameworktest.Fetch(t, http.DefaultClient, b.URL+"/home")
	if status != http.StatusOK {
		t.Fatalf("/home: %d", status)
	}
	for _, want := range []string{
		"<title>Scaffolded Backstage App</title>", `class="brand" href="/">Scaffolded Backstage App</a>`, "Welcome to My Company",
		`<a href="https://backstage.io/docs"><span class="tool-icon"><svg`, `<span class="tool-label">Docs</span></a>`,
		`<a href="https://github.com/backstage/backstage">`, `<span class="tool-label">GitHub</span>`,
		`<span class="tool-label">Contributing</span>`, `<span class="tool-label">Plugins Directory</span>`,
		`<span class="tool-label">Submit New Issue</span>`,
		`<!-- page:home defaultConfig: skipped GettingStarted (no such widget in Portico); HomePageRandomJoke (no such widget in Portico) -->`,
		`id="home-q"`, "Sign in to see the pages you visit",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/home lacks %q", want)
		}
	}
	if n := strings.Count(body, `<li><a href="http`); n != 5 {
		t.Errorf("%d toolkit links, want 5", n)
	}
	// Each clock: its label, then a <time> with the zone's current time.
	now := time.Now()
	for _, c := range []struct{ label, tz string }{{"NYC", "America/New_York"}, {"UTC", "UTC"}, {"STO", "Europe/Stockholm"}, {"TYO", "Asia/Tokyo"}} {
		loc, err := time.LoadLocation(c.tz)
		if err != nil {
			t.Fatal(err)
		}
		re := regexp.MustCompile(`<li class="clock"><span class="clock-label">` + c.label + `</span> <time datetime="([^"]+)" data-time-zone="` + regexp.QuoteMeta(c.tz) + `">(\d\d:\d\d [AP]M)</time></li>`)
		m := re.FindStringSubmatch(body)
		if m == nil {
			t.Errorf("no clock %s (%s)", c.label, c.tz)
			continue
		}
		at, err := time.Parse("2006-01-02T15:04-07:00", html.UnescapeString(m[1]))
		if err != nil || at.Sub(now).Abs() > 2*time.Minute || at.Format("-07:00") != now.In(loc).Format("-07:00") || m[2] != at.Format("03:04 PM") {
			t.Errorf("clock %s: datetime %q, text %q (%v)", c.label, m[1], m[2], err)
		}
	}
	// The widgets come in row order (how they stack on a phone), each placed on the grid.
	order := []string{"HomePageSearchBar", "HomePageStarredEntities", "HomePageWorldClock", "HomePageRecentlyVisited", "HomePageToolkit", "HomePageMostVisited"}
	last := -1
	for _, c := range order {
		i := strings.Index(body, `data-component="`+c+`"`)
		if i < last {
			t.Errorf("widget %s missing or out of order", c)
		}
		last = i
	}
	if !strings.Contains(body, `data-extension="home-page-widget:home/world-clock" data-component="HomePageWorldClock" style="--col:9;--row:3;--w:4;--h:3"`) {
		t.Errorf("world clock not placed at column 9, row 3")
	}
	if got := logs.Lines("page:home defaultConfig: components skipped", "GettingStarted", "HomePageRandomJoke"); len(got) != 1 {
		t.Errorf("%d warnings about skipped components, want 1: %s", len(got), logs.String())
	}
	if got := logs.Lines("unknown extension", "home-page-widget"); len(got) != 0 {
		t.Errorf("create-app's widgets reported unknown: %v", got)
	}
	if got := logs.Lines("packages"); len(got) != 0 {
		t.Errorf("app.packages warned about: %v", got)
	}
	// Another fetch warns no more.
	frameworktest.Fetch(t, http.DefaultClient, b.URL+"/home")
	if got := logs.Lines("components skipped"); len(got) != 1 {
		t.Errorf("%d warnings after a second visit, want 1", len(got))
	}
}

// TestHomeWidgetsCanBeDisabled turns widgets off through app.extensions, as Backstage's are.
func TestHomeWidgetsCanBeDisabled(t *testing.T) {
	b := frameworktest.Start(t, map[string]any{"app": map[string]any{"extensions": []any{
		map[string]any{"home-page-widget:home/world-clock": false},
		map[string]any{"home-page-widget:search/search-bar": false},
		map[string]any{"home-page-widget:home/toolkit": map[string]any{"config": map[string]any{"tools": []any{
			map[string]any{"url": "https://runbooks.example", "label": "Runbooks", "icon": "no-such-icon"},
		}}}},
	}}}, web.RegistryFactory(), app.Plugin())
	_, body := frameworktest.Fetch(t, http.DefaultClient, b.URL+"/home")
	if strings.Contains(body, "world-clock") || strings.Contains(body, `id="home-q"`) {
		t.Error("disabled widgets still shown")
	}
	// Without defaultConfig every enabled widget with something to show is shown (the visit
	// lists need visit tracking); an unknown icon falls back.
	for _, want := range []string{`<a href="https://runbooks.example"><span class="tool-icon"><svg`, `data-component="HomePageStarredEntities"`} {
		if !strings.Contains(body, want) {
			t.Errorf("/home lacks %q", want)
		}
	}
	if strings.Contains(body, "HomePageTopVisited") || strings.Contains(body, "HomePageRecentlyVisited") {
		t.Error("the default layout shows visit lists with visit tracking off")
	}
}

// TestHomeConfigErrors: a time zone the world clock cannot show stops start-up, naming the
// file and line of the value; so does a layout entry of the wrong shape.
func TestHomeConfigErrors(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown time zone", `
app:
  extensions:
    - home-page-widget:home/world-clock:
        config:
          clockConfigs:
            - label: UTC
              timeZone: UTC
            - label: MARS
              timeZone: Mars/Olympus_Mons
`, `app-config.yaml:9: app.extensions[0].home-page-widget:home/world-clock.config.clockConfigs[1].timeZone: unknown time zone "Mars/Olympus_Mons"`},
		{"unknown time zone after a bare id", `
app:
  extensions:
    - page:home
    - home-page-widget:home/world-clock:
        config: { clockConfigs: [ { label: X, timeZone: Local } ] }
`, `app-config.yaml:2: app.extensions[1] home-page-widget:home/world-clock: config.clockConfigs[0].timeZone: "Local" is not an IANA time zone name`},
		{"layout without a component", `
app:
  extensions:
    - page:home:
        config:
          defaultConfig:
            - column: 1
`, `config.defaultConfig.0`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := startErr(t, tc.yaml)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("start-up error %v, want %q", err, tc.want)
			}
		})
	}
}

// startErr runs a backend with the app plugin on the YAML config and returns its start-up error.
func startErr(t *testing.T, yaml string) error {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "app-config.yaml")
	yaml += "backend:\n  baseUrl: http://127.0.0.1\n  database: { client: better-sqlite3, connection: ':memory:' }\n  workingDirectory: " + dir + "\n"
	if err := os.WriteFile(path, []byte(strings.TrimPrefix(yaml, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(t.Context(), config.LoadOptions{Paths: []string{path}})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := framework.New(framework.Options{Config: cfg, Listener: ln})
	b.Add(web.RegistryFactory(), app.Plugin())
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	return b.Run(ctx)
}

// TestSupportMenuAndErrorPage shows app.support in the header and on the not-found page.
func TestSupportMenuAndErrorPage(t *testing.T) {
	b := frameworktest.Start(t, map[string]any{"app": map[string]any{"support": map[string]any{
		"url": "https://github.com/acme/portal/issues",
		"items": []any{
			map[string]any{"title": "Issues", "icon": "github", "links": []any{map[string]any{"url": "https://github.com/acme/portal/issues", "title": "GitHub Issues"}}},
			map[string]any{"title": "Chat", "icon": "chat", "links": []any{map[string]any{"url": "https://chat.acme.example/portal"}}},
		},
	}}}, web.RegistryFactory(), app.Plugin())
	_, home := frameworktest.Fetch(t, http.DefaultClient, b.URL+"/home")
	for _, want := range []string{`<details class="support-menu">`, `<summary>Support</summary>`, `<span class="support-icon" aria-hidden="true"><svg`,
		`Issues</h2>`, `<a href="https://github.com/acme/portal/issues">GitHub Issues</a>`, `<a href="https://chat.acme.example/portal">https://chat.acme.example/portal</a>`,
		`<a href="https://github.com/acme/portal/issues">Contact support</a>`} {
		if !strings.Contains(home, want) {
			t.Errorf("header lacks %q", want)
		}
	}
	status, notFound := frameworktest.Fetch(t, http.DefaultClient, b.URL+"/no/such/page")
	if status != http.StatusNotFound || !strings.Contains(notFound, `Still stuck? <a href="https://github.com/acme/portal/issues">Contact support</a>`) {
		t.Errorf("404 page: %d, no support link", status)
	}
	// Without app.support: no menu, no link.
	plain := frameworktest.Start(t, nil, web.RegistryFactory(), app.Plugin())
	_, body := frameworktest.Fetch(t, http.DefaultClient, plain.URL+"/no/such/page")
	if strings.Contains(body, "support-menu") || strings.Contains(body, "Contact support") {
		t.Error("support shown without app.support")
	}
	if err := startErr(t, "app:\n  support:\n    items: []\n"); err == nil || !strings.Contains(err.Error(), "url") {
		t.Errorf("app.support without url: %v", err)
	}
}
