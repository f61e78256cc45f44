package engine_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
	"github.com/portico-dev/portico/plugins/catalog/engine"
)

// searchRows returns every row of table as "ref|key|value|original", sorted, but for the
// uid and etag, which differ from one ingestion to the next.
func searchRows(t *testing.T, db *database.DB, table string) []string {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), `SELECT f.entity_ref, s.key, s.value, s.original_value
		FROM `+table+` s JOIN final_entities f ON f.entity_id = s.entity_id
		WHERE s.key NOT IN ('metadata.uid', 'metadata.etag')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var ref, key string
		var value, orig sql.NullString
		if err := rows.Scan(&ref, &key, &value, &orig); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s|%s|%v|%v", ref, key, value, orig))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func countRows(t *testing.T, db *database.DB, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestStagedSearchRows checks that staging first stitches' search rows and folding them
// (pending.go) yields exactly the rows direct writes yield, whatever the fold schedule, and
// that a re-stitch, a delete and a round stopped before its fold lose nothing.
func TestStagedSearchRows(t *testing.T) {
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		migrate(t, db)
		root := t.TempDir()
		file := filepath.Join(root, "catalog.yaml")
		var docs []string
		for i := range 40 {
			docs = append(docs, component(fmt.Sprintf("svc-%02d", i), fmt.Sprintf("team-%d", i%3)))
		}
		writeFile(t, file, docs...)

		ingest := func(mod func(*engine.Options)) (*engine.Engine, []string) {
			t.Helper()
			e := newEngine(t, db, newClock(), root, mod)
			if _, err := e.AddLocation(t.Context(), "file", file, false); err != nil {
				t.Fatal(err)
			}
			run(t, e)
			if n := countRows(t, db, "search_pending"); n != 0 {
				t.Fatalf("%d rows still staged after the round", n)
			}
			return e, searchRows(t, db, "search")
		}

		// One fold when the round ends.
		e, once := ingest(nil)
		if len(once) < 40*10 {
			t.Fatalf("only %d search rows for 40 components", len(once))
		}
		if !slices.Contains(once, "component:default/svc-07|spec.owner|{team-1 true}|{ false}") {
			t.Fatalf("search rows lack svc-07's owner: %v", once[:10])
		}
		cleanup(t, e, db)

		// Folds every few batches: rebuilding folds (staged rows outnumber the indexed ones)
		// and sorted inserts, mid-round.
		e, many := ingest(func(o *engine.Options) { o.StitchBatchSize = 4; o.SearchFoldRows = 30 })
		if diff := firstDiff(once, many); diff != "" {
			t.Fatalf("folding mid-round changed the search rows: %s", diff)
		}
		if !db.Dialect.IsPostgres() {
			defs := engine.SearchIndexDefinitions()
			rows, err := db.QueryContext(t.Context(), "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'search'")
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for rows.Next() {
				var name, def string
				if err := rows.Scan(&name, &def); err != nil {
					t.Fatal(err)
				}
				got[name] = def
			}
			rows.Close()
			if fmt.Sprint(got) != fmt.Sprint(defs) {
				t.Fatalf("search indexes after folds = %v, want %v", got, defs)
			}
		}

		// A re-stitch replaces the entity's rows in place.
		docs[7] = component("svc-07", "team-x")
		writeFile(t, file, docs...)
		if err := e.Refresh(t.Context(), "component:default/svc-07"); err != nil {
			t.Fatal(err)
		}
		run(t, e)
		after := searchRows(t, db, "search")
		if slices.Contains(after, "component:default/svc-07|spec.owner|{team-1 true}|{ false}") ||
			!slices.Contains(after, "component:default/svc-07|spec.owner|{team-x true}|{ false}") {
			t.Fatalf("svc-07's owner rows after the change: %v", grep(after, "svc-07|spec.owner"))
		}
		if len(after) != len(once) {
			t.Fatalf("%d search rows after re-stitching one entity, want %d", len(after), len(once))
		}

		// Rows a stopped round left staged are folded by the next round (SQLite stages).
		if db.Dialect.IsPostgres() {
			cleanup(t, e, db)
			return
		}
		if _, err := db.ExecContext(t.Context(), `INSERT INTO search_pending SELECT entity_id, key, value, original_value FROM search
			WHERE entity_id IN (SELECT entity_id FROM final_entities WHERE entity_ref LIKE 'component:default/svc-1%')`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(t.Context(), `DELETE FROM search
			WHERE entity_id IN (SELECT entity_id FROM final_entities WHERE entity_ref LIKE 'component:default/svc-1%')`); err != nil {
			t.Fatal(err)
		}
		run(t, e)
		if got := searchRows(t, db, "search"); firstDiff(after, got) != "" {
			t.Fatalf("staged rows of a stopped round were not folded: %s", firstDiff(after, got))
		}

		// Removing the location removes every row, staged or not.
		cleanup(t, e, db)
		if n := countRows(t, db, "search") + countRows(t, db, "search_pending"); n != 0 {
			t.Fatalf("%d search rows left after removing the location", n)
		}
	})
}

func firstDiff(want, got []string) string {
	for i := range max(len(want), len(got)) {
		switch {
		case i >= len(want):
			return "extra " + got[i]
		case i >= len(got):
			return "missing " + want[i]
		case want[i] != got[i]:
			return "want " + want[i] + ", got " + got[i]
		}
	}
	return ""
}

func grep(lines []string, sub string) []string {
	var out []string
	for _, l := range lines {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return out
}

// TestTextDocuments checks that stitching writes each entity's full-text document and that
// an engine starting over a catalog without them (stitched before they existed) fills them in.
func TestTextDocuments(t *testing.T) {
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		migrate(t, db)
		root := t.TempDir()
		file := filepath.Join(root, "catalog.yaml")
		writeFile(t, file, component("svc-a", "team"), `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: svc-b
  title: Billing Gateway
spec:
  type: service
  lifecycle: production
  owner: team
`)
		e := newEngine(t, db, newClock(), root, nil)
		if _, err := e.AddLocation(t.Context(), "file", file, false); err != nil {
			t.Fatal(err)
		}
		run(t, e)
		docs := func() map[string]string {
			t.Helper()
			rows, err := db.QueryContext(t.Context(), "SELECT entity_ref, COALESCE(search_text, '<none>') FROM final_entities WHERE entity_ref LIKE 'component:%'")
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			out := map[string]string{}
			for rows.Next() {
				var ref, text string
				if err := rows.Scan(&ref, &text); err != nil {
					t.Fatal(err)
				}
				out[ref] = text
			}
			return out
		}
		want := map[string]string{"component:default/svc-a": "svc-a", "component:default/svc-b": "svc-b\x1fbilling gateway"}
		if got := docs(); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("documents after stitching = %q, want %q", got, want)
		}
		if _, err := db.ExecContext(t.Context(), "UPDATE final_entities SET search_text = NULL"); err != nil {
			t.Fatal(err)
		}
		run(t, newEngine(t, db, newClock(), root, nil))
		if got := docs(); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("documents filled at start-up = %q, want %q", got, want)
		}
		cleanup(t, e, db)
	})
}
