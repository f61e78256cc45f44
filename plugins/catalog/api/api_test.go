package api_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/catalog/api"
	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/catalog/reader"
	"github.com/portico-dev/portico/plugins/catalog/reader/readertest"
	"github.com/portico-dev/portico/plugins/catalog/wire"
)

// mux adapts http.ServeMux to framework.HTTPRouter for tests.
type mux struct{ *http.ServeMux }

func (m mux) AddAuthPolicy(framework.AuthPolicy) {}

// writerDouble stands in for the engine, which is built in parallel.
type writerDouble struct{ refreshed []string }

func (d *writerDouble) AddLocation(_ context.Context, typ, target string, dryRun bool) (wire.AddLocationResult, error) {
	if target == "https://dup" {
		return wire.AddLocationResult{}, model.ErrConflict
	}
	return wire.AddLocationResult{Location: model.Location{ID: "new-id", Type: typ, Target: target}, Exists: dryRun}, nil
}
func (d *writerDouble) RemoveLocation(_ context.Context, id string) error {
	if id != "b0000000-0000-0000-0000-000000000002" {
		return model.ErrNotFound
	}
	return nil
}
func (d *writerDouble) Refresh(_ context.Context, ref string) error {
	d.refreshed = append(d.refreshed, ref)
	return nil
}
func (d *writerDouble) DeleteEntityByUID(context.Context, string) error { return nil }
func (d *writerDouble) ValidateEntity(_ context.Context, e json.RawMessage, _ string) ([]model.SerializedError, error) {
	if strings.Contains(string(e), "bad") {
		return []model.SerializedError{{Name: "InputError", Message: "bad entity"}}, nil
	}
	return nil, nil
}
func (d *writerDouble) AnalyzeLocation(context.Context, wire.AnalyzeLocationRequest) (wire.AnalyzeLocationResponse, error) {
	return wire.AnalyzeLocationResponse{}, nil
}

var fixtures = []string{
	`{"apiVersion":"backstage.io/v1alpha1","kind":"Component","metadata":{"name":"artist-web","namespace":"default","annotations":{"backstage.io/managed-by-origin-location":"url:https://example.com/catalog.yaml"}},"spec":{"type":"website","lifecycle":"production","owner":"team-a"},"relations":[{"type":"ownedBy","targetRef":"group:default/team-a"}]}`,
	`{"apiVersion":"backstage.io/v1alpha1","kind":"Component","metadata":{"name":"searcher","namespace":"default"},"spec":{"type":"service","lifecycle":"experimental","owner":"team-a"}}`,
	`{"apiVersion":"backstage.io/v1alpha1","kind":"API","metadata":{"name":"artist-api","namespace":"default"},"spec":{"type":"openapi","lifecycle":"production","owner":"team-a"}}`,
}

func server(t *testing.T, db *database.DB, opts api.Options) *httptest.Server {
	t.Helper()
	s := readertest.Seeder{DB: db}
	if _, err := s.Entities(t.Context(), fixtures...); err != nil {
		t.Fatal(err)
	}
	if err := s.Location(t.Context(), "b0000000-0000-0000-0000-000000000002", "url", "https://example.com/catalog.yaml"); err != nil {
		t.Fatal(err)
	}
	m := mux{http.NewServeMux()}
	api.Register(m, reader.New(db), &writerDouble{}, slog.New(slog.DiscardHandler), opts)
	srv := httptest.NewServer(m)
	t.Cleanup(srv.Close)
	return srv
}

func TestAPI(t *testing.T) {
	readertest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		srv := server(t, db, api.Options{})
		tests := []struct {
			name, method, path, body string
			status                   int
			contains                 []string
		}{
			{"list with fields", "GET", "/entities?filter=kind%3Dcomponent&fields=kind%2Cmetadata.name", "", 200, []string{`[{"kind":"Component","metadata":{"name":"artist-web"}},{"kind":"Component","metadata":{"name":"searcher"}}]`}},
			{"list all", "GET", "/entities", "", 200, []string{`"artist-api"`, `"searcher"`}},
			{"list bad filter", "GET", "/entities?filter=%3Dx", "", 400, []string{`"InputError"`, `Invalid filter, '=x' is not a valid statement`}},
			{"list bad order", "GET", "/entities?order=up%3Ax", "", 400, []string{`Invalid order parameter \"up:x\"`}},
			{"list bad limit", "GET", "/entities?limit=0", "", 400, []string{`Invalid limit, must be greater than zero`}},
			{"list bad fields", "GET", "/entities?fields=metadata.tags%5B0%5D", "", 400, []string{`invalid fields, array type fields are not supported`}},
			{"by-query", "GET", "/entities/by-query?filter=kind%3Dcomponent&limit=1&orderField=metadata.name%2Cdesc", "", 200, []string{`"totalItems":2`, `"nextCursor"`, `"name":"searcher"`}},
			{"by-query bad order", "GET", "/entities/by-query?orderField=metadata.name%2Cup", "", 400, []string{`Invalid order field order, must be asc or desc`}},
			{"by-query full text", "GET", "/entities/by-query?fullTextFilterTerm=artist&fullTextFilterFields=metadata.name&fields=metadata.name", "", 200, []string{`"totalItems":2`, `"pageInfo":{}`}},
			{"by-query post", "POST", "/entities/by-query", `{"query":{"$all":[{"kind":"component"},{"$not":{"spec.lifecycle":"experimental"}}]},"fields":["metadata.name"]}`, 200, []string{`{"items":[{"metadata":{"name":"artist-web"}}],"totalItems":1,"pageInfo":{}}`}},
			{"by-query post bad", "POST", "/entities/by-query", `{"query":"x"}`, 400, []string{`top-level primitive values are not supported`}},
			{"by-refs", "POST", "/entities/by-refs?filter=kind%3Dcomponent", `{"entityRefs":["component:default/artist-web","api:default/artist-api"],"fields":["metadata.name"]}`, 200, []string{`{"items":[{"metadata":{"name":"artist-web"}},null]}`}},
			{"by-refs missing", "POST", "/entities/by-refs", `{}`, 400, []string{`entityRefs`}},
			{"by-name", "GET", "/entities/by-name/Component/default/Artist-Web", "", 200, []string{`"name":"artist-web"`}},
			{"by-name 404", "GET", "/entities/by-name/component/default/foo", "", 404, []string{`"NotFoundError"`, `No entity named 'foo' found, with kind 'component' in namespace 'default'`, `"statusCode":404`}},
			{"by-uid 404", "GET", "/entities/by-uid/nope", "", 404, []string{`No entity with uid nope`}},
			{"delete by uid", "DELETE", "/entities/by-uid/nope", "", 204, nil},
			{"ancestry", "GET", "/entities/by-name/component/default/searcher/ancestry", "", 200, []string{`"rootEntityRef":"component:default/searcher"`, `"parentEntityRefs":[]`}},
			{"facets", "GET", "/entity-facets?facet=kind&filter=metadata.namespace%3Ddefault", "", 200, []string{`"kind":[`, `{"value":"Component","count":2}`, `{"value":"API","count":1}`}},
			{"facets post", "POST", "/entity-facets", `{"facets":["spec.type"],"query":{"kind":"api"}}`, 200, []string{`{"facets":{"spec.type":[{"value":"openapi","count":1}]}}`}},
			{"refresh", "POST", "/refresh", `{"entityRef":"component:default/artist-web"}`, 200, nil},
			{"locations", "GET", "/locations", "", 200, []string{`[{"data":{"id":"b0000000-0000-0000-0000-000000000002","type":"url","target":"https://example.com/catalog.yaml"}}]`}},
			{"location 404", "GET", "/locations/nope", "", 404, []string{`Found no location with ID nope`}},
			{"location by entity", "GET", "/locations/by-entity/component/default/artist-web", "", 200, []string{`"id":"b0000000-0000-0000-0000-000000000002"`}},
			{"add location", "POST", "/locations", `{"type":"url","target":"https://x"}`, 201, []string{`"location":{"id":"new-id","type":"url","target":"https://x"}`, `"entities":[]`, `"exists":false`}},
			{"add location conflict", "POST", "/locations", `{"type":"url","target":"https://dup"}`, 409, []string{`"ConflictError"`}},
			{"delete location", "DELETE", "/locations/b0000000-0000-0000-0000-000000000002", "", 204, nil},
			{"locations by query", "POST", "/locations/by-query", `{"limit":5}`, 200, []string{`"totalItems":1`}},
			{"validate ok", "POST", "/validate-entity", `{"entity":{"kind":"Component"},"location":"url:https://x/y.yaml"}`, 200, nil},
			{"validate bad", "POST", "/validate-entity", `{"entity":{"kind":"bad"},"location":"url:https://x/y.yaml"}`, 400, []string{`{"errors":[{"name":"InputError","message":"bad entity"}]}`}},
			{"validate bad location", "POST", "/validate-entity", `{"entity":{},"location":"file:/x"}`, 400, []string{`Invalid location ref file:/x, only 'url:\u003ctarget\u003e' is supported`}},
			{"analyze", "POST", "/analyze-location", `{"location":{"type":"url","target":"https://github.com/o/r"}}`, 200, []string{`{"existingEntityFiles":[],"generateEntities":[]}`}},
			{"analyze not url", "POST", "/analyze-location", `{"location":{"type":"url","target":"nope"}}`, 400, []string{`The given location.target is not a URL`}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				checkResponse(t, srv, tt.method, tt.path, tt.body, tt.status, tt.contains, nil)
			})
		}
		t.Run("link header", func(t *testing.T) {
			_, body, h := do(t, srv, "GET", "/entities?filter=kind%3Dcomponent&fields=metadata.name&limit=1", "")
			link := h.Get("Link")
			if !strings.HasPrefix(link, "</entities?") || !strings.HasSuffix(link, `>; rel="next"`) || !strings.Contains(body, "artist-web") {
				t.Fatalf("link %q body %s", link, body)
			}
			next := strings.TrimSuffix(strings.TrimPrefix(link, "<"), `>; rel="next"`)
			_, body, h = do(t, srv, "GET", next, "")
			if !strings.Contains(body, "searcher") || h.Get("Link") != "" {
				t.Errorf("next page %s link %q", body, h.Get("Link"))
			}
		})
		t.Run("readonly", func(t *testing.T) {
			ro := server(t, newDB(t, db), api.Options{Readonly: true})
			status, body, _ := do(t, ro, "POST", "/locations", `{"type":"url","target":"https://x"}`)
			if status != 403 || !strings.Contains(body, "This operation not allowed in readonly mode") {
				t.Errorf("readonly add: %d %s", status, body)
			}
			if status, _, _ := do(t, ro, "POST", "/locations?dryRun=true", `{"type":"url","target":"https://x"}`); status != 201 {
				t.Errorf("readonly dry run: %d", status)
			}
		})
	})
}

// newDB returns a second, empty catalog on the same server: the readonly
// case seeds the same fixtures again, so it needs fresh tables.
func newDB(t *testing.T, db *database.DB) *database.DB {
	t.Helper()
	for _, table := range []string{"search", "final_entities", "locations"} {
		if _, err := db.ExecContext(t.Context(), "DELETE FROM "+table); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// checkResponse sends a request and fails unless it answers status with a body that holds
// every string of want and none of wantNot.
func checkResponse(t *testing.T, srv *httptest.Server, method, path, body string, status int, want, wantNot []string) {
	t.Helper()
	got, resp, _ := do(t, srv, method, path, body)
	if got != status {
		t.Fatalf("%s %s: status %d, want %d; body %s", method, path, got, status, resp)
	}
	for _, c := range want {
		if !strings.Contains(resp, c) {
			t.Errorf("%s %s: body %s lacks %s", method, path, resp, c)
		}
	}
	for _, c := range wantNot {
		if strings.Contains(resp, c) {
			t.Errorf("%s %s: body %s has %s", method, path, resp, c)
		}
	}
}

func do(t *testing.T, srv *httptest.Server, method, path, body string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, b := frameworktest.Send(t, nil, req)
	return res.StatusCode, strings.TrimSpace(b), res.Header
}
