package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/portico-dev/portico/examples/hello-plugin/hello"
	"github.com/portico-dev/portico/framework/auth"
	"github.com/portico-dev/portico/internal/browsertest"
)

// TestGreetingCardInChromium opens the component page in headless Chromium on a desktop and a
// phone viewport: the greeting card is shown and the page does not scroll sideways.
// PORTICO_SCREENSHOTS=1 saves the screenshots to docs/screenshots.
func TestGreetingCardInChromium(t *testing.T) {
	ctx := browsertest.New(t)
	b := startHello(t)
	waitEntity(t, b.Client(), b.URL+"/api/catalog/entities/by-name/component/default/ada-service")
	if err := browsertest.SetIdentity(ctx, b.URL, auth.CookieName, b.Token); err != nil {
		t.Fatal(err)
	}
	shots := t.TempDir()
	if os.Getenv("PORTICO_SCREENSHOTS") != "" {
		shots, _ = filepath.Abs("../../docs/screenshots")
	}
	card := `[data-extension="` + hello.CardID + `"]`
	for _, vp := range []struct {
		name          string
		width, height int64
	}{
		{"hello-card", 1280, 900},
		{"hello-card-phone", 390, 844},
	} {
		t.Run(vp.name, func(t *testing.T) {
			err := chromedp.Do(ctx,
				chromedp.EmulateViewport(vp.width, vp.height),
				chromedp.Navigate(b.URL+"/catalog/default/component/ada-service"),
				chromedp.WaitVisible(card),
			)
			if err != nil {
				t.Fatal(err)
			}
			text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('`+card+`').innerText`))
			if err != nil {
				t.Fatal(err)
			}
			if want := "Hello, Ada Service!"; !strings.Contains(text, want) {
				t.Errorf("card text %q lacks %q", text, want)
			}
			// The card fits the viewport, nothing in it is cut off, and the page does not
			// scroll sideways.
			cardWidth, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector('`+card+`').getBoundingClientRect().width`))
			if err != nil {
				t.Fatal(err)
			}
			clipped, err := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll('`+card+` *')].filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).display !== 'inline').length`))
			if err != nil {
				t.Fatal(err)
			}
			if cardWidth > float64(vp.width) || clipped > 0 {
				t.Errorf("at %dpx the card is %.0fpx wide, %d of its elements overflow", vp.width, cardWidth, clipped)
			}
			overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > document.documentElement.clientWidth`))
			if err != nil {
				t.Fatal(err)
			}
			if overflow {
				t.Errorf("the component page scrolls sideways at %dpx", vp.width)
			}
			browsertest.Screenshot(ctx, t, shots, vp.name)
		})
	}
}
