package bench

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portico-dev/portico/plugins/catalog/model"
)

func TestGenerateCounts(t *testing.T) {
	tests := []struct {
		name string
		n    int
		want Counts
	}{
		{name: "smallest", n: MinEntities, want: Counts{Groups: 3, Users: 3, Domains: 1, Systems: 2, Components: 7, APIs: 2, Resources: 2}},
		{name: "thousand", n: 1000, want: Counts{Groups: 20, Users: 150, Domains: 4, Systems: 30, Components: 546, APIs: 120, Resources: 130}},
		{name: "hundred thousand", n: 100_000, want: Counts{Groups: 2000, Users: 15000, Domains: 400, Systems: 3000, Components: 54600, APIs: 12000, Resources: 13000}},
		{name: "odd size", n: 12_345, want: Counts{Groups: 246, Users: 1851, Domains: 49, Systems: 370, Components: 6744, APIs: 1481, Resources: 1604}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Generate(tt.n, 1)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Counts(); got != tt.want {
				t.Errorf("Generate(%d).Counts() = %+v, want %+v", tt.n, got, tt.want)
			}
			if got := c.Counts().Total(); got != tt.n {
				t.Errorf("Generate(%d) total = %d", tt.n, got)
			}
		})
	}
	if _, err := Generate(MinEntities-1, 1); err == nil {
		t.Errorf("Generate(%d) succeeded, want an error", MinEntities-1)
	}
}

// TestGeneratedEntitiesValidate checks every entity against the model, that names are unique
// and that every relation points at a generated entity.
func TestGeneratedEntitiesValidate(t *testing.T) {
	for _, n := range []int{MinEntities, 57, 3000} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			c, err := Generate(n, 42)
			if err != nil {
				t.Fatal(err)
			}
			v := model.NewValidator(model.Options{})
			byRef := map[string]*model.Entity{}
			kinds := map[string]int{}
			for e := range c.Entities() {
				ref := e.Ref().String()
				if byRef[ref] != nil {
					t.Errorf("%s generated twice", ref)
				}
				byRef[ref] = e
				kinds[e.Kind]++
				if problems := v.ValidateValue(e.Value()); len(problems) > 0 {
					t.Errorf("%s: %v", ref, problems)
				}
			}
			if len(byRef) != n {
				t.Errorf("generated %d entities, want %d", len(byRef), n)
			}
			counts := c.Counts()
			want := map[string]int{
				model.KindGroup: counts.Groups, model.KindUser: counts.Users, model.KindDomain: counts.Domains,
				model.KindSystem: counts.Systems, model.KindComponent: counts.Components,
				model.KindAPI: counts.APIs, model.KindResource: counts.Resources,
			}
			for k, w := range want {
				if kinds[k] != w {
					t.Errorf("%d %s entities, want %d", kinds[k], k, w)
				}
			}
			relations := map[string]int{}
			for ref, e := range byRef {
				pairs, problems := v.Relations(e)
				if len(problems) > 0 {
					t.Errorf("%s relations: %v", ref, problems)
				}
				for _, p := range pairs {
					relations[p.Outgoing.Type]++
					if byRef[p.Outgoing.Target.String()] == nil {
						t.Errorf("%s: %s %s does not exist", ref, p.Outgoing.Type, p.Outgoing.Target)
					}
				}
			}
			for _, typ := range []string{model.RelationOwnedBy, model.RelationPartOf, model.RelationChildOf, model.RelationMemberOf, model.RelationProvidesAPI} {
				if relations[typ] == 0 {
					t.Errorf("no %s relation generated", typ)
				}
			}
			if n >= 1000 {
				for _, typ := range []string{model.RelationConsumesAPI, model.RelationDependsOn} {
					if relations[typ] == 0 {
						t.Errorf("no %s relation generated", typ)
					}
				}
			}
		})
	}
}

// TestWriteDir writes a catalog and reads it back the way the catalog would: from the root
// Location through its targets.
func TestWriteDir(t *testing.T) {
	const n = 1234
	c, err := Generate(n, 7)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	root, err := c.WriteDir(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if root != filepath.Join(dir, RootFile) {
		t.Errorf("root = %s, want %s", root, filepath.Join(dir, RootFile))
	}
	data, err := os.ReadFile(root)
	if err != nil {
		t.Fatal(err)
	}
	docs := model.ParseDescriptor(data, model.ParseOptions{})
	if len(docs) != 1 || docs[0].Entity == nil || docs[0].Entity.Kind != model.KindLocation {
		t.Fatalf("root file holds %d documents, want one Location", len(docs))
	}
	v := model.NewValidator(model.Options{})
	if p := v.CheckDocument(&docs[0]); len(p) > 0 {
		t.Fatalf("root location: %v", p)
	}
	targets, _ := docs[0].Entity.Spec["targets"].([]any)
	var want []*model.Entity
	for e := range c.Entities() {
		want = append(want, e)
	}
	got := 0
	for _, target := range targets {
		data, err := os.ReadFile(filepath.Join(dir, target.(string)))
		if err != nil {
			t.Fatal(err)
		}
		docs := model.ParseDescriptor(data, model.ParseOptions{})
		if len(docs) > EntitiesPerFile {
			t.Errorf("%s holds %d entities, want at most %d", target, len(docs), EntitiesPerFile)
		}
		for _, d := range docs {
			if p := v.CheckDocument(&d); len(p) > 0 {
				t.Errorf("%s:%d: %v", target, d.Line, p)
				continue
			}
			if got >= len(want) {
				t.Fatalf("more entities in files than generated")
			}
			if gotJSON, wantJSON := model.StableJSON(d.Entity.Value()), model.StableJSON(want[got].Value()); !bytes.Equal(gotJSON, wantJSON) {
				t.Errorf("%s:%d:\n got %s\nwant %s", target, d.Line, gotJSON, wantJSON)
			}
			got++
		}
	}
	if got != n {
		t.Errorf("files hold %d entities, want %d", got, n)
	}
	var files int
	if err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files++
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if files != len(targets)+1 {
		t.Errorf("%d files written, want %d targets and the root", files, len(targets))
	}
}

// TestDeterministic: the same size and seed give byte-identical files; another seed differs.
func TestDeterministic(t *testing.T) {
	write := func(seed int64) map[string]string {
		t.Helper()
		c, err := Generate(800, seed)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if _, err := c.WriteDir(t.Context(), dir); err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(path)
			rel, _ := filepath.Rel(dir, path)
			out[rel] = strings.ReplaceAll(string(data), dir, "")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	a, b, other := write(3), write(3), write(4)
	if len(a) != len(b) {
		t.Fatalf("%d files vs %d", len(a), len(b))
	}
	for name, content := range a {
		if b[name] != content {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
	}
	same := true
	for name, content := range a {
		if other[name] != content {
			same = false
		}
	}
	if same {
		t.Error("seeds 3 and 4 produced identical catalogs")
	}
}

func BenchmarkWriteDir(b *testing.B) {
	c, err := Generate(10_000, 1)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := c.WriteDir(b.Context(), b.TempDir()); err != nil {
			b.Fatal(err)
		}
	}
}
