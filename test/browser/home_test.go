package browser

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/internal/browsertest"
)

// TestCreateAppHome opens /home of a portal configured as @backstage/create-app configures its
// home page (toolkit, world clocks, defaultConfig layout), with visit tracking switched on:
// the five tools, the four clocks ticking in the browser, the starred entity and the visit,
// placed on the 12-column grid at 1280 px and stacked without sideways scrolling at 390 px.
func TestCreateAppHome(t *testing.T) {
	ctx := browsertest.New(t)
	cfg, err := config.Load(t.Context(), config.LoadOptions{Paths: []string{"../../plugins/app/testdata/create-app-home.yaml"}})
	if err != nil {
		t.Fatal(err)
	}
	appCfg, _ := cfg.Get("app")
	app := appCfg.(map[string]any)
	app["extensions"] = append(app["extensions"].([]any),
		map[string]any{"api:home/visits": true}, map[string]any{"app-root-element:home/visit-listener": true})
	portal := startPortalWith(t, app)
	if err := browsertest.SignInAsGuest(ctx, portal.URL, "/catalog"); err != nil {
		t.Fatal(err)
	}

	// Open an entity (once the examples are ingested) and star it.
	entity := portal.URL + "/catalog/default/component/booking-service"
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if err := chromedp.Do(ctx, chromedp.Navigate(entity)); err != nil {
			t.Fatal(err)
		}
		if ok, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("button.star") !== null`)); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("booking-service never shown")
		}
	}
	if err := chromedp.Do(ctx, chromedp.Click(`button.star`), chromedp.WaitVisible(`button.star[aria-pressed=true]`)); err != nil {
		t.Fatal(err)
	}

	shots := screenshotDir(t)
	for _, vp := range []struct {
		name          string
		width, height int64
	}{{"home-desktop", 1280, 900}, {"home-phone", 390, 844}} {
		t.Run(vp.name, func(t *testing.T) {
			// The visit is recorded in the background: reload until it is listed.
			for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(200 * time.Millisecond) {
				err := chromedp.Do(ctx, chromedp.EmulateViewport(vp.width, vp.height), chromedp.Navigate(portal.URL+"/home"), chromedp.WaitVisible(`.world-clock`))
				if err != nil {
					t.Fatal(err)
				}
				if ok, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.querySelector('[data-component=HomePageRecentlyVisited] a[href="/catalog/default/component/booking-service"]')`)); ok {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("the visit to booking-service is not listed on /home")
				}
			}
			tools, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('.toolkit a')].map(a => a.textContent.trim() + " " + a.getAttribute("href"))`))
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"Docs https://backstage.io/docs", "GitHub https://github.com/backstage/backstage",
				"Contributing https://github.com/backstage/backstage/blob/master/CONTRIBUTING.md",
				"Plugins Directory https://backstage.io/plugins", "Submit New Issue https://github.com/backstage/backstage/issues/new/choose"}
			if strings.Join(tools, "\n") != strings.Join(want, "\n") {
				t.Errorf("toolkit links:\n%s", strings.Join(tools, "\n"))
			}
			// The clocks: the labels, each with a time the page script wrote in the browser's
			// language (hour and minute).
			clocks, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('.world-clock .clock')].map(li => li.querySelector('.clock-label').textContent + "=" + li.querySelector('time').textContent)`))
			if err != nil {
				t.Fatal(err)
			}
			if len(clocks) != 4 {
				t.Fatalf("clocks: %q", clocks)
			}
			for i, label := range []string{"NYC", "UTC", "STO", "TYO"} {
				if !regexp.MustCompile(`^` + label + `=\d{1,2}:\d\d`).MatchString(clocks[i]) {
					t.Errorf("clock %d = %q, want %s and a time", i, clocks[i], label)
				}
			}
			starred, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.querySelector('[data-component=HomePageStarredEntities] a[href="/catalog/default/component/booking-service"]')`))
			if err != nil || !starred {
				t.Errorf("the starred entity is not listed (%v)", err)
			}
			// Where the widgets are: [left, top, width] of each, by component.
			boxes, err := chromedp.Run(ctx, chromedp.Evaluate[map[string][]float64](`Object.fromEntries([...document.querySelectorAll('.home-widget')].map(w => { const r = w.getBoundingClientRect(); return [w.dataset.component, [r.left, r.top, r.width]]; }))`))
			if err != nil {
				t.Fatal(err)
			}
			search, starredBox, toolkit, clock := boxes["HomePageSearchBar"], boxes["HomePageStarredEntities"], boxes["HomePageToolkit"], boxes["HomePageWorldClock"]
			if search == nil || starredBox == nil || toolkit == nil || clock == nil {
				t.Fatalf("widgets missing: %v", boxes)
			}
			desc := fmt.Sprint(boxes)
			if vp.width >= 1000 {
				// Columns 4-7 and 8-11 of 12: the starred list and the clock side by side
				// under the full-width search bar, the toolkit under the starred list.
				if !(starredBox[0] > search[0]+search[2]/4 && clock[0] > starredBox[0]+starredBox[2] && abs(clock[1]-starredBox[1]) < 2 && toolkit[1] > starredBox[1] && abs(toolkit[0]-starredBox[0]) < 2) {
					t.Errorf("desktop layout: %s", desc)
				}
			} else {
				// Stacked in row order, each as wide as the page.
				if !(starredBox[1] > search[1] && clock[1] > starredBox[1] && toolkit[1] > clock[1] && abs(toolkit[2]-search[2]) < 2 && abs(toolkit[0]-search[0]) < 2) {
					t.Errorf("phone layout: %s", desc)
				}
			}
			overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > document.documentElement.clientWidth`))
			if err != nil || overflow {
				t.Errorf("/home scrolls sideways at %dpx (%v)", vp.width, err)
			}
			browsertest.Screenshot(ctx, t, shots, vp.name)
		})
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}
