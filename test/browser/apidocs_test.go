package browser

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/portico-dev/portico/internal/browsertest"
)

func TestAPIDefinition(t *testing.T) {
	ctx, portal := openPortal(t)
	shots := screenshotDir(t)

	// The explorer lists the example APIs once ingested.
	if err := chromedp.Do(ctx, chromedp.Navigate(portal.URL+"/api-docs")); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		got, err := textNow(ctx, "main")
		if err == nil && strings.Contains(got, "Bookings API") {
			break
		}
		if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
			t.Fatal(err)
		}
	}
	waitText(ctx, t, ".apidocs-table", "Bookings API")
	browsertest.Screenshot(ctx, t, shots, "api-explorer")

	// The entity page has a Definition tab; the tab renders the operations.
	err := chromedp.Do(ctx,
		chromedp.Navigate(portal.URL+"/catalog/default/api/bookings-api"),
		chromedp.WaitVisible(`.entity-tabs`),
		chromedp.Click(`//nav[contains(@class,"entity-tabs")]//a[normalize-space()="Definition"]`),
		chromedp.WaitVisible(`.apidocs-operation`),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(ctx, t, `.apidocs-operation summary`, "/bookings")
	// Operations are collapsed without JavaScript's help; opening one shows its parameters.
	err = chromedp.Do(ctx,
		chromedp.Click(`.apidocs-operation summary`),
		chromedp.WaitVisible(`.apidocs-operation[open] .apidocs-params`),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(ctx, t, `.apidocs-operation[open] .apidocs-params`, "customerId")
	browsertest.Screenshot(ctx, t, shots, "api-definition")
}
