package ui_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

// TestCatalogIndexCursorBoundToItsQuery: a cursor made for one view (the APIs) put into the
// link of another (the components), as an edited or crafted link does, does not list the
// first view's entities under the second's filters and count: the page shows the first page
// of the view its filters describe.
func TestCatalogIndexCursorBoundToItsQuery(t *testing.T) {
	base := startCatalog(t, nil)
	next := func(body string) string {
		i := strings.Index(body, `rel="next"`)
		if i < 0 {
			t.Fatalf("no next page link in\n%s", body)
		}
		href := body[strings.LastIndex(body[:i], `href="`)+6:]
		href = strings.ReplaceAll(href[:strings.Index(href, `"`)], "&amp;", "&")
		u, err := url.Parse(href)
		if err != nil {
			t.Fatal(err)
		}
		return u.Query().Get("cursor")
	}
	_, apis := get(t, base+"/catalog?filters[kind]=api&limit=1")
	apiCursor := next(apis)

	// The cursor in its own view pages on through the APIs.
	_, own := get(t, base+"/catalog?filters[kind]=api&limit=1&cursor="+url.QueryEscape(apiCursor))
	if got := rows(own); len(got) != 1 || !strings.HasSuffix(got[0], "-api") {
		t.Fatalf("the APIs' second page lists %v", got)
	}

	components := []string{"ledger-service", "ledger-worker", "Payments Service"}
	resp, body := get(t, base+"/catalog?filters[kind]=component&limit=2&cursor="+url.QueryEscape(apiCursor))
	got := rows(body)
	if resp.StatusCode != 200 || len(got) != 2 {
		t.Fatalf("status %d, rows %v", resp.StatusCode, got)
	}
	for _, name := range got {
		if !slices.Contains(components, name) {
			t.Errorf("the components view lists %q (rows %v): the API cursor was followed", name, got)
		}
	}
	if strings.Contains(body, `rel="prev"`) {
		t.Error("the components view shows a previous page: the API cursor was followed")
	}
	if !strings.Contains(body, `<p class="result-count" role="status">3 `) {
		t.Errorf("the count is not the components' 3:\n%s", body[strings.Index(body, "result-count")-30:][:200])
	}
}
