package ui_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/app"
	"github.com/portico-dev/portico/plugins/catalog"
	"github.com/portico-dev/portico/web"
)

// testCatalog is a small company: two teams, a user, a domain, a system, three components,
// two APIs and a resource.
const testCatalog = `apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a, description: Payments team}
spec: {type: team, children: [team-b], profile: {displayName: Team A, email: team-a@example.com}}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-b}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: alice}
spec: {profile: {displayName: Alice Liddell, email: alice@example.com}, memberOf: [team-a]}
---
apiVersion: backstage.io/v1alpha1
kind: Domain
metadata: {name: commerce}
spec: {owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: payments, title: Payments Platform}
spec: {owner: team-a, domain: commerce}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-service
  title: Payments Service
  description: Takes the money
  tags: [go, money]
  labels: {tier: critical}
  links: [{url: "https://runbooks.example/payments", title: Runbook}]
  annotations:
    backstage.io/view-url: https://git.example/payments
    backstage.io/edit-url: https://git.example/payments/edit
spec:
  type: service
  lifecycle: production
  owner: team-a
  system: payments
  providesApis: [payments-api]
  consumesApis: [ledger-api]
  dependsOn: [resource:payments-db, component:ledger-service]
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: ledger-service, description: Keeps the books}
spec: {type: library, lifecycle: experimental, owner: team-b, providesApis: [ledger-api]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: ledger-worker}
spec: {type: service, lifecycle: experimental, owner: team-b, subcomponentOf: ledger-service}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: payments-api}
spec:
  type: openapi
  lifecycle: production
  owner: team-a
  system: payments
  definition: |
    openapi: 3.0.0
    info: {title: "Payments <API>"}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: ledger-api}
spec: {type: grpc, lifecycle: experimental, owner: team-b, definition: "service Ledger {}"}
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: payments-db}
spec: {type: database, owner: team-a, system: payments}
`

func startCatalog(t *testing.T, extensions []any) string {
	t.Helper()
	cfg, _ := frameworktest.CatalogConfig(t, testCatalog, "Component", "API", "Resource", "System", "Domain", "Group", "User", "Location")
	if extensions != nil {
		cfg["app"] = map[string]any{"extensions": extensions}
	}
	b := frameworktest.Start(t, cfg, web.RegistryFactory(), app.Plugin(), catalog.Plugin())
	// Ingestion and stitching run in the background: wait until relations in both
	// directions are visible on the pages.
	waitFor(t, b.URL+"/catalog/default/api/payments-api", "Payments Service")
	waitFor(t, b.URL+"/catalog/default/component/ledger-service", "ledger-worker")
	waitFor(t, b.URL+"/catalog/default/group/team-a", "Alice Liddell")
	waitFor(t, b.URL+"/catalog/default/resource/payments-db", "Payments Service")
	return b.URL
}

func waitFor(t *testing.T, url, want string) {
	t.Helper()
	frameworktest.WaitForPage(t, nil, url, want)
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return frameworktest.Send(t, nil, req)
}

// rows returns the entity names linked from the catalog table, in order.
func rows(body string) []string {
	start := strings.Index(body, "<tbody>")
	end := strings.Index(body, "</tbody>")
	if start < 0 || end < start {
		return nil
	}
	var names []string
	for _, tr := range strings.Split(body[start:end], "<tr>")[1:] {
		_, rest, _ := strings.Cut(tr, "<td><a href=")
		_, rest, _ = strings.Cut(rest, ">")
		name, _, _ := strings.Cut(rest, "</a>")
		names = append(names, name)
	}
	return names
}

func TestCatalogIndex(t *testing.T) {
	base := startCatalog(t, nil)
	cases := []struct {
		name, query string
		want        []string
		contains    []string
	}{
		{"components by default", "", []string{"ledger-service", "ledger-worker", "Payments Service"},
			[]string{`<option value="component" selected>Component (3)</option>`, `aria-current="page"`, `name="filters[owners]"`}},
		{"kind from the URL", "?filters[kind]=api", []string{"ledger-api", "payments-api"}, []string{`<option value="api" selected>API (2)</option>`}},
		{"kind and owner", "?filters[kind]=component&filters[owners]=team-b", []string{"ledger-service", "ledger-worker"},
			[]string{`Owner: team-b`, `<option value="group:default/team-b" selected>team-b (2)</option>`}},
		{"owner as a full ref, all kinds", "?filters[kind]=all&filters[owners]=group:default/team-a", []string{"payments-api", "Payments Service", "commerce", "payments-db", "Payments Platform"}, nil},
		{"lifecycle and type", "?filters[lifecycles]=experimental&filters[type]=service", []string{"ledger-worker"}, nil},
		{"tag", "?filters[tags]=money", []string{"Payments Service"}, []string{`Tag: money`}},
		{"text from the header search looks through every kind", "?q=ledger", []string{"ledger-api", "ledger-service", "ledger-worker"}, []string{`value="ledger"`}},
		{"text within a kind", "?q=ledger&filters[kind]=api", []string{"ledger-api"}, nil},
		{"sorted by name descending", "?sort=name&dir=desc", nil, []string{`aria-sort="descending"`}},
		{"nothing matches", "?filters[tags]=nope", nil, []string{"No matching"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := get(t, base+"/catalog"+c.query)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if got := rows(body); c.want != nil && strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("rows: got %v, want %v", got, c.want)
			}
			for _, w := range c.contains {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
		})
	}

	t.Run("sorting orders the rows", func(t *testing.T) {
		_, body := get(t, base+"/catalog?sort=name&dir=desc")
		if got := rows(body); strings.Join(got, ",") != "Payments Service,ledger-worker,ledger-service" {
			t.Errorf("rows: %v", got)
		}
	})

	t.Run("cursor pagination", func(t *testing.T) {
		var seen []string
		url := base + "/catalog?filters[kind]=all&limit=4"
		for page := 0; url != ""; page++ {
			if page > 5 {
				t.Fatal("too many pages")
			}
			_, body := get(t, url)
			got := rows(body)
			if len(got) > 4 {
				t.Fatalf("page %d has %d rows", page, len(got))
			}
			seen = append(seen, got...)
			url = ""
			if i := strings.Index(body, `rel="next"`); i >= 0 {
				href := body[strings.LastIndex(body[:i], `href="`)+6:]
				href = href[:strings.Index(href, `"`)]
				url = base + strings.ReplaceAll(href, "&amp;", "&")
			}
		}
		// 11 entities from the file plus the Location entity of the configured location.
		if len(seen) != 12 {
			t.Errorf("walked %d entities over the pages: %v", len(seen), seen)
		}
	})

	t.Run("below the index is not found", func(t *testing.T) {
		resp, _ := get(t, base+"/catalog/nope")
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
}

func TestEntityPage(t *testing.T) {
	base := startCatalog(t, nil)
	cases := []struct {
		name, path string
		want       []string
		absent     []string
	}{
		{"component", "/catalog/default/component/payments-service", []string{
			"<h1 id=\"entity-h\">Payments Service</h1>",
			`href="/catalog/default/group/team-a">team-a</a>`,
			`href="https://git.example/payments"`, `>View source</a>`, `href="https://git.example/payments/edit"`,
			`data-extension="entity-card:catalog/about"`, `data-extension="entity-card:catalog/links"`, `href="https://runbooks.example/payments"`,
			`data-extension="entity-card:catalog/labels"`, `critical`,
			`data-extension="entity-card:catalog/provided-apis"`, `href="/catalog/default/api/payments-api"`,
			`data-extension="entity-card:catalog/consumed-apis"`, `href="/catalog/default/api/ledger-api"`,
			`data-extension="entity-card:catalog/depends-on-components"`, `data-extension="entity-card:catalog/depends-on-resources"`,
			`href="/catalog/default/resource/payments-db"`, `data-extension="entity-card:catalog/relations"`,
			`href="/catalog/default/system/payments"`, `Payments Platform`,
		}, []string{`entity-card:catalog/api-definition`, `entity-card:catalog/members`}},
		{"component with subcomponents", "/catalog/default/component/ledger-service", []string{
			`data-extension="entity-card:catalog/has-subcomponents"`, `href="/catalog/default/component/ledger-worker"`,
			`data-extension="entity-card:catalog/dependents"`,
		}, []string{`entity-card:catalog/links"`}},
		{"api", "/catalog/default/api/payments-api", []string{
			`data-extension="entity-card:catalog/api-providers"`, `data-extension="entity-card:catalog/api-consumers"`,
			`<pre class="definition"`, `info: {title: &#34;Payments &lt;API&gt;&#34;}`,
		}, []string{`entity-card:catalog/provided-apis`}},
		{"api consumers", "/catalog/default/api/ledger-api", []string{`href="/catalog/default/component/payments-service"`, "service Ledger {}"}, nil},
		{"system", "/catalog/default/system/payments", []string{
			`data-extension="entity-card:catalog/has-components"`, `data-extension="entity-card:catalog/has-apis"`,
			`data-extension="entity-card:catalog/has-resources"`, `href="/catalog/default/domain/commerce"`,
		}, nil},
		{"domain", "/catalog/default/domain/commerce", []string{`data-extension="entity-card:catalog/has-systems"`, `Payments Platform`}, nil},
		{"group", "/catalog/default/group/team-a", []string{
			`data-extension="entity-card:catalog/group-profile"`, `href="/catalog/default/group/team-b"`, `mailto:team-a@example.com`,
			`data-extension="entity-card:catalog/members"`, `href="/catalog/default/user/alice"`,
			`data-extension="entity-card:catalog/ownership"`, `filters%5Bowners%5D=group%3Adefault%2Fteam-a`,
		}, nil},
		{"child group names its parent", "/catalog/default/group/team-b", []string{`Parent group`, `href="/catalog/default/group/team-a"`}, nil},
		{"user", "/catalog/default/user/alice", []string{`data-extension="entity-card:catalog/user-profile"`, `Member of`, `href="/catalog/default/group/team-a"`, `data-extension="entity-card:catalog/ownership"`}, nil},
		{"resource", "/catalog/default/resource/payments-db", []string{`data-extension="entity-card:catalog/dependents"`, `href="/catalog/default/component/payments-service"`}, nil},
		{"kind and namespace match case-insensitively", "/catalog/Default/Component/payments-service", []string{"Payments Service"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := get(t, base+c.path)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			for _, w := range c.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, a := range c.absent {
				if strings.Contains(body, a) {
					t.Errorf("page has %q", a)
				}
			}
		})
	}

	t.Run("location", func(t *testing.T) {
		_, body := get(t, base+"/catalog?filters[kind]=location")
		names := rows(body)
		if len(names) != 1 {
			t.Fatalf("locations: %v", names)
		}
		i := strings.Index(body, "<tbody>")
		href := body[i+strings.Index(body[i:], `href="`)+6:]
		href = href[:strings.Index(href, `"`)]
		resp, page := get(t, base+href)
		if resp.StatusCode != 200 || !strings.Contains(page, `data-extension="entity-card:catalog/location-targets"`) || !strings.Contains(page, "catalog.yaml") {
			t.Errorf("location page %s: %d", href, resp.StatusCode)
		}
	})

	for _, path := range []string{"/catalog/default/component/nope", "/catalog/default/component/payments-service/no-such-tab"} {
		t.Run("not found "+path, func(t *testing.T) {
			resp, body := get(t, base+path)
			if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "Page not found") {
				t.Errorf("status %d", resp.StatusCode)
			}
		})
	}
}

func TestAppExtensionsShapeTheOverview(t *testing.T) {
	base := startCatalog(t, []any{
		map[string]any{"entity-card:catalog/links": false},
		map[string]any{"entity-card:catalog/relations": true},
		map[string]any{"entity-card:catalog/about": true},
	})
	_, body := get(t, base+"/catalog/default/component/payments-service")
	if strings.Contains(body, `data-extension="entity-card:catalog/links"`) {
		t.Errorf("disabled links card still shown")
	}
	rel := strings.Index(body, `data-extension="entity-card:catalog/relations"`)
	labels := strings.Index(body, `data-extension="entity-card:catalog/provided-apis"`)
	if rel < 0 || labels < 0 || rel > labels {
		t.Errorf("relations card should come first among content cards: relations at %d, provided-apis at %d", rel, labels)
	}
}
