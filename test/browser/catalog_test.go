package browser

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/portico-dev/portico/internal/browsertest"
)

// textNow returns the element's text, waiting at most a second for it to exist.
func textNow(ctx context.Context, sel string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Text(sel))
}

// waitText polls until the element's text contains want (ingestion is asynchronous).
func waitText(ctx context.Context, t *testing.T, sel, want string) string {
	t.Helper()
	var got string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var err error
		got, err = textNow(ctx, sel)
		if err == nil && strings.Contains(strings.ToLower(got), strings.ToLower(want)) {
			return got
		}
	}
	t.Fatalf("%s: text %q does not contain %q", sel, got, want)
	return ""
}

func TestBrowseCatalog(t *testing.T) {
	ctx, portal := openPortal(t)
	shots := screenshotDir(t)

	// The catalog opens on components; wait for the examples to be ingested.
	started := time.Now()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if err := chromedp.Do(ctx, chromedp.Navigate(portal.URL+"/catalog")); err != nil {
			t.Fatal(err)
		}
		text, err := textNow(ctx, `.result-count`)
		// Filter counts are cached for a few seconds: wait until the pickers know every kind.
		apiOption, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("#cf-kind option[value=api]") !== null`))
		if err == nil && strings.Contains(strings.ToLower(text), "15 component") && apiOption {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("catalog not ingested: %q %v", text, err)
		}
	}
	t.Logf("catalog ingested after %v", time.Since(started))
	browsertest.Screenshot(ctx, t, shots, "catalog")

	// Filter by kind, then by owner, with the plain form (works without JavaScript).
	err := chromedp.Do(ctx,
		chromedp.SetValue(`#cf-kind`, "api"),
		chromedp.Submit(`form.catalog-filters`),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(ctx, t, `.result-count`, "6 API")
	err = chromedp.Do(ctx,
		chromedp.SetValue(`#cf-owners`, "group:default/booking-team"),
		chromedp.Submit(`form.catalog-filters`),
	)
	if err != nil {
		t.Fatal(err)
	}
	count := waitText(ctx, t, `.result-count`, "API")
	if strings.Contains(count, "6 API") {
		t.Fatalf("owner filter did not narrow the list: %q", count)
	}
	url, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(url, "owners") || !strings.Contains(url, "kind") {
		t.Errorf("filters are not in the URL: %s", url)
	}

	// Open an entity from the table and follow a relation to its owner.
	err = chromedp.Do(ctx,
		chromedp.Navigate(portal.URL+"/catalog?filters%5Bkind%5D=component&q=booking"),
		chromedp.WaitVisible(`.catalog-table a[href="/catalog/default/component/booking-service"]`),
		chromedp.Click(`.catalog-table a[href="/catalog/default/component/booking-service"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("entity page after %v", time.Since(started))
	waitText(ctx, t, `#entity-h`, "Booking service")
	waitText(ctx, t, `main`, "Provided APIs")
	browsertest.Screenshot(ctx, t, shots, "entity")
	err = chromedp.Do(ctx, chromedp.Click(`main a[href="/catalog/default/group/booking-team"]`))
	if err != nil {
		t.Fatal(err)
	}
	waitText(ctx, t, `#entity-h`, "Booking")
	waitText(ctx, t, `main`, "Members")

	// An API's definition is shown on its page.
	err = chromedp.Do(ctx, chromedp.Navigate(portal.URL+"/catalog/default/api/bookings-api"))
	if err != nil {
		t.Fatal(err)
	}
	waitText(ctx, t, `main`, "openapi: 3")
}

func TestDisableCardThroughAppExtensions(t *testing.T) {
	ctx := browsertest.New(t)
	portal := startPortalWith(t, map[string]any{"extensions": []any{
		map[string]any{"entity-card:catalog/links": false},
	}})
	signIn(ctx, t, portal)
	page := portal.URL + "/catalog/default/component/booking-service"
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if err := chromedp.Do(ctx, chromedp.Navigate(page)); err != nil {
			t.Fatal(err)
		}
		if h, err := textNow(ctx, `main`); err == nil && strings.Contains(h, "About") {
			if strings.Contains(h, "Links") {
				t.Fatal("the links card is still shown")
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("entity page never rendered: %s", page)
		}
	}
}
