package reader_test

import (
	"encoding/json"
	"testing"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/plugins/catalog/reader"
	"github.com/portico-dev/portico/plugins/catalog/reader/readertest"
)

// fixtures is a small catalog covering every filter rule.
var fixtures = []string{
	`{"apiVersion":"backstage.io/v1alpha1","kind":"Component","metadata":{"name":"artist-web","namespace":"default","title":"Artist Web","tags":["java","web"],"annotations":{"backstage.io/managed-by-origin-location":"url:https://example.com/catalog.yaml"}},"spec":{"type":"website","lifecycle":"production","owner":"team-a"},"relations":[{"type":"ownedBy","targetRef":"group:default/team-a"}]}`,
	`{"apiVersion":"backstage.io/v1alpha1","kind":"Component","metadata":{"name":"searcher","tags":["go"],"annotations":{"backstage.io/orphan":"true"}},"spec":{"type":"service","lifecycle":"experimental","owner":"team-b"}}`,
	`{"apiVersion":"backstage.io/v1alpha1","kind":"API","metadata":{"name":"artist-api","namespace":"default"},"spec":{"type":"openapi","lifecycle":"production","owner":"team-a"},"relations":[{"type":"ownedBy","targetRef":"group:default/team-a"}]}`,
	`{"apiVersion":"backstage.io/v1alpha1","kind":"Group","metadata":{"name":"team-a","namespace":"default"},"spec":{"type":"team","profile":{"displayName":"Team Alpha"},"children":[]},"relations":[{"type":"hasMember","targetRef":"user:default/jdoe"},{"type":"ownerOf","targetRef":"component:default/artist-web"}]}`,
	`{"apiVersion":"backstage.io/v1alpha1","kind":"User","metadata":{"name":"jdoe","namespace":"default"},"spec":{"profile":{"displayName":"John Doe"},"memberOf":["team-a"]},"relations":[{"type":"memberOf","targetRef":"group:default/team-a"}]}`,
	`{"apiVersion":"backstage.io/v1alpha1","kind":"Component","metadata":{"name":"billing","namespace":"prod"},"spec":{"type":"Service","lifecycle":"production","owner":"team-b"}}`,
	`{"apiVersion":"backstage.io/v1alpha1","kind":"Location","metadata":{"name":"generated-1","namespace":"default"},"spec":{"type":"url","target":"https://example.com/catalog.yaml"}}`,
}

// seeded returns a Reader over a database holding fixtures, an unstitched
// row, parents and locations.
func seeded(t *testing.T, db *database.DB) *reader.Reader {
	t.Helper()
	ctx := t.Context()
	s := readertest.Seeder{DB: db}
	if _, err := s.Entities(ctx, fixtures...); err != nil {
		t.Fatal(err)
	}
	mustOK(t, s.Unstitched(ctx, "pending-uid", "component:default/pending"))
	mustOK(t, s.Parent(ctx, "", "location:default/generated-1", "component:default/artist-web"))
	mustOK(t, s.Parent(ctx, "provider:x", "", "location:default/generated-1"))
	mustOK(t, s.Location(ctx, "b0000000-0000-0000-0000-000000000002", "url", "https://example.com/catalog.yaml"))
	mustOK(t, s.Location(ctx, "a0000000-0000-0000-0000-000000000001", "file", "/tmp/other.yaml"))
	return reader.New(db)
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// refsOf returns kind:namespace/name (lower-case) of entities.
func refsOf(t *testing.T, items []json.RawMessage) []string {
	t.Helper()
	out := []string{}
	for _, it := range items {
		if it == nil {
			out = append(out, "<nil>")
			continue
		}
		var e struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name      string `json:"name"`
				Namespace string `json:"namespace"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(it, &e); err != nil {
			t.Fatal(err)
		}
		ns := e.Metadata.Namespace
		if ns == "" {
			ns = "default"
		}
		out = append(out, lower(e.Kind)+":"+ns+"/"+e.Metadata.Name)
	}
	return out
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}
