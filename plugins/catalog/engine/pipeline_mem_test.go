package engine

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework/urlreader"
	"github.com/portico-dev/portico/plugins/catalog/model"
)

// TestPipelineWithoutDatabase runs the processing pipeline (read a location → process →
// validate → emit children and relations → process the children) over the in-memory
// processing store: Options.DB is nil, so any query the pipeline still made would panic.
func TestPipelineWithoutDatabase(t *testing.T) {
	const system = "apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata: {name: audio}\nspec: {owner: team-x}\n"
	const player = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: player}\nspec: {type: service, lifecycle: production, owner: team-x, system: audio}\n"
	cases := []struct {
		name string
		yaml string
		// allowed is catalog.allowedLocationTypes; registered puts the root location in the
		// locations table, as registering it through the API does.
		allowed    []string
		registered bool
		// ok are the refs processed without errors; failed maps refs to a part of their error.
		ok        []string
		failed    map[string]string
		relations map[string][]string // ref → "source type target" of the relations it originates, both directions
	}{
		{
			name:    "entities and their relations",
			yaml:    system + "---\n" + player,
			allowed: []string{"url", "file"},
			ok:      []string{"component:default/player", "system:default/audio"},
			relations: map[string][]string{
				"component:default/player": {
					"component:default/player ownedBy group:default/team-x", "component:default/player partOf system:default/audio",
					"group:default/team-x ownerOf component:default/player", "system:default/audio hasPart component:default/player",
				},
				"system:default/audio": {"group:default/team-x ownerOf system:default/audio", "system:default/audio ownedBy group:default/team-x"},
			},
		},
		{
			name:    "an invalid entity fails validation, its neighbour is processed",
			yaml:    player + "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: 'bad name!'}\nspec: {type: service, lifecycle: production, owner: team-x}\n",
			allowed: []string{"url", "file"},
			ok:      []string{"component:default/player"},
			failed:  map[string]string{"component:default/bad name!": "metadata.name"},
		},
		{
			name:       "a location registered with a type no longer allowed is not read",
			yaml:       player,
			allowed:    []string{"url"},
			registered: true,
			failed:     map[string]string{"<root>": "not an allowed location type"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "catalog-info.yaml")
			if err := os.WriteFile(file, []byte(tc.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			rd, err := urlreader.New(urlreader.Options{LocalRoots: []string{dir}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = rd.Close() })
			store := newMemProcessing(2) // small batches: children are claimed in later rounds
			e, err := newEngine(Options{Reader: rd, AllowedLocationTypes: tc.allowed, Rules: []Rule{{Allow: []string{"Component", "System", "Location"}}},
				Random: func() float64 { return 0 }}, store)
			if err != nil {
				t.Fatal(err)
			}
			root := LocationEntity(model.LocationTypeFile, file)
			rootRef := root.Ref().String()
			if err := store.seed(root, ""); err != nil {
				t.Fatal(err)
			}
			if tc.registered {
				store.locations[model.LocationRef{Type: model.LocationTypeFile, Target: file}.String()] = true
			}
			// Process until nothing is due: each round claims what the previous one emitted.
			for round := 0; ; round++ {
				if round == 10 {
					t.Fatal("still processing after 10 rounds")
				}
				n, err := e.processAll(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					break
				}
			}
			var ok []string
			for ref, r := range store.rows {
				if ref == rootRef {
					ref = "<root>"
				}
				if want, isFailed := tc.failed[ref]; isFailed {
					got, _ := json.Marshal(r.errors)
					if len(r.errors) == 0 || !strings.Contains(string(got), want) {
						t.Errorf("%s: errors %s, want one with %q", ref, got, want)
					}
					continue
				}
				if len(r.errors) > 0 || r.processed == nil {
					t.Errorf("%s: errors %v, processed %t; want it processed", ref, r.errors, r.processed != nil)
					continue
				}
				if ref != "<root>" {
					ok = append(ok, ref)
				}
				var rels []string
				for _, rel := range r.relations {
					rels = append(rels, rel.Source+" "+rel.Type+" "+rel.Target)
				}
				slices.Sort(rels)
				if want := tc.relations[ref]; want != nil && !slices.Equal(rels, want) {
					t.Errorf("%s: relations %q, want %q", ref, rels, want)
				}
			}
			slices.Sort(ok)
			if !slices.Equal(ok, tc.ok) {
				t.Errorf("processed %q, want %q", ok, tc.ok)
			}
		})
	}
}
