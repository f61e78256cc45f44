package browser

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/portico-dev/portico/internal/browsertest"
)

// TestFollowRelationInGraph opens an entity page, follows a relation by clicking a node of
// the Relations graph, then explores two hops on the Catalog Graph page.
func TestFollowRelationInGraph(t *testing.T) {
	ctx, portal := openPortal(t)
	shots := screenshotDir(t)

	// The card draws the owner once the examples are ingested and stitched.
	owner := `svg.cg-svg a.cg-node[data-ref="group:default/booking-team"]`
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if err := chromedp.Do(ctx, chromedp.Navigate(portal.URL+"/catalog/default/component/booking-service")); err != nil {
			t.Fatal(err)
		}
		found, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('`+owner+`') !== null`))
		if err == nil && found {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the relations graph never showed booking-team (%v)", err)
		}
	}
	browsertest.Screenshot(ctx, t, shots, "entity-relations-graph")

	// The script adds zoom buttons; zooming changes the view, and a drag is not a click.
	viewBox := func() string {
		vb, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(".cg-card svg.cg-svg").getAttribute("viewBox")`))
		if err != nil {
			t.Fatal(err)
		}
		return vb
	}
	before := viewBox()
	if err := chromedp.Do(ctx, chromedp.Click(`.cg-card .cg-zoom button[aria-label="Zoom in"]`)); err != nil {
		t.Fatal(err)
	}
	if after := viewBox(); after == before {
		t.Fatalf("zoom in left the viewBox at %q", after)
	}
	err := chromedp.Do(ctx, chromedp.Click(`.cg-card .cg-zoom button[aria-label="Reset zoom"]`))
	if err != nil {
		t.Fatal(err)
	}
	if got := viewBox(); got != before {
		t.Fatalf("reset: viewBox %q, want %q", got, before)
	}

	// Clicking the owner's node lands on the owner's page.
	err = chromedp.Do(ctx,
		chromedp.ScrollIntoView(owner),
		chromedp.Click(owner),
		chromedp.WaitVisible(`main h1`),
	)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err == nil && strings.HasSuffix(loc, "/catalog/default/group/booking-team") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after clicking the node: at %q (%v), want the booking-team page", loc, err)
		}
	}
	waitText(ctx, t, `main h1`, "booking")

	// The page at depth 2 reaches the team's members through the owner (kinds narrowed to
	// the organisation so the drawing stays readable).
	err = chromedp.Do(ctx,
		chromedp.Navigate(portal.URL+"/catalog-graph?rootEntityRefs[]=component:default/booking-service&maxDepth=2"+
			"&selectedKinds[]=group&selectedKinds[]=user&selectedKinds[]=system&selectedKinds[]=domain"),
		chromedp.WaitVisible(`svg.cg-svg a.cg-node[data-ref="user:default/jonas.berg"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(ctx, t, `main h1`, "Catalog Graph")
	browsertest.Screenshot(ctx, t, shots, "catalog-graph")

	// Dragging from a node pans the drawing and does not open the node.
	first := `svg.cg-svg a.cg-node[data-ref="user:default/jonas.berg"]`
	if err := chromedp.Do(ctx, chromedp.ScrollIntoView(first)); err != nil {
		t.Fatal(err)
	}
	at, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => { const r = document.querySelector('`+first+` rect').getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`))
	if err != nil || len(at) != 2 {
		t.Fatalf("node position: %v %v", at, err)
	}
	pageVB := func() string {
		vb, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("svg.cg-svg").getAttribute("viewBox")`))
		if err != nil {
			t.Fatal(err)
		}
		return vb
	}
	before = pageVB()
	err = chromedp.Do(ctx,
		chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, at[0], at[1], chromedp.ButtonLeft, chromedp.ClickCount(1)),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, at[0]+40, at[1]+20, chromedp.ButtonLeft),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, at[0]+80, at[1]+40, chromedp.ButtonLeft),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, at[0]+80, at[1]+40, chromedp.ButtonLeft, chromedp.ClickCount(1)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.Contains(loc, "/catalog-graph?") {
		t.Fatalf("a drag opened %q", loc)
	}
	if after := pageVB(); after == before {
		t.Fatalf("a drag left the viewBox at %q", after)
	}

	// The filter form works without JavaScript: depth 1 drops the two-hop node.
	err = chromedp.Do(ctx,
		chromedp.SetValue(`form.cg-filters select[name=maxDepth]`, "1"),
		chromedp.Click(`form.cg-filters button[type=submit]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		gone, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('svg.cg-svg a.cg-node[data-ref="user:default/jonas.berg"]') === null && document.querySelector('svg.cg-svg .cg-root') !== null`))
		if err == nil && gone && strings.Contains(loc, "maxDepth=1") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("depth 1: at %q the two-hop node is still drawn or the root is gone (%v)", loc, err)
		}
	}
}
