package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/plugins/catalog/api"
	"github.com/portico-dev/portico/plugins/catalog/reader"
	"github.com/portico-dev/portico/plugins/catalog/reader/readertest"
)

// docURL is the resource name the OpenAPI document is compiled under.
const docURL = "file:///openapi.json"

// openAPI is the parsed plugins/catalog/api/openapi.yaml.
type openAPI struct {
	doc      map[string]any
	compiler *jsonschema.Compiler
}

func loadOpenAPI(t *testing.T) *openAPI {
	t.Helper()
	raw, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var y any
	if err := yaml.Unmarshal(raw, &y); err != nil {
		t.Fatalf("parse openapi.yaml: %v", err)
	}
	// Round-trip through JSON so the document holds JSON types only.
	j, err := json.Marshal(y)
	if err != nil {
		t.Fatalf("openapi.yaml as JSON: %v", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	m, ok := doc.(map[string]any)
	if !ok || m["openapi"] != "3.1.0" {
		t.Fatalf("openapi.yaml is not an OpenAPI 3.1 document")
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(docURL, doc); err != nil {
		t.Fatal(err)
	}
	return &openAPI{doc: m, compiler: c}
}

// operation returns the document's operation for a registered pattern such
// as "GET /entities/by-name/{kind}/{namespace}/{name}".
func (o *openAPI) operation(pattern string) (map[string]any, bool) {
	method, path, _ := strings.Cut(pattern, " ")
	paths, _ := o.doc["paths"].(map[string]any)
	item, _ := paths[path].(map[string]any)
	op, ok := item[strings.ToLower(method)].(map[string]any)
	return op, ok
}

// response returns the JSON pointer (into the document) of the response
// object for status, following one $ref, or "" when the document has none.
func (o *openAPI) response(pattern string, status int) (string, map[string]any) {
	method, path, _ := strings.Cut(pattern, " ")
	op, _ := o.operation(pattern)
	responses, _ := op["responses"].(map[string]any)
	key := strconv.Itoa(status)
	res, ok := responses[key].(map[string]any)
	if !ok {
		key = "default"
		if res, ok = responses[key].(map[string]any); !ok {
			return "", nil
		}
	}
	ptr := "/paths/" + escape(path) + "/" + strings.ToLower(method) + "/responses/" + key
	if ref, ok := res["$ref"].(string); ok {
		ptr = strings.TrimPrefix(ref, "#")
		res = o.resolve(ptr)
	}
	return ptr, res
}

func (o *openAPI) resolve(ptr string) map[string]any {
	var cur any = o.doc
	for _, part := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		m, _ := cur.(map[string]any)
		cur = m[strings.NewReplacer("~1", "/", "~0", "~").Replace(part)]
	}
	m, _ := cur.(map[string]any)
	return m
}

func escape(s string) string { return strings.NewReplacer("~", "~0", "/", "~1").Replace(s) }

// check validates one real response against the document.
func (o *openAPI) check(t *testing.T, pattern string, status int, header http.Header, body []byte) {
	t.Helper()
	if err := o.validate(pattern, status, header, body); err != nil {
		t.Errorf("%s %d: %v\n%s", pattern, status, err, body)
	}
}

// validate checks a response's status, content type and body against the
// document's response for pattern and status.
func (o *openAPI) validate(pattern string, status int, header http.Header, body []byte) error {
	ptr, res := o.response(pattern, status)
	if res == nil {
		return fmt.Errorf("status %d is not in the document", status)
	}
	content, _ := res["content"].(map[string]any)
	media, _ := content["application/json"].(map[string]any)
	if media == nil {
		if len(bytes.TrimSpace(body)) != 0 {
			return fmt.Errorf("the document has no body, got one")
		}
		return nil
	}
	if ct := header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return fmt.Errorf("content type %q", ct)
	}
	schema, err := o.compiler.Compile(docURL + "#" + ptr + "/content/application~1json/schema")
	if err != nil {
		return fmt.Errorf("compile schema: %w", err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("body is not JSON: %w", err)
	}
	if err := schema.Validate(v); err != nil {
		return fmt.Errorf("body does not match the document: %w", err)
	}
	return nil
}

// TestOpenAPIRejects makes sure the validation has teeth: bodies that break
// the document fail.
func TestOpenAPIRejects(t *testing.T) {
	doc := loadOpenAPI(t)
	jsonCT := http.Header{"Content-Type": []string{"application/json"}}
	tests := []struct {
		name, pattern string
		status        int
		header        http.Header
		body          string
	}{
		{"entity without kind", "GET /entities/by-name/{kind}/{namespace}/{name}", 200, jsonCT, `{"apiVersion":"v1","metadata":{"name":"x"}}`},
		{"query without pageInfo", "GET /entities/by-query", 200, jsonCT, `{"items":[],"totalItems":0}`},
		{"error without response", "GET /entities/by-uid/{uid}", 404, jsonCT, `{"error":{"name":"NotFoundError","message":"x"}}`},
		{"facet count as string", "GET /entity-facets", 200, jsonCT, `{"facets":{"kind":[{"value":"A","count":"1"}]}}`},
		{"body where none", "POST /refresh", 200, jsonCT, `{}`},
		{"not JSON", "GET /locations", 200, http.Header{"Content-Type": []string{"text/plain"}}, `[]`},
		{"other status is the error envelope", "GET /entities/by-query", 418, jsonCT, `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := doc.validate(tt.pattern, tt.status, tt.header, []byte(tt.body)); err == nil {
				t.Errorf("validated %s", tt.body)
			}
		})
	}
}

// recorder is a framework.HTTPRouter that remembers the patterns registered.
type recorder struct {
	mux
	patterns []string
}

func (r *recorder) Handle(pattern string, h http.Handler) {
	r.patterns = append(r.patterns, pattern)
	r.mux.Handle(pattern, h)
}

func (r *recorder) HandleFunc(pattern string, fn func(http.ResponseWriter, *http.Request)) {
	r.patterns = append(r.patterns, pattern)
	r.mux.HandleFunc(pattern, fn)
}

// TestOpenAPIContract sends real requests to every route through the real
// handlers (real Reader, real database; the engine's Writer is the test
// double) and validates each status and body against openapi.yaml. It fails
// when a registered route is missing from the document or not exercised.
func TestOpenAPIContract(t *testing.T) {
	doc := loadOpenAPI(t)
	readertest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := readertest.Seeder{DB: db}
		if _, err := s.Entities(t.Context(), fixtures...); err != nil {
			t.Fatal(err)
		}
		if err := s.Location(t.Context(), "b0000000-0000-0000-0000-000000000002", "url", "https://example.com/catalog.yaml"); err != nil {
			t.Fatal(err)
		}
		if err := s.Parent(t.Context(), "", "component:default/searcher", "component:default/artist-web"); err != nil {
			t.Fatal(err)
		}
		rec := &recorder{mux: mux{http.NewServeMux()}}
		api.Register(rec, reader.New(db), &writerDouble{}, slog.New(slog.DiscardHandler), api.Options{})
		srv := httptest.NewServer(rec)
		t.Cleanup(srv.Close)

		for _, p := range rec.patterns {
			if _, ok := doc.operation(p); !ok {
				t.Errorf("route %s is not in openapi.yaml", p)
			}
		}

		uid := entityUID(t, srv, "component", "artist-web")
		cursor := nextCursor(t, srv)
		tests := []struct {
			name, method, path, body string
			status                   int
		}{
			{"list", "GET", "/entities", "", 200},
			{"list limited", "GET", "/entities?filter=kind%3Dcomponent&order=asc%3Ametadata.name&limit=1", "", 200},
			{"list fields", "GET", "/entities?fields=kind%2Cmetadata.name", "", 200},
			{"list bad filter", "GET", "/entities?filter=%3Dx", "", 400},
			{"by-query", "GET", "/entities/by-query?filter=kind%3Dcomponent&limit=1&orderField=metadata.name%2Cdesc", "", 200},
			{"by-query cursor", "GET", "/entities/by-query?cursor=" + cursor, "", 200},
			{"by-query full text", "GET", "/entities/by-query?fullTextFilterTerm=artist&fields=metadata.name", "", 200},
			{"by-query count only", "GET", "/entities/by-query?limit=0", "", 200},
			{"by-query bad limit", "GET", "/entities/by-query?limit=-1", "", 400},
			{"by-query post", "POST", "/entities/by-query", `{"query":{"kind":"component"},"limit":1,"orderBy":[{"field":"metadata.name","order":"asc"}]}`, 200},
			{"by-query post bad", "POST", "/entities/by-query", `{"query":"x"}`, 400},
			{"by-refs", "POST", "/entities/by-refs", `{"entityRefs":["component:default/artist-web","component:default/nope"]}`, 200},
			{"by-refs fields", "POST", "/entities/by-refs?filter=kind%3Dapi", `{"entityRefs":["api:default/artist-api"],"fields":["metadata.name"]}`, 200},
			{"by-refs missing", "POST", "/entities/by-refs", `{}`, 400},
			{"by-uid", "GET", "/entities/by-uid/" + uid, "", 200},
			{"by-uid 404", "GET", "/entities/by-uid/nope", "", 404},
			{"delete by uid", "DELETE", "/entities/by-uid/nope", "", 204},
			{"by-name", "GET", "/entities/by-name/component/default/artist-web", "", 200},
			{"by-name 404", "GET", "/entities/by-name/component/default/nope", "", 404},
			{"ancestry", "GET", "/entities/by-name/component/default/artist-web/ancestry", "", 200},
			{"ancestry 404", "GET", "/entities/by-name/component/default/nope/ancestry", "", 404},
			{"facets", "GET", "/entity-facets?facet=kind&facet=spec.type&filter=metadata.namespace%3Ddefault", "", 200},
			{"facets missing", "GET", "/entity-facets", "", 400},
			{"facets post", "POST", "/entity-facets", `{"facets":["spec.lifecycle"],"query":{"kind":"component"}}`, 200},
			{"facets post missing", "POST", "/entity-facets", `{}`, 400},
			{"refresh", "POST", "/refresh", `{"entityRef":"component:default/artist-web"}`, 200},
			{"refresh missing", "POST", "/refresh", `{}`, 400},
			{"locations", "GET", "/locations", "", 200},
			{"add location", "POST", "/locations", `{"type":"url","target":"https://x"}`, 201},
			{"add location dry run", "POST", "/locations?dryRun=true", `{"type":"url","target":"https://x"}`, 201},
			{"add location bad", "POST", "/locations", `{"type":"url"}`, 400},
			{"add location conflict", "POST", "/locations", `{"type":"url","target":"https://dup"}`, 409},
			{"locations by query", "POST", "/locations/by-query", `{"limit":5,"query":{"type":"url"}}`, 200},
			{"locations by query bad", "POST", "/locations/by-query", `{"limit":0}`, 400},
			{"location", "GET", "/locations/b0000000-0000-0000-0000-000000000002", "", 200},
			{"location 404", "GET", "/locations/nope", "", 404},
			{"location by entity", "GET", "/locations/by-entity/component/default/artist-web", "", 200},
			{"location by entity 404", "GET", "/locations/by-entity/component/default/searcher", "", 404},
			{"delete location", "DELETE", "/locations/b0000000-0000-0000-0000-000000000002", "", 204},
			{"delete location 404", "DELETE", "/locations/nope", "", 404},
			{"analyze", "POST", "/analyze-location", `{"location":{"type":"url","target":"https://github.com/o/r"}}`, 200},
			{"analyze bad", "POST", "/analyze-location", `{"location":{"type":"url","target":"nope"}}`, 400},
			{"validate", "POST", "/validate-entity", `{"entity":{"kind":"Component"},"location":"url:https://x/y.yaml"}`, 200},
			{"validate invalid", "POST", "/validate-entity", `{"entity":{"kind":"bad"},"location":"url:https://x/y.yaml"}`, 400},
			{"validate malformed", "POST", "/validate-entity", `{`, 400},
		}
		exercised := map[string]bool{}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				req := httptest.NewRequestWithContext(t.Context(), tt.method, tt.path, nil)
				_, pattern := rec.Handler(req)
				if pattern == "" {
					t.Fatalf("%s %s matches no route", tt.method, tt.path)
				}
				exercised[pattern] = true
				status, body, header := do(t, srv, tt.method, tt.path, tt.body)
				if status != tt.status {
					t.Fatalf("%s %s: status %d, want %d; body %s", tt.method, tt.path, status, tt.status, body)
				}
				doc.check(t, pattern, status, header, []byte(body))
			})
		}
		for _, p := range rec.patterns {
			if !exercised[p] {
				t.Errorf("route %s is not exercised by the contract test", p)
			}
		}
	})
}

// TestOpenAPIDocumentsOnlyRoutes fails when the document describes an
// operation no handler serves.
func TestOpenAPIDocumentsOnlyRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	rec := &recorder{mux: mux{http.NewServeMux()}}
	api.Register(rec, nil, nil, slog.New(slog.DiscardHandler), api.Options{})
	paths, _ := doc.doc["paths"].(map[string]any)
	for path, item := range paths {
		ops, _ := item.(map[string]any)
		for method := range ops {
			if method == "parameters" {
				continue
			}
			p := strings.ToUpper(method) + " " + path
			if !slices.Contains(rec.patterns, p) {
				t.Errorf("openapi.yaml documents %s, which is not registered", p)
			}
		}
	}
}

func entityUID(t *testing.T, srv *httptest.Server, kind, name string) string {
	t.Helper()
	_, body, _ := do(t, srv, "GET", fmt.Sprintf("/entities/by-name/%s/default/%s", kind, name), "")
	var e struct {
		Metadata struct {
			UID string `json:"uid"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil || e.Metadata.UID == "" {
		t.Fatalf("entity %s: %v %s", name, err, body)
	}
	return e.Metadata.UID
}

func nextCursor(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	_, body, _ := do(t, srv, "GET", "/entities/by-query?limit=1", "")
	var res struct {
		PageInfo struct {
			NextCursor string `json:"nextCursor"`
		} `json:"pageInfo"`
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil || res.PageInfo.NextCursor == "" {
		t.Fatalf("first page: %v %s", err, body)
	}
	return strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(res.PageInfo.NextCursor)
}
