package app

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/portico-dev/portico/web/extension"
)

// createAppLayout is page:home's defaultConfig in @backstage/create-app's app-config.yaml.
var createAppLayout = []layoutItem{
	{Component: "HomePageSearchBar", Column: 0, Row: 0, Width: 12, Height: 2},
	{Component: "GettingStarted", Column: 0, Row: 1, Width: 4, Height: 11},
	{Component: "HomePageStarredEntities", Column: 4, Row: 2, Width: 4, Height: 4},
	{Component: "HomePageRandomJoke", Column: 8, Row: 2, Width: 4, Height: 4},
	{Component: "HomePageToolkit", Column: 4, Row: 6, Width: 4, Height: 3},
	{Component: "HomePageWorldClock", Column: 8, Row: 6, Width: 4, Height: 3},
	{Component: "HomePageMostVisited", Column: 4, Row: 9, Width: 4, Height: 4},
	{Component: "HomePageRecentlyVisited", Column: 8, Row: 9, Width: 4, Height: 4},
}

// widgetsOf resolves Portico's widgets with the given app.extensions entries.
func widgetsOf(t *testing.T, overrides ...extension.Override) []*widgetNode {
	t.Helper()
	exts := append([]extension.Extension{{ID: homePageID, AttachTo: extension.AttachTo{ID: extension.RootID, Input: "pages"}}}, homeWidgets()...)
	tree, err := extension.Resolve(exts, overrides)
	if err != nil {
		t.Fatal(err)
	}
	return enabledWidgets(tree, homePageID)
}

func TestPlanLayout(t *testing.T) {
	// want lists the placed cells as "component column,row width widget", in order.
	cases := []struct {
		name    string
		items   []layoutItem
		disable []string
		want    string
		skipped []string
	}{
		{
			// The random joke is skipped: the clock floats up into its place, and the recently
			// visited list up under the clock.
			name:    "create-app layout: what Portico lacks is skipped and the rest floats up",
			items:   createAppLayout,
			want:    "HomePageSearchBar 0,0 12 search/search-bar; HomePageStarredEntities 4,2 4 home/starred-entities; HomePageWorldClock 8,2 4 home/world-clock; HomePageRecentlyVisited 8,5 4 home/recently-visited; HomePageToolkit 4,6 4 home/toolkit; HomePageMostVisited 4,9 4 home/top-visited",
			skipped: []string{"GettingStarted (no such widget in Portico)", "HomePageRandomJoke (no such widget in Portico)"},
		},
		{
			name: "a disabled widget is skipped with the reason, overlaps are pushed down",
			items: []layoutItem{
				{Component: "home/toolkit", Column: 0, Row: 0, Width: 6, Height: 3},
				{Component: "home-page-widget:home/world-clock", Column: 3, Row: 1, Width: 6, Height: 2},
				{Component: "HomePageStarredEntities", Column: 10, Row: 0, Width: 9, Height: 1},
			},
			disable: []string{"home-page-widget:home/starred-entities"},
			want:    "home/toolkit 0,0 6 home/toolkit; home-page-widget:home/world-clock 3,3 6 home/world-clock",
			skipped: []string{"HomePageStarredEntities (its widget is disabled in app.extensions)"},
		},
		{
			name:  "widths are clamped to the grid",
			items: []layoutItem{{Component: "HomePageToolkit", Column: 10, Row: 0, Width: 9, Height: 2}},
			want:  "HomePageToolkit 10,0 2 home/toolkit",
		},
		{
			name: "without defaultConfig: search bar across the top, the rest three to a row",
			want: "HomePageSearchBar 0,0 12 search/search-bar; HomePageStarredEntities 0,1 4 home/starred-entities; HomePageToolkit 4,1 4 home/toolkit; HomePageWorldClock 8,1 4 home/world-clock; HomePageTopVisited 0,2 4 home/top-visited; HomePageRecentlyVisited 4,2 4 home/recently-visited",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var overrides []extension.Override
			for i, id := range tc.disable {
				overrides = append(overrides, extension.Override{Index: i, ID: id, Disabled: true})
			}
			p := planLayout(tc.items, widgetsOf(t, overrides...), knownComponents())
			var got []string
			for _, c := range p.cells {
				_, widget, _ := strings.Cut(c.WidgetID, ":")
				got = append(got, fmt.Sprintf("%s %d,%d %d %s", c.Component, c.Column, c.Row, c.Width, widget))
			}
			if g := strings.Join(got, "; "); g != tc.want {
				t.Errorf("cells\n got %s\nwant %s", g, tc.want)
			}
			if strings.Join(p.skipped, "|") != strings.Join(tc.skipped, "|") {
				t.Errorf("skipped %q, want %q", p.skipped, tc.skipped)
			}
		})
	}
}

func TestLayoutFromConfig(t *testing.T) {
	got := layoutFromConfig(map[string]any{"layoutConfig": []any{
		map[string]any{"component": "HomePageToolkit", "x": float64(4), "y": float64(2), "width": float64(4), "height": float64(3)},
	}})
	if len(got) != 1 || got[0] != (layoutItem{Component: "HomePageToolkit", Column: 4, Row: 2, Width: 4, Height: 3}) {
		t.Errorf("layoutConfig (x/y) read as %+v", got)
	}
	if got := layoutFromConfig(map[string]any{"path": "/home"}); got != nil {
		t.Errorf("no layout read as %+v", got)
	}
}

func TestLayoutNoteCannotCloseTheComment(t *testing.T) {
	got := string(layoutNote([]string{"Evil--><script>x</script> (no such widget in Portico)"}))
	if strings.Count(got, "-->") != 1 || !strings.HasSuffix(got, " -->") || strings.Contains(got, "<script") {
		t.Errorf("note %q", got)
	}
	if layoutNote(nil) != "" {
		t.Error("note without skipped components")
	}
}

func TestWorldClock(t *testing.T) {
	for _, tc := range []struct{ tz, err string }{
		{"America/New_York", ""}, {"UTC", ""}, {"Europe/Stockholm", ""}, {"Asia/Tokyo", ""},
		{"Mars/Olympus_Mons", "unknown time zone"}, {"", "not an IANA time zone"}, {"Local", "not an IANA time zone"},
	} {
		err := validTimeZone(tc.tz)
		if (tc.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("validTimeZone(%q) = %v, want %q", tc.tz, err, tc.err)
		}
	}
	p := checkWorldClock(map[string]any{"clockConfigs": []any{
		map[string]any{"label": "UTC", "timeZone": "UTC"},
		map[string]any{"label": "X", "timeZone": "Nowhere/City"},
	}})
	if p == nil || p.list != "clockConfigs" || p.index != 1 || p.field != "timeZone" {
		t.Fatalf("problem %+v", p)
	}
	at := time.Date(2026, 12, 8, 20, 5, 0, 0, time.UTC)
	for _, tc := range []struct {
		twelve bool
		want   string
	}{{true, "08:05 PM"}, {false, "20:05"}} {
		if got := formatClock(at, tc.twelve); got != tc.want {
			t.Errorf("formatClock(hour12=%v) = %q, want %q", tc.twelve, got, tc.want)
		}
	}
	if hour12(map[string]any{"customTimeFormat": map[string]any{"hour12": false}}) || !hour12(map[string]any{}) {
		t.Error("customTimeFormat.hour12 not read")
	}
}

func TestVisitNamesAndEntities(t *testing.T) {
	const pattern = "/catalog/{namespace}/{kind}/{name}"
	for _, tc := range []struct {
		path, title, ref, name string
	}{
		{"/catalog/default/component/alpha-service", "Alpha Service", "component:default/alpha-service", "Alpha Service"},
		{"/catalog/default/component/alpha-service/api", "", "component:default/alpha-service", "alpha-service"},
		{"/catalog", "My Company Catalog", "", "catalog"},
		{"/settings", "Settings", "", "settings"},
		{"/create/templates/default/x", "Create", "", "Create"},
		{"/", "", "", "Portal"},
	} {
		ref, name := entityOfPath(pattern, tc.path)
		if ref != tc.ref {
			t.Errorf("entityOfPath(%q) = %q, want %q", tc.path, ref, tc.ref)
		}
		if got := visitName(tc.path, tc.title, "Portal", name); got != tc.name {
			t.Errorf("visitName(%q, %q) = %q, want %q", tc.path, tc.title, got, tc.name)
		}
	}
	if ref, _ := entityOfPath("/c/:namespace/:kind/:name", "/c/ops/api/pay%20ments"); ref != "api:ops/pay ments" {
		t.Errorf("Backstage-style pattern: %q", ref)
	}
	now := time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)
	for d, want := range map[time.Duration]string{10 * time.Second: "just now", time.Minute: "1 minute ago", 3 * time.Hour: "3 hours ago", 50 * time.Hour: "2 days ago"} {
		if got := ago(now, now.Add(-d)); got != want {
			t.Errorf("ago(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestIconsFallBack(t *testing.T) {
	docs, kind, unknown := iconHTML("docs"), iconHTML("kind:component"), iconHTML("no-such-icon")
	if docs == kind || !strings.Contains(string(unknown), iconShapes["link"]) || !strings.HasPrefix(string(docs), "<svg") {
		t.Errorf("icons: docs %q, kind:component %q, unknown %q", docs, kind, unknown)
	}
	if iconHTML("techdocs") != docs || iconHTML("GitHub") != iconHTML("github") {
		t.Error("aliases and case are not followed")
	}
}
