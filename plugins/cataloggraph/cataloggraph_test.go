package cataloggraph_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/app"
	"github.com/portico-dev/portico/plugins/catalog"
	"github.com/portico-dev/portico/plugins/cataloggraph"
	"github.com/portico-dev/portico/web"
)

// testCatalog is a small company: payments-service is owned by team-a, whose member is alice
// (two hops away), and provides payments-api.
const testCatalog = `apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a, title: Team A}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: alice}
spec: {profile: {displayName: Alice}, memberOf: [team-a]}
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: payments}
spec: {owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: payments-service, title: Payments Service}
spec: {type: service, lifecycle: production, owner: team-a, system: payments, providesApis: [payments-api], dependsOn: [resource:payments-db]}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: payments-api}
spec: {type: openapi, lifecycle: production, owner: team-a, definition: "openapi: 3.0.0"}
`

func startPortal(t *testing.T, graphPath string, extensions []any) *frameworktest.Backend {
	t.Helper()
	return startPortalOn(t, nil, graphPath, extensions)
}

// startPortalOn runs the portal on a database config (nil: the test default, SQLite).
func startPortalOn(t *testing.T, db map[string]any, graphPath string, extensions []any) *frameworktest.Backend {
	t.Helper()
	cfg, _ := frameworktest.CatalogConfig(t, testCatalog, "Component", "API", "Resource", "System", "Domain", "Group", "User", "Location")
	if db != nil {
		cfg["backend"].(map[string]any)["database"] = db
	}
	if extensions != nil {
		cfg["app"] = map[string]any{"extensions": extensions}
	}
	b := frameworktest.Start(t, cfg, web.RegistryFactory(), app.Plugin(), catalog.Plugin(), cataloggraph.Plugin())
	// Ingestion and stitching run in the background: wait for the two-hop relation.
	waitFor(t, b.URL+graphPath+"?rootEntityRefs[]=component:default/payments-service&maxDepth=2", "user:default/alice")
	return b
}

// get fetches a page as a browser would: no bearer token.
func get(t *testing.T, u string) (int, string) {
	t.Helper()
	return frameworktest.Fetch(t, nil, u)
}

func waitFor(t *testing.T, u string, want ...string) {
	t.Helper()
	frameworktest.WaitForPage(t, nil, u, want...)
}

// TestCatalogGraphPages runs the pages on each database the catalog supports (PostgreSQL
// when PORTICO_TEST_POSTGRES_URL is set).
func TestCatalogGraphPages(t *testing.T) {
	databasetest.ForEachBackend(t, func(t *testing.T, opts database.Options) {
		db := frameworktest.DatabaseConfig(opts)
		testPages(t, startPortalOn(t, db, "/catalog-graph", nil))
	})
}

func testPages(t *testing.T, b *frameworktest.Backend) {
	q := func(v url.Values) string { return b.URL + "/catalog-graph?" + v.Encode() }
	root := url.Values{"rootEntityRefs[]": {"component:default/payments-service"}}
	with := func(kv ...string) url.Values {
		v := url.Values{}
		for k, vs := range root {
			v[k] = vs
		}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Add(kv[i], kv[i+1])
		}
		return v
	}
	tests := []struct {
		name      string
		url       string
		status    int
		want, not []string
	}{
		{"entity card", b.URL + "/catalog/default/component/payments-service", 200,
			[]string{`<svg xmlns="http://www.w3.org/2000/svg" class="cg-svg"`, `role="img"`, `<title id="cg-card-title">Relations of Payments Service</title>`,
				`<a href="/catalog/default/group/team-a" class="cg-node cg-kind-group"`, `cg-node cg-kind-component cg-root`,
				`<tspan>ownerOf</tspan>`, `Relations as a list`, `View graph`, `action="/catalog-graph"`,
				`name="rootEntityRefs[]" value="component:default/payments-service"`},
			[]string{`user:default/alice`, `showFilters=false`}},
		{"page depth 1", q(with("maxDepth", "1")), 200,
			[]string{`data-ref="group:default/team-a"`, `data-ref="api:default/payments-api"`, `<h1>Catalog Graph`},
			[]string{`data-ref="user:default/alice"`}},
		{"page depth 2 reaches two hops", q(with("maxDepth", "2")), 200,
			[]string{`data-ref="user:default/alice"`, `<a href="/catalog/default/user/alice"`, `hasMember`}, nil},
		{"unlimited depth", q(with("maxDepth", "∞")), 200,
			[]string{`data-ref="user:default/alice"`, `<option value="∞" selected>`}, nil},
		{"relation filter", q(with("maxDepth", "2", "selectedRelations[]", "providesApi")), 200,
			[]string{`data-ref="api:default/payments-api"`, `providesApi`},
			[]string{`data-ref="group:default/team-a"`}},
		{"kind filter", q(with("maxDepth", "2", "selectedKinds[]", "group", "selectedKinds[]", "user")), 200,
			[]string{`data-ref="group:default/team-a"`, `data-ref="user:default/alice"`},
			[]string{`data-ref="api:default/payments-api"`, `data-ref="system:default/payments"`}},
		{"kinds alias", q(with("kinds[]", "api")), 200,
			[]string{`data-ref="api:default/payments-api"`}, []string{`data-ref="group:default/team-a"`}},
		{"not merged shows both directions", q(with("mergeRelations", "false", "unidirectional", "false")), 200,
			[]string{`<tspan>ownedBy</tspan>`, `<tspan>ownerOf</tspan>`}, nil},
		{"direction top-bottom", q(with("direction", "TB")), 200,
			[]string{`<option value="TB" selected>`}, nil},
		{"fits by default", q(with()), 200,
			[]string{`width="100%"`, `>Actual size</a>`}, nil},
		{"actual size", q(with("zoom", "actual")), 200,
			[]string{`>Fit to width</a>`, `<input type="hidden" name="zoom" value="actual">`}, []string{`width="100%"`}},
		{"no roots teaches", b.URL + "/catalog-graph", 200,
			[]string{`Pick one or more root entities`}, []string{`<svg`}},
		{"missing root", q(url.Values{"rootEntityRefs[]": {"component:default/nope"}}), 200,
			[]string{`The catalog has no entity component:default/nope.`}, []string{`<svg`}},
		{"bad parameters", q(with("maxDepth", "zero", "direction", "sideways", "unidirectional", "maybe")), 200,
			[]string{`Max depth &#34;zero&#34; must be`, `Direction &#34;sideways&#34; must be`, `unidirectional must be true or false`, `data-ref="group:default/team-a"`}, nil},
		{"bad root", q(url.Values{"rootEntityRefs[]": {"payments-service"}}), 200,
			[]string{`is not an entity reference`}, []string{`<svg`}},
		{"hidden filters", q(with("showFilters", "false")), 200,
			[]string{`Show filters`}, []string{`<form class="cg-filters"`}},
		{"escaping", q(url.Values{"rootEntityRefs[]": {`component:default/<script>`}}), 200,
			[]string{`&lt;script&gt;`}, []string{`<script>`}},
		{"unknown subpath", b.URL + "/catalog-graph/nope", 404, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := get(t, tt.url)
			if status != tt.status {
				t.Fatalf("GET %s: status %d, want %d\n%.2000s", tt.url, status, tt.status, body)
			}
			frameworktest.CheckBody(t, "GET "+tt.url, body, tt.want, tt.not)
		})
	}
	t.Run("pan and zoom script", func(t *testing.T) {
		_, page := get(t, q(root))
		i := strings.Index(page, `<script src="/catalog-graph/graph.js?v=`)
		if i < 0 {
			t.Fatal("the page does not load graph.js")
		}
		src := page[i+len(`<script src="`):]
		src = src[:strings.Index(src, `"`)]
		resp, err := http.Get(b.URL + strings.ReplaceAll(src, "&amp;", "&"))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") ||
			!strings.Contains(resp.Header.Get("Cache-Control"), "immutable") || !strings.Contains(string(body), "viewBox") {
			t.Fatalf("GET %s: %d %q %q", src, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"))
		}
		if _, card := get(t, b.URL+"/catalog/default/component/payments-service"); !strings.Contains(card, src) {
			t.Error("the card does not load graph.js")
		}
	})
	t.Run("post refused", func(t *testing.T) {
		resp, err := http.Post(b.URL+"/catalog-graph", "text/plain", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Fatalf("POST: status %d, want 405", resp.StatusCode)
		}
	})
}

func TestCatalogGraphConfig(t *testing.T) {
	b := startPortal(t, "/graph", []any{
		map[string]any{"entity-card:catalog-graph/relations": map[string]any{"config": map[string]any{
			"title": "Neighbourhood", "maxDepth": 2, "relations": []any{"ownedBy", "hasMember"},
		}}},
		map[string]any{"nav-item:catalog-graph": true},
		map[string]any{"page:catalog-graph": map[string]any{"config": map[string]any{"path": "/graph"}}},
	})
	waitFor(t, b.URL+"/catalog/default/component/payments-service",
		"Neighbourhood", `data-ref="user:default/alice"`, `href="/graph?`, `action="/graph"`, `Catalog Graph</`)
	status, body := get(t, b.URL+"/catalog/default/component/payments-service")
	if status != 200 || strings.Contains(body, `data-ref="api:default/payments-api"`) {
		t.Errorf("card with relations [ownedBy hasMember] shows the API (status %d)", status)
	}

	off := startPortal(t, "/catalog-graph", []any{map[string]any{"entity-card:catalog-graph/relations": false}})
	if _, body := get(t, off.URL+"/catalog/default/component/payments-service"); strings.Contains(body, "cg-svg") {
		t.Error("disabled card still rendered")
	}
	if status, _ := get(t, off.URL+"/catalog-graph?rootEntityRefs[]=component:default/payments-service"); status != 200 {
		t.Errorf("page with the card disabled: status %d", status)
	}
}
