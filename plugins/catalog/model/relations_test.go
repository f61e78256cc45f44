package model

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

type goldenProblem struct {
	Stage   Stage  `json:"stage"`
	Path    string `json:"path"`
	Line    int    `json:"line"`
	Message string `json:"message"`
}

type goldenPair struct {
	Outgoing string `json:"outgoing"`
	Incoming string `json:"incoming"`
}

type goldenDocument struct {
	Document  int             `json:"document"`
	Line      int             `json:"line"`
	EntityRef string          `json:"entityRef,omitempty"`
	Problems  []goldenProblem `json:"problems,omitempty"`
	Pairs     []goldenPair    `json:"pairs,omitempty"`
	// Relations is what the entity itself serves: its outgoing relations, sorted.
	Relations []goldenRelation `json:"relations,omitempty"`
}

type goldenRelation struct {
	Type      string `json:"type"`
	TargetRef string `json:"targetRef"`
}

func relationText(r RelationSpec) string {
	return r.Source.String() + " " + r.Type + " " + r.Target.String()
}

// TestRelationsGolden checks descriptor in → problems and relations out, for every
// testdata/relations/*.yaml against its .golden.json. Run with -update to rewrite the goldens.
func TestRelationsGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "relations", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	v := NewValidator(Options{})
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var out []goldenDocument
			for _, d := range ParseDescriptor(src, ParseOptions{}) {
				g := goldenDocument{Document: d.Index, Line: d.Line}
				if d.Entity != nil {
					g.EntityRef = d.Entity.Ref().String()
				}
				problems := v.CheckDocument(&d)
				for _, p := range problems {
					g.Problems = append(g.Problems, goldenProblem{p.Stage, p.Path, p.Line, p.Message})
				}
				if len(problems) == 0 && d.Entity != nil {
					pairs, _ := v.Relations(d.Entity)
					var own []Relation
					for _, p := range pairs {
						g.Pairs = append(g.Pairs, goldenPair{relationText(p.Outgoing), relationText(p.Incoming)})
						own = append(own, p.Outgoing.Relation())
					}
					for _, r := range SortRelations(own) {
						g.Relations = append(g.Relations, goldenRelation{r.Type, r.TargetRef})
					}
				}
				out = append(out, g)
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(out); err != nil {
				t.Fatal(err)
			}
			golden := strings.TrimSuffix(file, ".yaml") + ".golden.json"
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestRelationsGolden -update)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s differs from golden (rerun with -update after checking):\ngot:\n%s\nwant:\n%s", file, buf.Bytes(), want)
			}
		})
	}
}

func TestRelationTypesAreInversePairs(t *testing.T) {
	types := RelationTypes()
	if len(types) != 14 {
		t.Fatalf("want 14 relation types, got %d", len(types))
	}
	for i := 0; i < len(types); i += 2 {
		a, b := types[i], types[i+1]
		t.Run(a, func(t *testing.T) {
			if InverseRelation(a) != b || InverseRelation(b) != a {
				t.Errorf("%s and %s are not each other's inverse", a, b)
			}
		})
	}
	if InverseRelation("likes") != "" {
		t.Error("unknown relation type has an inverse")
	}
}

func TestRelationsNamespaceDefaults(t *testing.T) {
	runSrcCases(t, []srcCase{
		{
			name: "owner defaults to group in the entity's namespace",
			src:  "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: c, namespace: ops}\nspec: {type: s, lifecycle: l, owner: team-a}\n",
			want: []string{"component:ops/c ownedBy group:ops/team-a", "group:ops/team-a ownerOf component:ops/c"},
		},
		{
			name: "unknown kinds produce nothing",
			src:  "apiVersion: x/v1\nkind: Widget\nmetadata: {name: w}\nspec: {owner: team-a}\n",
		},
		{
			name: "typed string slices work",
			src:  "apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata: {name: u}\nspec: {memberOf: [a]}\n",
			want: []string{"user:default/u memberOf group:default/a", "group:default/a hasMember user:default/u"},
		},
	}, func(t *testing.T, src string) []string {
		v := NewValidator(Options{})
		e := mustEntity(t, src)
		pairs, problems := v.Relations(e)
		if len(problems) > 0 {
			t.Fatalf("problems: %v", problems)
		}
		var got []string
		for _, r := range FlattenRelationPairs(pairs) {
			got = append(got, relationText(r))
		}
		return got
	})
}

func TestSortRelations(t *testing.T) {
	in := []Relation{
		{Type: "partOf", TargetRef: "system:default/b"},
		{Type: "ownedBy", TargetRef: "group:default/z"},
		{Type: "partOf", TargetRef: "system:default/a"},
		{Type: "ownedBy", TargetRef: "group:default/z"},
	}
	got := SortRelations(in)
	want := []Relation{
		{Type: "ownedBy", TargetRef: "group:default/z"},
		{Type: "partOf", TargetRef: "system:default/a"},
		{Type: "partOf", TargetRef: "system:default/b"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i].Type != want[i].Type || got[i].TargetRef != want[i].TargetRef {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	if in[0].TargetRef != "system:default/b" {
		t.Error("SortRelations modified its input")
	}
}
