package engine_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
	"github.com/portico-dev/portico/plugins/catalog/engine"
)

var update = flag.Bool("update", false, "rewrite golden files")

// goldenView is what a golden file records about one ingestion: the final entities (uid and
// etag removed, paths made relative), and the errors of entities that never stitched.
type goldenView struct {
	Entities map[string]map[string]any  `json:"entities"`
	Errors   map[string]json.RawMessage `json:"errors"`
}

func TestGolden(t *testing.T) {
	cases, err := filepath.Glob("testdata/golden/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range cases {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
				migrate(t, db)
				root := absTestdata(t, "golden", name)
				clock := newClock()
				e := newEngine(t, db, clock, root, func(o *engine.Options) {
					o.Locations = []engine.ConfigLocation{{Type: "file", Target: filepath.Join(root, "catalog-info.yaml")}}
				})
				if err := e.ProcessUntilIdle(t.Context()); err != nil {
					t.Fatal(err)
				}
				got := view(t, db, root)
				compareGolden(t, filepath.Join(dir, "golden.json"), got)
			})
		})
	}
}

func view(t *testing.T, db *database.DB, root string) goldenView {
	t.Helper()
	v := goldenView{Entities: map[string]map[string]any{}, Errors: map[string]json.RawMessage{}}
	for ref, ent := range finalEntities(t, db) {
		md := ent["metadata"].(map[string]any)
		delete(md, "uid")
		delete(md, "etag")
		b, _ := json.Marshal(ent)
		var clean map[string]any
		_ = json.Unmarshal([]byte(normalizeRoot(string(b), root)), &clean)
		v.Entities[normalizeRoot(ref, root)] = clean
	}
	rows, err := db.QueryContext(t.Context(), "SELECT entity_ref, errors FROM refresh_state WHERE errors IS NOT NULL AND errors <> '[]'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var ref, errs string
		if err := rows.Scan(&ref, &errs); err != nil {
			t.Fatal(err)
		}
		v.Errors[normalizeRoot(ref, root)] = json.RawMessage(normalizeRoot(errs, root))
	}
	return v
}

// generatedName matches the names of generated Location entities, which hash the absolute
// location target and so depend on where the repository is checked out.
var generatedName = regexp.MustCompile(`generated-[0-9a-f]{40}`)

// normalizeRoot makes output independent of the checkout path.
func normalizeRoot(s, root string) string {
	return generatedName.ReplaceAllString(replaceAll(s, root, "<root>"), "generated-<sha1>")
}

func compareGolden(t *testing.T, path string, got goldenView) {
	t.Helper()
	data, err := marshalIndent(got)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update): %v", err)
	}
	var w goldenView
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	wantData, _ := marshalIndent(w)
	if string(wantData) != string(data) {
		var refs []string
		for r := range got.Entities {
			refs = append(refs, r)
		}
		sort.Strings(refs)
		t.Errorf("golden mismatch for %s (run with -update to accept)\ngot refs: %v\ngot:\n%s", path, refs, data)
	}
}

func marshalIndent(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
