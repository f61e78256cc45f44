package ui_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework/frameworktest"
)

// TestExplorerCursors: a malformed cursor is the visitor's bad input (400, said on the page),
// not a catalog failure (502); a cursor made for another query (the components) is refused
// rather than listing components on the APIs page. The catalog API checks a cursor against the
// query sent beside it, and still reads a cursor alone as Backstage does.
func TestExplorerCursors(t *testing.T) {
	portal := startPortal(t)
	c := portal.Client()
	frameworktest.WaitForPage(t, c, portal.URL+"/api-docs", "Bookings API", "petstore")

	byQuery := func(q url.Values) (int, map[string]any) {
		t.Helper()
		resp, err := c.Get(portal.URL + "/api/catalog/entities/by-query?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, out
	}
	apiQuery := url.Values{"filter": {"kind=api"}, "orderField": {"metadata.name,asc"}, "limit": {"1"}}
	status, first := byQuery(apiQuery)
	apiCursor, _ := first["pageInfo"].(map[string]any)["nextCursor"].(string)
	if status != http.StatusOK || apiCursor == "" {
		t.Fatalf("first page of APIs: %d %v", status, first)
	}
	_, comps := byQuery(url.Values{"filter": {"kind=component"}, "limit": {"1"}})
	componentCursor, _ := comps["pageInfo"].(map[string]any)["nextCursor"].(string)
	if componentCursor == "" {
		t.Fatalf("first page of components: %v", comps)
	}

	api := []struct {
		name   string
		params url.Values
		status int
	}{
		{"cursor alone, as Backstage's client sends it", url.Values{"cursor": {componentCursor}}, http.StatusOK},
		{"cursor with its own query", url.Values{"cursor": {apiCursor}, "filter": apiQuery["filter"], "orderField": apiQuery["orderField"]}, http.StatusOK},
		{"cursor with another filter", url.Values{"cursor": {componentCursor}, "filter": {"kind=api"}}, http.StatusBadRequest},
		{"cursor with another order", url.Values{"cursor": {apiCursor}, "filter": apiQuery["filter"], "orderField": {"metadata.name,desc"}}, http.StatusBadRequest},
		{"cursor with a text search added", url.Values{"cursor": {apiCursor}, "filter": apiQuery["filter"], "orderField": apiQuery["orderField"], "fullTextFilterTerm": {"book"}}, http.StatusBadRequest},
	}
	for _, tt := range api {
		t.Run("api "+tt.name, func(t *testing.T) {
			status, body := byQuery(tt.params)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %v", status, tt.status, body)
			}
			if status == http.StatusBadRequest {
				if e, _ := body["error"].(map[string]any); e["name"] != "InputError" {
					t.Errorf("error body %v", body)
				}
			}
		})
	}

	pages := []struct {
		name, cursor string
		want         []string
	}{
		{"malformed cursor", "bad", []string{"Malformed cursor"}},
		{"cursor of the components", componentCursor, []string{"Malformed cursor: it was made for another query"}},
	}
	for _, tt := range pages {
		t.Run("page "+tt.name, func(t *testing.T) {
			status, body := frameworktest.Fetch(t, c, portal.URL+"/api-docs?cursor="+url.QueryEscape(tt.cursor))
			if status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400\n%.2000s", status, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			if strings.Contains(body, "could not be read") || strings.Contains(body, "/catalog/default/component/") {
				t.Errorf("page reports a catalog failure or lists components:\n%.3000s", body)
			}
		})
	}
}
