package ui_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/all"
)

// extraAPIs are API entities beside the example company: a Swagger 2 document, a malformed
// OpenAPI document and a type without a dedicated renderer.
const extraAPIs = `apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: petstore, description: The Swagger sample}
spec:
  type: openapi
  lifecycle: experimental
  owner: booking-team
  definition:
    $text: ./petstore.swagger.yaml
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: broken-api}
spec:
  type: openapi
  lifecycle: experimental
  owner: booking-team
  definition: "openapi: [3.0 <oops>"
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: trpc-api}
spec:
  type: trpc
  lifecycle: experimental
  owner: booking-team
  definition: "router <x>"
`

func startPortal(t *testing.T) *frameworktest.Backend {
	t.Helper()
	examples, err := filepath.Abs("../../../examples/catalog-info.yaml")
	if err != nil {
		t.Fatal(err)
	}
	swagger, err := os.ReadFile("../apidef/testdata/petstore.swagger.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := frameworktest.WriteFiles(t, map[string]string{"apis.yaml": extraAPIs, "petstore.swagger.yaml": string(swagger)})
	return frameworktest.Start(t, map[string]any{
		"app":     map[string]any{"title": "Kestrel Portal"},
		"backend": map[string]any{"reading": map[string]any{"localRoots": []any{filepath.Dir(examples), dir}}},
		"catalog": map[string]any{
			"rules": []any{map[string]any{"allow": []any{"Component", "API", "Resource", "System", "Domain", "Group", "User", "Location", "Template"}}},
			"locations": []any{
				map[string]any{"type": "file", "target": examples},
				map[string]any{"type": "file", "target": filepath.Join(dir, "apis.yaml")},
			},
		},
	}, all.Features()...)
}

func TestAPIDocsPages(t *testing.T) {
	portal := startPortal(t)
	// Every API ingested, with its owner and system relations stitched.
	frameworktest.WaitForPage(t, portal.Client(), portal.URL+"/api-docs", "trpc-api", "petstore", "broken-api", "Payments", "Bookings API", "Risk", ">booking<", "booking-team</a>")
	frameworktest.WaitForPage(t, portal.Client(), portal.URL+"/api-docs?owner=group:default/booking-team", "Bookings API", "petstore")

	explorer := []struct {
		name, query string
		want, not   []string
	}{
		{"all apis", "", []string{`<a href="/catalog/default/api/bookings-api">Bookings API</a>`, "booking-team", "openapi", "graphql", ">booking<", "Create, read, amend and cancel bookings."}, nil},
		{"by type", "?type=grpc", []string{"Payments"}, []string{"Bookings API"}},
		{"by lifecycle", "?lifecycle=experimental", []string{"petstore", "broken-api"}, []string{"Bookings API"}},
		{"by owner", "?owner=group:default/booking-team", []string{"Bookings API"}, nil},
		{"by text", "?q=bookings", []string{"Bookings API"}, []string{"petstore"}},
		{"nothing matches", "?type=soap", []string{"No matching APIs"}, []string{"<table"}},
	}
	for _, tt := range explorer {
		t.Run("explorer "+tt.name, func(t *testing.T) {
			status, body := frameworktest.Fetch(t, portal.Client(), portal.URL+"/api-docs"+tt.query)
			if status != http.StatusOK {
				t.Fatalf("status %d", status)
			}
			frameworktest.CheckBody(t, "GET /api-docs"+tt.query, body, tt.want, tt.not)
		})
	}

	tabs := []struct {
		name, path string
		want, not  []string
	}{
		{"openapi 3", "bookings-api/definition", []string{`class="http-method method-GET">GET</span> <code class="apidocs-path">/bookings</code>`, "List the bookings of a customer", "customerId", "BookingPage", "OpenAPI 3.0.3", `aria-current="page" class="active">Definition</a>`, "Raw definition"}, []string{"apidocs-problem"}},
		{"swagger 2", "petstore/definition", []string{"Swagger 2.0", "/pets/{petId}", "https://petstore.example/v1", "Rex"}, nil},
		{"asyncapi", "booking-events/definition", []string{"AsyncAPI 2.6.0", "booking-events", "booking.confirmed"}, nil},
		{"graphql", "itinerary-graphql/definition", []string{`<pre class="chroma">`, `class="kd">enum</span>`}, nil},
		{"malformed", "broken-api/definition", []string{"apidocs-problem", "could not be read", "&lt;oops&gt;", "<details class=\"card apidocs-raw\" open>"}, nil},
		{"raw only", "trpc-api/definition", []string{"router &lt;x&gt;", "<details class=\"card apidocs-raw\" open>"}, []string{"apidocs-problem"}},
	}
	for _, tt := range tabs {
		t.Run("definition "+tt.name, func(t *testing.T) {
			status, body := frameworktest.Fetch(t, portal.Client(), portal.URL+"/catalog/default/api/"+tt.path)
			if status != http.StatusOK {
				t.Fatalf("GET %s: status %d\n%.1000s", tt.path, status, body)
			}
			frameworktest.CheckBody(t, "GET "+tt.path, body, tt.want, tt.not)
		})
	}

	t.Run("highlight.css only where code is highlighted", func(t *testing.T) {
		for path, want := range map[string]bool{
			"/catalog/default/api/itinerary-graphql/definition": true,
			"/catalog/default/api/bookings-api/definition":      true,
			"/api-docs":                                  false,
			"/catalog/default/api/bookings-api":          false,
			"/catalog/default/component/booking-service": false,
			"/catalog": false,
		} {
			_, body := frameworktest.Fetch(t, portal.Client(), portal.URL+path)
			link := strings.Count(body, `<link rel="stylesheet" href="/static/api-docs/highlight.css?v=`)
			if (link == 1) != want || link > 1 {
				t.Errorf("GET %s links highlight.css %d times, want it: %v", path, link, want)
			}
			if !strings.Contains(body, "/static/api-docs/apidocs.css?v=") {
				t.Errorf("GET %s does not link apidocs.css", path)
			}
		}
	})
	t.Run("no definition tab on components", func(t *testing.T) {
		_, body := frameworktest.Fetch(t, portal.Client(), portal.URL+"/catalog/default/component/booking-service")
		if strings.Contains(body, ">Definition</a>") {
			t.Error("a component shows the Definition tab")
		}
		if status, _ := frameworktest.Fetch(t, portal.Client(), portal.URL+"/catalog/default/component/booking-service/definition"); status != http.StatusNotFound {
			t.Errorf("component definition tab: status %d, want 404", status)
		}
	})
	t.Run("nav item", func(t *testing.T) {
		_, body := frameworktest.Fetch(t, portal.Client(), portal.URL+"/")
		if !strings.Contains(body, `href="/api-docs"`) {
			t.Error("the sidebar has no link to /api-docs")
		}
	})
}
