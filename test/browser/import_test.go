package browser

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/internal/browsertest"
	"github.com/portico-dev/portico/plugins/all"
)

const importedComponent = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: flight-tracker
  title: Flight tracker
  description: Follows every flight we sell
spec: {type: service, lifecycle: experimental, owner: booking-team}
`

// startImportPortal runs the whole portal on the example company and a loopback host (in
// backend.reading.allow) serving a temporary directory of files to register (people register
// url locations, read from remote hosts only); it returns the portal, that directory and its
// URL.
func startImportPortal(t *testing.T) (*frameworktest.Backend, string, string) {
	t.Helper()
	cfg := examplePortalConfig(t)
	dir := t.TempDir()
	url := frameworktest.ServeDir(t, cfg, dir)
	return frameworktest.Start(t, cfg, all.Features()...), dir, url
}

func TestRegisterFromURL(t *testing.T) {
	ctx := browsertest.New(t)
	portal, dir, served := startImportPortal(t)
	signIn(ctx, t, portal)
	shots := screenshotDir(t)
	file := filepath.Join(dir, "catalog-info.yaml")
	if err := os.WriteFile(file, []byte(importedComponent), 0o600); err != nil {
		t.Fatal(err)
	}

	// The sidebar leads to the register page; analyze the URL with the plain form.
	err := chromedp.Do(ctx,
		chromedp.Navigate(portal.URL+"/catalog"),
		chromedp.WaitVisible(`nav.sidebar a[href="/catalog-import"]`),
		chromedp.Click(`nav.sidebar a[href="/catalog-import"]`),
		chromedp.WaitVisible(`#import-url`),
		chromedp.SetValue(`#import-url`, served+"/catalog-info.yaml"),
		chromedp.Submit(`form.import-form`),
	)
	if err != nil {
		t.Fatal(err)
	}
	preview := waitText(ctx, t, `.import-preview`, "flight-tracker")
	if !strings.Contains(preview, "Component") || !strings.Contains(preview, "would add 2 entities") {
		t.Errorf("preview: %q", preview)
	}
	browsertest.Screenshot(ctx, t, shots, "import-preview")

	// Register, then open the new entity from the result page.
	if err := chromedp.Do(ctx, chromedp.Click(`.import-preview button[type=submit]`)); err != nil {
		t.Fatal(err)
	}
	waitText(ctx, t, `#import-done-h`, "Registered")
	link := `main a[href="/catalog/default/component/flight-tracker"]`
	if err := chromedp.Do(ctx, chromedp.WaitVisible(link), chromedp.Click(link)); err != nil {
		t.Fatal(err)
	}
	// Processing is asynchronous: reload the entity page until the entity is there.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if h, err := textNow(ctx, `#entity-h`); err == nil && strings.Contains(h, "Flight tracker") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the registered entity never appeared")
		}
		if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
			t.Fatal(err)
		}
	}
	waitText(ctx, t, `main`, "Follows every flight we sell")
	if _, err := textNow(ctx, `.entity-actions button`); err != nil {
		t.Errorf("entity page has no header actions: %v", err)
	}
}
