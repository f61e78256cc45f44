package browser

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/portico-dev/portico/framework/auth"
	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/internal/browsertest"
	"github.com/portico-dev/portico/plugins/all"
)

// screenshotDir is where the README's screenshots come from; set PORTICO_SCREENSHOTS=1 to
// refresh them.
func screenshotDir(t *testing.T) string {
	if os.Getenv("PORTICO_SCREENSHOTS") == "" {
		return t.TempDir()
	}
	dir, err := filepath.Abs("../../docs/screenshots")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// signIn gives the browser the portal's identity cookie, holding the frameworktest token, so
// pages and their API calls are made with credentials.
func signIn(ctx context.Context, t *testing.T, portal *frameworktest.Backend) {
	t.Helper()
	if err := browsertest.SetIdentity(ctx, portal.URL, auth.CookieName, portal.Token); err != nil {
		t.Fatal(err)
	}
}

// openPortal starts the example portal and a browser signed in to it.
func openPortal(t *testing.T) (context.Context, *frameworktest.Backend) {
	t.Helper()
	ctx := browsertest.New(t)
	portal := startPortal(t)
	signIn(ctx, t, portal)
	return ctx, portal
}

func startPortal(t *testing.T) *frameworktest.Backend {
	t.Helper()
	return startPortalWith(t, nil)
}

// startPortalWith runs the whole portal on the example company; app holds extra app.* keys.
func startPortalWith(t *testing.T, app map[string]any) *frameworktest.Backend {
	t.Helper()
	cfg := examplePortalConfig(t)
	maps.Copy(cfg["app"].(map[string]any), app)
	return frameworktest.Start(t, cfg, all.Features()...)
}

// examplePortalConfig is the app-config of the portal on the example company (examples/).
func examplePortalConfig(t *testing.T) map[string]any {
	t.Helper()
	examples, err := filepath.Abs("../../examples/catalog-info.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return map[string]any{
		"app":          map[string]any{"title": "Kestrel Portal"},
		"organization": map[string]any{"name": "Kestrel Travel"},
		"backend":      map[string]any{"reading": map[string]any{"localRoots": []any{filepath.Dir(examples)}}},
		"catalog": map[string]any{
			"rules":     []any{map[string]any{"allow": []any{"Component", "API", "Resource", "System", "Domain", "Group", "User", "Location", "Template"}}},
			"locations": []any{map[string]any{"type": "file", "target": examples}},
		},
	}
}

func TestHomeSearchAndTheme(t *testing.T) {
	ctx, portal := openPortal(t)

	err := chromedp.Do(ctx,
		chromedp.Navigate(portal.URL+"/"),
		chromedp.WaitVisible(`main h1`),
	)
	if err != nil {
		t.Fatal(err)
	}
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	// The home page's own search box has the focus on arrival.
	focused, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement ? document.activeElement.id : ""`))
	if err != nil {
		t.Fatal(err)
	}
	if title != "Kestrel Portal" || focused != "home-q" {
		t.Fatalf("title %q, focused %q", title, focused)
	}
	browsertest.Screenshot(ctx, t, screenshotDir(t), "home")

	// Elsewhere, "/" focuses the global search box (progressive enhancement).
	err = chromedp.Do(ctx,
		chromedp.Navigate(portal.URL+"/settings"),
		chromedp.WaitVisible(`main h1`),
		chromedp.KeyEvent("/"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if focused, err = chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement ? document.activeElement.id : ""`)); err != nil || focused != "global-search-q" {
		t.Fatalf("after '/', focused %q (%v)", focused, err)
	}

	// Settings work without JavaScript: a plain form post sets the theme cookie.
	err = chromedp.Do(ctx,
		chromedp.Navigate(portal.URL+"/settings"),
		chromedp.WaitVisible(`input[value=dark]`),
		chromedp.Click(`input[value=dark]`),
		chromedp.Click(`main form button[type=submit]`),
		chromedp.WaitReady(`html[data-theme=dark]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	theme, err := chromedp.Run(ctx, chromedp.AttributeValue(`html`, "data-theme"))
	if err != nil {
		t.Fatal(err)
	}
	if theme.Value != "dark" {
		t.Fatalf("theme %q", theme.Value)
	}

	// A search from the header lands on the search target with the query kept.
	err = chromedp.Do(ctx,
		chromedp.Navigate(portal.URL+"/"),
		chromedp.WaitVisible(`#global-search-q`),
		chromedp.SendKeys(`#global-search-q`, "booking"+kb.Enter),
	)
	if err != nil {
		t.Fatal(err)
	}
	var url string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if url, err = chromedp.Run(ctx, chromedp.Location()); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(url, "q=booking") {
			break
		}
	}
	if !strings.Contains(url, "q=booking") {
		t.Fatalf("search went to %q", url)
	}
}
