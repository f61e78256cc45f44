package api_test

import (
	"testing"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/plugins/catalog/api"
	"github.com/portico-dev/portico/plugins/catalog/reader/readertest"
)

// TestBackstageQueryParity performs the query differences found against Backstage's catalog
// (issue 14, descriptors 5) through the real HTTP API on each database.
func TestBackstageQueryParity(t *testing.T) {
	readertest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		srv := server(t, db, api.Options{})
		s := readertest.Seeder{DB: db}
		if _, err := s.Entities(t.Context(),
			`{"apiVersion":"backstage.io/v1alpha1","kind":"System","metadata":{"name":"zeta-sys","namespace":"default","title":"Alpha System"},"spec":{"owner":"team-a"}}`,
			`{"apiVersion":"backstage.io/v1alpha1","kind":"System","metadata":{"name":"beta-sys","namespace":"default","title":"Omega System","description":"artist tools"},"spec":{"owner":"team-a"}}`,
		); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name, method, path, body string
			status                   int
			want                     []string // substrings of the body
			wantNot                  []string
		}{
			// Backstage joins the sort field's search rows: entities without a title are not listed.
			{"order by title drops untitled", "GET", "/entities/by-query?orderField=metadata.title,asc&fields=metadata.name", "", 200,
				[]string{`{"items":[{"metadata":{"name":"zeta-sys"}},{"metadata":{"name":"beta-sys"}}],"totalItems":2,"pageInfo":{}}`}, nil},
			{"order by title desc drops untitled", "GET", "/entities/by-query?orderField=metadata.title,desc&fields=metadata.name", "", 200,
				[]string{`{"items":[{"metadata":{"name":"beta-sys"}},{"metadata":{"name":"zeta-sys"}}],"totalItems":2,"pageInfo":{}}`}, nil},
			{"post order by title drops untitled", "POST", "/entities/by-query", `{"orderBy":[{"field":"metadata.title","order":"asc"}],"fields":["metadata.name"]}`, 200,
				[]string{`"totalItems":2`}, []string{`artist-web`}},
			// Without fullTextFilterFields Backstage searches the first order field, else metadata.uid.
			{"full text searches the order field", "GET", "/entities/by-query?fullTextFilterTerm=alpha&orderField=metadata.title,asc&fields=metadata.name", "", 200,
				[]string{`{"items":[{"metadata":{"name":"zeta-sys"}}],"totalItems":1,"pageInfo":{}}`}, nil},
			{"full text does not search the name by default", "GET", "/entities/by-query?fullTextFilterTerm=artist&orderField=metadata.title,asc&fields=metadata.name", "", 200,
				[]string{`{"items":[],"totalItems":0,"pageInfo":{}}`}, nil},
			{"full text without order searches the uid", "GET", "/entities/by-query?fullTextFilterTerm=artist&fields=metadata.name", "", 200,
				[]string{`{"items":[],"totalItems":0,"pageInfo":{}}`}, nil},
			{"full text with fields", "GET", "/entities/by-query?fullTextFilterTerm=artist&fullTextFilterFields=metadata.name,metadata.description&fields=metadata.name", "", 200,
				[]string{`"totalItems":3`, `"beta-sys"`, `"artist-web"`, `"artist-api"`}, nil},
			{"post full text searches the order field", "POST", "/entities/by-query", `{"orderBy":[{"field":"metadata.title","order":"asc"}],"fullTextFilter":{"term":"omega"},"fields":["metadata.name"]}`, 200,
				[]string{`{"items":[{"metadata":{"name":"beta-sys"}}],"totalItems":1,"pageInfo":{}}`}, nil},
			// limit=0 counts without listing.
			{"limit zero", "GET", "/entities/by-query?limit=0", "", 200, []string{`{"items":[],"totalItems":5,"pageInfo":{}}`}, nil},
			{"limit zero filtered", "GET", "/entities/by-query?limit=0&filter=kind%3Dsystem", "", 200, []string{`{"items":[],"totalItems":2,"pageInfo":{}}`}, nil},
			{"post limit zero", "POST", "/entities/by-query", `{"limit":0,"query":{"kind":"component"}}`, 200, []string{`{"items":[],"totalItems":2,"pageInfo":{}}`}, nil},
			{"limit negative", "GET", "/entities/by-query?limit=-1", "", 400, []string{`"InputError"`}, nil},
			// A malformed ref is not found: null in its slot, the others answered.
			{"by-refs malformed ref", "POST", "/entities/by-refs", `{"entityRefs":["component:default/artist-web","no-kind","","system:default/beta-sys"],"fields":["metadata.name"]}`, 200,
				[]string{`{"items":[{"metadata":{"name":"artist-web"}},null,null,{"metadata":{"name":"beta-sys"}}]}`}, nil},
			// validate-entity requires location: the standard error envelope.
			{"validate without location", "POST", "/validate-entity", `{"entity":{"kind":"Component"}}`, 400,
				[]string{`{"error":{"name":"InputError","message":"Malformed request:`}, []string{`"errors"`}},
			{"validate location not a string", "POST", "/validate-entity", `{"entity":{"kind":"Component"},"location":3}`, 400,
				[]string{`{"error":{"name":"InputError"`}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				checkResponse(t, srv, tt.method, tt.path, tt.body, tt.status, tt.want, tt.wantNot)
			})
		}
	})
}
